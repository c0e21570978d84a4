"""One-line, strace-style text of a row (without the pid prefix)."""

from __future__ import annotations

import signal as signal_mod

from tracer.events import Detached, Event, Exec, Exited, ProcessStarted, SignalDelivered, Stopped
from tracer.syscalls.render import RenderedCall

IN_PROGRESS = "<... in progress>"


def signal_name(signo: int) -> str:
    try:
        return signal_mod.Signals(signo).name
    except ValueError:
        if signal_mod.SIGRTMIN <= signo <= signal_mod.SIGRTMAX:
            return f"SIGRT_{signo - signal_mod.SIGRTMIN}"
        return str(signo)


def render_syscall_line(rc: RenderedCall, in_progress: bool = False) -> str:
    """`openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3</etc/hostname>`; entry args only while in progress."""
    if in_progress:
        return f"{rc.name}({rc.entry_args_text()} {IN_PROGRESS}"
    return f"{rc.name}({rc.args_text()}) = {rc.ret}"


def siginfo_text(ev: SignalDelivered) -> str:
    """`{si_signo=SIGCHLD, ...}` from the signal decoder family; a minimal form if it is missing."""
    try:
        from tracer.syscalls.decoders.signal import render_siginfo
    except ImportError:
        render_siginfo = None
    if render_siginfo is not None and ev.siginfo:
        try:
            return render_siginfo(ev.siginfo)
        except Exception:  # a decoder bug must not hide the signal
            pass
    return f"{{si_signo={signal_name(ev.signo)}}}"


def render_event_line(ev: Event) -> str:
    """Text of a non-syscall row, in strace's `---`/`+++` style."""
    if isinstance(ev, SignalDelivered):
        return f"--- {signal_name(ev.signo)} {siginfo_text(ev)} ---"
    if isinstance(ev, Exited):
        if ev.signal:
            core = " (core dumped)" if ev.core else ""
            return f"+++ killed by {signal_name(ev.signal)}{core} +++"
        return f"+++ exited with {ev.code if ev.code is not None else '?'} +++"
    if isinstance(ev, Stopped):
        if ev.resumed:
            return f"--- resumed from stop ({signal_name(ev.signo)}) ---"
        return f"--- stopped by {signal_name(ev.signo)} ---"
    if isinstance(ev, Exec):
        argv = " ".join(ev.argv) if ev.argv else ""
        return f"+++ exec {ev.filename} [{argv}] +++"
    if isinstance(ev, ProcessStarted):
        what = "thread" if ev.is_thread else "process"
        how = "attached" if ev.attached else f"started by {ev.parent}" if ev.parent else "started"
        return f"+++ {what} {ev.tid} {how} +++"
    if isinstance(ev, Detached):
        return "+++ detached +++"
    return f"+++ {type(ev).__name__} +++"
