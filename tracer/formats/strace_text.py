"""strace-style text, one line per event, as `strace -f` prints them.

`[pid N] ` prefixes every line (stable and greppable when processes come and
go); the return value is aligned at column 40 as strace does.
"""

from __future__ import annotations

import signal as signal_mod
from typing import TextIO

from tracer.events import (
    Exited,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
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


def call_line(r: RenderedCall) -> str:
    head = f"{r.name}({r.args_text()})"
    return f"{head:<39} = {r.ret}"


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


def resumed_tail(r: RenderedCall) -> str:
    after = []
    seen_exit = False
    for a in r.args:
        if a.at_exit:
            seen_exit = True
        if seen_exit:
            after.append(a.text)
    head = f"<... {r.name} resumed>{', '.join(after)})"
    return f"{head:<39} = {r.ret}"


def _never_returns(call: Syscall, ctx: RenderContext) -> bool:
    d = ctx.table.get(call.nr)
    return bool(d and d.classes & Class.NEVER_RETURNS)


def event_text(ev: object, ctx: RenderContext) -> list[str] | None:
    """The line(s) for one event, without pid prefix; None for events strace does not print."""
    if isinstance(ev, Syscall):
        r = render(ev, ctx)
        if ev.no_return and ev.ret is None and not _never_returns(ev, ctx):
            # Cut short by the task's death: strace's `read(3,  <unfinished ...>) = ?`.
            return [f"{unfinished_head(r)}) = ?"] + stack_lines(ev)
        return [call_line(r)] + stack_lines(ev)
    if isinstance(ev, Unfinished):
        return [unfinished_head(render(ev.call, ctx))] + stack_lines(ev.call)
    if isinstance(ev, Resumed):
        if ev.call.no_return and not _never_returns(ev.call, ctx):
            return ["<... " + render(ev.call, ctx).name + " resumed> <unfinished ...>) = ?"]
        return [resumed_tail(render(ev.call, ctx))]
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


class StraceTextWriter(TextOutput):
    def __init__(self, out: TextIO, ctx: RenderContext, pid_prefix: bool = True) -> None:
        super().__init__(out)
        self.ctx = ctx
        self.pid_prefix = pid_prefix

    def write(self, events: list[object]) -> None:
        ctx = self.ctx
        lines: list[str] = []
        for ev in events:
            text = event_text(ev, ctx)
            if text is None:
                continue
            if self.pid_prefix:
                tid = ev.call.tid if isinstance(ev, Unfinished | Resumed) else ev.tid  # type: ignore[attr-defined]
                prefix = f"[pid {tid:>5}] "
                lines.extend(prefix + t for t in text)
            else:
                lines.extend(text)
        if lines:
            self.out.write("\n".join(lines) + "\n")
