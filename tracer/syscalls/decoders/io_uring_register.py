"""io_uring_register: an opcode, and an argument whose shape the opcode gives (an fd or
iovec array, a structure holding further pointers, a CPU mask, an array of ring fd
updates). Not a hot call, so the captures are Python functions: entry reads what the
opcode's argument holds (and names its fds for -y), exit reads what the kernel wrote
back (IORING_REGISTER_PROBE, IORING_REGISTER_IOWQ_MAX_WORKERS). The structures are in
io_uring_structs.py.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, fd_args, on_entry, on_exit
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import io_uring as x

from . import io_uring_structs as s
from .arguments import mem_of, ok, uint_arg
from .arrays import array_items, each_item, read_array
from .kstructs import xflags, xval
from .misc import render_cpu_set

_U32 = 0xFFFFFFFF
_RESTRICTION = struct.Struct("<HBB3I")  # opcode, register_op/sqe_op/sqe_flags, resv, resv2[3]
_RING_FD = struct.Struct("<IIQ")  # offset, resv, data
_AFF_MAX = 64 * 4096
FILES, EVENTFD, EVENTFD_ASYNC = 2, 4, 7
_FD_ARRAYS = (FILES, EVENTFD, EVENTFD_ASYNC)
_RSRC = {13: (True, False), 14: (True, True), 15: (False, False), 16: (False, True)}
_ELEMENT = {0: 16, 11: _RESTRICTION.size, 19: 4, 20: _RING_FD.size, 21: _RING_FD.size}
PROBE, MAX_WORKERS, IOWQ_AFF, REGISTER_RING_FDS, FILES_UPDATE = 8, 19, 17, 20, 6

fd_args((0,), "io_uring_register")


def _op(args: tuple[int, ...]) -> int:
    return args[1] & _U32


@on_entry("io_uring_register")
def _capture_entry(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits) -> dict:
    op, addr, nargs = _op(args), args[2], args[3] & _U32
    if op in _RSRC:
        return s.read_rsrc(mem, args, limits, *_RSRC[op])
    if op in _FD_ARRAYS:
        data = read_array(mem, addr, nargs, 4, limits.strsize)
        return {2: data, "_fds": s.fds_of(data)}
    if op in _ELEMENT:
        data = read_array(mem, addr, nargs, _ELEMENT[op], limits.strsize)
        if op == REGISTER_RING_FDS and data:
            return {2: data, "_fds": [_RING_FD.unpack_from(data, i)[2] & _U32 for i in
                                      range(0, len(data) // 16 * 16, 16)]}  # fmt: skip
        return {2: data}
    if op == FILES_UPDATE:
        head = s.read_exact(mem, addr, s.FILES_UPDATE.size)
        if head is None:
            return {}
        fds = read_array(mem, s.FILES_UPDATE.unpack(head)[2], nargs, 4, limits.strsize)
        return {2: head, "fds": fds, "_fds": s.fds_of(fds)}
    if op == PROBE:
        return {2: s.read_exact(mem, addr, s.probe_size(nargs))}
    if op == IOWQ_AFF:
        return {2: s.read_exact(mem, addr, nargs) if nargs <= _AFF_MAX else None}
    if op in (22, 23):
        return {2: s.read_exact(mem, addr, s.BUF_REG.size)}
    return {}


@on_exit("io_uring_register")
def _capture_exit(mem: MemoryReader, args, ret: int, limits: CaptureLimits) -> dict | None:
    op, addr, nargs = _op(args), args[2], args[3] & _U32
    if op == PROBE:
        return {"out": s.read_exact(mem, addr, s.probe_size(nargs))}
    if op == MAX_WORKERS:
        return {"out": read_array(mem, addr, nargs, 4, limits.strsize)}
    return None


def _restriction(b: bytes, _i: int) -> str:
    code, op, resv, *resv2 = _RESTRICTION.unpack(b)
    name = x.IORING_RESTRICTIONS.get(code)
    if name is None:
        opcode = xval(code, x.IORING_RESTRICTIONS, "IORING_RESTRICTION_???")
        parts = [f"opcode={opcode} /* op: {s.hex0(op)} */"]
    else:
        if code == 0:
            field = f"register_op={xval(op, x.IORING_REGISTER_OPS, 'IORING_REGISTER_???')}"
        elif code == 1:
            field = f"sqe_op={xval(op, x.IORING_OPS, 'IORING_OP_???')}"
        else:
            field = f"sqe_flags={xflags(op, x.IOSQE_FLAGS, 'IOSQE_???')}"
        parts = [f"opcode={xval(code, x.IORING_RESTRICTIONS, '')}", field]
    if resv:
        parts.append(f"resv={resv:#x}")
    if any(resv2):
        parts.append("resv2=[" + ", ".join(s.hex0(v) for v in resv2) + "]")
    return "{" + ", ".join(parts) + "}"


def _ring_fd(call: Syscall, ctx: RenderContext, register: bool):
    def item(b: bytes, _i: int) -> str:
        offset, resv, data = _RING_FD.unpack(b)
        parts = [f"offset={'-1' if register and offset == _U32 else offset}"]
        if resv:
            parts.append(f"resv={resv:#x}")
        if register:
            parts.append(f"data={ctx.fd(call, int.from_bytes(b[8:12], 'little', signed=True))}")
        elif data:
            parts.append(f"data={data:#x}")
        return "{" + ", ".join(parts) + "}"

    return item


def _max_workers(data: bytes | None, addr: int, count: int, limit: int) -> str:
    def item(b: bytes, i: int) -> str:
        kind = xval(i, x.IO_WQ_KINDS, "IO_WQ_???", "{}")
        return f"[{kind}]={int.from_bytes(b, 'little')}"

    return array_items(data, addr, count, 4, each_item(4, item), limit)


def _workers_arg(call: Syscall, ctx: RenderContext, nargs: int) -> str:
    """The limits asked for, and ` => ` the ones in force once every one was read."""
    addr, data = call.args[2], mem_of(call, 2)
    text = _max_workers(data, addr, nargs, ctx.strsize)
    if not nargs or data is None or len(data) < min(nargs, ctx.strsize + 1) * 4:
        return text
    out = mem_of(call, "out")
    after = _max_workers(out, addr, nargs, ctx.strsize) if ok(call) else fmt.pointer(addr)
    return f"{text} => {after}"


def _arg_text(call: Syscall, ctx: RenderContext) -> str | None:
    op, addr, nargs = _op(call.args), call.args[2], call.args[3] & _U32
    mem = call.mem or {}
    data = mem.get(2)
    limit = ctx.strsize
    fd = lambda v: ctx.fd(call, v)  # noqa: E731
    if op in _RSRC:
        files, update = _RSRC[op]
        text = s.rsrc_update_text if update else s.rsrc_register_text
        return text(mem, files, fd, limit)
    if op in _FD_ARRAYS:
        return s.fd_array(data, addr, nargs, fd, limit)
    if op == 0:
        return s.iovec_pointers(data, addr, nargs, limit)
    if op == 11:
        return array_items(data, addr, nargs, 16, each_item(16, _restriction), limit)
    if op in (20, 21):
        return array_items(
            data, addr, nargs, 16, each_item(16, _ring_fd(call, ctx, op == 20)), limit
        )
    if op == MAX_WORKERS:
        return _workers_arg(call, ctx, nargs)
    if op == FILES_UPDATE:
        return s.files_update_text(mem, nargs, fd, limit)
    if op == PROBE:
        return s.probe_arg(call, ctx, ok(call))
    if op == IOWQ_AFF:
        return render_cpu_set(data, addr) if addr else None
    if op in (22, 23):
        return s.buf_reg_text(data)
    return None


@decoder("io_uring_register")
def decode_io_uring_register(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    op = _op(a)
    opcode = Arg(xval(op, x.IORING_REGISTER_OPS, "IORING_REGISTER_???"), a[1], "flags", op)
    text = _arg_text(call, ctx) if a[2] else None
    arg = Arg(text if text is not None else fmt.pointer(a[2]), a[2], "struct")
    arg.at_exit = op in (PROBE, MAX_WORKERS)
    return Decoded([ctx.fd_arg(call, a[0]), opcode, arg, uint_arg(a[3])])
