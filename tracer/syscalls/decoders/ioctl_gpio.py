"""GPIO character device ioctls (0xb4), v1 and v2 uAPI: chip and line info, line
handle/event/line requests (their new fd shown at exit), values and line configs.

A v2 line attribute is printed by its id; one with an unknown id or a non-zero padding
word is printed raw (`id=, padding=, data=`), as strace does."""

from __future__ import annotations

import struct

from tracer.syscalls.xlat import gpio as xg

from .ioctl_arg import IoctlArg, IoctlText, out
from .ioctl_block import cstring, hex_array
from .kstructs import i32, u32, u64, xflags

_LINES_MAX, _ATTRS_MAX = 64, 10
_ATTR_FLAGS, _ATTR_VALUES, _ATTR_DEBOUNCE = 1, 2, 3

CHIPINFO, LINEINFO, LINEHANDLE, LINEEVENT = 0x8044B401, 0xC048B402, 0xC16CB403, 0xC030B404
V2_LINEINFO, V2_LINEINFO_WATCH, V2_GET_LINE = 0xC100B405, 0xC100B406, 0xC250B407
HANDLE_GET_VALUES, HANDLE_SET_VALUES, HANDLE_SET_CONFIG = 0xC040B408, 0xC040B409, 0xC054B40A
LINEINFO_WATCH, LINEINFO_UNWATCH = 0xC048B40B, 0xC004B40C
V2_SET_CONFIG, V2_GET_VALUES, V2_SET_VALUES = 0xC110B40D, 0xC010B40E, 0xC010B40F


def _size(code: int) -> int:
    return code >> 16 & 0x3FFF


def _v1_flags(value: int) -> str:
    return xflags(value, xg.GPIO_HANDLE_FLAGS, "GPIOHANDLE_REQUEST_???")


def _v2_flags(value: int) -> str:
    return xflags(value, xg.GPIO_V2_LINE_FLAGS, "GPIO_V2_LINE_FLAG_???")


def _uints(d: bytes, off: int, fmt: str, count: int) -> list[str]:
    return [str(v) for v in struct.unpack_from(f"<{count}{fmt}", d, off)]


def _padding(d: bytes, off: int, count: int) -> str:
    """`, padding=[...]` when any reserved word is set."""
    words = struct.unpack_from(f"<{count}I", d, off)
    return f", padding={hex_array(words)}" if any(words) else ""


def _attr(d: bytes, off: int, as_field: bool) -> str:
    """struct gpio_v2_line_attribute's fields (without braces)."""
    ident, padding, data = struct.unpack_from("<IIQ", d, off)
    if not padding and ident == _ATTR_FLAGS:
        return f"flags={_v2_flags(data)}"
    if not padding and ident == _ATTR_VALUES:
        return f"values={data:#x}" if data else "values=0"
    if not padding and ident == _ATTR_DEBOUNCE:
        return f"debounce_period_us={data & 0xFFFFFFFF}"
    raw = f"id={ident}" + (f", padding={padding:#x}" if padding else "")
    raw += f", data={data:#x}" if data else ", data=0"
    return f"attr={{{raw}}}" if as_field else raw


def _line_config(a: IoctlArg, d: bytes, off: int = 0) -> str:
    flags, num_attrs = struct.unpack_from("<QI", d, off)
    text = f"{{flags={_v2_flags(flags)}, num_attrs={num_attrs}{_padding(d, off + 12, 5)}"
    if num_attrs:
        attrs = [
            f"{{{_attr(d, off + 32 + 24 * i, True)}, mask={_mask(u64(d, off + 48 + 24 * i))}}}"
            for i in range(min(num_attrs, _ATTRS_MAX))
        ]
        text += f", attrs={a.array(attrs)}"
    return text + "}"


def _mask(value: int) -> str:
    return f"{value:#x}" if value else "0"


def _line_info_v1(d: bytes) -> str:
    flags = xflags(u32(d, 4), xg.GPIO_LINE_FLAGS, "GPIOLINE_FLAG_???")
    return f"{{flags={flags}, name={cstring(d[8:40])}, consumer={cstring(d[40:72])}}}"


