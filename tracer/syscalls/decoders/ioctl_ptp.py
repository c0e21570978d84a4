"""PTP hardware clock ioctls ('='): capabilities, external timestamp and periodic output
requests, pin functions and the system/device clock offset samples.

Each request has a v1 and a v2 number; v2 differs only in that strace shows the reserved
words the kernel checks for zero (`rsv=[...]`, when any is set) in the requests that
carry them at entry.
"""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import STYLE, timestamp_comment
from tracer.syscalls.xlat import ptp as xp

from .ioctl_arg import IoctlArg, IoctlText, out
from .ioctl_block import cstring, hex_array
from .kstructs import u32, xflags, xval

_CLOCK_TIME = struct.Struct("<qII")  # struct ptp_clock_time: sec, nsec, reserved
_MAX_SAMPLES = 25
_PEROUT_DUTY_CYCLE, _PEROUT_PHASE = 0x2, 0x4

# nr (v1) -> its v2 twin is nr + 9; the argument's size is the request's.
GETCAPS, EXTTS, PEROUT, SYS_OFFSET, PIN_GET, PIN_SET, PRECISE, EXTENDED = 1, 2, 3, 5, 6, 7, 8, 9
_V2 = 9
_SIZES = {GETCAPS: 80, EXTTS: 16, PEROUT: 56, SYS_OFFSET: 832, PIN_GET: 96, PIN_SET: 96,
          PRECISE: 64, EXTENDED: 1216}  # fmt: skip
_DIRS = {GETCAPS: 2, EXTTS: 1, PEROUT: 1, SYS_OFFSET: 1, PIN_GET: 3, PIN_SET: 1, PRECISE: 3,
         EXTENDED: 3}  # fmt: skip


def _code(nr: int) -> int:
    return _DIRS[nr] << 30 | _SIZES[nr] << 16 | 0x3D << 8 | nr


_REQUESTS = {_code(nr) + v2: (nr, bool(v2)) for nr in _SIZES for v2 in (0, _V2)}


def clock_time(d: bytes, off: int, commented: bool = True) -> str:
    """struct ptp_clock_time; an absolute time gets strace's date comment (not under -X raw,
    nor when nsec is out of range)."""
    sec, nsec, reserved = _CLOCK_TIME.unpack_from(d, off)
    text = f"{{sec={sec}, nsec={nsec}" + (f", reserved={reserved:#x}" if reserved else "") + "}"
    if commented and STYLE.constants != "raw" and nsec < 1_000_000_000:
        date = timestamp_comment(sec, nsec)
        if date:
            text += f" /* {date} */"
    return text


def _rsv(d: bytes, off: int, count: int) -> str:
    """`, rsv=[...]` when any reserved word is set."""
    words = struct.unpack_from(f"<{count}I", d, off)
    return f", rsv={hex_array(words)}" if any(words) else ""


def _caps(d: bytes) -> str:
    names = ("max_adj", "n_alarm", "n_ext_ts", "n_per_out", "pps", "n_pins",
             "cross_timestamping", "adjust_phase")  # fmt: skip
    values = struct.unpack_from("<8i", d)
    return (
        "{"
        + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True))
        + _rsv(d, 32, 12)
        + "}"
    )


def _extts(d: bytes, v2: bool) -> str:
    index, flags = struct.unpack_from("<II", d)
    text = f"{{index={index}, flags={xflags(flags, xp.PTP_EXTTS_FLAGS, 'PTP_???')}"
    return text + (_rsv(d, 8, 2) if v2 else "") + "}"


def _perout(d: bytes, v2: bool) -> str:
    index, flags = struct.unpack_from("<II", d, 32)
    phase = flags & _PEROUT_PHASE
    first = f"phase={clock_time(d, 0, False)}" if phase else f"start={clock_time(d, 0)}"
    text = (
        f"{{{first}, period={clock_time(d, 16, False)}, index={index}, "
        f"flags={xflags(flags, xp.PTP_PEROUT_FLAGS, 'PTP_PEROUT_???')}"
    )
    if flags & _PEROUT_DUTY_CYCLE:
        text += f", on={clock_time(d, 40, False)}"
    elif v2:
        text += _rsv(d, 40, 4)
    return text + "}"


def _pin_head(d: bytes) -> str:
    return f"{{index={u32(d, 64)}"


def _pin_tail(d: bytes) -> str:
    func, chan = struct.unpack_from("<II", d, 68)
    return f"func={xval(func, xp.PTP_PIN_FUNCS, 'PTP_PF_???')}, chan={chan}"


def _precise(d: bytes) -> str:
    return (
        f"{{device={clock_time(d, 0)}, sys_realtime={clock_time(d, 16)}, "
        f"sys_monoraw={clock_time(d, 32, False)}{_rsv(d, 48, 4)}}}"
    )


def _samples_head(d: bytes) -> str:
    return f"{{n_samples={u32(d)}{_rsv(d, 4, 3)}"


def _sys_offset_ts(a: IoctlArg, d: bytes) -> str:
    """PTP_SYS_OFFSET: system, device, system ... readings, 2 * n_samples + 1 of them."""
    count = 2 * min(u32(d), _MAX_SAMPLES) + 1
    return a.array([clock_time(d, 16 + 16 * i) for i in range(count)])


def _extended_ts(a: IoctlArg, d: bytes) -> str:
    """PTP_SYS_OFFSET_EXTENDED: n_samples triples (system before, device, system after)."""
    count = min(u32(d), _MAX_SAMPLES)
    triples = [
        "[" + ", ".join(clock_time(d, 16 + 48 * i + 16 * k) for k in range(3)) + "]"
        for i in range(count)
    ]
    return a.array(triples)


def _sampled(a: IoctlArg, size: int, ts) -> IoctlText:
    """An entry head (`n_samples`, rsv), and the samples once the call succeeded."""
    d = a.entry_struct(size)
    if d is None:
        return IoctlText(a.addr)
    text = _samples_head(d)
    o = a.exit_struct(size)
    if o is not None:
        text += f", ts={ts(a, o)}"
    return IoctlText(text + "}")


def ptp_ioctl(a: IoctlArg) -> IoctlText | None:
    request = _REQUESTS.get(a.code)
    if request is None:
        return None
    nr, v2 = request
    size = _SIZES[nr]
    if nr == GETCAPS:
        return out(a.show_out(size, _caps))
    if nr == EXTTS:
        return IoctlText(a.show_in(size, lambda d: _extts(d, v2)))
    if nr == PEROUT:
        return IoctlText(a.show_in(size, lambda d: _perout(d, v2)))
    if nr == PIN_SET:
        return IoctlText(
            a.show_in(
                size, lambda d: f"{_pin_head(d)}, {_pin_tail(d)}{_rsv(d, 76, 5) if v2 else ''}}}"
            )
        )
    if nr == PIN_GET:
        d = a.entry_struct(size)
        if d is None:
            return IoctlText(a.addr)
        text = _pin_head(d) + (_rsv(d, 76, 5) if v2 else "")
        o = a.exit_struct(size)
        if o is not None:
            text += f", name={cstring(o[:64])}, {_pin_tail(o)}"
        return IoctlText(text + "}")
    if nr == PRECISE:
        return out(a.show_out(size, _precise))
    if nr == SYS_OFFSET:
        return _sampled(a, size, _sys_offset_ts)
    return _sampled(a, size, _extended_ts)
