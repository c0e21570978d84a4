"""Linux AIO: io_setup, io_submit (its iocbs), io_cancel, io_getevents and io_pgetevents.

io_submit's argument is an array of pointers to `struct iocb`, each of which may point
to a buffer or an iovec array: memory data cannot name, so its capture is a Python
function (AIO calls are not hot). The others' memory is declared as data.
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
    on_entry,
)
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_long
from tracer.syscalls.xlat.file import RWF_FLAGS
from tracer.syscalls.xlat.poll import POLL_EVENTS

from .arguments import long_arg, mem_of, ok, ptr_arg, uint_arg
from .arrays import array_items
from .kstructs import complete, i32, timespec, u64, xflags, xval
from .priority import ioprio_text
from .siginfo import render_sigset

IOCB = struct.Struct("<QIIHhIQQqQII")  # data, key, rw_flags, opcode, reqprio, fildes, buf,
# nbytes, offset, reserved2, flags, resfd
IO_EVENT = struct.Struct("<QQqq")  # data, obj, res, res2
_IOVEC = struct.Struct("<QQ")
_PTRS_MAX = 1024
AIO_CMDS = {
    0: "IOCB_CMD_PREAD", 1: "IOCB_CMD_PWRITE", 2: "IOCB_CMD_FSYNC", 3: "IOCB_CMD_FDSYNC",
    4: "IOCB_CMD_PREADX", 5: "IOCB_CMD_POLL", 6: "IOCB_CMD_NOOP", 7: "IOCB_CMD_PREADV",
    8: "IOCB_CMD_PWRITEV",
}  # fmt: skip
_PWRITE, _POLL, _PREADV, _PWRITEV = 1, 5, 7, 8
_COMMON, _VECTOR = (0, 1), (7, 8)
IOCB_FLAGS = [(1, "IOCB_FLAG_RESFD"), (2, "IOCB_FLAG_IOPRIO")]
_U64 = 0xFFFFFFFFFFFFFFFF

declare_exit("io_setup", Read(1, 1, 8, exact=True))
declare_exit("io_cancel", Read(2, 2, IO_EVENT.size, exact=True))
# The timeout and the signal mask are read by the kernel at entry; the events at exit.
_EVENTS_READ = Read(3, 3, size_ret=True, scale=IO_EVENT.size, cap=IO_EVENT.size * 1025)
declare_entry("io_getevents", Read(4, 4, 16, exact=True))
declare_exit("io_getevents", _EVENTS_READ)
declare_entry(
    "io_pgetevents",
    Read(4, 4, 16, exact=True),
    Read(5, 5, 16, exact=True),
    Read("sigmask", 5, 8, deref=0),
)
declare_exit("io_pgetevents", _EVENTS_READ)


def _valid(nbytes: int) -> bool:
    """strace's iocb_is_valid on a 64-bit kernel: the size fits an ssize_t."""
    return nbytes < 1 << 63


