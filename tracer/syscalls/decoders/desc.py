"""Decoders for descriptor I/O: read/write and vectored variants, close, dup, lseek, pipe, splice."""

from __future__ import annotations

import os
import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    IOV_ALL,
    IOV_NONE,
    IOV_RET,
    LIMIT_DATA,
    CaptureLimits,
    FdName,
    FdsIn,
    Iovecs,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
    on_entry,
    on_exit,
)
from tracer.syscalls.decoders.arguments import (
    enum_arg,
    flags_arg,
    long_arg,
    mem_of,
    ok,
    ptr_arg,
    struct_arg,
    uint_arg,
    ulong_arg,
)
from tracer.syscalls.decoders.iovec import iovec_array
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int, to_long
from tracer.syscalls.xlat import file as x

fd_args((0,), "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev")
fd_args((0,), "preadv2", "pwritev2", "close", "dup", "lseek", "flock", "ftruncate")
fd_args((0,), "fadvise64", "fallocate", "sync_file_range", "readahead", "fsync", "fdatasync")
fd_args((0,), "syncfs")
fd_args((0,), "dup2", "dup3")
fd_args((0, 1), "sendfile", "tee")
fd_args((0, 2), "splice", "copy_file_range")

# --- plain buffers ------------------------------------------------------------------


declare_entry(("write", "pwrite64"), Read(1, 1, size_arg=2, cap=LIMIT_DATA))


declare_exit(("read", "pread64"), Read(1, 1, size_ret=True, cap=LIMIT_DATA, nonpos_first=True))


def buffer_arg(call: Syscall, ctx: RenderContext, pos: int, length: int, at_exit: bool) -> Arg:
    raw = call.args[pos]
    data = mem_of(call, pos)
    if data is None or (at_exit and not ok(call)):
        return ptr_arg(raw, at_exit)
    return Arg(fmt.quote_buffer(data, length, ctx.strsize, raw), raw, "buf", data, at_exit)


@decoder("read", "write", "pread64", "pwrite64")
def decode_read_write(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    name = ctx.table.name(call.nr)
    reading = name in ("read", "pread64")
    length = (call.ret or 0) if reading else a[2]
    args = [ctx.fd_arg(call, a[0]), buffer_arg(call, ctx, 1, length, reading), ulong_arg(a[2])]
    if name in ("pread64", "pwrite64"):
        args.append(long_arg(a[3]))
    return Decoded(args)


# --- vectored buffers -----------------------------------------------------------------


declare_entry(("writev", "pwritev", "pwritev2"), Iovecs(1, 1, 2, IOV_ALL))
# At entry the buffers' addresses, which a failed read shows (exit reads run on success).
declare_entry(("readv", "preadv", "preadv2"), Iovecs(1, 1, 2, IOV_NONE))
declare_exit(("readv", "preadv", "preadv2"), Iovecs(1, 1, 2, IOV_RET))


@decoder("readv", "writev", "preadv", "pwritev", "preadv2", "pwritev2")
def decode_vectored(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    name = ctx.table.name(call.nr)
    reading = name.startswith("read") or name.startswith("pread")
    total = call.ret if reading else None
    vecs = iovec_array(
        call, ctx, 1, a[2], strings=ok(call) or not reading, total=total, at_exit=reading
    )
    args = [ctx.fd_arg(call, a[0]), vecs, ulong_arg(a[2])]
    if name.startswith("p"):
        args.append(long_arg(a[3]))
    if name.endswith("2"):
        args.append(flags_arg(a[5], x.RWF_FLAGS))
    return Decoded(args)


# --- fd lifetime ------------------------------------------------------------------------


@decoder("close")
def decode_close(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0])])


@decoder("close_range")
def decode_close_range(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([uint_arg(a[0]), uint_arg(a[1]), flags_arg(a[2], x.CLOSE_RANGE_FLAGS)])


@decoder("dup")
def decode_dup(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0])], ret_fd=True)


def _fd_name_now(mem: MemoryReader, fd: int) -> str | None:
    tid = getattr(mem, "tid", 0)
    if not tid or fd < 0:
        return None
    try:
        return os.readlink(f"/proc/{tid}/fd/{fd}")
    except OSError:
        return None


