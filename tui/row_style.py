"""How one store row looks in the syscall list: time, pid/tid and the coloured strace line.

Failures stand out (red, errno in bold), signals and process events look
different from syscalls, calls still in progress are dimmed. Times are seconds
since the first event, so a recorded session always draws the same. The time
and pid columns are the row's fixed `prefix`: the list scrolls only what follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from tracer.events import DELAYED, INJECTED, INJECTED_KEY, Syscall
from tracer.store.lines import IN_PROGRESS, render_syscall_line
from tracer.syscalls.render import render

TIME_STYLE = Style(color="grey58")
PID_STYLES = [Style(color=c) for c in ("cyan", "green", "magenta", "yellow", "blue", "bright_cyan")]
NAME_STYLE = Style(bold=True)
FAILED_STYLE = Style(color="#ff8787")
ERRNO_STYLE = Style(color="red", bold=True)
SIGNAL_STYLE = Style(color="yellow", italic=True)
PROCESS_STYLE = Style(color="bright_magenta", bold=True)
IN_PROGRESS_STYLE = Style(dim=True)
BLOCKED_STYLE = Style(dim=True, italic=True)
INJECTED_STYLE = Style(color="black", bgcolor="bright_yellow", bold=True)
_ERRNO_RE = re.compile(r"= -1 (E[A-Z0-9_]+)")
_NAME_RE = re.compile(r"^[a-z0-9_]+(?=\()")


@dataclass(slots=True)
class PaintedRow:
    """A row's text; its first `prefix` cells (time, pid) stay put when the list scrolls sideways."""

    text: Text
    prefix: int


class RowPainter:
    """Turns a store row (or a call still in flight) into Rich text; the list caches the result."""

    def __init__(self, store) -> None:
        self.store = store
        self.t0: float | None = None
        self.pid_width = 5
        # strace's -t/-tt/-ttt/-r: f(time, previous row's time) -> the time column.
        self.clock = None

    def _start(self, when: float, pid: int, tid: int, previous: float | None = None) -> Text:
        if self.t0 is None and len(self.store):
            self.t0 = self.store.time(0)
        who = str(pid) if pid == tid else f"{pid}/{tid}"
        text = Text(no_wrap=True, end="")
        if self.clock is not None:
            text.append(f"{self.clock(when, previous)} ", TIME_STYLE)
        else:
            text.append(f"{when - (self.t0 or 0.0):11.6f} ", TIME_STYLE)
        text.append(f"{who:>{self.pid_width}} ", PID_STYLES[pid % len(PID_STYLES)])
        return text

    def paint(self, row: int) -> PaintedRow:
        store = self.store
        previous = store.time(row - 1) if row and self.clock is not None else None
        text = self._start(store.time(row), store.pid(row), store.tid(row), previous)
        line = store.line(row)
        kind = store.kind(row)
        start = len(text)
        if kind == "signal":
            text.append(line, SIGNAL_STYLE)
        elif kind == "process":
            text.append(line, PROCESS_STYLE)
        elif store.failed(row):
            text.append(line, FAILED_STYLE)
            m = _ERRNO_RE.search(line)
            if m:
                text.stylize(ERRNO_STYLE, start + m.start(), start + m.end())
        elif store.in_progress(row):
            text.append(line, IN_PROGRESS_STYLE)
        else:
            text.append(line)
        m = _NAME_RE.match(line)
        if m and kind == "syscall":
            text.stylize(NAME_STYLE, start, start + m.end())
            marks = self._injected(row)
            if marks:  # strace's markers for a call fault injection changed
                text.append(" ")
                if marks & INJECTED:
                    text.append("(INJECTED)", INJECTED_STYLE)
                if marks & DELAYED:
                    text.append("(DELAYED)", INJECTED_STYLE)
        return PaintedRow(text, start)

    def _injected(self, row: int) -> int:
        store = self.store
        ix = getattr(store, "mem_ix", None)
        if ix is None or not ix[row]:
            return 0
        mem = store.mem_of(row)
        return mem.get(INJECTED_KEY, 0) if mem else 0

    def paint_inflight(self, call: Syscall) -> PaintedRow:
        """A call the tracer saw enter and not return (not a store row): dimmed, entry args only."""
        text = self._start(call.start, call.pid, call.tid)
        start = len(text)
        try:
            line = render_syscall_line(render(call, self.store.ctx), in_progress=True)
        except RuntimeError:  # the tracer thread completed it while we read its captures
            desc = self.store.table.get(call.nr)
            line = f"{desc.name if desc else call.nr}(... {IN_PROGRESS}"
        text.append(line, BLOCKED_STYLE)
        m = _NAME_RE.match(line)
        if m:
            text.stylize(NAME_STYLE, start, start + m.end())
        return PaintedRow(text, start)
