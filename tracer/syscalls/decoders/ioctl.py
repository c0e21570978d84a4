"""ioctl: request names (or `_IOC(...)`), terminal structures and `int *` arguments."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, fd_args, on_entry, on_exit
from tracer.syscalls.fmt import flags, pointer, quote_buffer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import ioctl as x
from tracer.syscalls.xlat.ioctl_requests import REQUESTS

from .kstructs import complete, i32, u32, xval

_TERMIOS_SIZE = 36  # 4 flag words, c_line, c_cc[19]
_TERMIOS2_SIZE = 44  # + c_ispeed, c_ospeed
_TERMIO_SIZE = 18  # 4 u16 flag words, c_line, c_cc[8]


def request_name(code: int) -> str:
    name = REQUESTS.get(code) or x.IOCTL_NAMES.get(code)
    if name is not None:
        return name
    direction = x.IOC_DIRS[code >> 30 & 3]
    typ, nr, size = code >> 8 & 0xFF, code & 0xFF, code >> 16 & 0x3FFF
    return f"_IOC({direction}, {_hex(typ)}, {_hex(nr)}, {_hex(size)})"


def _hex(v: int) -> str:
    """C's `%#x`: plain `0` for zero."""
    return f"{v:#x}" if v else "0"


def _oflag(val: int) -> str:
    parts = []
    for mask, names, unknown in x.TERM_OFLAG_FIELDS:
        parts.append(names.get(val & mask, unknown))
        val &= ~mask
    parts.append(flags(val, x.TERM_OFLAGS))
    return "|".join(parts)


def _cflag(val: int) -> str:
    parts = [x.BAUD_RATES.get(val & x.CBAUD, "B???")]
    if val & x.CIBAUD:
        parts.append(f"({x.BAUD_RATES.get((val & x.CIBAUD) >> x.IBSHIFT, 'B???')}<<IBSHIFT)")
    parts.append(x.CSIZES[val & x.CSIZE])
    parts.append(flags(val & ~(x.CBAUD | x.CIBAUD | x.CSIZE), x.TERM_CFLAGS))
    return "|".join(parts)


def render_termios(data: bytes | None, addr: int, small: bool = False) -> str:
    """struct termios (or the old struct termio), abbreviated as strace does without -v."""
    size = _TERMIO_SIZE if small else 16
    data = complete(data, size)
    if data is None:
        return pointer(addr)
    fmt = "<4H" if small else "<4I"
    iflag, oflag, cflag, lflag = struct.unpack_from(fmt, data)
    return (
        f"{{c_iflag={flags(iflag, x.TERM_IFLAGS)}, c_oflag={_oflag(oflag)}, "
        f"c_cflag={_cflag(cflag)}, c_lflag={flags(lflag, x.TERM_LFLAGS)}, ...}}"
    )


def render_winsize(data: bytes | None, addr: int) -> str:
    data = complete(data, 8)
    if data is None:
        return pointer(addr)
    row, col, xp, yp = struct.unpack_from("<4H", data)
    return f"{{ws_row={row}, ws_col={col}, ws_xpixel={xp}, ws_ypixel={yp}}}"


# Request types (the `_IOC_TYPE`) of the device classes whose structures strace decodes:
# block, evdev, loop, rtc, random, watchdog, fs (f, X), sockets, btrfs, userfaultfd, nbd,
# gpio, nsfs, device mapper, perf, seccomp, ptp, counter, hdio, kd, mtd, ubi, v4l2, lirc, tee.
_STRUCT_TYPES = frozenset(
    {0x12, 0x45, 0x4C, 0x70, 0x52, 0x57, 0x66, 0x58, 0x89, 0x94, 0xAA, 0xAB, 0xB4, 0xB7, 0xFD,
     0x24, 0x21, 0x3D, 0x3E, 0x03, 0x4B, 0x4D, 0x4F, 0x6F, 0x56, 0x69, 0xA4}
)  # fmt: skip

_FICLONE = 0x40049409

# What each request's argument is: (kind, read at exit?, size).
_ARG_KINDS: dict[int, tuple[str, bool, int]] = {}
for _c in x.TERMIOS_OUT_REQUESTS:
    _ARG_KINDS[_c] = ("termios", True, _TERMIOS_SIZE)