# What the target fd was before the call: the worker's fd map holds only one name per
# fd, and after the call it names the duplicate.
declare_entry(("dup2", "dup3"), FdName("newfd_name", 1))


def newfd_arg(call: Syscall, ctx: RenderContext, raw: int) -> Arg:
    fd = to_int(raw)
    name = mem_of(call, "newfd_name")
    if call.mem is None or "newfd_name" not in call.mem:
        return ctx.fd_arg(call, raw)
    text = str(fd)
    if name is not None and ctx.show_fd_paths:
        detailed = ctx.fd_details(call, fd, name) if ctx.fd_details is not None else None
        text += detailed if detailed is not None else fmt.fd_path(name)
    return Arg(text, raw, "fd", fd, path=name)


@decoder("dup2")
def decode_dup2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ctx.fd_arg(call, a[0]), newfd_arg(call, ctx, a[1])], ret_fd=True)


@decoder("dup3")
def decode_dup3(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = flags_arg(a[2], x.OPEN_FLAGS, unknown="O_???")
    return Decoded([ctx.fd_arg(call, a[0]), newfd_arg(call, ctx, a[1]), flags], ret_fd=True)


@decoder("lseek")
def decode_lseek(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ctx.fd_arg(call, a[0]), long_arg(a[1]), enum_arg(a[2], x.SEEK_WHENCE)])


# --- pipes -------------------------------------------------------------------------------

_FD_PAIR = struct.Struct("<ii")


# The two new fds, which appear only in memory: -y names them (FdsIn at exit), so the
# C core takes pipe and pipe2 whole.
declare_exit(
    ("pipe", "pipe2"),
    Read(0, 0, _FD_PAIR.size, exact=True, null_skip=True, bad_skip=True, convert=_FD_PAIR.unpack),
    FdsIn(0, -1, 4, count=2),
)


def fd_in_memory(call: Syscall, ctx: RenderContext, fd: int) -> str:
    names = mem_of(call, "fdnames")  # recordings made before the names came from -y's fds
    name = names.get(fd) if names else None
    if name is not None and ctx.show_fd_paths:
        return f"{fd}{fmt.fd_path(name)}"
    return ctx.fd(call, fd)


