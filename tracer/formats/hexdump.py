"""strace's -e read=FD / -e write=FD dump: offset, 16 bytes in hex, the same as text."""

from __future__ import annotations

_PRINTABLE = bytes(range(0x20, 0x7F))


def _text(chunk: bytes) -> str:
    return "".join(chr(c) if c in _PRINTABLE else "." for c in chunk)


def dump_lines(data: bytes) -> list[str]:
    """` | 00000  76 6d 0a                 ...  vm.              |` per 16 bytes."""
    out = []
    for off in range(0, len(data), 16):
        chunk = data[off : off + 16]
        cells = []
        for i in range(16):
            cells.append(f"{chunk[i]:02x} " if i < len(chunk) else "   ")
            if i == 7:
                cells.append(" ")
        out.append(f" | {off:05x}  {''.join(cells)} {_text(chunk):<16} |")
    return out
