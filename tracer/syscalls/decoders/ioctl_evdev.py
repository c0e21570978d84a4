"""evdev ioctls ('E'): getters decoded at exit (ids, key codes, absinfo, bitsets, names),
setters at entry (key codes, repeat rates, absinfo, clock ids)."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import STYLE, pointer, quote_buffer
from tracer.syscalls.render import to_int
from tracer.syscalls.xlat import evdev as xe
from tracer.syscalls.xlat import ioctl_dev as xd

from .ioctl_arg import IoctlArg, IoctlText, out
from .kstructs import xval

EVIOCGVERSION, EVIOCGID, EVIOCGREP, EVIOCSREP = 0x80044501, 0x80084502, 0x80084503, 0x40084503
EVIOCGKEYCODE, EVIOCGKEYCODE_V2 = 0x80084504, 0x80284504
EVIOCSKEYCODE, EVIOCSKEYCODE_V2 = 0x40084504, 0x40284504
EVIOCGEFFECTS, EVIOCRMFF, EVIOCGRAB, EVIOCREVOKE = 0x80044584, 0x40044581, 0x40044590, 0x40044591
EVIOCSCLOCKID, EVIOCSFF = 0x400445A0, 0x40304580
FF_RUMBLE, FF_PERIODIC, FF_CONSTANT, FF_RAMP = 0x50, 0x51, 0x52, 0x57


def _envelope(d: bytes, off: int) -> str:
    attack_length, attack_level, fade_length, fade_level = struct.unpack_from("<4H", d, off)
    return (
        f"envelope={{attack_length={attack_length}, attack_level={attack_level}, "
        f"fade_length={fade_length}, fade_level={_hex(fade_level)}}}"
    )


def _ff_effect(d: bytes, abbrev: bool) -> str:
    """struct ff_effect: the union member its type selects."""
    typ, ident, direction, button, interval, length, delay = struct.unpack_from("<HhH4H", d)
    head = f"{{type={xval(typ, xe.EVDEV_FF_TYPES, 'FF_???')}, id={ident}, direction={direction}"
    if abbrev:
        return head + ", ...}"
    text = (
        f"{head}, trigger={{button={button}, interval={interval}}}, "
        f"replay={{length={length}, delay={delay}}}"
    )
    u = 16
    if typ == FF_CONSTANT:
        (level,) = struct.unpack_from("<h", d, u)
        text += f", constant={{level={level}, {_envelope(d, u + 2)}}}"
    elif typ == FF_RAMP:
        start, end = struct.unpack_from("<hh", d, u)
        text += f", ramp={{start_level={start}, end_level={end}, {_envelope(d, u + 4)}}}"
    elif typ == FF_PERIODIC:
        waveform, period, magnitude, offset, phase = struct.unpack_from("<HHhhH", d, u)
        custom_len, custom_data = (
            struct.unpack_from("<IQ", d, u + 20)[0],
            struct.unpack_from("<Q", d, u + 24)[0],
        )
        text += (
            f", periodic={{waveform={waveform}, period={period}, magnitude={magnitude}, "
            f"offset={offset}, phase={phase}, {_envelope(d, u + 10)}, custom_len={custom_len}, "
            f"custom_data={pointer(custom_data)}}}"
        )
    elif typ == FF_RUMBLE:
        strong, weak = struct.unpack_from("<HH", d, u)
        text += f", rumble={{strong_magnitude={strong}, weak_magnitude={weak}}}"
    return text + "}"


_ABS_ORIG, _ABS_FULL = 20, 24  # input_absinfo up to `flat`, and with `resolution`

# Bitset getters: (table, number of bits, unknown)
_KEY = (xe.EVDEV_KEYCODE, 0x2FF, "KEY_???")
_BITS_BY_EV = {
    0: (xd.EVDEV_EV, 0x1F, "EV_???"),
    1: _KEY,
    2: (xe.EVDEV_REL, 0x0F, "REL_???"),
    3: (xd.EVDEV_ABS, 0x3F, "ABS_???"),
    4: (xe.EVDEV_MISC, 0x07, "MSC_???"),
    5: (xe.EVDEV_SWITCH, 0x10, "SW_???"),
    0x11: (xe.EVDEV_LEDS, 0x0F, "LED_???"),
    0x12: (xe.EVDEV_SND, 0x07, "SND_???"),
    0x14: (xe.EVDEV_AUTOREPEAT, 0x01, "REP_???"),
    0x15: (xe.EVDEV_FF_TYPES, 0x7F, "FF_???"),
    0x17: (xe.EVDEV_FF_STATUS, 0x01, "FF_STATUS_???"),
}
_BITS_BY_NR = {
    0x09: (xe.EVDEV_PROP, 0x1F, "PROP_???"),
    0x1A: (xe.EVDEV_SND, 0x07, "SND_???"),
    0x1B: (xe.EVDEV_SWITCH, 0x10, "SW_???"),
    0x18: _KEY,
    0x19: (xe.EVDEV_LEDS, 0x0F, "LED_???"),
}


def _keycode_pair(d: bytes) -> str:
    scancode, keycode = struct.unpack_from("<II", d)
    return f"[{scancode}, {xval(keycode, xe.EVDEV_KEYCODE, 'KEY_???')}]"


def _keymap_entry(d: bytes, abbrev: bool) -> str:
    flags, length, index, keycode = struct.unpack_from("<BBHI", d)
    head = f"{{flags={flags}, len={length}"
    if abbrev:
        return head + ", ...}"
    scancode = ", ".join(f"{b:#x}" if b else "0" for b in d[8:40])
    return (
        f"{head}, index={index}, keycode={xval(keycode, xe.EVDEV_KEYCODE, 'KEY_???')}, "
        f"scancode=[{scancode}]}}"
    )


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _absinfo(a: IoctlArg, exiting: bool) -> str:
    size = a.code >> 16 & 0x3FFF
    if size < _ABS_ORIG:
        return a.addr
    want = min(size, _ABS_FULL)
    d = a.exit_struct(want) if exiting else a.entry_struct(want)
    if d is None:
        return a.addr
    d = d[:want].ljust(_ABS_FULL, b"\0")
    v = [x & 0xFFFFFFFF for x in struct.unpack_from("<5i", d)]
    if a.abbrev:
        return f"{{value={v[0]}, minimum={v[1]}, ...}}"
    text = f"{{value={v[0]}, minimum={v[1]}, maximum={v[2]}, fuzz={v[3]}, flat={v[4]}"
    if size > _ABS_ORIG:
        if size >= _ABS_FULL:
            text += f", resolution={struct.unpack_from('<I', d, 20)[0]}"
        if size != _ABS_FULL:
            text += ", ..."
    return text + "}"


def _bitset(a: IoctlArg, table: dict[int, str], max_nr: int, unknown: str) -> str:
    ret = a.ret
    size_bits = max_nr if ret > max_nr // 8 else ret * 8
    size = ((size_bits + 7) // 8 + 7) // 8 * 8
    if a.failed or not size:
        return a.addr
    d = a.exit_struct(size)
    if d is None:
        return a.addr
    d = d[:size]
    value = int.from_bytes(d, "little")
    parts = []
    text = ""
    style = STYLE.constants
    if style != "raw":
        bits = [i for i in range(size_bits) if value >> i & 1]
        for n, i in enumerate(bits):
            if a.abbrev and n >= 4:
                parts.append("...")
                break
            parts.append(xval(i, table, unknown))
        text = "[" + " ".join(parts) + "]"
    if style != "abbrev":
        words = ", ".join(f"{w:#x}" if w else "0" for (w,) in struct.iter_unpack("<Q", d))
        raw = f"[{words}]"
        text = raw if style == "raw" else f"{text} /* {raw} */"
    return text


def _mtslots(a: IoctlArg) -> str | None:
    """EVIOCGMTSLOTS: the axis code asked for, then the slots' values (the request's size
    counts the code too); strace prints at most -s values."""
    count = ((a.code >> 16) & 0x3FFF) // 4
    if not count:
        return a.addr
    if not a.finished:
        return None
    data = a.exit_struct(4)
    if data is None:
        return a.addr
    code = xval(struct.unpack_from("<I", data)[0], xe.EVDEV_MTSLOTS, "ABS_MT_???")
    values = [v for (v,) in struct.iter_unpack("<i", data[4 : 4 * count])]
    return f"{{code={code}, values={_int_array(values, count - 1, a.arg + 4, a.strsize)}}}"


def _int_array(values: list[int], count: int, addr: int, limit: int) -> str:
    """strace's print_array of ints: at most `limit` shown, and where memory ends the
    address of the first unreadable one (the array's own when none could be read)."""
    if len(values) < count and not values:
        return f"{addr:#x}"
    shown = [str(v) for v in values[:limit]]
    if len(values) > limit:
        shown.append("...")
    elif len(values) < count:
        shown.append(f"... /* {addr + 4 * len(values):#x} */")
    return "[" + ", ".join(shown) + "]"


def _read(a: IoctlArg) -> str | None:
    c = a.code
    if not a.finished:
        return None
    if c == EVIOCGVERSION:
        return a.show_out(4, lambda d: f"[{_hex(struct.unpack_from('<I', d)[0])}]")
    if c == EVIOCGEFFECTS:
        return a.num_out("<I")
    if c == EVIOCGID:

        def ident(d: bytes) -> str:
            bus, vendor, product, version = struct.unpack_from("<4H", d)
            return f"{{bustype={bus}, vendor={vendor}, product={product}, version={version}}}"

        return a.show_out(8, ident)
    if c == EVIOCGREP:
        return a.show_out(8, lambda d: "[{}, {}]".format(*struct.unpack_from("<II", d)))
    if c == EVIOCGKEYCODE:
        return a.show_out(8, _keycode_pair)
    if c == EVIOCGKEYCODE_V2:
        return a.show_out(40, lambda d: _keymap_entry(d, a.abbrev))
    nr = c & 0xFF
    if nr == 0x0A:  # EVIOCGMTSLOTS(len)
        return _mtslots(a)
    if nr in (0x06, 0x07, 0x08):  # EVIOCGNAME, EVIOCGPHYS, EVIOCGUNIQ
        if a.failed or a.exit is None:
            return a.addr
        n = max(a.ret, 0)
        return quote_buffer(a.exit[:n], n, a.strsize, a.arg)
    if nr in _BITS_BY_NR:
        return _bitset(a, *_BITS_BY_NR[nr])
    if 0x40 <= nr <= 0x7F:
        return _absinfo(a, True)
    if 0x20 <= nr <= 0x3F:
        ev = nr & 0x1F
        if ev == 0x16:  # EV_PWR
            return a.num_out("<i")
        spec = _BITS_BY_EV.get(ev)
        return a.addr if spec is None else _bitset(a, *spec)
    return a.addr


def _write(a: IoctlArg) -> str:
    c = a.code
    if c == EVIOCSREP:
        return a.show_in(8, lambda d: "[{}, {}]".format(*struct.unpack_from("<II", d)))
    if c == EVIOCSKEYCODE:
        return a.show_in(8, _keycode_pair)
    if c == EVIOCSKEYCODE_V2:
        return a.show_in(40, lambda d: _keymap_entry(d, a.abbrev))
    if c == EVIOCRMFF:
        return str(to_int(a.arg))
    if c in (EVIOCGRAB, EVIOCREVOKE):
        return str(a.arg)
    if c == EVIOCSCLOCKID:
        return a.num_in("<I")
    if 0xC0 <= (c & 0xFF) <= 0xFF:
        return _absinfo(a, False)
    if c == EVIOCSFF:
        return a.show_in(48, lambda d: _ff_effect(d, a.abbrev))
    return a.addr


def evdev_ioctl(a: IoctlArg) -> IoctlText | None:
    direction = a.code >> 30
    if direction == 2:
        text = _read(a)
        return out(text)
    if direction == 1:
        return IoctlText(_write(a))
    return None
