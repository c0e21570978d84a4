"""Why an attach failed, in one line a user can act on."""

from __future__ import annotations

import errno
import os

from tracer.tasks import read_tgid, tracer_pid


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
        return data[data.rfind(")") + 2]
    except (OSError, IndexError):
        return "?"


def attach_error(pid: int, err: int) -> str:
    if err == errno.ESRCH:
        return f"cannot attach to pid {pid}: no such process"
    if err == errno.EPERM:
        if _state(pid) == "Z":
            return f"cannot attach to pid {pid}: it has exited (a zombie waiting for its parent)"
        other = tracer_pid(pid)
        if other:
            other = read_tgid(other)
            return f"cannot attach to pid {pid}: already traced by pid {other} ({_command(other)})"
        scope = ""
        try:
            with open("/proc/sys/kernel/yama/ptrace_scope") as f:
                scope = f.read().strip()
        except OSError:
            pass
        why = "not permitted (need the same user or CAP_SYS_PTRACE"
        if scope and scope != "0":
            why += f"; kernel.yama.ptrace_scope is {scope}"
        return f"cannot attach to pid {pid}: {why})"
    return f"cannot attach to pid {pid}: {os.strerror(err)}"
