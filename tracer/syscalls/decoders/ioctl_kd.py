"""Virtual console and keyboard ioctls ('K', linux/kd.h): sound and tones, LEDs, modes,
key maps and strings, accent tables, key codes, repeat rates, fonts and screen maps.

The requests whose structure points to a second buffer (unicode pairs, fonts) are in
ioctl_kd_font.py.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.fmt import STYLE, quote_hex, signal_name, styled_decimal
from tracer.syscalls.xlat import kd as xk

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText, out
from .ioctl_block import qstring
from .ioctl_kd_font import FONT_REQUESTS, font_ioctl
from .kstructs import u32, xflags, xval

_PIT_TICK_RATE = 1193182
_E_TABSZ, _MAX_DIACR, _FONT_SIZE, _CMAP_SIZE = 256, 256, 8192, 48
_GPFIRST, _GPLAST = 0x3B4, 0x3DF
_UNI_DIRECT_BASE, _UNI_DIRECT_MASK = 0xF000, 0x1FF
_INT_MAX = 0x7FFFFFFF
_KT_LATIN, _KT_META, _KT_LETTER, _KT_DEAD2 = 0, 8, 11, 13

KIOCSOUND, KDMKTONE, KDGETLED, KDSETLED, KDGKBTYPE = 0x4B2F, 0x4B30, 0x4B31, 0x4B32, 0x4B33
KDADDIO, KDDELIO, KDENABIO, KDDISABIO = 0x4B34, 0x4B35, 0x4B36, 0x4B37
KDSETMODE, KDGETMODE, KDMAPDISP, KDUNMAPDISP = 0x4B3A, 0x4B3B, 0x4B3C, 0x4B3D
GIO_SCRNMAP, PIO_SCRNMAP, KDGKBMODE, KDSKBMODE = 0x4B40, 0x4B41, 0x4B44, 0x4B45
KDGKBENT, KDSKBENT, KDGKBSENT, KDSKBSENT = 0x4B46, 0x4B47, 0x4B48, 0x4B49
KDGKBDIACR, KDSKBDIACR, KDGETKEYCODE, KDSETKEYCODE = 0x4B4A, 0x4B4B, 0x4B4C, 0x4B4D
KDSIGACCEPT, KDKBDREP, GIO_FONT, PIO_FONT = 0x4B4E, 0x4B52, 0x4B60, 0x4B61
KDGKBMETA, KDSKBMETA, KDGKBLED, KDSKBLED = 0x4B62, 0x4B63, 0x4B64, 0x4B65
GIO_UNIMAP, PIO_UNIMAP, PIO_UNIMAPCLR = 0x4B66, 0x4B67, 0x4B68
GIO_UNISCRNMAP, PIO_UNISCRNMAP, GIO_FONTX, PIO_FONTX = 0x4B69, 0x4B6A, 0x4B6B, 0x4B6C
PIO_FONTRESET, GIO_CMAP, PIO_CMAP, KDFONTOP = 0x4B6D, 0x4B70, 0x4B71, 0x4B72
KDGKBDIACRUC, KDSKBDIACRUC = 0x4BFA, 0x4BFB
_NO_ARGS = {KDENABIO, KDDISABIO, KDMAPDISP, KDUNMAPDISP, PIO_FONTRESET}
_FN_KEY_VALS = {k: f"KVAL({v})" for k, v in xk.FN_KEYS.items()}


# ---- printing helpers ------------------------------------------------------------------


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _comment(text: str) -> str:
    """A note strace adds after a number, except under -X raw."""
    return "" if STYLE.constants == "raw" else f" /* {text} */"


def _char(c: int) -> str:
    """strace's print_char with quotes and whitespace escapes: `'a'`, `'\\n'`, `'\\x7f'`."""
    special = {0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r", 0x27: "\\'",
               0x5C: "\\\\"}  # fmt: skip
    if c in special:
        return f"'{special[c]}'"
    return f"'{chr(c)}'" if 0x20 <= c < 0x7F else f"'\\x{c:02x}'"


