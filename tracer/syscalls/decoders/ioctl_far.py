"""Memory an ioctl's argument points to from inside itself (a font's bitmap, a list of
unicode pairs, video window clips, extended controls).

The plain ioctl capture reads the structure at the argument's address as data, which the
C core runs; what its pointers lead to only a function can find. So the families that
need it register `FarReads` per request type, and ioctl declares one `capture.Handoff`
per phase for those types: C hands such calls to the Python loop, which runs the
family's reader. A reader returns snapshots, `(address, bytes)` pairs (short where the
mapping ended), kept in the call's memory; decoders look addresses up in them as strace
reads the tracee's memory while it prints (`fetch`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracer.syscalls.capture import READ_MAX, CaptureLimits, MemoryReader

FAR_IN, FAR_OUT = "ioc_far_in", "ioc_far_out"

Snapshot = tuple[int, bytes]
Snapshots = tuple[Snapshot, ...]
# reader(mem, code, arg, ret, limits) -> snapshots (ret: 0 at entry, -errno after a failure)
Reader = Callable[[MemoryReader, int, int, int, CaptureLimits], list[Snapshot]]


@dataclass(frozen=True, slots=True)
class FarReads:
    """A family's readers: at entry, and at exit (`on_error`: also after a failure)."""

    entry: Reader | None = None
    exit: Reader | None = None
    on_error: bool = False


# request type -> its family's readers (ioctl.py declares the Handoffs for these types)
FAR_READS: dict[int, FarReads] = {}


def snap(mem: MemoryReader, addr: int, size: int) -> list[Snapshot]:
    """`size` bytes at `addr` (at most READ_MAX), as a list of zero or one snapshot."""
    if not addr or size <= 0:
        return []
    data = mem.read(addr, min(size, READ_MAX))
    return [] if data is None else [(addr, data)]


def fetch(snaps: Snapshots | None, addr: int, size: int) -> bytes | None:
    """The `size` bytes at `addr` if a snapshot holds them all, else None (strace's umove
    failing: the caller prints the address)."""
    for start, data in snaps or ():
        if start <= addr and addr + size <= start + len(data):
            return data[addr - start : addr - start + size]
    return None


def fetch_upto(snaps: Snapshots | None, addr: int, size: int) -> bytes | None:
    """The bytes at `addr`, at most `size`, that a snapshot holds (short where the mapping
    ended); None when none starts at or before it."""
    for start, data in snaps or ():
        if start <= addr < start + len(data) or (start == addr and not data):
            return data[addr - start : addr - start + size]
    return None


def _run(phase: str) -> Callable[..., dict[Any, Any] | None]:
    key = FAR_IN if phase == "entry" else FAR_OUT

    def read(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
        code = args[1] & 0xFFFFFFFF
        reads = FAR_READS.get(code >> 8 & 0xFF)
        fn = reads and getattr(reads, phase)
        if not fn or (phase == "exit" and ret < 0 and not reads.on_error):
            return None
        found = fn(mem, code, args[2] & 0xFFFFFFFFFFFFFFFF, ret, limits)
        return {key: tuple(found)} if found else None

    return read


read_entry = _run("entry")
read_exit = _run("exit")
