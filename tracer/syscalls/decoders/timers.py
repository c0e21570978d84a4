"""Decoders for interval timers: setitimer/getitimer and alarm.

The new timer value is an input (captured at entry); the old/current value is
written by the kernel, so it is captured at exit and shown only on success.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_entry, declare_exit
from tracer.syscalls.decoders.arguments import ok
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import complete, timeval, uint_arg, xval

ITIMERVAL_SIZE = 32


def render_itimerval(data: bytes | None, addr: int) -> str:
    data = complete(data, ITIMERVAL_SIZE)
    if data is None:
        return pointer(addr)
    return f"{{it_interval={timeval(data[:16], 0)}, it_value={timeval(data[16:], 0)}}}"


def _which_arg(raw: int) -> Arg:
    v = to_int(raw)
    return Arg(xval(v & 0xFFFFFFFF, x.ITIMER_WHICH, "ITIMER_???"), raw, "flags", v)


declare_entry("setitimer", Read(1, 1, ITIMERVAL_SIZE, null_skip=True))
declare_exit("setitimer", Read(2, 2, ITIMERVAL_SIZE, null_skip=True))
declare_exit("getitimer", Read(1, 1, ITIMERVAL_SIZE, null_skip=True))


def _out_itimerval(call: Syscall, pos: int) -> Arg:
    raw = call.args[pos]
    data = (call.mem or {}).get(pos) if ok(call) else None
    return Arg(render_itimerval(data, raw), raw, "struct", data, at_exit=True)


@decoder("setitimer")
def decode_setitimer(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    new = render_itimerval((call.mem or {}).get(1), a[1])
    return Decoded([_which_arg(a[0]), Arg(new, a[1], "struct"), _out_itimerval(call, 2)])


@decoder("getitimer")
def decode_getitimer(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([_which_arg(call.args[0]), _out_itimerval(call, 1)])


@decoder("alarm")
def decode_alarm(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([uint_arg(call.args[0])])
