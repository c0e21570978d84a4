"""How one store row looks in the syscall list: time, pid/tid and the coloured strace line.

Failures stand out (red, errno in bold), signals and process events look
different from syscalls, calls still in progress are dimmed. Times are seconds
since the first event, so a recorded session always draws the same.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

TIME_STYLE = Style(color="grey58")
PID_STYLES = [Style(color=c) for c in ("cyan", "green", "magenta", "yellow", "blue", "bright_cyan")]
NAME_STYLE = Style(bold=True)
FAILED_STYLE = Style(color="#ff8787")
ERRNO_STYLE = Style(color="red", bold=True)
SIGNAL_STYLE = Style(color="yellow", italic=True)
PROCESS_STYLE = Style(color="bright_magenta", bold=True)
IN_PROGRESS_STYLE = Style(dim=True)
_ERRNO_RE = re.compile(r"= -1 (E[A-Z0-9_]+)")
_NAME_RE = re.compile(r"^[a-z0-9_]+(?=\()")


class RowPainter:
    """Turns a store row into Rich text; the list caches the result per row."""

    def __init__(self, store) -> None:
        self.store = store
        self.t0: float | None = None
        self.pid_width = 5

    def paint(self, row: int) -> Text:
        store = self.store
        if self.t0 is None and len(store):
            self.t0 = store.time(0)
        elapsed = store.time(row) - (self.t0 or 0.0)
        pid, tid = store.pid(row), store.tid(row)
        who = str(pid) if pid == tid else f"{pid}/{tid}"
        text = Text(no_wrap=True, end="")
        text.append(f"{elapsed:11.6f} ", TIME_STYLE)
        text.append(f"{who:>{self.pid_width}} ", PID_STYLES[pid % len(PID_STYLES)])
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
        return text