def _hex_string(a: IoctlArg, data: bytes | None, length: int, addr: int) -> str:
    """printstr_ex in hex: strace reads min(len, -s + 1) bytes or prints the address."""
    if not addr:
        return "NULL"
    if data is None or len(data) < min(length, a.strsize + 1):
        return f"{addr:#x}"
    return quote_hex(data, length, a.strsize)


def _array(
    a: IoctlArg,
    data: bytes | None,
    off: int,
    nmemb: int,
    size: int,
    render: Callable[[bytes, int], str],
    more: bool = False,
) -> str:
    """strace's print_array over the captured bytes from `off`: an unreadable first
    element prints the array's address, a later one `... /* address */`; without -v at
    most -s elements; `more`: the count was cut to the kernel's maximum."""
    start = a.arg + off
    if not nmemb:
        return "[...]" if more else "[]"
    readable = 0 if data is None else max(len(data) - off, 0) // size
    limit = a.strsize if a.abbrev and a.strsize < nmemb else nmemb
    items: list[str] = []
    cut = False
    for i in range(nmemb):
        if i >= readable:
            if not i:
                return f"{start:#x}"
            items.append(f"... /* {start + i * size:#x} */")
            cut = True
            break
        if i >= limit:
            items.append("...")
            cut = True
            break
        items.append(render(data, off + i * size))  # type: ignore[arg-type]
    if more and not cut:
        items.append("...")
    return "[" + ", ".join(items) + "]"


# ---- by value --------------------------------------------------------------------------


