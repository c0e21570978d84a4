"""Decoders for clocks and sleeps: clock_gettime/getres/settime, nanosleep, gettimeofday, time."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    EntryOps,
    ExitOps,
    Read,
    declare_entry,
    declare_exit,
    on_entry,
    on_exit,
)
from tracer.syscalls.decoders.arguments import (
    flags_arg,
    mem_of,
    ok,
    ptr_arg,
    struct_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import process as x

from .kstructs import xval

TIMESPEC = struct.Struct("<qq")  # also struct timeval and struct timezone's two ints as longs
_TIMEZONE = struct.Struct("<ii")


def clock_arg(raw: int) -> Arg:
    """strace 6.1 prints any clockid_t as an xlat value: `0x1 /* CLOCK_MONOTONIC */` under
    -X verbose, `0xfffffffe /* CLOCK_??? */` for a negative (CPU clock) id."""
    clk = to_int(raw)
    return Arg(xval(clk & 0xFFFFFFFF, x.CLOCK_IDS, "CLOCK_???"), raw, "flags", clk)


def timespec_arg(call: Syscall, pos: int, at_exit: bool) -> Arg:
    raw = call.args[pos]
    ts = mem_of(call, pos)
    if ts is None or (at_exit and not ok(call)):
        return ptr_arg(raw, at_exit)
    return struct_arg(fmt.timespec(*ts), raw, ts, at_exit)


def _entry_struct(pos: int, layout: struct.Struct) -> EntryOps:
    return EntryOps(Read(pos, pos, layout.size, exact=True, convert=layout.unpack))


def _exit_struct(*positions: int) -> ExitOps:
    return ExitOps(
        *(Read(p, p, TIMESPEC.size, exact=True, convert=TIMESPEC.unpack) for p in positions)
    )


on_exit("clock_gettime", "clock_getres")(_exit_struct(1))
on_entry("clock_settime")(_entry_struct(1, TIMESPEC))
on_entry("clock_nanosleep")(_entry_struct(2, TIMESPEC))
on_entry("nanosleep")(_entry_struct(0, TIMESPEC))


@decoder("clock_gettime", "clock_getres")
def decode_clock_gettime(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([clock_arg(call.args[0]), timespec_arg(call, 1, at_exit=True)])


@decoder("clock_settime")
def decode_clock_settime(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([clock_arg(call.args[0]), timespec_arg(call, 1, at_exit=False)])


# The remaining time is written only when a signal interrupts the sleep (the call fails
# with an ERESTART* code): read it then too (`on_error`), and show it only then, as strace
# does (on success the kernel leaves it alone: its bytes mean nothing).
_ERESTART = frozenset({512, 513, 514, 516})
declare_exit(
    "nanosleep", Read(1, 1, TIMESPEC.size, exact=True, convert=TIMESPEC.unpack, on_error=True)
)
# (clock_nanosleep's only with no flags: an absolute sleep leaves it alone.)
_NO_FLAGS = (1, 0xFFFFFFFFFFFFFFFF, (0,))
declare_exit(
    "clock_nanosleep",
    Read(3, 3, TIMESPEC.size, exact=True, convert=TIMESPEC.unpack, on_error=True, when=_NO_FLAGS),
)


def _remaining(call: Syscall, pos: int) -> Arg:
    raw = call.args[pos]
    ts = mem_of(call, pos)
    if call.error not in _ERESTART or ts is None:
        return ptr_arg(raw, at_exit=True)
    return struct_arg(fmt.timespec(*ts), raw, ts, at_exit=True)


@decoder("clock_nanosleep")
def decode_clock_nanosleep(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [clock_arg(a[0]), flags_arg(a[1], x.TIMER_FLAGS), timespec_arg(call, 2, at_exit=False)]
    return Decoded([*args, _remaining(call, 3)])


@decoder("nanosleep")
def decode_nanosleep(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([timespec_arg(call, 0, at_exit=False), _remaining(call, 1)])


# A timeval and a timezone, each None where NULL, unreadable or short (read_struct's
# outcomes).
_TIMEVAL_TZ = (
    Read(0, 0, TIMESPEC.size, exact=True, convert=TIMESPEC.unpack),
    Read(1, 1, _TIMEZONE.size, exact=True, convert=_TIMEZONE.unpack),
)
declare_exit("gettimeofday", *_TIMEVAL_TZ)
declare_entry("settimeofday", *_TIMEVAL_TZ)


def _timeval_args(call: Syscall, at_exit: bool) -> list[Arg]:
    a = call.args
    tv, tz = mem_of(call, 0), mem_of(call, 1)
    usable = not at_exit or ok(call)
    if tv is not None and usable:
        tv_arg = struct_arg(
            f"{{tv_sec={tv[0]}, tv_usec={tv[1] & 0xFFFFFFFFFFFFFFFF}}}", a[0], tv, at_exit
        )
    else:
        tv_arg = ptr_arg(a[0], at_exit)
    if tz is not None and usable:
        tz_arg = struct_arg(f"{{tz_minuteswest={tz[0]}, tz_dsttime={tz[1]}}}", a[1], tz, at_exit)
    else:
        tz_arg = ptr_arg(a[1], at_exit)
    return [tv_arg, tz_arg]


@decoder("gettimeofday")
def decode_gettimeofday(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded(_timeval_args(call, at_exit=True))


@decoder("settimeofday")
def decode_settimeofday(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded(_timeval_args(call, at_exit=False))


_TIME_T = struct.Struct("<q")
# time_t *tloc: no key where NULL or unreadable.
declare_exit(
    "time",
    Read(
        0, 0, 8, null_skip=True, bad_skip=True, exact=True, convert=lambda b: _TIME_T.unpack(b)[0]
    ),
)


def _with_comment(sec: int) -> str:
    comment = fmt.timestamp_comment(sec)
    return f"{sec} /* {comment} */" if comment else str(sec)


def _with_date(sec: int) -> str:
    comment = fmt.timestamp_comment(sec)
    return f"{sec} ({comment})" if comment else str(sec)


@decoder("time")
def decode_time(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[0]
    v = mem_of(call, 0)
    if raw and v is not None and ok(call):
        arg = Arg(f"[{_with_comment(v)}]", raw, "int", v, True)
    else:
        arg = ptr_arg(raw, at_exit=True)
    ret = _with_date(call.ret) if ok(call) and call.ret is not None else None
    return Decoded([arg], ret=ret)