def _read_iocb(mem: MemoryReader, addr: int, limits: CaptureLimits) -> tuple | None:
    """(iocb bytes, what its buffer holds) for the iocb at `addr`, None if unreadable."""
    cb = complete(mem.read(addr, IOCB.size), IOCB.size) if addr else None
    if cb is None:
        return None
    f = IOCB.unpack(cb)
    opcode, buf, nbytes = f[3], f[6], f[7]
    extra = None
    if opcode == _PWRITE and _valid(nbytes) and buf:
        extra = mem.read(buf, min(nbytes, limits.data_limit))
    elif opcode in _VECTOR and _valid(nbytes) and buf:
        count = min(nbytes, limits.strsize + 1, _PTRS_MAX)
        raw = mem.read(buf, count * _IOVEC.size) or b""
        vecs = []
        for off in range(0, len(raw) // _IOVEC.size * _IOVEC.size, _IOVEC.size):
            base, length = _IOVEC.unpack_from(raw, off)
            data = None
            if opcode == _PWRITEV and base:
                data = mem.read(base, min(length, limits.data_limit))
            vecs.append((base, length, data))
        extra = vecs
    return cb, extra


@on_entry("io_submit")
def _capture_io_submit(mem: MemoryReader, args, limits: CaptureLimits):
    nr = to_long(args[1])
    if nr <= 0 or not args[2]:
        return None
    raw = mem.read(args[2], min(nr, limits.strsize + 1, _PTRS_MAX) * 8) or b""
    raw = raw[: len(raw) // 8 * 8]
    iocbs = {}
    fds: list[int] = []
    for i, (ptr,) in enumerate(struct.iter_unpack("<Q", raw)):
        got = _read_iocb(mem, ptr, limits)
        if got is not None:
            iocbs[i] = got
            fds.append(i32(got[0], 20))
    return {2: raw, "iocbs": iocbs, "_fds": [fd for fd in fds if fd >= 0]}


def _s32(v: int) -> int:
    return v - (1 << 32) if v >> 31 else v


@on_entry("io_cancel")
def _capture_io_cancel(mem: MemoryReader, args, limits: CaptureLimits):
    """The iocb, and its fd for -y (a Python capture: an fd inside a structure)."""
    cb = complete(mem.read(args[1], IOCB.size), IOCB.size) if args[1] else None
    if cb is None:
        return None
    fd = i32(cb, 20)
    return {1: cb, "_fds": [fd] if fd >= 0 else []}


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def iocb_header(call: Syscall, ctx: RenderContext, cb: bytes) -> list[str]:
    data, key, rw_flags, opcode, reqprio, fildes, *_rest, flags, _resfd = IOCB.unpack(cb)
    parts = [f"aio_data={_hex(data)}"]
    if key:
        parts.append(f"aio_key={key}")
    if rw_flags:
        parts.append(f"aio_rw_flags={xflags(rw_flags, RWF_FLAGS, 'RWF_???')}")
    parts.append(f"aio_lio_opcode={xval(opcode, AIO_CMDS, 'IOCB_CMD_???', '{}')}")
    if flags & 2:  # IOCB_FLAG_IOPRIO
        parts.append(f"aio_reqprio={ioprio_text(reqprio & 0xFFFF)}")
    elif reqprio:
        parts.append(f"aio_reqprio={reqprio}")
    parts.append(f"aio_fildes={ctx.fd(call, _s32(fildes))}")
    return parts


def _common_flags(call: Syscall, ctx: RenderContext, flags: int, resfd: int) -> list[str]:
    parts = []
    if flags:
        parts.append(f"aio_flags={xflags(flags, IOCB_FLAGS, 'IOCB_FLAG_???')}")
    if flags & 1:  # IOCB_FLAG_RESFD
        parts.append(f"aio_resfd={ctx.fd(call, _s32(resfd))}")
    elif resfd:
        parts.append(f"aio_resfd={resfd:#x}")
    return parts


def _iovecs(ctx: RenderContext, addr: int, count: int, vecs: list, strings: bool) -> str:
    if not addr:
        return "NULL"
    if not count:
        return "[]"
    raw = b"".join(_IOVEC.pack(b, n) for b, n, _d in vecs)

    def item(_data: bytes, off: int) -> str:
        base, length, data = vecs[off // _IOVEC.size]
        text = quote_buffer(data, length, ctx.strsize, base) if strings else pointer(base)
        return f"{{iov_base={text}, iov_len={length}}}"

    return array_items(raw, addr, count, _IOVEC.size, item, ctx.strsize)


def iocb_text(call: Syscall, ctx: RenderContext, cb: bytes, extra) -> str:
    f = IOCB.unpack(cb)
    opcode, buf, nbytes, offset, flags, resfd = f[3], f[6], f[7], f[8], f[10], f[11]
    parts = iocb_header(call, ctx, cb)
    if opcode in _COMMON:
        if opcode == _PWRITE and _valid(nbytes):
            parts.append(f"aio_buf={quote_buffer(extra, nbytes, ctx.strsize, buf)}")
        else:
            parts.append(f"aio_buf={_hex(buf)}")
        parts += [f"aio_nbytes={nbytes}", f"aio_offset={offset}"]
        parts += _common_flags(call, ctx, flags, resfd)
    elif opcode in _VECTOR:
        if _valid(nbytes) and (extra is not None or not buf):
            parts.append(f"aio_buf={_iovecs(ctx, buf, nbytes, extra or [], opcode == _PWRITEV)}")
        else:
            parts += [f"aio_buf={_hex(buf)}", f"aio_nbytes={nbytes}"]
        parts.append(f"aio_offset={offset}")
        parts += _common_flags(call, ctx, flags, resfd)
    elif opcode == _POLL:
        parts.append(f"aio_buf={xflags(buf, POLL_EVENTS, 'POLL???')}")
        parts += _common_flags(call, ctx, flags, resfd)
    return "{" + ", ".join(parts) + "}"


def _io_event(data: bytes, off: int = 0) -> str:
    d, obj, res, res2 = IO_EVENT.unpack_from(data, off)
    return f"{{data={_hex(d)}, obj={_hex(obj)}, res={res}, res2={res2}}}"


@decoder("io_setup")
def decode_io_setup(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    got = mem_of(call, 1) if ok(call) else None
    text = f"[{pointer(u64(got))}]" if got is not None else pointer(a[1])
    return Decoded([uint_arg(a[0]), Arg(text, a[1], "struct", at_exit=True)])


@decoder("io_submit")
def decode_io_submit(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    nr = to_long(a[1])
    iocbs = mem_of(call, "iocbs") or {}

    def item(raw: bytes, off: int) -> str:
        got = iocbs.get(off // 8)
        if got is None:
            return pointer(u64(raw, off))
        return iocb_text(call, ctx, *got)

    if nr < 0:
        text = pointer(a[2])
    elif nr == 0:
        text = "[]" if a[2] else "NULL"
    else:
        text = array_items(mem_of(call, 2), a[2], nr, 8, item, ctx.strsize)
    return Decoded([ptr_arg(a[0]), long_arg(a[1]), Arg(text, a[2], "struct")])


@decoder("io_cancel")
def decode_io_cancel(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    cb = mem_of(call, 1)
    head = "{" + ", ".join(iocb_header(call, ctx, cb)) + "}" if cb is not None else pointer(a[1])
    ev = mem_of(call, 2) if ok(call) else None
    result = _io_event(ev) if ev is not None else pointer(a[2])
    return Decoded(
        [ptr_arg(a[0]), Arg(head, a[1], "struct"), Arg(result, a[2], "struct", at_exit=True)]
    )


def _events(call: Syscall, ctx: RenderContext) -> str:
    addr = call.args[3]
    if not ok(call) or not call.ret:
        return pointer(addr) if call.error or not addr or call.ret is None else "[]"
    return array_items(mem_of(call, 3), addr, call.ret, IO_EVENT.size, _io_event, ctx.strsize)


def _getevents_args(call: Syscall, ctx: RenderContext) -> list[Arg]:
    a = call.args
    tmo = timespec(mem_of(call, 4), a[4]) if a[4] else "NULL"
    return [
        ptr_arg(a[0]),
        long_arg(a[1]),
        long_arg(a[2]),
        Arg(_events(call, ctx), a[3], "struct", at_exit=True),
        Arg(tmo, a[4], "struct", at_exit=True),
    ]


@decoder("io_getevents")
def decode_io_getevents(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded(_getevents_args(call, ctx))


@decoder("io_pgetevents")
def decode_io_pgetevents(call: Syscall, ctx: RenderContext) -> Decoded:
    addr = call.args[5]
    sig = mem_of(call, 5)
    if not addr:
        text = "NULL"
    elif sig is None:
        text = pointer(addr)
    else:
        mask_addr, size = u64(sig), u64(sig, 8)
        mask = render_sigset(mem_of(call, "sigmask"), size, mask_addr) if mask_addr else "NULL"
        text = f"{{sigmask={mask}, sigsetsize={size}}}"
    return Decoded([*_getevents_args(call, ctx), Arg(text, addr, "struct", at_exit=True)])
