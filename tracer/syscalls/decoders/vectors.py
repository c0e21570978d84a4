"""Calls that take `struct iovec` arrays besides read/write: vmsplice (buffers it maps
into a pipe), process_vm_readv/writev (a local and a remote vector), process_madvise
(address ranges of another process)."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, fd_args, on_entry, on_exit
from tracer.syscalls.decoders.arguments import enum_arg, flags_arg, int_arg, ok, ulong_arg
from tracer.syscalls.decoders.iovec import ALL_DATA, NO_DATA, capture_iovecs, iovec_array
from tracer.syscalls.decoders.pidfd import pidfd_capture
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as xfile
from tracer.syscalls.xlat import mem as xmem

fd_args((0,), "vmsplice", "process_madvise")


@on_entry("vmsplice")
def capture_vmsplice(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return capture_iovecs(mem, args[1], args[2], ALL_DATA, limits, 1)


@decoder("vmsplice")
def decode_vmsplice(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    vecs = iovec_array(call, ctx, 1, a[2], strings=True)
    return Decoded(
        [ctx.fd_arg(call, a[0]), vecs, ulong_arg(a[2]), flags_arg(a[3], xfile.SPLICE_FLAGS)]
    )


@on_entry("process_vm_readv")
def capture_process_vm_remote(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    """The remote vector (addresses in the other process, never read) and the local
    one's addresses, which a failed call shows (exit captures run on success)."""
    out = capture_iovecs(mem, args[3], args[4], NO_DATA, limits, 3)
    out.update(capture_iovecs(mem, args[1], args[2], NO_DATA, limits, 1))
    return out


@on_entry("process_vm_writev")
def capture_process_vm_writev(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    """The remote vector and the local data it sends."""
    out = capture_iovecs(mem, args[3], args[4], NO_DATA, limits, 3)
    out.update(capture_iovecs(mem, args[1], args[2], ALL_DATA, limits, 1))
    return out


@on_exit("process_vm_readv")
def capture_process_vm_readv(
    mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits
):
    """What was read lands in the local vector: its data is known at the exit."""
    return capture_iovecs(mem, args[1], args[2], ret, limits, 1)


@decoder("process_vm_readv", "process_vm_writev")
def decode_process_vm(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    reading = ctx.table.name(call.nr) == "process_vm_readv"
    if reading:
        local = iovec_array(call, ctx, 1, a[2], strings=ok(call), total=call.ret, at_exit=True)
    else:
        local = iovec_array(call, ctx, 1, a[2], strings=True)
    remote = iovec_array(call, ctx, 3, a[4], strings=False)
    return Decoded(
        [int_arg(a[0]), local, ulong_arg(a[2]), remote, ulong_arg(a[4]), ulong_arg(a[5])]
    )


@on_entry("process_madvise")
def capture_process_madvise(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return {
        **pidfd_capture(mem, args[0], limits),
        **capture_iovecs(mem, args[1], args[2], NO_DATA, limits, 1),
    }


@decoder("process_madvise")
def decode_process_madvise(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    ranges = iovec_array(call, ctx, 1, a[2], strings=False)
    advice = enum_arg(a[3], xmem.MADVISE, unknown="{:#x} /* MADV_??? */")
    flags = a[4] & 0xFFFFFFFF
    return Decoded(
        [
            ctx.fd_arg(call, a[0]),
            ranges,
            ulong_arg(a[2]),
            advice,
            Arg(f"{flags:#x}" if flags else "0", a[4], "int", flags),
        ]
    )
