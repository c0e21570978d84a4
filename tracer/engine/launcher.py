"""Starting a program under ptrace: fork, stop, get seized, install seccomp, exec.

The child stops itself with SIGSTOP before exec so the worker can PTRACE_SEIZE
it (seize, not TRACEME: group-stop and PTRACE_INTERRUPT then work). The
seccomp filter is installed after the seize and before exec: with no tracer
attached, SECCOMP_RET_TRACE would make traced calls fail with ENOSYS.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import stat
import struct
from dataclasses import dataclass

from tracer.engine.ptrace_api import _libc
from tracer.syscalls.table import AUDIT_ARCH_X86_64, COMPAT_BASE

SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_TRACE = 0x7FF00000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
_NR_SECCOMP = 317  # x86_64
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4
TIOCSCTTY = 0x540E

# BPF opcodes
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06


class LaunchError(Exception):
    """One-line reason a program cannot be started."""


@dataclass(frozen=True, slots=True)
class RunAs:
    """strace -u USER: the ids the program runs with (looked up before the fork: the
    child of a threaded process must not call into NSS)."""

    user: str
    uid: int
    gid: int
    groups: tuple[int, ...]


def run_as_user(name: str) -> RunAs:
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise LaunchError(f"cannot find user '{name}'") from None
    try:
        groups = tuple(os.getgrouplist(name, entry.pw_gid))
    except OSError:
        groups = (entry.pw_gid,)
    return RunAs(name, entry.pw_uid, entry.pw_gid, groups)


def _become(run_as: RunAs) -> None:
    """Drop to the user's ids; supplementary groups first, the uid last."""
    os.setgroups(list(run_as.groups))
    os.setgid(run_as.gid)
    os.setuid(run_as.uid)


def resolve_program(prog: str, env_path: str | None = None) -> str:
    """The path execve will run, or LaunchError with strace-like wording."""
    shown = _shown(prog)
    if not prog:
        raise LaunchError("cannot run '': an empty program name")
    if "/" in prog:
        path = prog
        if not os.path.exists(path):
            raise LaunchError(f"cannot run '{shown}': No such file or directory")
    else:
        found = shutil.which(prog, path=env_path)
        if found is None:
            raise LaunchError(f"cannot find '{shown}' in PATH")
        path = found
    try:
        st = os.stat(path)
    except OSError as e:
        raise LaunchError(f"cannot run '{shown}': {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise LaunchError(f"cannot run '{shown}': Is a directory")
    if not os.access(path, os.X_OK):
        raise LaunchError(f"cannot run '{shown}': Permission denied (not executable)")
    if not _kernel_can_exec(path):
        raise LaunchError(
            f"cannot run '{shown}': Exec format error (neither a program nor a script with #!)"
        )
    return path


def _shown(prog: str) -> str:
    """The program name as strace would print it: control and non-UTF-8 bytes escaped."""
    from tracer.syscalls.fmt import os_bytes, quote_path

    data = os_bytes(prog)
    if all(0x20 <= c < 0x7F for c in data):
        return prog
    return quote_path(data)[1:-1]


def _kernel_can_exec(path: str) -> bool:
    """False for a file execve would refuse with ENOEXEC: not ELF, no `#!` line, and no
    binfmt_misc handler registered that could claim it (then we let execve decide)."""
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError:
        return True  # execve will say why
    if magic.startswith((b"\x7fELF", b"#!")):
        return True
    try:
        handlers = set(os.listdir("/proc/sys/fs/binfmt_misc")) - {"register", "status"}
    except OSError:
        handlers = set()
    return bool(handlers)


def seccomp_program(numbers: frozenset[int]) -> bytes:
    """A classic-BPF filter: RET_TRACE for `numbers` on x86_64, ALLOW otherwise."""
    insns: list[tuple[int, int, int, int]] = [
        (_BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_BPF_JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
        (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (_BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (_BPF_JGE_K, 0, 1, 0x40000000),  # x32 ABI: allow
        (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]
    for nr in sorted(n for n in numbers if n < COMPAT_BASE):  # 32-bit calls: allowed above
        insns.append((_BPF_JEQ_K, 0, 1, nr))
        insns.append((_BPF_RET_K, 0, 0, SECCOMP_RET_TRACE))
    insns.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(struct.pack("<HBBI", *i) for i in insns)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _install_seccomp(prog: bytes) -> None:
    buf = ctypes.create_string_buffer(prog)
    header = _SockFprog(len(prog) // 8, ctypes.addressof(buf))  # alive until installed
    fprog = ctypes.addressof(header)
    syscall = _libc.syscall
    syscall.argtypes = [ctypes.c_long, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_void_p]
    prctl = _libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    for attempt in range(2):
        if attempt:
            # Without CAP_SYS_ADMIN the kernel insists on no_new_privs first.
            prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0)
        # SPEC_ALLOW: the filter is for speed, not confinement, so it must not turn on
        # the speculation mitigations a kernel may force on seccomp tasks
        # (spec_store_bypass_disable=seccomp): untraced, the program runs without them.
        flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW
        if syscall(_NR_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, fprog) == 0:
            return
        if prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog, 0, 0) == 0:
            return  # a kernel without the flag (before 4.17)
    raise OSError(ctypes.get_errno(), "seccomp")


def fork_stopped_child(
    path: str,
    argv: list[str],
    env: dict[str, str] | None,
    cwd: str | None,
    tty_fd: int | None,
    seccomp: bytes | None,
    ignored_signals: tuple[int, ...] = (),
    run_as: RunAs | None = None,
) -> tuple[int, int]:
    """Fork a child that stops itself, then (once resumed) execs `path` (as `run_as`, -u).

    Returns (pid, error_pipe_read_fd); the child writes its errno to the pipe
    if exec fails. Called from the worker thread, which becomes the tracer.
    """
    envb = os.environ if env is None else env
    rfd, wfd = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:  # child: keep to simple calls, nothing that takes Python-level locks
        try:
            os.close(rfd)
            if tty_fd is not None:
                os.setsid()
                _libc.ioctl(tty_fd, TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(tty_fd, fd)
                if tty_fd > 2:
                    os.close(tty_fd)
            if cwd:
                os.chdir(cwd)
            # Undo what Python itself changed (ignored dispositions survive exec).
            for sig in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(sig, signal.SIG_DFL)
            for sig in ignored_signals:
                signal.signal(sig, signal.SIG_IGN)
            os.kill(os.getpid(), signal.SIGSTOP)
            if seccomp is not None:
                _install_seccomp(seccomp)  # as root still: no no_new_privs needed
            if run_as is not None:
                _become(run_as)
            os.execve(path, argv, envb)
        except OSError as e:
            os.write(wfd, str(e.errno or 1).encode())
        except BaseException:
            os.write(wfd, b"1")
        os._exit(127)
    os.close(wfd)
    return pid, rfd


def read_exec_error(rfd: int) -> int:
    """errno the child reported (0 if exec succeeded: the pipe closed on exec)."""
    try:
        data = os.read(rfd, 32)
    finally:
        os.close(rfd)
    return int(data) if data else 0
