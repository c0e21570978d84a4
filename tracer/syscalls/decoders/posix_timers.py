"""Decoders for POSIX per-process timers (timer_create/settime/gettime) and sched_rr_get_interval.

The sigevent and new timer value are inputs (entry); the timer id, the old or
current value and the interval are outputs (exit, shown only on success).
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    Read,
    declare_entry,
    declare_exit,
)
from tracer.syscalls.decoders.arguments import ok
from tracer.syscalls.decoders.clock import clock_arg
from tracer.syscalls.decoders.misc import render_itimerspec
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import misc as x
from tracer.syscalls.xlat import process as xp

from .kstructs import complete, i32, int_arg, timespec, xval

# sigval (8), signo, notify, then the union: a tid, or the thread function and attributes.
_SIGEVENT = struct.Struct("<QiiQQ")
SIGEVENT_SIZE = _SIGEVENT.size


def render_sigevent(data: bytes | None, addr: int) -> str:
    data = complete(data, _SIGEVENT.size)
    if data is None:
        return fmt.pointer(addr)
    value, signo, notify, fn, attrs = _SIGEVENT.unpack(data)
    sival_int = value & 0xFFFFFFFF
    sival_int = sival_int - (1 << 32) if sival_int & 0x80000000 else sival_int
    # strace leaves the value out when it is all zero
    parts = (
        [f"sigev_value={{sival_int={sival_int}, sival_ptr={fmt.pointer(value)}}}"] if value else []
    )
    if notify in (x.SIGEV_SIGNAL, x.SIGEV_THREAD_ID) or 0 < signo < 65:
        parts.append(f"sigev_signo={fmt.styled_decimal(signo, fmt.signal_name(signo))}")
    else:
        parts.append(f"sigev_signo={signo & 0xFFFFFFFF}")  # unsigned, as strace prints it
    parts.append(f"sigev_notify={xval(notify, x.SIGEV_NOTIFY, 'SIGEV_???')}")
    if notify == x.SIGEV_THREAD_ID:
        parts.append(f"sigev_notify_thread_id={i32(data, 16)}")
    elif notify == x.SIGEV_THREAD:
        parts.append(f"sigev_notify_function={fmt.pointer(fn)}")
        parts.append(f"sigev_notify_attributes={fmt.pointer(attrs)}")
    return "{" + ", ".join(parts) + "}"


declare_entry("timer_create", Read(1, 1, _SIGEVENT.size, null_skip=True))
declare_exit("timer_create", Read(2, 2, 4, null_skip=True))  # the new timer's id


def _out(call: Syscall, pos: int) -> bytes | None:
    return (call.mem or {}).get(pos) if ok(call) else None


@decoder("timer_create")
def decode_timer_create(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    ev = render_sigevent((call.mem or {}).get(1), a[1])
    tid = complete(_out(call, 2), 4)
    tid_text = f"[{i32(tid)}]" if tid is not None else fmt.pointer(a[2])
    return Decoded(
        [clock_arg(a[0]), Arg(ev, a[1], "struct"), Arg(tid_text, a[2], "int", at_exit=True)]
    )


# struct itimerspec: 32 bytes (new value at entry, old value at exit)
declare_entry("timer_settime", Read(2, 2, 32, null_skip=True))
declare_exit("timer_settime", Read(3, 3, 32, null_skip=True))


@decoder("timer_settime")
def decode_timer_settime(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    fl = fmt.flags(a[1] & 0xFFFFFFFF, xp.TIMER_FLAGS)
    new = render_itimerspec((call.mem or {}).get(2), a[2]) if a[2] else "NULL"
    old = render_itimerspec(_out(call, 3), a[3]) if a[3] else "NULL"
    return Decoded(
        [
            int_arg(a[0]),
            Arg(fl, a[1], "flags", fl),
            Arg(new, a[2], "struct"),
            Arg(old, a[3], "struct", at_exit=True),
        ]
    )


declare_exit("timer_gettime", Read(1, 1, 32, null_skip=True))


@decoder("timer_gettime")
def decode_timer_gettime(call: Syscall, ctx: RenderContext) -> Decoded:
    text = render_itimerspec(_out(call, 1), call.args[1])
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "struct", at_exit=True)])


@decoder("timer_getoverrun", "timer_delete")
def decode_timer_id(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0])])


declare_exit("sched_rr_get_interval", Read(1, 1, 16, null_skip=True))


@decoder("sched_rr_get_interval")
def decode_sched_rr_get_interval(call: Syscall, ctx: RenderContext) -> Decoded:
    text = timespec(_out(call, 1), call.args[1])
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "struct", at_exit=True)])
