"""Decoders for process file descriptors: pidfd_open, pidfd_send_signal, pidfd_getfd."""

from __future__ import annotations

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
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
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


@on_exit("pidfd_open")
def capture_pidfd_open(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    """The process the new pidfd refers to, while its fdinfo is there to read."""
    tid = getattr(mem, "tid", 0)
    pid = pidfd_pid(tid, ret) if tid and limits.fd_paths else None
    return {PIDFDS_KEY: [(ret, pid)]} if pid is not None else None


@decoder("pidfd_open")
def decode_pidfd_open(call: Syscall, ctx: RenderContext) -> Decoded:
    text = xflags(call.args[1] & 0xFFFFFFFF, x.PIDFD_FLAGS, "PIDFD_???")
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "flags", text)], ret_fd=True)


@on_entry("pidfd_send_signal")
def capture_pidfd_send_signal(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return {2: mem.read(args[2], SIGINFO_SIZE)} if args[2] else None


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
        [ctx.fd_arg(call, a[0]), int_arg(a[1]), Arg(flags_text, a[2], "flags", flags)], ret_fd=True
    )


fd_args((0,), "pidfd_send_signal", "pidfd_getfd")