@decoder("pipe", "pipe2")
def decode_pipe(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    pair = mem_of(call, 0)
    if ok(call) and pair is not None:
        text = "[" + ", ".join(fd_in_memory(call, ctx, fd) for fd in pair) + "]"
        fds = struct_arg(text, a[0], pair, at_exit=True)
    else:
        fds = ptr_arg(a[0], at_exit=True)
    args = [fds]
    if ctx.table.name(call.nr) == "pipe2":
        args.append(flags_arg(a[1], x.OPEN_FLAGS, unknown="O_???"))
    return Decoded(args)


# --- copying between fds -----------------------------------------------------------------

_U64 = struct.Struct("<Q")


def _read_u64(mem: MemoryReader, addr: int) -> int | None:
    if not addr:
        return None
    data = mem.read(addr, 8)
    return _U64.unpack(data)[0] if data is not None and len(data) == 8 else None


@on_entry("sendfile")
def capture_sendfile_entry(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return {2: _read_u64(mem, args[2])}


@on_exit("sendfile")
def capture_sendfile_exit(
    mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits
):
    return {"offset_after": _read_u64(mem, args[2])} if ret > 0 else None


def offset_arg(call: Syscall, pos: int, signed: bool = True) -> Arg:
    raw = call.args[pos]
    value = mem_of(call, pos)
    if not raw or value is None:
        return ptr_arg(raw)
    if signed:  # loff_t (sendfile's strace prints unsigned)
        value = to_long(value)
    return Arg(f"[{value}]", raw, "int", value)


@decoder("sendfile")
def decode_sendfile(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    off = offset_arg(call, 2, signed=False)
    after = mem_of(call, "offset_after")
    if a[2] and after is not None and ok(call) and call.ret:
        off = Arg(f"{off.text} => [{after}]", a[2], "int", after, True)
    return Decoded([ctx.fd_arg(call, a[0]), ctx.fd_arg(call, a[1]), off, ulong_arg(a[3])])


def _u64(data: bytes) -> int:
    return _U64.unpack(data)[0]


# The two loff_t *: None where NULL, unreadable or short (as `_read_u64`).
declare_entry(
    ("splice", "copy_file_range"),
    Read(1, 1, 8, exact=True, convert=_u64),
    Read(3, 3, 8, exact=True, convert=_u64),
)


@decoder("splice")
def decode_splice(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [
        ctx.fd_arg(call, a[0]),
        offset_arg(call, 1),
        ctx.fd_arg(call, a[2]),
        offset_arg(call, 3),
    ]
    return Decoded([*args, ulong_arg(a[4]), flags_arg(a[5], x.SPLICE_FLAGS)])


@decoder("copy_file_range")
def decode_copy_file_range(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [
        ctx.fd_arg(call, a[0]),
        offset_arg(call, 1),
        ctx.fd_arg(call, a[2]),
        offset_arg(call, 3),
    ]
    return Decoded([*args, ulong_arg(a[4]), uint_arg(a[5])])


@decoder("tee")
def decode_tee(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ctx.fd_arg(call, a[0]), ctx.fd_arg(call, a[1]), ulong_arg(a[2])]
    return Decoded([*args, flags_arg(a[3], x.SPLICE_FLAGS)])


# --- whole-file operations ------------------------------------------------------------------


@decoder("flock")
def decode_flock(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ctx.fd_arg(call, a[0]), flags_arg(a[1], x.FLOCK_OPS)])


@decoder("ftruncate")
def decode_ftruncate(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), long_arg(call.args[1])])


@decoder("fadvise64")
def decode_fadvise64(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ctx.fd_arg(call, a[0]), long_arg(a[1]), ulong_arg(a[2])]  # loff_t, size_t
    return Decoded([*args, enum_arg(a[3], x.FADVISE)])


@decoder("fallocate")
def decode_fallocate(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ctx.fd_arg(call, a[0]), flags_arg(a[1], x.FALLOC_FLAGS)]
    return Decoded([*args, long_arg(a[2]), long_arg(a[3])])


@decoder("sync_file_range")
def decode_sync_file_range(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ctx.fd_arg(call, a[0]), long_arg(a[1]), long_arg(a[2])]
    return Decoded([*args, flags_arg(a[3], x.SYNC_FILE_RANGE_FLAGS)])


@decoder("readahead")
def decode_readahead(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ctx.fd_arg(call, a[0]), long_arg(a[1]), ulong_arg(a[2])])


# --- fd factories ------------------------------------------------------------------------------


@decoder("eventfd")
def decode_eventfd(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([uint_arg(call.args[0])], ret_fd=True)


@decoder("eventfd2")
def decode_eventfd2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([uint_arg(a[0]), flags_arg(a[1], x.EFD_FLAGS)], ret_fd=True)


_MFD_NAME_MAX = 255 - len("memfd:") + 1  # strace reads the name limit plus one

# strace reads the limit and no further: a name that fills it prints with `...` even
# where memory ends right after it. None where NULL.
declare_entry("memfd_create", Read(0, 0, _MFD_NAME_MAX - 1, cstr=True))


@decoder("memfd_create")
def decode_memfd_create(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    name = mem_of(call, 0)
    if name is not None and len(name) >= _MFD_NAME_MAX:  # no NUL within the limit: cut
        text = fmt.quote_cstr(name[:_MFD_NAME_MAX] + b"?", _MFD_NAME_MAX, a[0])
    else:
        text = fmt.quote_cstr(name, _MFD_NAME_MAX, a[0])
    value = name.decode("utf-8", "surrogateescape") if name is not None else None
    return Decoded([Arg(text, a[0], "str", value), _mfd_flags(a[1])], ret_fd=True)


@fmt.constant_text
def _mfd_flags_text(v: int) -> str:
    """Flags, then the huge page size's log2 as `30<<MFD_HUGE_SHIFT` (-X styles the
    whole word once)."""
    huge = v >> x.MFD_HUGE_SHIFT
    low = v & ((1 << x.MFD_HUGE_SHIFT) - 1)
    parts = [fmt.flags(low, x.MFD_FLAGS)] if low else []
    if huge:
        parts.append(f"{huge}<<MFD_HUGE_SHIFT")
    return "|".join(parts) or "0"


def _mfd_flags(raw: int) -> Arg:
    v = raw & 0xFFFFFFFF
    text = _mfd_flags_text(v) if v else "0"
    return Arg(text, raw, "flags", text)
