"""perf_event_open(2): the event's attr (perf_attr.py), target and flags."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    MemoryReader,
    Read,
    declare_exit,
    fd_args,
    on_entry,
)
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .arguments import int_arg, mem_of
from .kstructs import xflags
from .perf_attr import FULL_SIZE, render_perf_attr

PERF_FLAGS = [
    (0x1, "PERF_FLAG_FD_NO_GROUP"), (0x2, "PERF_FLAG_FD_OUTPUT"), (0x4, "PERF_FLAG_PID_CGROUP"),
    (0x8, "PERF_FLAG_FD_CLOEXEC"),
]  # fmt: skip


@on_entry("perf_event_open")
def capture_perf_attr(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return {"attr": mem.read(args[0], FULL_SIZE)} if args[0] else None


# The size the kernel writes back when the attr is larger than it knows (E2BIG): read
# when the call failed too.
declare_exit(
    "perf_event_open",
    Read("size_out", 0, size=4, offset=4, exact=True, null_skip=True, bad_skip=True,
         convert=lambda b: int.from_bytes(b, "little"), on_error=True),
)  # fmt: skip


@decoder("perf_event_open")
def decode_perf_event_open(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = a[4] & 0xFFFFFFFFFFFFFFFF  # an unsigned long
    if ctx.dereferenced(call):
        text = render_perf_attr(
            mem_of(call, "attr"), a[0], ctx.abbreviated(call), mem_of(call, "size_out")
        )
    else:
        text = pointer(a[0])
    return Decoded(
        [
            Arg(text, a[0], "struct" if text.startswith("{") else "ptr", a[0]),
            int_arg(a[1]),
            int_arg(a[2]),
            ctx.fd_arg(call, a[3]),
            Arg(xflags(flags, PERF_FLAGS, "PERF_FLAG_???"), a[4], "flags", flags),
        ]
    )


fd_args((3,), "perf_event_open")  # group_fd
