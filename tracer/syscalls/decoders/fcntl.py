"""fcntl: each F_* command decodes its third argument (and return value) its own way."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import Read, declare_entry, declare_exit, fd_args
from tracer.syscalls.decoders.arguments import (
    enum_arg,
    flags_arg,
    hex_arg,
    int_arg,
    mem_of,
    ok,
    ptr_arg,
    struct_arg,
)
from tracer.syscalls.decoders.file import open_flags
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as x

from .kstructs import xval

fd_args((0,), "fcntl")

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW = 36, 37, 38
F_SETLEASE, F_GETLEASE, F_NOTIFY, F_DUPFD_CLOEXEC = 1024, 1025, 1026, 1030
F_ADD_SEALS, F_GET_SEALS = 1033, 1034
LOCK_SET = (F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW)
LOCK_GET = (F_GETLK, F_OFD_GETLK)
F_SETSIG, F_GETSIG = 10, 11
F_SETOWN_EX, F_GETOWN_EX = 15, 16
INT_ARG = (8, 1031, F_DUPFD, F_DUPFD_CLOEXEC)  # F_SETOWN, F_SETPIPE_SZ
NO_ARG = (F_GETFD, F_GETFL, 9, 11, 1032, F_GETLEASE, F_GET_SEALS)

# struct flock on x86_64: l_type, l_whence, l_start, l_len, l_pid
FLOCK = struct.Struct("<hh4xqqi4x")
F_OWNER_EX = struct.Struct("<ii")  # type, pid
_OWNER_TYPES = {0: "F_OWNER_TID", 1: "F_OWNER_PID", 2: "F_OWNER_PGRP"}


_CMD = 0xFFFFFFFF  # the command is an int


def _struct_at_arg2(layout: struct.Struct, commands: tuple[int, ...]) -> Read:
    """The structure argument 2 points to, for these commands only (NULL, unreadable or
    short: None, as `read_struct`)."""
    return Read(2, 2, layout.size, exact=True, convert=layout.unpack, when=(1, _CMD, commands))


# Data, not functions, so the C core takes fcntl whole (find calls it per directory).
declare_entry(
    "fcntl", _struct_at_arg2(FLOCK, LOCK_SET), _struct_at_arg2(F_OWNER_EX, (F_SETOWN_EX,))
)
declare_exit("fcntl", _struct_at_arg2(FLOCK, LOCK_GET), _struct_at_arg2(F_OWNER_EX, (F_GETOWN_EX,)))


def format_owner(owner: tuple[int, int]) -> str:
    kind, pid = owner
    return f"{{type={xval(kind & 0xFFFFFFFF, _OWNER_TYPES, 'F_OWNER_???')}, pid={pid}}}"


def format_flock(fl: tuple, with_pid: bool) -> str:
    ltype, whence, start, length, pid = fl
    text = (
        f"{{l_type={fmt.enum(ltype, x.LOCK_TYPES)}, l_whence={fmt.enum(whence, x.SEEK_WHENCE)}, "
        f"l_start={start}, l_len={length}"
    )
    return text + (f", l_pid={pid}}}" if with_pid else "}")


def _hex_with(call: Syscall, label: str) -> str | None:
    """`0x8002 (flags O_RDWR|O_LARGEFILE)`: strace's hex-plus-comment return."""
    ret = call.ret or 0
    head = f"{ret:#x}" if ret else "0"
    return f"{head} ({label})" if label else head


@decoder("fcntl")
def decode_fcntl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    cmd = a[1] & 0xFFFFFFFF
    args = [ctx.fd_arg(call, a[0]), enum_arg(a[1], x.FCNTL_CMDS)]
    ret: str | None = None
    ret_fd = cmd in (F_DUPFD, F_DUPFD_CLOEXEC)
    if cmd in NO_ARG:
        pass
    elif cmd == F_SETFD:
        args.append(flags_arg(a[2], x.FD_FLAGS))
    elif cmd == F_SETFL:
        text = open_flags(a[2])
        args.append(Arg(text, a[2], "flags", text))
    elif cmd == F_SETSIG:
        sig = a[2] & 0xFFFFFFFF
        args.append(Arg(fmt.styled_decimal(sig, fmt.signal_name(sig)), a[2], "signal", sig))
    elif cmd in INT_ARG:
        args.append(int_arg(a[2]))
    elif cmd in LOCK_SET or cmd in LOCK_GET:
        fl = mem_of(call, 2)
        at_exit = cmd in LOCK_GET
        if fl is None or (at_exit and not ok(call)):
            args.append(ptr_arg(a[2], at_exit))
        else:
            args.append(struct_arg(format_flock(fl, at_exit), a[2], fl, at_exit))
    elif cmd in (F_SETOWN_EX, F_GETOWN_EX):
        owner = mem_of(call, 2)
        at_exit = cmd == F_GETOWN_EX
        if owner is None or (at_exit and not ok(call)):
            args.append(ptr_arg(a[2], at_exit))
        else:
            args.append(struct_arg(format_owner(owner), a[2], owner, at_exit))
    elif cmd == F_SETLEASE:
        args.append(enum_arg(a[2], x.LOCK_TYPES))
    elif cmd == F_NOTIFY:
        args.append(flags_arg(a[2], x.NOTIFY_FLAGS))
    elif cmd == F_ADD_SEALS:
        args.append(flags_arg(a[2], x.F_SEALS))
    else:
        args.append(hex_arg(a[2]))
    if ok(call):
        ret = _returned(call, cmd)
    return Decoded(args, ret=ret, ret_fd=ret_fd)


def _returned(call: Syscall, cmd: int) -> str | None:
    """The return value with strace's auxiliary text: open modes, lease types and signals
    are named without -X (as strace does), fd flags and seals follow it."""
    value = call.ret or 0
    if cmd == F_GETFL:
        return _hex_with(call, f"flags {fmt.abbreviated(open_flags, value)}")
    if cmd == F_GETFD:
        return _hex_with(call, f"flags {fmt.flags(value, x.FD_FLAGS)}" if value else "")
    if cmd == F_GET_SEALS:
        return _hex_with(call, f"seals {fmt.flags(value, x.F_SEALS)}" if value else "")
    if cmd == F_GETLEASE:
        return _hex_with(call, fmt.abbreviated(fmt.enum, value, x.LOCK_TYPES))
    if cmd == F_GETSIG and value:
        return f"{value} ({fmt.signal_name(value)})"
    return None
