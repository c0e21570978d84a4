"""Syscall class and property flags, as strace's syscallent flags (TF, TN, TP, ...)."""

from enum import IntFlag


class Class(IntFlag):
    """Trace classes for `%file`-style filters, plus per-call properties."""

    NONE = 0
    FILE = 1 << 0  # takes a file name (strace TF)
    DESC = 1 << 1  # takes or returns a file descriptor (TD)
    NETWORK = 1 << 2  # TN
    PROCESS = 1 << 3  # TP
    SIGNAL = 1 << 4  # TS
    MEMORY = 1 << 5  # TM
    IPC = 1 << 6  # TI
    CREDS = 1 << 7  # TC
    CLOCK = 1 << 8  # TCL
    STAT = 1 << 9  # %stat
    LSTAT = 1 << 10  # %lstat
    FSTAT = 1 << 11  # %fstat
    STAT_LIKE = 1 << 12  # %%stat
    STATFS = 1 << 13  # %statfs
    FSTATFS = 1 << 14  # %fstatfs
    STATFS_LIKE = 1 << 15  # %%statfs
    PURE = 1 << 16  # %pure: no args, always succeeds (getpid...)
    # Properties, not classes:
    RETURNS_FD = 1 << 20  # a successful return is a new file descriptor
    NEVER_RETURNS = 1 << 21  # exit, exit_group (and execve on success)
    MEMORY_MAPPING = 1 << 22  # changes the address space layout (stack module refresh)


CLASS_NAMES: dict[str, Class] = {
    "file": Class.FILE,
    "desc": Class.DESC,
    "network": Class.NETWORK,
    "net": Class.NETWORK,
    "process": Class.PROCESS,
    "signal": Class.SIGNAL,
    "memory": Class.MEMORY,
    "ipc": Class.IPC,
    "creds": Class.CREDS,
    "clock": Class.CLOCK,
    "stat": Class.STAT,
    "lstat": Class.LSTAT,
    "fstat": Class.FSTAT,
    "%stat": Class.STAT_LIKE,
    "statfs": Class.STATFS,
    "fstatfs": Class.FSTATFS,
    "%statfs": Class.STATFS_LIKE,
    "pure": Class.PURE,
}