for _c in x.TERMIOS_IN_REQUESTS:
    _ARG_KINDS[_c] = ("termios", False, _TERMIOS_SIZE)
_ARG_KINDS[x.TCGETS2] = ("termios", True, _TERMIOS2_SIZE)
for _c in x.TCSETS2_REQUESTS:
    _ARG_KINDS[_c] = ("termios", False, _TERMIOS2_SIZE)
for _c in x.TERMIO_OUT_REQUESTS:
    _ARG_KINDS[_c] = ("termio", True, _TERMIO_SIZE)
for _c in x.TERMIO_IN_REQUESTS:
    _ARG_KINDS[_c] = ("termio", False, _TERMIO_SIZE)
_ARG_KINDS[x.TIOCGWINSZ] = ("winsize", True, 8)
_ARG_KINDS[x.TIOCSWINSZ] = ("winsize", False, 8)
for _c in x.INT_OUT_REQUESTS:
    _ARG_KINDS[_c] = ("int", True, 4)
for _c in x.INT_IN_REQUESTS:
    _ARG_KINDS[_c] = ("int", False, 4)
_ARG_KINDS[x.TIOCMGET] = ("modem", True, 4)
for _c in x.TIOCM_SET_REQUESTS:
    _ARG_KINDS[_c] = ("modem", False, 4)
_ARG_KINDS[0x5412] = ("char", False, 1)  # TIOCSTI


@on_entry("ioctl")
def _capture_ioctl_in(mem: MemoryReader, args, limits: CaptureLimits):
    kind = _ARG_KINDS.get(args[1] & 0xFFFFFFFF)
    if kind is None or kind[1] or not args[2]:
        return None
    return {"arg": mem.read(args[2], kind[2])}


@on_exit("ioctl")
def _capture_ioctl_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    kind = _ARG_KINDS.get(args[1] & 0xFFFFFFFF)
    if ret < 0 or kind is None or not kind[1] or not args[2]:
        return None
    return {"arg": mem.read(args[2], kind[2])}


def _render_arg(call: Syscall, code: int) -> Arg | None:
    raw = call.args[2]
    if code in x.NO_ARG_REQUESTS:
        return None
    if code in x.TIOCSCTTY_LIKE:
        v = to_int(raw)
        return Arg(str(v), raw, "int", v)
    if code == x.TCXONC:
        return Arg(xval(raw, x.TCXONC_OPTIONS, "TC???"), raw, "flags")
    if code == x.TCFLSH:
        return Arg(xval(raw, x.TCFLSH_OPTIONS, "TC???"), raw, "flags")
    kind = _ARG_KINDS.get(code)
    if kind is None:
        if code >> 30 and (code >> 8) & 0xFF in _STRUCT_TYPES:
            # a request strace decodes: its argument is a pointer (NULL, or the address
            # of a structure we do not print)
            return Arg(pointer(raw & 0xFFFFFFFFFFFFFFFF), raw, "ptr", raw)
        return Arg(f"{raw:#x}" if raw else "0", raw, "ptr", raw)
    name, at_exit, _size = kind
    data = (call.mem or {}).get("arg")
    if at_exit and (call.ret is None or call.error):
        data = None
    if name == "termios":
        text = render_termios(data, raw)
    elif name == "termio":
        text = render_termios(data, raw, small=True)
    elif name == "winsize":
        text = render_winsize(data, raw)
    elif name == "int":
        text = f"[{i32(data)}]" if complete(data, 4) else pointer(raw)
    elif name == "modem":
        text = f"[{flags(u32(data), x.MODEM_FLAGS)}]" if complete(data, 4) else pointer(raw)
    else:
        text = quote_buffer(data, 1, 1 << 20, raw)
    return Arg(text, raw, "struct", data, at_exit)


@decoder("ioctl")
def decode_ioctl(call: Syscall, ctx: RenderContext) -> Decoded:
    code = call.args[1] & 0xFFFFFFFF
    args = [ctx.fd_arg(call, call.args[0]), Arg(request_name(code), call.args[1], "flags", code)]
    if code == _FICLONE:  # the source file's fd
        return Decoded([*args, ctx.fd_arg(call, call.args[2])])
    arg = _render_arg(call, code)
    if arg is not None:
        args.append(arg)
    return Decoded(args)


fd_args((0,), "ioctl")
