"""Variable-length integers and DW_EH_PE pointer encodings used by CFI and DWARF expressions."""

from __future__ import annotations

import struct

_U16 = struct.Struct("<H").unpack_from
_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from
_S16 = struct.Struct("<h").unpack_from
_S32 = struct.Struct("<i").unpack_from
_S64 = struct.Struct("<q").unpack_from

MASK64 = (1 << 64) - 1
DW_EH_PE_omit = 0xFF


def uleb(data: bytes, pos: int) -> tuple[int, int]:
    """Unsigned LEB128 at `pos`: (value, next position)."""
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def sleb(data: bytes, pos: int) -> tuple[int, int]:
    """Signed LEB128 at `pos`: (value, next position)."""
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos


def read_encoded(
    data: bytes, pos: int, enc: int, section_vaddr: int = 0, datarel_base: int = 0
) -> tuple[int, int]:
    """A DW_EH_PE-encoded pointer at `pos` in a section mapped at `section_vaddr`.

    pc-relative values are made absolute (ELF virtual addresses); indirect
    pointers are returned as the address of the pointer (we never need them).
    """
    fmt = enc & 0x0F
    app = enc & 0x70
    if app == 0x50:  # aligned
        pos = (pos + 7) & ~7
    field = pos
    if fmt == 0x00 or fmt == 0x04:
        v = _U64(data, pos)[0]
        pos += 8
    elif fmt == 0x03:
        v = _U32(data, pos)[0]
        pos += 4
    elif fmt == 0x0B:
        v = _S32(data, pos)[0]
        pos += 4
    elif fmt == 0x01:
        v, pos = uleb(data, pos)
    elif fmt == 0x09:
        v, pos = sleb(data, pos)
    elif fmt == 0x02:
        v = _U16(data, pos)[0]
        pos += 2
    elif fmt == 0x0A:
        v = _S16(data, pos)[0]
        pos += 2
    elif fmt == 0x0C:
        v = _S64(data, pos)[0]
        pos += 8
    else:
        raise ValueError(f"unsupported pointer encoding {enc:#x}")
    if app == 0x10:
        v += section_vaddr + field
    elif app == 0x30:
        v += datarel_base
    return v & MASK64, pos
