"""Reading a tracee's memory with process_vm_readv: one system call per read."""

from __future__ import annotations

import ctypes
import struct

from tracer.engine.libc import libc_path

_libc = ctypes.CDLL(libc_path(), use_errno=True)


class _IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


_readv = _libc.process_vm_readv
_readv.restype = ctypes.c_ssize_t
_readv.argtypes = [
    ctypes.c_int,
    ctypes.POINTER(_IOVec),
    ctypes.c_ulong,
    ctypes.POINTER(_IOVec),
    ctypes.c_ulong,
    ctypes.c_ulong,
]

_U64 = struct.Struct("<Q").unpack_from


class RemoteMemory:
    """Reads from one task's address space into a reused local buffer."""

    __slots__ = ("_buf", "_local", "_remote", "_lp", "_rp", "_size")

    def __init__(self, size: int = 1 << 16) -> None:
        self._size = size
        self._buf = ctypes.create_string_buffer(size)
        self._local = _IOVec(ctypes.addressof(self._buf), 0)
        self._remote = _IOVec(0, 0)
        self._lp = ctypes.pointer(self._local)
        self._rp = ctypes.pointer(self._remote)

    def read(self, tid: int, addr: int, size: int) -> bytes:
        """Up to `size` bytes at `addr` (fewer if the range runs into unmapped memory)."""
        if size > self._size:
            self._size = size
            self._buf = ctypes.create_string_buffer(size)
            self._local.base = ctypes.addressof(self._buf)
        if addr < 0 or addr >= 1 << 64:
            return b""
        self._local.len = size
        self._remote.base = addr
        self._remote.len = size
        n = _readv(tid, self._lp, 1, self._rp, 1, 0)
        if n <= 0:
            return b""
        return ctypes.string_at(self._local.base, n)


class StackWindow:
    """A copy of the top of a thread's stack, so an unwind costs one read in the usual case.

    Reads outside the window go to the tracee again (one call each).
    """

    __slots__ = ("mem", "tid", "base", "data", "end")

    def __init__(self, mem: RemoteMemory, tid: int, base: int, size: int) -> None:
        self.mem = mem
        self.tid = tid
        self.base = base
        self.data = mem.read(tid, base, size) if size > 0 else b""
        self.end = base + len(self.data)

    def word(self, addr: int) -> int | None:
        """The 8-byte little-endian word at `addr`, or None if unreadable."""
        if self.base <= addr and addr + 8 <= self.end:
            return _U64(self.data, addr - self.base)[0]
        raw = self.mem.read(self.tid, addr, 8)
        if len(raw) < 8:
            return None
        return _U64(raw)[0]
