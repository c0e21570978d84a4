"""Values that recur across Video4Linux2 structures, printed as strace prints them: pixel
formats as `v4l2_fourcc(...)`, control ids (by name, or as a class plus an offset),
rectangles, fractions, buffer flags and kernel versions."""

from __future__ import annotations

import struct
from collections.abc import Mapping

from tracer.syscalls.fmt import STYLE
from tracer.syscalls.xlat import v4l2 as xv

from .kstructs import xflags, xval

_CLASS_SPAN = 0x10000  # ids of a control class lie within this of its base
_NEXT_FLAGS = sum(bit for bit, _ in xv.CONTROL_QUERY_FLAGS)
_TS_TYPE_MASK, _TS_SRC_MASK = 0xE000, 0x70000
_CLASSES = sorted(xv.CONTROL_CLASSES.items())


def hex_(v: int) -> str:
    """C's `%#x`: plain `0` for zero."""
    return f"{v:#x}" if v else "0"


def char(c: int) -> str:
    """strace's print_char with quotes: printable as itself (`'` and `\\` escaped), other
    bytes as `\\xNN`."""
    if 0x20 <= c < 0x7F:
        return "'\\" + chr(c) + "'" if c in (0x27, 0x5C) else f"'{chr(c)}'"
    return f"'\\x{c:02x}'"


def fourcc(value: int, names: Mapping[int, str] | None) -> str:
    """A pixel format's four characters, and its name in a comment where known."""
    if STYLE.constants == "raw":
        return hex_(value)
    text = "v4l2_fourcc(" + ", ".join(char(b) for b in value.to_bytes(4, "little")) + ")"
    name = names.get(value) if names else None
    return f"{text} /* {name} */" if name else text


def _named(value: int, name: str) -> str:
    return name if STYLE.constants == "abbrev" else f"{hex_(value)} /* {name} */"


def control_id(cid: int, next_flags: bool = False) -> str:
    """A control id: its name, else `CLASS+offset` within a known class, else unknown;
    a query's id may carry the NEXT_CTRL/NEXT_COMPOUND flags first."""
    if STYLE.constants == "raw":
        return hex_(cid)
    prefix = ""
    if next_flags and cid & _NEXT_FLAGS:
        flags = cid & _NEXT_FLAGS
        prefix = xflags(flags, xv.CONTROL_QUERY_FLAGS, "V4L2_CTRL_FLAG_NEXT_???") + "|"
        cid &= ~flags
    name = xv.CONTROL_IDS.get(cid)
    if name is not None:
        return prefix + _named(cid, name)
    base = None
    for value, class_name in _CLASSES:
        if value > cid:
            break
        base = (value, class_name)
    if base is None or cid - base[0] >= _CLASS_SPAN:
        return prefix + f"{hex_(cid)} /* V4L2_CID_??? */"
    return prefix + _named(cid, f"{base[1]}+{hex_(cid - base[0])}")


def rect(d: bytes, off: int = 0) -> str:
    left, top, width, height = struct.unpack_from("<iiII", d, off)
    return f"{{left={left}, top={top}, width={width}, height={height}}}"


def fract(d: bytes, off: int = 0) -> str:
    return "{}/{}".format(*struct.unpack_from("<II", d, off))


def buffer_flags(value: int) -> str:
    """A buffer's flags, then its timestamp type and source (each always printed)."""
    if STYLE.constants == "raw":
        return hex_(value)
    ts_type, ts_src = value & _TS_TYPE_MASK, value & _TS_SRC_MASK
    flags = value & ~_TS_TYPE_MASK & ~_TS_SRC_MASK
    parts = [xflags(flags, xv.BUF_FLAGS, "V4L2_BUF_FLAG_???")] if flags else []
    parts.append(xval(ts_type, xv.BUF_TS_TYPES, "V4L2_BUF_FLAG_TIMESTAMP_???"))
    parts.append(xval(ts_src, xv.BUF_TS_SRCS, "V4L2_BUF_FLAG_TSTAMP_SRC_???"))
    return "|".join(parts)


def kernel_version(value: int) -> str:
    style = STYLE.constants
    if style == "raw":
        return hex_(value)
    text = f"KERNEL_VERSION({value >> 16}, {value >> 8 & 0xFF}, {value & 0xFF})"
    return text if style == "abbrev" else f"{hex_(value)} /* {text} */"


def buf_type(value: int) -> str:
    return xval(value, xv.BUF_TYPES, "V4L2_BUF_TYPE_???")


def memory(value: int) -> str:
    return xval(value, xv.MEMORIES, "V4L2_MEMORY_???")
