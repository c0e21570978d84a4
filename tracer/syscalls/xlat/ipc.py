"""System V IPC constants (shm, sem, msg), in strace's table order."""

IPC_PRIVATE = 0
IPC_64 = 0x100

RESOURCE_FLAGS = [(0o1000, "IPC_CREAT"), (0o2000, "IPC_EXCL"), (0o4000, "IPC_NOWAIT")]
SHM_RESOURCE_FLAGS = [
    (0o1000, "IPC_CREAT"), (0o2000, "IPC_EXCL"), (0o4000, "SHM_HUGETLB"),
    (0o10000, "SHM_NORESERVE"),
]  # fmt: skip
SHM_HUGE_SHIFT = 26
SHM_HUGE_MASK = 0x3F

SHMAT_FLAGS = [
    (0o10000, "SHM_RDONLY"), (0o20000, "SHM_RND"), (0o40000, "SHM_REMAP"), (0o100000, "SHM_EXEC"),
]  # fmt: skip
MSG_FLAGS = [
    (0o10000, "MSG_NOERROR"), (0o20000, "MSG_EXCEPT"), (0o40000, "MSG_COPY"),
    (0o4000, "IPC_NOWAIT"),
]  # fmt: skip
SEMOP_FLAGS = [(0x1000, "SEM_UNDO"), (0o4000, "IPC_NOWAIT")]

_IPC_COMMON = {0: "IPC_RMID", 1: "IPC_SET", 2: "IPC_STAT", 3: "IPC_INFO"}
SHMCTL_CMDS = {**_IPC_COMMON, 11: "SHM_LOCK", 12: "SHM_UNLOCK", 13: "SHM_STAT", 14: "SHM_INFO",
               15: "SHM_STAT_ANY"}  # fmt: skip
SEMCTL_CMDS = {**_IPC_COMMON, 11: "GETPID", 12: "GETVAL", 13: "GETALL", 14: "GETNCNT",
               15: "GETZCNT", 16: "SETVAL", 17: "SETALL", 18: "SEM_STAT", 19: "SEM_INFO",
               20: "SEM_STAT_ANY"}  # fmt: skip
MSGCTL_CMDS = {**_IPC_COMMON, 11: "MSG_STAT", 12: "MSG_INFO", 13: "MSG_STAT_ANY"}
