"""Decoders for setting file times: utime, utimes, futimesat, utimensat.

All arguments are inputs, captured at entry. Valid absolute times get strace's
`/* 1970-01-01T00:01:40+0000 */` comment; out-of-range fields are printed raw.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import EntryOps, Read, fd_args, on_entry
from tracer.syscalls.decoders.arguments import (
    dirfd_arg,
    flags_arg,
    mem_of,
    path_arg,
    path_capture,
    ptr_arg,
    struct_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as x

_PAIR = struct.Struct("<qqqq")  # two timespecs, two timevals, or a utimbuf (first two longs)
_UTIMBUF = struct.Struct("<qq")


def _times_capture(path_pos: int, times_pos: int, layout: struct.Struct, dirfd: int | None):
    """The path (and the cwd for AT_FDCWD) and the times, as the struct's tuple when all
    of it is readable; a NULL or unreadable pointer leaves the key out (printed as is)."""
    paths = path_capture(path_pos, dirfds=(dirfd,) if dirfd is not None else ())
    times = Read(
        times_pos,
        times_pos,
        layout.size,
        null_skip=True,
        bad_skip=True,
        exact=True,
        convert=layout.unpack,
    )
    return EntryOps(*paths.ops, times)


on_entry("utime")(_times_capture(0, 1, _UTIMBUF, None))
on_entry("utimes")(_times_capture(0, 1, _PAIR, None))
on_entry("futimesat", "utimensat")(_times_capture(1, 2, _PAIR, 0))
fd_args((0,), "futimesat", "utimensat")


def _commented(text: str, sec: int, frac: int, digits: int) -> str:
    comment = fmt.timestamp_comment(sec, frac, digits)
    return f"{text} /* {comment} */" if comment else text


def utime_timespec(sec: int, nsec: int) -> str:
    text = fmt.timespec(sec, nsec)
    special = {x.UTIME_NOW: "UTIME_NOW", x.UTIME_OMIT: "UTIME_OMIT"}.get(nsec)
    if special is not None:  # -X raw: the structure; -X verbose: both
        style = fmt.STYLE.constants
        if style == "abbrev":
            return special
        return text if style == "raw" else f"{text} /* {special} */"
    return _commented(text, sec, nsec, 9) if 0 <= nsec < 1_000_000_000 else text


def utime_timeval(sec: int, usec: int) -> str:
    text = f"{{tv_sec={sec}, tv_usec={usec & 0xFFFFFFFFFFFFFFFF}}}"
    return _commented(text, sec, usec, 6) if 0 <= usec < 1_000_000 else text


def _pair_arg(call: Syscall, pos: int, one) -> Arg:
    raw = call.args[pos]
    times = mem_of(call, pos)
    if times is None:
        return ptr_arg(raw)
    return struct_arg(f"[{one(times[0], times[1])}, {one(times[2], times[3])}]", raw, times)


@decoder("utime")
def decode_utime(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[1]
    times = mem_of(call, 1)
    if times is None:
        buf = ptr_arg(raw)
    else:
        actime = _commented(str(times[0]), times[0], 0, 9)
        modtime = _commented(str(times[1]), times[1], 0, 9)
        buf = struct_arg(f"{{actime={actime}, modtime={modtime}}}", raw, times)
    return Decoded([path_arg(call, 0), buf])


@decoder("utimes")
def decode_utimes(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), _pair_arg(call, 1, utime_timeval)])


@decoder("futimesat")
def decode_futimesat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded(
        [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), _pair_arg(call, 2, utime_timeval)]
    )


@decoder("utimensat")
def decode_utimensat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded(
        [
            dirfd_arg(call, ctx, a[0]),
            path_arg(call, 1),
            _pair_arg(call, 2, utime_timespec),
            flags_arg(a[3], x.AT_FLAGS),
        ]
    )
