"""Decoders for process file descriptors: pidfd_open, pidfd_send_signal, pidfd_getfd."""

from __future__ import annotations

import os

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    PIDFDS_KEY,
    CaptureLimits,
    MemoryReader,
    fd_args,
    on_entry,
    on_exit,
)
from tracer.syscalls.decoders.siginfo import render_siginfo
from tracer.syscalls.decoders.signal import signal_arg
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import int_arg, xflags

SIGINFO_SIZE = 128


def pidfd_pid(pid: int, fd: int) -> int | None:
    """The process a pidfd of `pid` refers to (its fdinfo's `Pid:`)."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("Pid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def pidfd_capture(mem: MemoryReader, fd: int, limits: CaptureLimits) -> dict:
    """`{PIDFDS_KEY: [(fd, pid)]}` when `fd` is a pidfd of the stopped task: read now,
    while its fdinfo is there (the process may be gone when the line is written)."""
    tid = getattr(mem, "tid", 0)
    fd = to_int(fd)
    pid = pidfd_pid(tid, fd) if tid and fd >= 0 and limits.fd_paths else None
    return {PIDFDS_KEY: [(fd, pid)]} if pid is not None else {}


@on_exit("pidfd_open")
def capture_pidfd_open(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    return pidfd_capture(mem, ret, limits) or None


@on_entry("pidfd_getfd")
def capture_pidfd_getfd(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    """The pidfd's process, and what the fd to take refers to in that process."""
    got = pidfd_capture(mem, args[0], limits)
    target = to_int(args[1])
    if got and target >= 0:
        pid = got[PIDFDS_KEY][0][1]
        try:
            got[_TARGET_NAME] = os.readlink(f"/proc/{pid}/fd/{target}")
        except OSError:
            pass
    return got or None


_TARGET_NAME = "target_fd_name"


def _target_fd_arg(call: Syscall, ctx: RenderContext) -> Arg:
    raw = call.args[1]
    fd = to_int(raw)
    name = (call.mem or {}).get(_TARGET_NAME)
    if name is None or not ctx.show_fd_paths:
        return int_arg(raw)
    detailed = ctx.fd_details(call, fd, name) if ctx.fd_details is not None else None
    return Arg(f"{fd}{detailed if detailed is not None else fmt.fd_path(name)}", raw, "fd", fd)


@decoder("pidfd_open")
def decode_pidfd_open(call: Syscall, ctx: RenderContext) -> Decoded:
    text = xflags(call.args[1] & 0xFFFFFFFF, x.PIDFD_FLAGS, "PIDFD_???")
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "flags", text)], ret_fd=True)


@on_entry("pidfd_send_signal")
def capture_pidfd_send_signal(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    got = pidfd_capture(mem, args[0], limits)
    if args[2]:
        got[2] = mem.read(args[2], SIGINFO_SIZE)
    return got or None


@decoder("pidfd_send_signal")
def decode_pidfd_send_signal(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    data = (call.mem or {}).get(2)
    if not a[2]:
        info = "NULL"
    elif data is None or len(data) < SIGINFO_SIZE:
        info = fmt.pointer(a[2])
    else:
        info = render_siginfo(data)
    flags = a[3] & 0xFFFFFFFF
    args = [ctx.fd_arg(call, a[0]), signal_arg(a[1]), Arg(info, a[2], "struct")]
    return Decoded([*args, Arg(f"{flags:#x}" if flags else "0", a[3], "flags", flags)])


@decoder("pidfd_getfd")
def decode_pidfd_getfd(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = a[2] & 0xFFFFFFFF
    flags_text = f"{flags:#x}" if flags else "0"
    return Decoded(
        [ctx.fd_arg(call, a[0]), _target_fd_arg(call, ctx), Arg(flags_text, a[2], "flags", flags)],
        ret_fd=True,
    )


fd_args((0,), "pidfd_send_signal", "pidfd_getfd")
