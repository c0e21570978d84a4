"""Why an attach failed, in one line a user can act on.

The kernel answers EPERM for many different reasons (a kernel thread, ourselves,
a zombie, another tracer, missing privilege, a security policy); /proc tells most
of them apart, so the message names the one that applies.
"""

from __future__ import annotations

import errno
import os

from tracer.engine.tasks import read_tgid, tracer_pid

PF_KTHREAD = 0x00200000  # task flags (/proc/PID/stat field 9): a kernel thread
CAP_SYS_PTRACE = 19


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name: [state, ppid, ...]; [] if unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
        return data[data.rfind(")") + 2 :].split()
    except OSError:
        return []


def _state(pid: int) -> str:
    fields = _stat_fields(pid)
    return fields[0] if fields else "?"


def _is_kernel_thread(pid: int) -> bool:
    fields = _stat_fields(pid)
    try:
        return bool(int(fields[6]) & PF_KTHREAD)
    except (IndexError, ValueError):
        return False


def _capabilities(pid: int | str, field: str = "CapEff") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _capability_names(mask: int) -> str:
    names = {
        0: "CAP_CHOWN",
        1: "CAP_DAC_OVERRIDE",
        2: "CAP_DAC_READ_SEARCH",
        5: "CAP_KILL",
        6: "CAP_SETGID",
        7: "CAP_SETUID",
        12: "CAP_NET_ADMIN",
        19: "CAP_SYS_PTRACE",
        21: "CAP_SYS_ADMIN",
        24: "CAP_SYS_RESOURCE",
    }
    bits = [b for b in range(64) if mask >> b & 1]
    return ", ".join(names.get(b, f"capability {b}") for b in bits)


def unattachable(pid: int) -> str | None:
    """The reason `pid` cannot be traced, when /proc already tells (before any ptrace
    call): gone, a zombie, a kernel thread, or tracetui itself. None otherwise."""
    if pid <= 0 or not os.path.exists(f"/proc/{pid}"):
        return f"cannot attach to pid {pid}: no such process"
    reason = _known_reason(pid)
    return f"cannot attach to pid {pid}: {reason}" if reason else None


def _known_reason(pid: int) -> str | None:
    if read_tgid(pid) == os.getpid():
        return "that is tracetui itself (a process cannot trace itself)"
    if _is_kernel_thread(pid):
        return f"it is a kernel thread ({_command(pid)}), which cannot be traced"
    if _state(pid) == "Z":
        return "it has exited (a zombie waiting for its parent)"
    return None


def attach_error(pid: int, err: int) -> str:
    if err == errno.ESRCH:
        return f"cannot attach to pid {pid}: no such process"
    if err == errno.EPERM:
        known = _known_reason(pid)
        if known:
            return f"cannot attach to pid {pid}: {known}"
        other = tracer_pid(pid)
        if other:
            other = read_tgid(other)
            return f"cannot attach to pid {pid}: already traced by pid {other} ({_command(other)})"
        return f"cannot attach to pid {pid}: {_permission_reason(pid)}"
    return f"cannot attach to pid {pid}: {os.strerror(err)}"


def _permission_reason(pid: int) -> str:
    ours = _capabilities("self")
    has_ptrace_cap = ours is not None and bool(ours >> CAP_SYS_PTRACE & 1)
    what = "the init process (pid 1)" if pid == 1 else "it"
    if not has_ptrace_cap:
        why = "not permitted (need the same user or CAP_SYS_PTRACE"
        scope = ""
        try:
            with open("/proc/sys/kernel/yama/ptrace_scope") as f:
                scope = f.read().strip()
        except OSError:
            pass
        if scope and scope != "0":
            why += f"; kernel.yama.ptrace_scope is {scope}"
        return why + ")"
    # With CAP_SYS_PTRACE the usual rules do not apply: say what /proc shows instead.
    theirs = _capabilities(pid, "CapPrm")
    ours_permitted = _capabilities("self", "CapPrm")
    if theirs is not None and ours_permitted is not None and theirs & ~ours_permitted:
        missing = _capability_names(theirs & ~ours_permitted)
        return (
            f"the kernel refuses even with CAP_SYS_PTRACE: {what} holds capabilities "
            f"tracetui lacks ({missing})"
        )
    return (
        f"the kernel refuses even with CAP_SYS_PTRACE ({what} is protected by a "
        "security policy or another user namespace)"
    )
