"""Arrays of fixed-size elements in tracee memory, read and shown as strace shows them:
`[]` when empty, the address alone when the first element cannot be read (or the
array's size overflows), `... /* 0x... */` where it stops being readable, and at
most -s elements before a plain `...`."""

from __future__ import annotations

from collections.abc import Callable

from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader

_U64 = 0xFFFFFFFFFFFFFFFF


def _fits(addr: int, count: int, size: int) -> bool:
    total = count * size
    return total <= _U64 and addr + total <= _U64 + 1


def read_array(
    mem: MemoryReader, addr: int, count: int, size: int, limits: CaptureLimits
) -> bytes | None:
    """The elements strace would show (one more than -s says "..."); short where
    memory ends."""
    count &= _U64
    if not addr or not count or not _fits(addr, count, size):
        return None
    return mem.read(addr, min(count, limits.strsize + 1) * size)


def array_text(
    data: bytes | None,
    addr: int,
    count: int,
    size: int,
    strsize: int,
    element: Callable[[bytes], str],
) -> str:
    """The array's text; `element` renders one element's bytes."""
    count &= _U64
    addr &= _U64
    if not addr:
        return "NULL"
    if not count:
        return "[]"
    if data is None or len(data) < size or not _fits(addr, count, size):
        return fmt.pointer(addr)
    items = []
    for i in range(count):
        off = i * size
        if off + size > len(data):  # strace reads an element before it counts it
            items.append(f"... /* {addr + off:#x} */")
            break
        if i >= strsize:
            items.append("...")
            break
        items.append(element(data[off : off + size]))
    return "[" + ", ".join(items) + "]"
