"""strace's `-e inject=SET:poke_enter=@argN=HEX` / `poke_exit=`: bytes written into the
tracee's memory, at the address an argument holds, while it is stopped at the call.

One process_vm_writev per page, so a range that runs into an unmapped page is written
up to it (strace's upoken does the same). Failures are told as strace tells them, one
line each, and leave the call as it was.
"""

from __future__ import annotations

import ctypes

from tracer.engine.libc import libc_path

_libc = ctypes.CDLL(libc_path(), use_errno=True)
_writev = _libc.process_vm_writev
_writev.argtypes = [
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_void_p,
    ctypes.c_ulong,
    ctypes.c_ulong,
]
_writev.restype = ctypes.c_ssize_t
_PAGE = 4096


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


def write_memory(tid: int, addr: int, data: bytes) -> int:
    """Bytes of `data` written at `addr` in the task (0: none)."""
    buf = ctypes.create_string_buffer(data, len(data))
    done = 0
    while done < len(data):
        at = addr + done
        n = min(len(data) - done, _PAGE - at % _PAGE)
        local = _Iovec(ctypes.addressof(buf) + done, n)
        remote = _Iovec(at, n)
        got = _writev(tid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
        if got <= 0:
            break
        done += got
        if got < n:
            break
    return done


def apply_pokes(
    tid: int, name: str, nargs: int, args: tuple[int, ...], pokes: tuple[tuple[int, bytes], ...]
) -> tuple[bool, list[str]]:
    """Write each (argument number, bytes); whether any was written, and what went wrong."""
    poked = False
    problems = []
    for argno, data in pokes:
        if argno > nargs:
            problems.append(
                f"Failed to tamper with process {tid}: requested to tamper with argument "
                f"#{argno}, but system call '{name}' has only {nargs} arguments"
            )
            continue
        if write_memory(tid, args[argno - 1] & 0xFFFFFFFFFFFFFFFF, data):
            poked = True
        else:
            problems.append(f"Failed to tamper with process {tid}: couldn't poke")
    return poked, problems
