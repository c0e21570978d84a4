"""Small kernel-struct readers and renderers shared by the net/signal/poll/ioctl/misc families.

Captured memory arrives as raw bytes; these helpers unpack the x86_64 layouts
and print them the way strace does (`{tv_sec=1, tv_nsec=0}`, `[1]`, ...).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from tracer.syscalls.fmt import STYLE, pointer, quote_buffer
from tracer.syscalls.render import Arg, to_int, to_long

_I32 = struct.Struct("<i")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_U64 = struct.Struct("<Q")


def i32(data: bytes, off: int = 0) -> int:
    return _I32.unpack_from(data, off)[0]


def u32(data: bytes, off: int = 0) -> int:
    return _U32.unpack_from(data, off)[0]


def i64(data: bytes, off: int = 0) -> int:
    return _I64.unpack_from(data, off)[0]


def u64(data: bytes, off: int = 0) -> int:
    return _U64.unpack_from(data, off)[0]


def complete(data: bytes | None, size: int) -> bytes | None:
    """`data` if at least `size` bytes were captured, else None (strace prints the address)."""
    return data if data is not None and len(data) >= size else None


def xval(value: int, table: Mapping[int, str], unknown: str, fmt: str = "{:#x}") -> str:
    """An enumeration value: its name, or `0x2a /* AF_??? */` as strace prints unknowns.

    Under -X raw the number alone, under -X verbose `number /* NAME */`."""
    name = table.get(value)
    style = STYLE.constants
    if name is not None and style == "abbrev":
        return name
    number = "0" if value == 0 and fmt == "{:#x}" else fmt.format(value)  # C's %#x
    if style == "raw":
        return number
    return f"{number} /* {name or unknown} */"


def _split_flags(value: int, table: list[tuple[int, str]]) -> tuple[list[str], int]:
    """The names of the table's bits set in `value`, in table order, and the bits left."""
    names: list[str] = []
    rest = value
    for bit, name in table:
        if bit and rest & bit == bit:
            names.append(name)
            rest &= ~bit
    return names, rest


def xflags(value: int, table: list[tuple[int, str]], unknown: str, zero: str = "0") -> str:
    """Flags joined by `|`, leftover bits in hex; no known bit at all gets a `/* X_??? */` note."""
    if value == 0:
        return zero
    names, rest = _split_flags(value, table)
    style = STYLE.constants
    if style == "raw":
        return f"{value:#x}"
    if not names:
        return f"{value:#x} /* {unknown} */"
    if rest:
        names.append(f"{rest:#x}")
    if style == "verbose":
        return f"{value:#x} /* {'|'.join(names)} */"
    return "|".join(names)


def aux_flags(value: int, table: list[tuple[int, str]], zero: str | None = None) -> str | None:
    """Flags in a return value's note, as strace's auxstr mode builds them: names only
    (whatever -X says), unknown bits in hex after a known one, and no note at all under
    -X raw or when no bit is known (`zero` names the value 0 of tables that have one)."""
    if STYLE.constants == "raw":
        return None
    if value == 0:
        return zero
    names, rest = _split_flags(value, table)
    if not names:
        return None
    if rest:
        names.append(f"{rest:#x}")
    return "|".join(names)


def timespec(data: bytes | None, addr: int) -> str:
    data = complete(data, 16)
    if data is None:
        return pointer(addr)
    return f"{{tv_sec={i64(data)}, tv_nsec={u64(data, 8)}}}"


def timeval(data: bytes | None, addr: int) -> str:
    data = complete(data, 16)
    if data is None:
        return pointer(addr)
    return f"{{tv_sec={i64(data)}, tv_usec={u64(data, 8)}}}"


def int_in_brackets(data: bytes | None, addr: int, fmt: str = "{}") -> str:
    """`[1]`: an `int *` argument."""
    data = complete(data, 4)
    if data is None:
        return pointer(addr)
    return "[" + fmt.format(i32(data)) + "]"


def cstring_field(raw: bytes) -> str:
    """A char array printed as strace's print_quoted_cstring: up to its NUL, or all but
    its last byte and `...` when it has none."""
    nul = raw.find(b"\0")
    if nul >= 0:
        return quote_buffer(raw[:nul], nul, nul)
    return quote_buffer(raw[:-1], len(raw) - 1, len(raw) - 1) + "..."


def hex_quote(data: bytes) -> str:
    """strace's QUOTE_FORCE_HEX: every byte as `\\xNN`."""
    return '"' + "".join(f"\\x{b:02x}" for b in data) + '"'


def extensible_tail(extra: bytes | None, start: int, strsize: int) -> str:
    """What strace adds after the fields it knows of an extensible struct (openat2's
    open_how, mount_setattr's mount_attr) the caller says is bigger: `, ???` when the
    rest was unreadable, nothing when it is all zero, else all of it (cut at -s) as
    `, /* bytes 32..39 */ "\\x00\\x80..."`."""
    if extra is None:
        return ", ???"
    if not any(extra):
        return ""
    more = "..." if len(extra) > strsize else ""
    return f", /* bytes {start}..{start + len(extra) - 1} */ {hex_quote(extra[:strsize])}{more}"


def int_arg(raw: int) -> Arg:
    v = to_int(raw)
    return Arg(str(v), raw, "int", v)


def uint_arg(raw: int) -> Arg:
    v = raw & 0xFFFFFFFF
    return Arg(str(v), raw, "int", v)


def long_arg(raw: int) -> Arg:
    v = to_long(raw)
    return Arg(str(v), raw, "int", v)


def ulong_arg(raw: int) -> Arg:
    v = raw & 0xFFFFFFFFFFFFFFFF
    return Arg(str(v), raw, "int", v)


def hex_arg(raw: int) -> Arg:
    v = raw & 0xFFFFFFFFFFFFFFFF
    return Arg(f"{v:#x}" if v else "0", raw, "int", v)


def ptr_arg(raw: int) -> Arg:
    return Arg(pointer(raw), raw, "ptr", raw)


def read_opt(mem, addr: int, size: int) -> bytes | None:
    """Read `size` bytes at `addr` unless it is NULL or the size is silly."""
    if not addr or size <= 0:
        return None
    return mem.read(addr, size)
