"""`struct iovec` arrays: readv/writev's buffers, vmsplice's, process_vm_readv/writev's
local and remote vectors, process_madvise's ranges.

Captured as `mem[pos]` = [(iov_base, iov_len, bytes or None)] for the elements strace
would show (-s of them, one more says "..."), and `mem[iov_end_key(pos)]` = the address
where the array stopped being readable, which strace prints as `... /* 0x... */`; or,
declared as data (`capture.Iovecs`, which the C core runs too), both in one value,
`mem[pos]` = (elements, end or None). `capture.iovecs_in` reads either.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, iov_end_key, iovecs_in
from tracer.syscalls.render import Arg, RenderContext

IOVEC = struct.Struct("<QQ")
_U64 = 0xFFFFFFFFFFFFFFFF
_SHOWN_MAX = 1024
# `budget` for a capture that keeps no data (the bases are shown as addresses)
NO_DATA = -1
ALL_DATA = 1 << 62


def _fits(addr: int, count: int) -> bool:
    """strace prints the address alone when the array's size or end overflows."""
    size = count * IOVEC.size
    return size <= _U64 and addr + size <= _U64 + 1


def capture_iovecs(
    mem: MemoryReader, addr: int, count: int, budget: int, limits: CaptureLimits, pos: int
) -> dict:
    """The elements strace would show, each with up to `budget` bytes of data in all
    (NO_DATA: none read)."""
    count &= _U64
    shown = min(count, limits.strsize + 1, _SHOWN_MAX)
    if not addr or shown <= 0 or not _fits(addr, count):
        return {}
    raw = mem.read(addr, shown * IOVEC.size) or b""
    vecs = []
    for i in range(len(raw) // IOVEC.size):
        base, length = IOVEC.unpack_from(raw, i * IOVEC.size)
        data = None
        if budget >= 0:
            take = min(length, budget, limits.data_limit)
            data = mem.read(base, take) if take > 0 else b""
            if budget != ALL_DATA:  # a write shows each buffer whole; a read what it got
                budget -= min(length, budget)
        vecs.append((base, length, data))
    out: dict = {pos: vecs}
    if len(vecs) < shown:  # the array's end is unreadable
        out[iov_end_key(pos)] = addr + len(vecs) * IOVEC.size
    return out


def _base_text(base: int, length: int, data: bytes | None, ctx: RenderContext) -> str:
    """The data as a string, or the address where strace could not read what it
    prints (`length`, cut at -s plus the byte that says "...")."""
    if data is None or len(data) < min(length, ctx.strsize + 1):
        return fmt.pointer(base)
    return fmt.quote_buffer(data, length, ctx.strsize, base)


def iovec_array(
    call: Syscall,
    ctx: RenderContext,
    pos: int,
    count: int,
    *,
    strings: bool,
    total: int | None = None,
    at_exit: bool = False,
) -> Arg:
    """The array at argument `pos` of `count` elements: bases as strings (`strings`,
    `total` bytes of them when the call moved that many) or as addresses."""
    raw = call.args[pos]
    count &= _U64
    vecs, end = iovecs_in(call.mem, pos)
    if raw and count == 0:
        return Arg("[]", raw, "buf", [], at_exit)
    if not vecs:
        return Arg(fmt.pointer(raw), raw, "ptr", raw, at_exit)
    remaining = ALL_DATA if total is None else total
    parts = []
    for i, (base, length, data) in enumerate(vecs):
        if i >= ctx.strsize:
            parts.append("...")
            break
        if strings:
            shown = min(length, remaining)
            if total is not None:
                remaining -= shown
            text = _base_text(base, shown, data, ctx)
        else:
            text = fmt.pointer(base)
        parts.append(f"{{iov_base={text}, iov_len={length}}}")
    else:
        if end is not None:
            parts.append(f"... /* {end:#x} */")
    return Arg("[" + ", ".join(parts) + "]", raw, "buf", vecs, at_exit)
