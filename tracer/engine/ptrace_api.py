"""The raw ptrace, waitpid and process_vm_readv calls the worker needs, through ctypes.

python-ptrace's binding works, but its object-per-call model costs on the hot
path; these are direct libc calls with preallocated buffers. Register access
(PTRACE_GETREGS for stack unwinding, off the hot path) goes through python-ptrace's
binding and its `user_regs_struct`. Only the worker
thread calls `ptrace` (the kernel ties a tracee to the thread that attached).
"""

from __future__ import annotations

import ctypes
import os
import struct

from tracer.engine.libc import libc_path
from tracer.syscalls.table import AUDIT_ARCH_X86_64, COMPAT_BASE

_LIBC_PATH = libc_path()
_libc = ctypes.CDLL(_LIBC_PATH, use_errno=True)
# The same libc, called without releasing the GIL. ctypes drops the GIL around every
# foreign call, and taking it back waits for whichever thread holds it: in the
# explorer the app's thread, for up to the switch interval. ptrace requests,
# process_vm_readv, a WNOHANG waitpid and /proc reads return in microseconds, so the
# worker keeps the GIL through them and a stop handled in Python waits for it once.
_libc_held = ctypes.PyDLL(_LIBC_PATH, use_errno=True)

PTRACE_TRACEME = 0
PTRACE_PEEKDATA = 2
PTRACE_CONT = 7
PTRACE_KILL = 8
PTRACE_GETREGS = 12
PTRACE_ATTACH = 16
PTRACE_DETACH = 17
PTRACE_SYSCALL = 24
PTRACE_SETOPTIONS = 0x4200
PTRACE_GETEVENTMSG = 0x4201
PTRACE_GETSIGINFO = 0x4202
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_LISTEN = 0x4208
PTRACE_GET_SYSCALL_INFO = 0x420E

PTRACE_O_TRACESYSGOOD = 1
PTRACE_O_TRACEFORK = 1 << 1
PTRACE_O_TRACEVFORK = 1 << 2
PTRACE_O_TRACECLONE = 1 << 3
PTRACE_O_TRACEEXEC = 1 << 4
PTRACE_O_TRACEVFORKDONE = 1 << 5
PTRACE_O_TRACEEXIT = 1 << 6
PTRACE_O_TRACESECCOMP = 1 << 7
PTRACE_O_EXITKILL = 1 << 20

PTRACE_EVENT_FORK = 1
PTRACE_EVENT_VFORK = 2
PTRACE_EVENT_CLONE = 3
PTRACE_EVENT_EXEC = 4
PTRACE_EVENT_VFORK_DONE = 5
PTRACE_EVENT_EXIT = 6
PTRACE_EVENT_SECCOMP = 7
PTRACE_EVENT_STOP = 128

SYSCALL_INFO_NONE = 0
SYSCALL_INFO_ENTRY = 1
SYSCALL_INFO_EXIT = 2
SYSCALL_INFO_SECCOMP = 3

WALL = 0x40000000
WNOTHREAD = 0x20000000
# Only our own tracees and children (never reap a subprocess another thread of the
# host program started), of any kind (threads included).
WAIT_FLAGS = WALL | WNOTHREAD
WNOHANG = 1

_ptrace = _libc_held.ptrace
_ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_ptrace.restype = ctypes.c_long

_waitpid = _libc.waitpid
_waitpid.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
_waitpid.restype = ctypes.c_int
_waitpid_nohang = _libc_held.waitpid
_waitpid_nohang.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
_waitpid_nohang.restype = ctypes.c_int

_process_vm_readv = _libc_held.process_vm_readv
_process_vm_readv.argtypes = [
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_ulong,
]
_process_vm_readv.restype = ctypes.c_ssize_t


class PtraceError(OSError):
    pass


def request_name(request: int) -> str:
    """`PTRACE_SEIZE` for 0x4206, as strace names requests in its messages."""
    for name, value in globals().items():
        if value == request and name.startswith("PTRACE_") and "_O_" not in name:
            if "_EVENT_" not in name:
                return name
    return f"{request:#x}"


def ptrace(request: int, pid: int, addr: int = 0, data: int = 0) -> int:
    """Call ptrace; raises PtraceError (an OSError with errno) on failure."""
    res = _ptrace(request, pid, addr, data)
    if res == -1:
        err = ctypes.get_errno()
        if err:
            raise PtraceError(err, f"ptrace({request_name(request)}, {pid}): {os.strerror(err)}")
    return res


def ptrace_quiet(request: int, pid: int, addr: int = 0, data: int = 0) -> int:
    """Call ptrace; returns -errno instead of raising (the hot path's variant)."""
    res = _ptrace(request, pid, addr, data)
    if res == -1:
        err = ctypes.get_errno()
        if err:
            return -err
    return res


class Waiter:
    """waitpid(-1, __WALL) that returns EINTR so another thread can wake the worker."""

    def __init__(self) -> None:
        self._status = ctypes.c_int(0)
        self._ref = ctypes.byref(self._status)

    def wait(self, nohang: bool = False) -> tuple[int, int]:
        """(pid, status); pid 0 with WNOHANG and nothing ready; -errno on failure."""
        if nohang:
            pid = _waitpid_nohang(-1, self._ref, WAIT_FLAGS | WNOHANG)
        else:
            pid = _waitpid(-1, self._ref, WAIT_FLAGS)
        if pid < 0:
            return -ctypes.get_errno(), 0
        return pid, self._status.value


# struct ptrace_syscall_info (88 bytes on x86_64)
SYSCALL_INFO_SIZE = 88
_ENTRY = struct.Struct("<B3xIQQQ6Q")
_EXIT = struct.Struct("<B3xIQQqB")


