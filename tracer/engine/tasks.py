"""Per-task bookkeeping of the worker (one Task per traced thread)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from tracer.engine.ptrace_api import read_proc_file
from tracer.events import Syscall


@dataclass(slots=True, eq=False)
class Task:
    tid: int
    tgid: int
    attached: bool = False  # attached with -p (detach at the end), not launched
    inflight: Syscall | None = None  # entered, not yet exited
    in_seccomp_call: bool = False  # entered through a seccomp stop: continue with PTRACE_SYSCALL
    interrupted_nr: int = -1  # the call restart_syscall will resume (ERESTART_RESTARTBLOCK)
    # Set while the worker holds the task stopped (pause); the pending restart:
    held: bool = False
    held_request: int = 0
    held_sig: int = 0
    group_stopped: bool = False
    launching: bool = False  # launched child before its exec: its stops are ours, not the program's


def read_proc(path: str) -> bytes | None:
    """A /proc file's contents in three syscalls, without letting go of the GIL (the
    worker reads several per new process; `open()` would add a stat, an ioctl and two
    seeks to each, and each os call would wait to take the GIL back)."""
    return read_proc_file(path)


def _status_field(pid: int, name: bytes) -> int | None:
    data = read_proc(f"/proc/{pid}/status")
    if data:
        for line in data.split(b"\n"):
            if line.startswith(name):
                try:
                    return int(line.split()[1])
                except (IndexError, ValueError):
                    return None
    return None


def read_tgid(tid: int) -> int:
    """Tgid of a task from /proc (used once per new task)."""
    tgid = _status_field(tid, b"Tgid:")
    return tid if tgid is None else tgid


def read_ppid(pid: int) -> int:
    data = read_proc(f"/proc/{pid}/stat")
    try:
        return int(data[data.rfind(b")") + 2 :].split()[1]) if data else 0
    except (ValueError, IndexError):
        return 0


def _split_nul(data: bytes) -> list[str]:
    return [os.fsdecode(a) for a in data.split(b"\0")[:-1]]  # bytes kept (surrogateescape)


def read_cmdline(pid: int) -> list[str]:
    data = read_proc(f"/proc/{pid}/cmdline")
    return _split_nul(data) if data is not None else []


def read_environ(pid: int) -> list[str] | None:
    data = read_proc(f"/proc/{pid}/environ")
    return _split_nul(data) if data is not None else None


def read_comm(pid: int) -> str:
    data = read_proc(f"/proc/{pid}/comm")
    return data.decode("utf-8", "replace").rstrip("\n") if data is not None else ""


def list_threads(pid: int) -> list[int]:
    try:
        return sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return []


def tracer_pid(pid: int) -> int:
    """TracerPid from /proc/PID/status (0 when not traced)."""
    return _status_field(pid, b"TracerPid:") or 0
