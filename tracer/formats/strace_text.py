"""strace-style text, one line per event, as `strace -f` prints them.

Line prefixes follow strace, so scripts written for its logs read ours: to a
file (`-o`) while following forks, every line starts with the pid (`PID `,
left-aligned in five columns); to the terminal, `[pid N] ` appears while more
than one task is traced. The return value is aligned at column 40.
"""

from __future__ import annotations

import signal as signal_mod
from typing import TextIO

from tracer.events import (
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.formats.output import TextOutput
from tracer.syscalls.classes import Class
from tracer.syscalls.render import RenderContext, RenderedCall, render


def signal_name(signo: int) -> str:
    try:
        from tracer.syscalls.decoders.signal import signal_name as name

        return name(signo)
    except ImportError:
        try:
            return signal_mod.Signals(signo).name
        except ValueError:
            return f"SIG_{signo}"


def siginfo_text(ev: SignalDelivered) -> str:
    try:
        from tracer.syscalls.decoders.signal import render_siginfo

        return render_siginfo(ev.siginfo)
    except ImportError:
        return f"{{si_signo={signal_name(ev.signo)}}}"


def stack_lines(call: Syscall) -> list[str]:
    if not call.stack:
        return []
    try:
        from tracer.stack import format_frame
        from tracer.stack.frame import resolve_by_module

        resolve_by_module(call.stack)
        return [format_frame(f) for f in call.stack]
    except ImportError:
        return [f" > [{f.pc:#x}]" for f in call.stack]


def call_line(r: RenderedCall, pad: int = 39) -> str:
    """`pad`: strace puts ` = ` at column 40 of the whole line, pid prefix included."""
    head = f"{r.name}({r.args_text()})"
    return f"{head:<{pad}} = {r.ret}"


def unfinished_head(r: RenderedCall) -> str:
    """`read(3, ` then strace's ` <unfinished ...>`: entry arguments only."""
    before = []
    for a in r.args:
        if a.at_exit:
            break
        before.append(a.text)
    text = ", ".join(before)
    if before and len(before) < len(r.args):
        text += ", "
    return f"{r.name}({text} <unfinished ...>"


def resumed_tail(r: RenderedCall, pad: int = 39) -> str:
    after = []
    seen_exit = False
    for a in r.args:
        if a.at_exit:
            seen_exit = True
        if seen_exit:
            after.append(a.text)
    head = f"<... {r.name} resumed>{', '.join(after)})"
    return f"{head:<{pad}} = {r.ret}"


def _never_returns(call: Syscall, ctx: RenderContext) -> bool:
    d = ctx.table.get(call.nr)
    return bool(d and d.classes & Class.NEVER_RETURNS)


def event_text(ev: object, ctx: RenderContext, pad: int = 39) -> list[str] | None:
    """The line(s) for one event, without pid prefix; None for events strace does not print."""
    if isinstance(ev, Syscall):
        r = render(ev, ctx)
        if ev.no_return and ev.ret is None and not _never_returns(ev, ctx):
            # Cut short by the task's death: strace's `read(3,  <unfinished ...>) = ?`.
            return [f"{unfinished_head(r)}) = ?"] + stack_lines(ev)
        return [call_line(r, pad)] + stack_lines(ev)
    if isinstance(ev, Unfinished):
        return [unfinished_head(render(ev.call, ctx))] + stack_lines(ev.call)
    if isinstance(ev, Resumed):
        if ev.call.no_return and not _never_returns(ev.call, ctx):
            return ["<... " + render(ev.call, ctx).name + " resumed> <unfinished ...>) = ?"]
        return [resumed_tail(render(ev.call, ctx), pad)]
    if isinstance(ev, SignalDelivered):
        return [f"--- {signal_name(ev.signo)} {siginfo_text(ev)} ---"]
    if isinstance(ev, Exited):
        if ev.signal is not None:
            core = " (core dumped)" if ev.core else ""
            return [f"+++ killed by {signal_name(ev.signal)}{core} +++"]
        return [f"+++ exited with {ev.code} +++"]
    if isinstance(ev, Stopped):
        if ev.resumed:
            return None
        return [f"--- stopped by {signal_name(ev.signo)} ---"]
    return None


# How lines are prefixed with their task id (strace's printleader).
PREFIX_FILE = "file"  # `1234  openat(...)`: every line (strace -f -o FILE)
PREFIX_TERMINAL = "terminal"  # `[pid  1234] openat(...)`: while more than one task is traced
PREFIX_NONE = "none"  # one process, not following forks


class StraceTextWriter(TextOutput):
    def __init__(self, out: TextIO, ctx: RenderContext, prefix: str = PREFIX_FILE) -> None:
        super().__init__(out)
        self.ctx = ctx
        self.prefix = prefix
        self._live: set[int] = set()  # tasks traced now (for the terminal prefix)

    def write(self, events: list[object]) -> None:
        ctx = self.ctx
        lines: list[str] = []
        live = self._live
        for ev in events:
            tp = type(ev)
            if tp is ProcessStarted:
                live.add(ev.tid)
            elif tp is not TraceEnded:
                tid = ev.call.tid if tp is Unfinished or tp is Resumed else getattr(ev, "tid", 0)
                if self.prefix == PREFIX_FILE:
                    lead = f"{tid:<5} "
                elif self.prefix == PREFIX_TERMINAL and len(live) > 1:
                    lead = f"[pid {tid:>5}] "
                else:
                    lead = ""
                text = event_text(ev, ctx, max(0, 39 - len(lead)))
                if text is not None:
                    lines.extend(lead + t for t in text)
            if tp is Exited:
                live.discard(ev.tid)
        if lines:
            self.out.write("\n".join(lines) + "\n")