def _sound(arg: int) -> str:
    freq = (_PIT_TICK_RATE // arg if arg else 0) & 0xFFFFFFFF
    return f"{arg}" + _comment(f"{freq} Hz" if freq else "off")


def _tone(arg: int) -> str:
    arg &= 0xFFFFFFFF
    ticks, count = arg >> 16, arg & 0xFFFF
    freq = _PIT_TICK_RATE // count if ticks and count else 0
    text = f"{ticks}<<16|{count}" if ticks else f"{count}"
    return text + _comment(f"{freq} Hz, {ticks} ms" if freq else "off")


def _io_port(arg: int) -> str:
    note = _comment(f"GPFIRST + {arg - _GPFIRST}") if _GPFIRST <= arg <= _GPLAST else ""
    return _hex(arg) + note


def _leds(value: int, default: bool) -> str:
    return xflags(value, xk.DEFAULT_LED_FLAGS if default else xk.LED_FLAGS, "LED_???")


def _kbd_mode(value: int) -> str:
    value &= 0xFFFFFFFF
    return xval(value - (1 << 32) if value > _INT_MAX else value, xk.KBD_MODES, "K_???", "{}")


def _signal(arg: int) -> str:
    if arg >= _INT_MAX:
        return str(arg)
    return styled_decimal(arg, signal_name(arg))


# ---- key maps --------------------------------------------------------------------------


def _kb_table(value: int) -> str:
    if value in xk.KEY_TABLES:
        return xval(value, xk.KEY_TABLES, "")
    return xflags(value, xk.KEYMAP_FLAGS, "K_???")


def _kb_value(value: int) -> str:
    """A key as its name or K(type, value), in a comment after the number."""
    if STYLE.constants == "raw":
        return _hex(value)
    ktyp, kval = value >> 8, value & 0xFF
    name = xk.KEYS_BY_TYPE.get(ktyp, {}).get(value)
    if name is None:
        kind = xk.KEY_TYPES.get(ktyp, _hex(ktyp))
        shown = _char(kval) if ktyp in (_KT_LATIN, _KT_META, _KT_LETTER, _KT_DEAD2) else _hex(kval)
        name = f"K({kind}, {shown})"
    return f"{_hex(value)} /* {name} */"


def _kbd_entry(a: IoctlArg, get: bool) -> IoctlText:
    d = a.entry_struct(2)
    if d is None:
        return IoctlText(a.addr)
    text = f"{{kb_table={_kb_table(d[0])}, kb_index={d[1]}"
    if get and (not a.finished or a.failed):
        return IoctlText(text + "}")
    back = a.exit if get else a.entry
    if back is None or len(back) < 4:
        return IoctlText(text + ", kb_value=???}")
    return IoctlText(text + f", kb_value={_kb_value(struct.unpack_from('<H', back, 2)[0])}}}")


def _kb_string(data: bytes) -> tuple[bytes, int] | None:
    """kb_string as umovestr finds it: the bytes and the length up to its NUL (all 512
    without one); None when it runs into unreadable memory first (strace: `???`)."""
    raw = data[1 : 1 + 512]
    nul = raw.find(b"\0")
    if nul >= 0:
        return raw, nul + 1
    return (raw, 512) if len(raw) >= 512 else None


def _kbd_str_entry(a: IoctlArg, get: bool) -> IoctlText:
    d = a.entry_struct(1)
    if d is None:
        return IoctlText(a.addr)
    text = f"{{kb_func={xval(d[0], _FN_KEY_VALS, 'KVAL(K_???)')}"
    if get and (not a.finished or a.failed):
        return IoctlText(text + "}")
    found = _kb_string((a.exit if get else a.entry) or b"")
    if found is None:
        return IoctlText(text + ", kb_string=???}")
    raw, n = found
    shown = raw[: min(a.strsize, n)]
    if shown and shown[-1] == 0:  # the NUL ends it: nothing more
        return IoctlText(text + f", kb_string={qstring(shown[:-1])}}}")
    return IoctlText(text + f", kb_string={qstring(shown)}...}}")


# ---- accent tables, key codes, repeat rate -------------------------------------------


def _diacr(d: bytes, off: int) -> str:
    return f"{{diacr={_char(d[off])}, base={_char(d[off + 1])}, result={_char(d[off + 2])}}}"


def _diacr_uc(d: bytes, off: int) -> str:
    diacr, base, result = struct.unpack_from("<III", d, off)
    return f"{{diacr={_hex(diacr)}, base={_hex(base)}, result={_hex(result)}}}"


def _diacrs(a: IoctlArg, get: bool, field: str, size: int, render) -> IoctlText:
    if get and not a.finished:
        return IoctlText(NO_ARG, at_exit=True)
    data = a.exit if get else a.entry
    if not a.arg or (get and a.failed) or data is None or len(data) < 4 or not a.verbose:
        return IoctlText(a.addr, at_exit=get)
    count = u32(data)
    items = _array(a, data, 4, min(count, _MAX_DIACR), size, render, count > _MAX_DIACR)
    return IoctlText(f"{{kb_cnt={count}, {field}={items}}}", at_exit=get)


def _keycode(a: IoctlArg, get: bool) -> IoctlText:
    d = a.entry_struct(8)
    if d is None:
        return IoctlText(a.addr)
    scancode, keycode = struct.unpack_from("<II", d)
    text = f"{{scancode={_hex(scancode)}, keycode={_hex(keycode)}"
    if get:
        back = a.exit_struct(8)
        if back is not None:
            text += f" => {_hex(u32(back, 4))}"
    return IoctlText(text + "}")


def _repeat(d: bytes) -> str:
    delay, period = struct.unpack_from("<ii", d)
    return f"{{delay={delay}, period={period}}}"


# ---- screen maps and fonts -------------------------------------------------------------


def _uni_entry(d: bytes, off: int) -> str:
    v = struct.unpack_from("<H", d, off)[0]
    style = STYLE.constants
    direct = v & ~_UNI_DIRECT_MASK == _UNI_DIRECT_BASE
    if not direct or style == "raw":
        return _hex(v)
    name = f"UNI_DIRECT_BASE+{_hex(v & _UNI_DIRECT_MASK)}"
    return name if style == "abbrev" else f"{_hex(v)} /* {name} */"


def _buffer(a: IoctlArg, get: bool, length: int, render) -> IoctlText:
    """A buffer at the argument itself: a setter's at entry, a getter's once it succeeded."""
    if not get:
        return IoctlText(render(a.entry if a.verbose else None))
    if not a.finished:
        return IoctlText(NO_ARG, at_exit=True)
    if a.failed or not a.verbose:
        return IoctlText(a.addr, at_exit=True)
    return IoctlText(render(a.exit), at_exit=True)


# ---- dispatch --------------------------------------------------------------------------


def _getter(a: IoctlArg, size: int, render: Callable[[bytes], str]) -> IoctlText:
    return out(a.show_out(size, lambda d: f"[{render(d)}]"))


def _by_value(a: IoctlArg) -> str | None:
    c, arg = a.code, a.arg
    if c == KIOCSOUND:
        return _sound(arg)
    if c == KDMKTONE:
        return _tone(arg)
    if c in (KDSETLED, KDSKBLED):
        return _leds(arg & 0xFF, c == KDSKBLED)
    if c in (KDADDIO, KDDELIO):
        return _io_port(arg)
    if c == KDSETMODE:
        return xval(arg & 0xFFFFFFFF, xk.MODES, "KD_???")
    if c == KDSKBMODE:
        return _kbd_mode(arg)
    if c == KDSKBMETA:
        return xval(arg & 0xFFFFFFFF, xk.META_VALS, "K_???")
    if c == KDSIGACCEPT:
        return _signal(arg)
    return None


def kd_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in _NO_ARGS:
        return IoctlText(NO_ARG)
    text = _by_value(a)
    if text is not None:
        return IoctlText(text)
    if c in (KDGETLED, KDGKBLED):
        return _getter(a, 1, lambda d: _leds(d[0], c == KDGKBLED))
    if c == KDGKBTYPE:
        return _getter(a, 1, lambda d: xval(d[0], xk.KBD_TYPES, "KB_???"))
    if c == KDGETMODE:
        return _getter(a, 4, lambda d: xval(u32(d), xk.MODES, "KD_???"))
    if c == KDGKBMODE:
        return _getter(a, 4, lambda d: _kbd_mode(u32(d)))
    if c == KDGKBMETA:
        return _getter(a, 4, lambda d: xval(u32(d), xk.META_VALS, "K_???"))
    if c in (GIO_SCRNMAP, PIO_SCRNMAP):
        return _buffer(a, c == GIO_SCRNMAP, _E_TABSZ, lambda d: _hex_string(a, d, _E_TABSZ, a.arg))
    if c in (GIO_FONT, PIO_FONT):
        return _buffer(a, c == GIO_FONT, _FONT_SIZE, lambda d: _hex_string(a, d, _FONT_SIZE, a.arg))
    if c in (GIO_CMAP, PIO_CMAP):
        return _buffer(a, c == GIO_CMAP, _CMAP_SIZE, lambda d: _hex_string(a, d, _CMAP_SIZE, a.arg))
    if c in (GIO_UNISCRNMAP, PIO_UNISCRNMAP):
        return _buffer(
            a,
            c == GIO_UNISCRNMAP,
            2 * _E_TABSZ,
            lambda d: "NULL" if not a.arg else _array(a, d, 0, _E_TABSZ, 2, _uni_entry),
        )
    if c in (KDGKBENT, KDSKBENT):
        return _kbd_entry(a, c == KDGKBENT)
    if c in (KDGKBSENT, KDSKBSENT):
        return _kbd_str_entry(a, c == KDGKBSENT)
    if c in (KDGKBDIACR, KDSKBDIACR):
        return _diacrs(a, c == KDGKBDIACR, "kbdiacr", 3, _diacr)
    if c in (KDGKBDIACRUC, KDSKBDIACRUC):
        return _diacrs(a, c == KDGKBDIACRUC, "kbdiacruc", 12, _diacr_uc)
    if c in (KDGETKEYCODE, KDSETKEYCODE):
        return _keycode(a, c == KDGETKEYCODE)
    if c == KDKBDREP:
        return IoctlText(a.show_in_out(8, _repeat, _repeat))
    if c == PIO_UNIMAPCLR:
        return IoctlText(
            a.show_in(
                6,
                lambda d: (
                    "{{advised_hashsize={}, advised_hashstep={}, advised_hashlevel={}}}".format(
                        *struct.unpack_from("<3H", d)
                    )
                ),
            )
        )
    if c in FONT_REQUESTS:
        return font_ioctl(a)
    return None
