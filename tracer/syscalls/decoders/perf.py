"""perf_event_open(2): the event's target and flags. The attr (struct perf_event_attr)
is shown by its address for now."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import fd_args
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .arguments import int_arg, ptr_arg
from .kstructs import xflags

PERF_FLAGS = [
    (0x1, "PERF_FLAG_FD_NO_GROUP"), (0x2, "PERF_FLAG_FD_OUTPUT"), (0x4, "PERF_FLAG_PID_CGROUP"),
    (0x8, "PERF_FLAG_FD_CLOEXEC"),
]  # fmt: skip


@decoder("perf_event_open")
def decode_perf_event_open(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = a[4] & 0xFFFFFFFFFFFFFFFF  # an unsigned long
    return Decoded(
        [
            ptr_arg(a[0]),
            int_arg(a[1]),
            int_arg(a[2]),
            ctx.fd_arg(call, a[3]),
            Arg(xflags(flags, PERF_FLAGS, "PERF_FLAG_???"), a[4], "flags", flags),
        ]
    )


fd_args((3,), "perf_event_open")  # group_fd
