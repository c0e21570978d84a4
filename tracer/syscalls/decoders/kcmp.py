"""kcmp: two processes and what of theirs to compare.

KCMP_FILE compares an fd of each process and KCMP_EPOLL_TFD an fd of the first with
a file registered in an epoll instance of the second (`struct kcmp_epoll_slot`). The
fds belong to those processes, not to the caller, so under -y their names are looked
up in each process's own /proc/PID/fd while the caller is stopped at the call.
"""

from __future__ import annotations

import os
import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import longtail as x

from .arguments import hex_arg, int_arg, mem_of, ptr_arg
from .kstructs import xval

_SLOT = struct.Struct("<III")  # efd, tfd, toff
_NAMES = "fd_names"


def _fd_name(pid: int, fd: int) -> str | None:
    if pid <= 0 or fd < 0:
        return None
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None


@on_entry("kcmp")
def capture_kcmp(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    kind = args[2] & 0xFFFFFFFF
    if kind not in (x.KCMP_FILE, x.KCMP_EPOLL_TFD):
        return None
    pid1, pid2 = to_int(args[0]), to_int(args[1])
    out: dict = {}
    wanted = [(pid1, to_int(args[3]))]
    if kind == x.KCMP_FILE:
        wanted.append((pid2, to_int(args[4])))
    elif args[4]:
        data = mem.read(args[4], _SLOT.size)
        if data is not None and len(data) == _SLOT.size:
            slot = _SLOT.unpack(data)
            out[4] = slot
            wanted += [(pid2, to_int(slot[0])), (pid2, to_int(slot[1]))]
    if limits.fd_paths:
        names = {key: name for key in wanted if (name := _fd_name(*key)) is not None}
        if names:
            out[_NAMES] = names
    return out


def _pid_fd(call: Syscall, ctx: RenderContext, pid: int, fd: int) -> str:
    name = (mem_of(call, _NAMES) or {}).get((pid, fd))
    return f"{fd}{fmt.fd_path(name)}" if name is not None and ctx.show_fd_paths else str(fd)


@decoder("kcmp")
def decode_kcmp(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    pid1, pid2 = to_int(a[0]), to_int(a[1])
    kind = a[2] & 0xFFFFFFFF
    args = [int_arg(a[0]), int_arg(a[1]), Arg(xval(kind, x.KCMP_TYPES, "KCMP_???"), a[2], "flags")]
    if kind == x.KCMP_FILE:
        args += [
            Arg(_pid_fd(call, ctx, pid1, to_int(a[3])), a[3], "fd", to_int(a[3])),
            Arg(_pid_fd(call, ctx, pid2, to_int(a[4])), a[4], "fd", to_int(a[4])),
        ]
    elif kind == x.KCMP_EPOLL_TFD:
        slot = mem_of(call, 4)
        if slot is None:
            second = ptr_arg(a[4])
        else:
            efd, tfd = (
                _pid_fd(call, ctx, pid2, to_int(slot[0])),
                _pid_fd(call, ctx, pid2, to_int(slot[1])),
            )
            second = Arg(f"{{efd={efd}, tfd={tfd}, toff={slot[2]}}}", a[4], "struct", slot)
        args += [Arg(_pid_fd(call, ctx, pid1, to_int(a[3])), a[3], "fd", to_int(a[3])), second]
    elif kind not in x.KCMP_TYPES:  # strace shows the indexes only where it knows no type
        args += [hex_arg(a[3]), hex_arg(a[4])]
    return Decoded(args)
