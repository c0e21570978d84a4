"""Hex dump of captured memory for the detail screen (offset, hex bytes, ASCII)."""

from __future__ import annotations


def hexdump(data: bytes, width: int = 16, limit: int = 64 * 1024) -> str:
    lines = []
    for off in range(0, min(len(data), limit), width):
        chunk = data[off : off + width]
        hexpart = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:08x}  {hexpart:<{width * 3 - 1}}  {text}")
    if len(data) > limit:
        lines.append(f"... {len(data) - limit} more bytes")
    return "\n".join(lines)
