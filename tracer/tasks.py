"""Per-task bookkeeping of the worker (one Task per traced thread)."""

from __future__ import annotations

from dataclasses import dataclass

from tracer.events import Syscall


@dataclass(slots=True, eq=False)
class Task:
    tid: int
    tgid: int
    attached: bool = False  # attached with -p (detach at the end), not launched
    inflight: Syscall | None = None  # entered, not yet exited
    inflight_emitted: bool = False  # already emitted as Unfinished
    in_seccomp_call: bool = False  # entered through a seccomp stop: continue with PTRACE_SYSCALL
    # Set while the worker holds the task stopped (pause); the pending restart:
    held: bool = False
    held_request: int = 0
    held_sig: int = 0
    group_stopped: bool = False
    launching: bool = False  # launched child before its exec: its stops are ours, not the program's


def read_tgid(tid: int) -> int:
    """Tgid of a task from /proc (used once per new task)."""
    try:
        with open(f"/proc/{tid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"Tgid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return tid


def read_ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return int(data[data.rfind(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def read_cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            data = f.read()
    except OSError:
        return []
    return [a.decode("utf-8", "replace") for a in data.split(b"\0")[:-1]]


def read_environ(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            data = f.read()
    except OSError:
        return None
    return [a.decode("utf-8", "replace") for a in data.split(b"\0")[:-1]]


def read_comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm", "rb") as f:
            return f.read().decode("utf-8", "replace").rstrip("\n")
    except OSError:
        return ""


def list_threads(pid: int) -> list[int]:
    import os

    try:
        return sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return []


def tracer_pid(pid: int) -> int:
    """TracerPid from /proc/PID/status (0 when not traced)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"TracerPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
