"""C argument types from the kernel's syscall prototypes, for calls without a decoder.

A register holds 64 bits, but the kernel reads an `int` argument from its low 32:
`landlock_restrict_self(-1, 0)` even when the upper half of the register is noise.
Each letter is one argument's type, printed as strace prints it:

    i  int (also pid_t, an fd without -y)   u  unsigned int       l  long
    U  unsigned long / size_t (decimal)      x  unsigned long in hex (%#lx)
    X  unsigned int in hex (%#x)             p  pointer: NULL or its address
    f  an fd (int, with -y its path)         F  a dirfd (AT_FDCWD)
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.render import Arg, RenderContext, to_int, to_long

_U64 = 0xFFFFFFFFFFFFFFFF


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def typed_arg(call: Syscall, ctx: RenderContext, raw: int, kind: str) -> Arg:
    if kind == "i":
        v = to_int(raw)
        return Arg(str(v), raw, "int", v)
    if kind == "u":
        v = raw & 0xFFFFFFFF
        return Arg(str(v), raw, "int", v)
    if kind == "l":
        v = to_long(raw)
        return Arg(str(v), raw, "int", v)
    if kind == "U":
        v = raw & _U64
        return Arg(str(v), raw, "int", v)
    if kind == "x":
        v = raw & _U64
        return Arg(_hex(v), raw, "int", v)
    if kind == "X":
        v = raw & 0xFFFFFFFF
        return Arg(_hex(v), raw, "int", v)
    if kind == "f":
        fd = to_int(raw)
        if fd == -100:  # a plain fd is never AT_FDCWD
            return Arg("-100", raw, "fd", fd)
        return ctx.fd_arg(call, raw)
    if kind == "F":
        fd = to_int(raw)
        if fd == -100:
            return Arg("AT_FDCWD", raw, "fd", fd)
        return ctx.fd_arg(call, raw)
    v = raw & _U64
    return Arg(fmt.pointer(v), raw, "ptr", v)


def typed_args(call: Syscall, ctx: RenderContext, types: str) -> list[Arg]:
    return [typed_arg(call, ctx, raw, t) for raw, t in zip(call.args, types, strict=False)]


# Calls strace prints as plain typed words (no family decoder of ours yet).
PROTOTYPES: dict[str, str] = {
    "ptrace": "lipp",
    "syslog": "ipi",
    "ustat": "up",
    "sysfs": "iUU",
    "modify_ldt": "ipU",
    "reboot": "iiup",
    "sethostname": "pi",
    "setdomainname": "pi",
    "quotactl": "iuip",
    "set_thread_area": "p",
    "get_thread_area": "p",
    "io_setup": "up",
    "io_getevents": "xllpp",
    "io_submit": "xlp",
    "io_cancel": "xpp",
    "lookup_dcookie": "UpU",
    "semtimedop": "ipup",
    "mbind": "xUUpUu",
    "set_mempolicy": "ipU",
    "get_mempolicy": "ppUxU",
    "mq_timedsend": "fpUup",
    "mq_timedreceive": "fpUpp",
    "mq_notify": "fp",
    "kexec_load": "xUpx",
    "keyctl": "ixxxx",
    "migrate_pages": "iUpp",
    "get_robust_list": "ipp",
    "vmsplice": "fpUX",
    "move_pages": "iUpppi",
    "perf_event_open": "piiix",
    "name_to_handle_at": "Fpppi",
    "open_by_handle_at": "fpi",
    "process_vm_readv": "ipUpUU",
    "process_vm_writev": "ipUpUU",
    "kcmp": "iiiUU",
    "sched_setattr": "ipu",
    "sched_getattr": "ipuu",
    "kexec_file_load": "iiUpU",
    "bpf": "ipu",
    "io_pgetevents": "xllppp",
    "io_uring_setup": "up",
    "io_uring_enter": "fuuupU",
    "io_uring_register": "fupu",
    "fsconfig": "fupui",
    "process_madvise": "fpUiu",
    "mount_setattr": "FpupU",
    "quotactl_fd": "uuip",
    "landlock_create_ruleset": "pUX",
    "landlock_add_rule": "fipX",
    "futex_waitv": "puXpi",
    "shmget": "iUi",
    "shmctl": "iip",
    "semget": "iii",
    "semop": "ipu",
    "semctl": "iiix",
    "msgget": "ii",
    "msgsnd": "ipUi",
    "msgrcv": "ipUli",
    "msgctl": "iip",
}
