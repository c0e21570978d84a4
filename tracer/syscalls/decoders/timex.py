"""adjtimex and clock_adjtime: struct timex, read back at exit, and the clock state returned."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_exit
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import longtail as x
from tracer.syscalls.xlat import misc as xm

from .kstructs import xflags, xval

# x86_64 struct timex: modes, offset, freq, maxerror, esterror, status, constant, precision,
# tolerance, time (timeval), tick, ppsfreq, jitter, shift, stabil, jitcnt, calcnt, errcnt,
# stbcnt, tai, 11 ints of padding.
_TIMEX = struct.Struct("<I4xqqqqi4xqqqqQqqqi4xqqqqqi44x")

declare_exit("adjtimex", Read(0, 0, _TIMEX.size, null_skip=True, exact=True))
declare_exit("clock_adjtime", Read(1, 1, _TIMEX.size, null_skip=True, exact=True))


def render_timex(data: bytes | None, addr: int) -> str:
    if data is None or len(data) < _TIMEX.size:
        return pointer(addr)
    (
        modes,
        offset,
        freq,
        maxerror,
        esterror,
        status,
        constant,
        precision,
        tolerance,
        sec,
        usec,
        tick,
        ppsfreq,
        jitter,
        shift,
        stabil,
        jitcnt,
        calcnt,
        errcnt,
        stbcnt,
        tai,
    ) = _TIMEX.unpack(data)
    return (
        f"{{modes={xflags(modes, x.ADJ_MODES, 'ADJ_???')}, offset={offset}, freq={freq}, "
        f"maxerror={maxerror}, esterror={esterror}, "
        f"status={xflags(status & 0xFFFFFFFF, x.STA_FLAGS, 'STA_???')}, constant={constant}, "
        f"precision={precision}, tolerance={tolerance}, time={{tv_sec={sec}, tv_usec={usec}}}, "
        f"tick={tick}, ppsfreq={ppsfreq}, jitter={jitter}, shift={shift}, stabil={stabil}, "
        f"jitcnt={jitcnt}, calcnt={calcnt}, errcnt={errcnt}, stbcnt={stbcnt}, tai={tai}}}"
    )


def _state(call: Syscall) -> str | None:
    if call.ret is None or call.error:
        return None
    return f"{call.ret} ({xval(call.ret, x.TIME_STATES, 'TIME_???')})"


def _timex_arg(call: Syscall, i: int) -> Arg:
    raw = call.args[i]
    ok = call.ret is not None and not call.error
    data = (call.mem or {}).get(i) if ok else None
    return Arg(render_timex(data, raw), raw, "struct", data, at_exit=True)


@decoder("adjtimex")
def decode_adjtimex(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([_timex_arg(call, 0)], ret=_state(call))


@decoder("clock_adjtime")
def decode_clock_adjtime(call: Syscall, ctx: RenderContext) -> Decoded:
    clk = call.args[0] & 0xFFFFFFFF
    clk = clk - (1 << 32) if clk >> 31 else clk
    text = xval(clk, xm.CLOCK_IDS, "CLOCK_???")
    return Decoded([Arg(text, call.args[0], "flags", clk), _timex_arg(call, 1)], ret=_state(call))
