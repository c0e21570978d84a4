"""Arrays of fixed-size elements in tracee memory, read and shown as strace shows them:
`[]` when empty, the address alone when the first element cannot be read (or the
array's size overflows), `... /* 0x... */` where it stops being readable, and at
most -s elements before a plain `...`."""

from __future__ import annotations

from collections.abc import Callable

from tracer.syscalls import fmt
from tracer.syscalls.capture import MemoryReader

_U64 = 0xFFFFFFFFFFFFFFFF


def _fits(addr: int, count: int, size: int) -> bool:
    total = count * size
    return total <= _U64 and addr + total <= _U64 + 1


def read_array(mem: MemoryReader, addr: int, count: int, size: int, strsize: int) -> bytes | None:
    """The elements strace would look at: -s of them and the one past (whose readability
    decides between `...` and `... /* address */`); short where memory ends."""
    count &= _U64
    if not addr or not count or not _fits(addr, count, size):
        return None
    return mem.read(addr, min(count, strsize + 1) * size)


def array_items(
    data: bytes | None,
    addr: int,
    count: int,
    size: int,
    item: Callable[[bytes, int], str],
    limit: int,
) -> str:
    """strace's print_array: `count` items of `size` bytes at `addr`, from the bytes read
    there (`data`, short where memory ended); `item(data, offset)` renders one. An item
    is looked at before the limit is (so the one past -s decides `...` against
    `... /* address */`), and `data` must reach it."""
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
        if off + size > len(data):
            items.append(f"... /* {addr + off:#x} */")
            break
        if i >= limit:
            items.append("...")
            break
        items.append(item(data, off))
    return "[" + ", ".join(items) + "]"


def array_text(
    data: bytes | None,
    addr: int,
    count: int,
    size: int,
    strsize: int,
    element: Callable[[bytes], str],
) -> str:
    """`array_items` with `element` rendering one element's bytes."""
    return array_items(
        data, addr, count, size, lambda d, off: element(d[off : off + size]), strsize
    )


def each_item(size: int, elem: Callable[[bytes, int], str]) -> Callable[[bytes, int], str]:
    """`array_items`'s item from a function of one element's bytes and its index."""
    return lambda data, off: elem(data[off : off + size], off // size)
