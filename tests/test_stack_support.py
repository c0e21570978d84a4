"""Helpers for the stack tests and bench: run a program under ptrace and stop at syscalls.

Not the tracer's worker: a minimal PTRACE_SYSCALL loop on python-ptrace's binding,
enough to hand the unwinder a task stopped at a syscall entry.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from ptrace.binding import func as pt

from tracer.stack import Regs

PTRACE_O_TRACESYSGOOD = 1
PTRACE_O_EXITKILL = 0x100000
# Calls after which the memory map may differ (x86_64 numbers).
MAP_CHANGERS = {9, 10, 11, 25, 59}  # mmap, mprotect, munmap, mremap, execve


@dataclass
class SyscallStop:
    pid: int
    nr: int
    regs: Regs
    args: tuple[int, ...]
    maps_changed: bool  # an mmap-like call returned since the previous stop


def syscall_stops(argv: list[str], wanted: set[int], quiet: bool = True) -> Iterator[SyscallStop]:
    """Run argv traced and yield at each entry to a syscall in `wanted`; kills it on close."""
    pid = os.fork()
    if pid == 0:  # child
        try:
            if quiet:
                fd = os.open(os.devnull, os.O_WRONLY)
                os.dup2(fd, 1)
            pt.ptrace_traceme()
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    alive = True
    try:
        _, status = os.waitpid(pid, 0)
        if not os.WIFSTOPPED(status):
            alive = False
            return
        pt.ptrace_setoptions(pid, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)
        entering = True
        changed = True
        last_nr = -1
        sig = 0
        while True:
            pt.ptrace_syscall(pid, sig)
            sig = 0
            _, status = os.waitpid(pid, 0)
            if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                alive = False
                return
            stopsig = os.WSTOPSIG(status)
            if stopsig != (signal.SIGTRAP | 0x80):
                sig = stopsig if stopsig != signal.SIGTRAP else 0
                continue
            if entering:
                raw = pt.ptrace_getregs(pid)
                last_nr = raw.orig_rax
                if last_nr in wanted:
                    args = (raw.rdi, raw.rsi, raw.rdx, raw.r10, raw.r8, raw.r9)
                    yield SyscallStop(pid, last_nr, Regs.from_user_regs(raw), args, changed)
                    changed = False
            elif last_nr in MAP_CHANGERS:
                changed = True
            entering = not entering
    finally:
        if alive:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def compile_c(src: str, out: str, flags: list[str], libs: list[str] | None = None) -> str:
    """gcc `src` (path) to `out`; returns out."""
    subprocess.run(["gcc", *flags, "-o", out, src, *(libs or [])], check=True)
    return out


def marker_line(path: str, marker: str) -> int:
    """1-based number of the line of `path` containing `MARK:<marker>` (so tests compute lines)."""
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if f"MARK:{marker} " in line or line.rstrip().endswith(f"MARK:{marker}"):
                return n
    raise LookupError(marker)
