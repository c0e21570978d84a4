"""Terminal ioctls (type 'T'): termios, termio, termios2, winsize, modem bits, `int *`."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import flags, quote_buffer
from tracer.syscalls.render import to_int
from tracer.syscalls.xlat import ioctl as x

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText, out
from .kstructs import xflags, xval

TERMIOS_SIZE = 36  # 4 flag words, c_line, c_cc[19]
TERMIOS2_SIZE = 44  # + c_ispeed, c_ospeed
TERMIO_SIZE = 18  # 4 u16 flag words, c_line, c_cc[8]
NCCS, NCC = 19, 8


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
        parts.append(f"{x.BAUD_RATES.get((val & x.CIBAUD) >> x.IBSHIFT, 'B???')}<<IBSHIFT")
    parts.append(x.CSIZES[val & x.CSIZE])
    parts.append(flags(val & ~(x.CBAUD | x.CIBAUD | x.CSIZE), x.TERM_CFLAGS))
    return "|".join(parts)


def _cc(data: bytes) -> str:
    items = (f"[{x.TERMIOS_CC.get(i, i)}]={b:#x}" if b else f"[{x.TERMIOS_CC.get(i, i)}]=0"
             for i, b in enumerate(data))  # fmt: skip
    return "c_cc=[" + ", ".join(items) + "]"


def render_termios(data: bytes, abbrev: bool, kind: str = "termios") -> str:
    """struct termios, termios2 or the old struct termio, as strace prints them."""
    small = kind == "termio"
    iflag, oflag, cflag, lflag = struct.unpack_from("<4H" if small else "<4I", data)
    head = (
        f"{{c_iflag={flags(iflag, x.TERM_IFLAGS)}, c_oflag={_oflag(oflag)}, "
        f"c_cflag={_cflag(cflag)}, c_lflag={flags(lflag, x.TERM_LFLAGS)}, "
    )
    if abbrev:
        return head + "...}"
    off = 8 if small else 16
    line = xval(data[off], x.LINE_DISCIPLINES, "N_???")
    cc = _cc(data[off + 1 : off + 1 + (NCC if small else NCCS)])
    tail = ""
    if kind == "termios2":
        ispeed, ospeed = struct.unpack_from("<2I", data, 36)
        tail = f", c_ispeed={ispeed}, c_ospeed={ospeed}"
    return f"{head}c_line={line}, {cc}{tail}}}"


def render_winsize(data: bytes) -> str:
    row, col, xp, yp = struct.unpack_from("<4H", data)
    return f"{{ws_row={row}, ws_col={col}, ws_xpixel={xp}, ws_ypixel={yp}}}"


# request -> (structure, read at exit?)
_STRUCTS: dict[int, tuple[str, bool]] = {}
for _c in x.TERMIOS_OUT_REQUESTS:
    _STRUCTS[_c] = ("termios", True)
for _c in x.TERMIOS_IN_REQUESTS:
    _STRUCTS[_c] = ("termios", False)
_STRUCTS[x.TCGETS2] = ("termios2", True)
for _c in x.TCSETS2_REQUESTS:
    _STRUCTS[_c] = ("termios2", False)
for _c in x.TERMIO_OUT_REQUESTS:
    _STRUCTS[_c] = ("termio", True)
for _c in x.TERMIO_IN_REQUESTS:
    _STRUCTS[_c] = ("termio", False)
_SIZES = {"termios": TERMIOS_SIZE, "termios2": TERMIOS2_SIZE, "termio": TERMIO_SIZE}
_NO_ARG = x.NO_ARG_REQUESTS | {0x541F}  # TIOCSSERIAL too


def term_ioctl(a: IoctlArg) -> IoctlText | None:
    code = a.code
    kind = _STRUCTS.get(code)
    if kind is not None:
        name, at_exit = kind
        size = _SIZES[name]

        def render(d: bytes) -> str:
            return render_termios(d, a.abbrev, name)

        return out(a.show_out(size, render)) if at_exit else IoctlText(a.show_in(size, render))
    if code == x.TIOCGWINSZ:
        return out(a.show_out(8, render_winsize))
    if code == x.TIOCSWINSZ:
        return IoctlText(a.show_in(8, render_winsize))
    if code == x.TCXONC:
        return IoctlText(xval(a.arg, x.TCXONC_OPTIONS, "TC???"))
    if code == x.TCFLSH:
        return IoctlText(xval(a.arg, x.TCFLSH_OPTIONS, "TC???"))
    if code in x.TIOCSCTTY_LIKE:
        return IoctlText(str(to_int(a.arg)))
    if code == x.TIOCMGET or code in x.TIOCM_SET_REQUESTS:

        def modem(d: bytes) -> str:
            return f"[{xflags(struct.unpack_from('<I', d)[0], x.MODEM_FLAGS, 'TIOCM_???')}]"

        if code == x.TIOCMGET:
            return out(a.show_out(4, modem))
        return IoctlText(a.show_in(4, modem))
    if code in x.INT_OUT_REQUESTS:
        return out(a.num_out())
    if code in x.INT_IN_REQUESTS:
        return IoctlText(a.num_in())
    if code == 0x5412:  # TIOCSTI: one char
        data = a.entry_struct(1)
        return IoctlText(a.addr if data is None else quote_buffer(data[:1], 1, 1 << 20, a.arg))
    if code in _NO_ARG:
        return IoctlText(NO_ARG)
    return None