class SyscallInfoReader:
    """PTRACE_GET_SYSCALL_INFO into a reused buffer."""

    def __init__(self) -> None:
        self._buf = ctypes.create_string_buffer(SYSCALL_INFO_SIZE)
        self._addr = ctypes.addressof(self._buf)

    def get(self, tid: int) -> bytes | None:
        n = _ptrace(PTRACE_GET_SYSCALL_INFO, tid, SYSCALL_INFO_SIZE, self._addr)
        if n <= 0:
            return None
        return self._buf.raw

    @staticmethod
    def op(raw: bytes) -> int:
        return raw[0]

    @staticmethod
    def stack_pointer(raw: bytes) -> int:
        return _ENTRY.unpack_from(raw)[3]

    @staticmethod
    def entry(raw: bytes) -> tuple[int, tuple[int, ...]]:
        v = _ENTRY.unpack_from(raw)
        nr = v[4] if v[1] == AUDIT_ARCH_X86_64 else COMPAT_BASE + v[4]
        return nr, v[5:11]

    @staticmethod
    def exit(raw: bytes) -> tuple[int, bool]:
        v = _EXIT.unpack_from(raw)
        return v[4], bool(v[5])


class _IOVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


PAGE = os.sysconf("SC_PAGE_SIZE")
_MAX_PAGES = 65


class ProcessMemory:
    """Reads tracee memory with one process_vm_readv per request (split at page
    boundaries so an unmapped page yields a short read, not a failure)."""

    def __init__(self, bufsize: int = 1 << 18) -> None:
        self.tid = 0
        # The stopped task's stack pointer at syscall entry (rt_sigreturn reads its frame).
        self.stack_pointer = 0
        self._buf = ctypes.create_string_buffer(bufsize)
        self._bufaddr = ctypes.addressof(self._buf)
        self._bufsize = bufsize
        self._local = _IOVec(self._bufaddr, 0)
        self._remote = (_IOVec * _MAX_PAGES)()
        self._remote_addr = ctypes.addressof(self._remote)
        self._local_addr = ctypes.addressof(self._local)

    def read(self, addr: int, size: int) -> bytes | None:
        if addr == 0 or size <= 0:
            return None if addr == 0 else b""
        size = min(size, self._bufsize, (_MAX_PAGES - 1) * PAGE)
        end = addr + size
        n = 0
        a = addr
        remote = self._remote
        while a < end:
            nxt = min((a // PAGE + 1) * PAGE, end)
            r = remote[n]
            r.base = a
            r.len = nxt - a
            n += 1
            a = nxt
        self._local.len = size
        got = _process_vm_readv(self.tid, self._local_addr, 1, self._remote_addr, n, 0)
        if got < 0:
            return None
        return ctypes.string_at(self._bufaddr, got)

    def read_cstr(self, addr: int, limit: int) -> bytes | None:
        if addr == 0:
            return None
        out = b""
        want = limit + 1
        a = addr
        while len(out) < want:
            chunk = min(want - len(out), (a // PAGE + 1) * PAGE - a)
            data = self.read(a, chunk)
            if data is None:
                return None  # memory ends before the NUL: strace prints the address
            nul = data.find(b"\0")
            if nul >= 0:
                return out + data[:nul]
            out += data
            if len(data) < chunk:
                return None
            a += chunk
        return out


_eventmsg = ctypes.c_ulong(0)
_eventmsg_addr = ctypes.addressof(_eventmsg)


def geteventmsg(tid: int) -> int:
    """PTRACE_GETEVENTMSG: the new task's tid after fork/clone, the former tid after exec."""
    if _ptrace(PTRACE_GETEVENTMSG, tid, 0, _eventmsg_addr) == -1:
        return -1
    return _eventmsg.value


SIGINFO_SIZE = 128
_siginfo = ctypes.create_string_buffer(SIGINFO_SIZE)
_siginfo_addr = ctypes.addressof(_siginfo)


def get_siginfo(tid: int) -> bytes | None:
    """PTRACE_GETSIGINFO; None when the stop has no siginfo (group-stop)."""
    if _ptrace(PTRACE_GETSIGINFO, tid, 0, _siginfo_addr) == -1:
        return None
    return _siginfo.raw


_open_held = _libc_held.open
_open_held.argtypes = [ctypes.c_char_p, ctypes.c_int]
_open_held.restype = ctypes.c_int
_read_held = _libc_held.read
_read_held.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
_read_held.restype = ctypes.c_ssize_t
_close_held = _libc_held.close
_close_held.argtypes = [ctypes.c_int]
_close_held.restype = ctypes.c_int
_readlink_held = _libc_held.readlink
_readlink_held.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t]
_readlink_held.restype = ctypes.c_ssize_t
_CHUNK = 8192
_O_RDONLY_CLOEXEC = os.O_RDONLY | os.O_CLOEXEC


def read_proc_file(path: str) -> bytes | None:
    """A /proc file's contents (open, read, close) with the GIL kept; None if it cannot
    be read."""
    fd = _open_held(os.fsencode(path), _O_RDONLY_CLOEXEC)
    if fd < 0:
        return None
    buf = ctypes.create_string_buffer(_CHUNK)
    try:
        chunks = []
        while True:
            n = _read_held(fd, buf, _CHUNK)
            if n < 0:
                return None
            if n == 0:
                return b"".join(chunks)
            chunks.append(ctypes.string_at(buf, n))
    finally:
        _close_held(fd)


def read_link(path: str) -> str | None:
    """readlink() with the GIL kept, decoded as os.readlink decodes; None on failure."""
    buf = ctypes.create_string_buffer(_CHUNK)
    n = _readlink_held(os.fsencode(path), buf, _CHUNK)
    if n < 0:
        return None
    return os.fsdecode(ctypes.string_at(buf, n))