def _line_info_v2(a: IoctlArg, d: bytes) -> str:
    num_attrs = u32(d, 68)
    text = (
        f"{{name={cstring(d[:32])}, consumer={cstring(d[32:64])}, flags={_v2_flags(u64(d, 72))}, "
        f"num_attrs={num_attrs}"
    )
    if num_attrs:
        attrs = [f"{{{_attr(d, 80 + 16 * i, False)}}}" for i in range(min(num_attrs, _ATTRS_MAX))]
        text += f", attrs={a.array(attrs)}"
    return text + _padding(d, 240, 4) + "}"


def _handle_request(a: IoctlArg, d: bytes) -> str:
    lines = u32(d, 356)
    count = min(lines, _LINES_MAX)
    return (
        f"{{lines={lines}, lineoffsets={a.array(_uints(d, 0, 'I', count))}, "
        f"flags={_v1_flags(u32(d, 256))}, default_values={a.array(_uints(d, 260, 'B', count))}, "
        f"consumer_label={cstring(d[324:356])}}}"
    )


def _event_request(d: bytes) -> str:
    lineoffset, handleflags, eventflags = struct.unpack_from("<III", d)
    events = xflags(eventflags, xg.GPIO_EVENT_FLAGS, "GPIOEVENT_REQUEST_???")
    return (
        f"{{lineoffset={lineoffset}, handleflags={_v1_flags(handleflags)}, eventflags={events}, "
        f"consumer_label={cstring(d[12:44])}}}"
    )


def _line_request(a: IoctlArg, d: bytes) -> str:
    num_lines, buffer_size = struct.unpack_from("<II", d, 560)
    count = min(num_lines, _LINES_MAX)
    text = (
        f"{{num_lines={num_lines}, offsets={a.array(_uints(d, 0, 'I', count))}, "
        f"consumer={cstring(d[256:288])}, config={_line_config(a, d, 288)}"
    )
    if buffer_size:
        text += f", event_buffer_size={buffer_size}"
    return text + _padding(d, 568, 5) + "}"


def _values(a: IoctlArg, d: bytes) -> str:
    return f"{{values={a.array(_uints(d, 0, 'B', _LINES_MAX))}}}"


def _fd_at(off: int):
    return lambda d: f"{{fd={i32(d, off)}}}"


def gpio_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    size = _size(c)
    if c == CHIPINFO:
        return out(
            a.show_out(
                size,
                lambda d: (
                    f"{{name={cstring(d[:32])}, label={cstring(d[32:64])}, lines={u32(d, 64)}}}"
                ),
            )
        )
    if c in (LINEINFO, LINEINFO_WATCH):
        return IoctlText(a.show_in_out(size, lambda d: f"{{line_offset={u32(d)}}}", _line_info_v1))
    if c == LINEINFO_UNWATCH:
        return IoctlText(a.show_in(size, lambda d: f"{{offset={u32(d)}}}"))
    if c == LINEHANDLE:
        return IoctlText(a.show_in_out(size, lambda d: _handle_request(a, d), _fd_at(360)))
    if c == LINEEVENT:
        return IoctlText(a.show_in_out(size, _event_request, _fd_at(44)))
    if c == HANDLE_GET_VALUES:
        return out(a.show_out(size, lambda d: _values(a, d)))
    if c == HANDLE_SET_VALUES:
        return IoctlText(a.show_in(size, lambda d: _values(a, d)))
    if c == HANDLE_SET_CONFIG:
        return IoctlText(
            a.show_in(
                size,
                lambda d: (
                    f"{{flags={_v1_flags(u32(d))}, "
                    f"default_values={a.array(_uints(d, 4, 'B', _LINES_MAX))}}}"
                ),
            )
        )
    if c in (V2_LINEINFO, V2_LINEINFO_WATCH):
        return IoctlText(
            a.show_in_out(size, lambda d: f"{{offset={u32(d, 64)}}}", lambda d: _line_info_v2(a, d))
        )
    if c == V2_GET_LINE:
        return IoctlText(a.show_in_out(size, lambda d: _line_request(a, d), _fd_at(588)))
    if c == V2_GET_VALUES:
        return IoctlText(
            a.show_in_out(
                size,
                lambda d: f"{{mask={_mask(u64(d, 8))}}}",
                lambda d: f"{{bits={_mask(u64(d))}}}",
            )
        )
    if c == V2_SET_VALUES:
        return IoctlText(
            a.show_in(size, lambda d: f"{{bits={_mask(u64(d))}, mask={_mask(u64(d, 8))}}}")
        )
    if c == V2_SET_CONFIG:
        return IoctlText(a.show_in(size, lambda d: _line_config(a, d)))
    return None
