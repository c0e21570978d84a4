"""io_uring_setup and io_uring_enter.

io_uring_setup's parameters go both ways: the caller's part (flags, the SQ thread,
the work queue to attach to) is read at entry, what the kernel fills in (ring sizes,
features, ring offsets) at exit, and strace prints the second part only on success.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
    on_entry,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import io_uring as x

from .arguments import mem_of, ok, ptr_arg, uint_arg
from .kstructs import xflags
from .signal import _SIGSET_MAX, render_sigset

_PARAMS = struct.Struct("<7I3I")  # sq/cq entries, flags, cpu, idle, features, wq_fd, resv[3]
_PARAMS_SIZE = 120
_SQ_OFF = ("head", "tail", "ring_mask", "ring_entries", "flags", "dropped", "array")
_CQ_OFF = ("head", "tail", "ring_mask", "ring_entries", "overflow", "cqes", "flags")


@on_entry("io_uring_setup")
def _capture_params(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits) -> dict | None:
    """The caller's parameters, and the work queue's fd for -y when it attaches to one."""
    data = mem.read(args[1], _PARAMS_SIZE) if args[1] else None
    if data is None or len(data) < _PARAMS_SIZE:
        return None
    flags, wq_fd = struct.unpack_from("<I12xi", data, 8)
    return {1: data, "_fds": [wq_fd]} if flags & x.IORING_SETUP_ATTACH_WQ else {1: data}


declare_exit("io_uring_setup", Read("out", 1, _PARAMS_SIZE, null_skip=True, exact=True))
declare_entry("io_uring_enter", Read(4, 4, size_arg=5, cap=_SIGSET_MAX, null_skip=True))
fd_args((0,), "io_uring_enter")


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _offsets(data: bytes, off: int, names: tuple[str, ...]) -> str:
    values = struct.unpack_from("<8IQ", data, off)
    parts = [f"{n}={v}" for n, v in zip(names, values, strict=False)]
    if values[7]:
        parts.append(f"resv1={values[7]:#x}")
    if values[8]:
        parts.append(f"resv2={values[8]:#x}")
    return "{" + ", ".join(parts) + "}"


def _params(call: Syscall, ctx: RenderContext) -> str | None:
    data = mem_of(call, 1)
    if data is None:
        return None
    _sq, _cq, flags, cpu, idle, _feat, wq_fd, *resv = _PARAMS.unpack_from(data)
    parts = [f"flags={xflags(flags, x.IORING_SETUP_FLAGS, 'IORING_SETUP_???')}",
             f"sq_thread_cpu={_hex(cpu)}", f"sq_thread_idle={idle}"]  # fmt: skip
    if flags & x.IORING_SETUP_ATTACH_WQ:
        parts.append(f"wq_fd={ctx.fd(call, to_int(wq_fd))}")
    if any(resv):
        shown = [_hex(v) for v in resv]
        if ctx.abbreviated(call) and len(shown) > ctx.strsize:
            shown[ctx.strsize :] = ["..."]
        parts.append("resv=[" + ", ".join(shown) + "]")
    out = mem_of(call, "out")
    if ok(call) and out is not None:
        sq, cq, _f, _c, _i, features, *_rest = _PARAMS.unpack_from(out)
        parts += [
            f"sq_entries={sq}",
            f"cq_entries={cq}",
            f"features={xflags(features, x.IORING_FEATURES, 'IORING_FEAT_???')}",
            f"sq_off={_offsets(out, 40, _SQ_OFF)}",
            f"cq_off={_offsets(out, 80, _CQ_OFF)}",
        ]
    return "{" + ", ".join(parts) + "}"


@decoder("io_uring_setup")
def decode_io_uring_setup(call: Syscall, ctx: RenderContext) -> Decoded:
    text = _params(call, ctx)
    params = ptr_arg(call.args[1]) if text is None else Arg(text, call.args[1], "struct", text)
    params.at_exit = True
    return Decoded([uint_arg(call.args[0]), params], ret_fd=True)


@decoder("io_uring_enter")
def decode_io_uring_enter(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[5] & 0xFFFFFFFFFFFFFFFF
    flags = xflags(a[3] & 0xFFFFFFFF, x.IORING_ENTER_FLAGS, "IORING_ENTER_???")
    if a[4]:
        mask = render_sigset(mem_of(call, 4), size, a[4])
        sigset = Arg(mask, a[4], "struct", mask)
    else:
        sigset = ptr_arg(a[4])
    return Decoded([ctx.fd_arg(call, a[0]), uint_arg(a[1]), uint_arg(a[2]),
                    Arg(flags, a[3], "flags", flags), sigset, uint_arg(a[5])])  # fmt: skip
