"""The new mount API's calls with structured arguments: fsconfig and mount_setattr.

fsconfig's key, value and aux mean different things per command (a string, a
binary blob aux bytes long, a path relative to the dirfd aux, an fd), so what is
read and how it prints follow the command. mount_setattr's struct mount_attr is
extensible: its size argument says how much the caller passed.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    LIMIT_PATH,
    CaptureLimits,
    Cwd,
    EntryOps,
    MemoryReader,
    Read,
    fd_args,
    on_entry,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import longtail as x

from .arguments import cstr_arg, dirfd_arg, int_arg, mem_of, path_arg, ptr_arg
from .kstructs import extensible_tail, xflags, xval

_U32 = 0xFFFFFFFF

# ---- fsconfig ----------------------------------------------------------------------

# strace prints a binary value only up to this size (the kernel's own limit).
_BLOB_MAX = 1024 * 1024
_KEYED = frozenset(
    {
        x.FSCONFIG_SET_FLAG,
        x.FSCONFIG_SET_STRING,
        x.FSCONFIG_SET_BINARY,
        x.FSCONFIG_SET_PATH,
        x.FSCONFIG_SET_PATH_EMPTY,
        x.FSCONFIG_SET_FD,
    }
)
_PATHS = frozenset({x.FSCONFIG_SET_PATH, x.FSCONFIG_SET_PATH_EMPTY})
_PATH_OPS = EntryOps(Read(3, 3, LIMIT_PATH, cstr=True, null_skip=True), Cwd((4,)))
# Keys and string values are read at most this long, NUL included (the kernel's
# limit): strace marks one with no NUL among them as cut, even under a bigger -s.
_STR_MAX = 256


def _read_str(mem: MemoryReader, addr: int, limits: CaptureLimits) -> bytes | None:
    return mem.read_cstr(addr, min(limits.strsize, _STR_MAX - 1)) if addr else None


@on_entry("fsconfig")
def capture_fsconfig(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    cmd = args[1] & _U32
    if cmd not in _KEYED:
        return None
    out = _PATH_OPS(mem, args, limits) if cmd in _PATHS else {}
    out[2] = _read_str(mem, args[2], limits)
    if cmd == x.FSCONFIG_SET_STRING:
        out[3] = _read_str(mem, args[3], limits)
    size = to_int(args[4])
    if cmd == x.FSCONFIG_SET_BINARY and args[3] and 0 < size <= _BLOB_MAX:
        want = min(size, limits.strsize)
        data = mem.read(args[3], want)
        if data is not None and len(data) == want:
            out[3] = data
    return out


def _string(call: Syscall, ctx: RenderContext, i: int) -> Arg:
    data = mem_of(call, i)
    if data is not None and len(data) >= _STR_MAX and ctx.strsize >= _STR_MAX:
        text = fmt.quote_buffer(data, _STR_MAX + 1, _STR_MAX)  # all it read, then `...`
        return Arg(text, call.args[i], "str", data.decode("utf-8", "surrogateescape"))
    return cstr_arg(call, ctx, i)


def _fsconfig_value(call: Syscall, ctx: RenderContext, cmd: int) -> Arg:
    raw = call.args[3]
    if cmd == x.FSCONFIG_SET_STRING:
        return _string(call, ctx, 3)
    if cmd in _PATHS:
        return path_arg(call, 3)
    size = to_int(call.args[4])
    if cmd == x.FSCONFIG_SET_BINARY and 0 <= size <= _BLOB_MAX and raw:
        data = b"" if size == 0 else mem_of(call, 3)
        if data is not None:
            return Arg(fmt.quote_hex(data, size, ctx.strsize, raw), raw, "buf", data)
    return ptr_arg(raw)


def _fsconfig_aux(call: Syscall, ctx: RenderContext, cmd: int) -> Arg:
    raw = call.args[4]
    if cmd in _PATHS:
        return dirfd_arg(call, ctx, raw)
    if cmd == x.FSCONFIG_SET_FD:
        return ctx.fd_arg(call, raw)
    return int_arg(raw)


@decoder("fsconfig")
def decode_fsconfig(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    cmd = a[1] & _U32
    key = _string(call, ctx, 2) if cmd in _KEYED else ptr_arg(a[2])
    cmd_arg = Arg(xval(cmd, x.FSCONFIG_CMDS, "FSCONFIG_???"), a[1], "flags", cmd)
    fs_fd = ctx.fd_arg(call, a[0])
    fs_fd.path = ""  # strace's -P looks only at the path and fd a command names
    return Decoded(
        [
            fs_fd,
            cmd_arg,
            key,
            _fsconfig_value(call, ctx, cmd),
            _fsconfig_aux(call, ctx, cmd),
        ]
    )


fd_args((0, 4), "fsconfig")

# ---- mount_setattr -----------------------------------------------------------------

# struct mount_attr: attr_set, attr_clr, propagation, userns_fd (all __u64).
_MOUNT_ATTR = struct.Struct("<4Q")
# How much of a bigger struct strace looks at for nonzero fields it does not know.
_EXTRA_MAX = 4096
_PATH = EntryOps(Read(1, 1, LIMIT_PATH, cstr=True, null_skip=True), Cwd((0,)))


@on_entry("mount_setattr")
def capture_mount_setattr(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    out = _PATH(mem, args, limits)
    size = args[4]
    if args[3] and size >= _MOUNT_ATTR.size:
        want = min(size, _MOUNT_ATTR.size + _EXTRA_MAX)
        data = mem.read(args[3], want)
        if data is not None and len(data) >= _MOUNT_ATTR.size:
            attr = _MOUNT_ATTR.unpack_from(data)
            out[3] = attr
            if size > _MOUNT_ATTR.size:
                out["attr_extra"] = data[_MOUNT_ATTR.size :] if len(data) == want else None
            if attr[0] & x.MOUNT_ATTR_IDMAP and attr[3] <= 0x7FFFFFFF:
                out["_fds"] = (attr[3],)  # its name, for -y
    return out


def _mount_attr(call: Syscall, ctx: RenderContext) -> Arg:
    raw = call.args[3]
    attr = mem_of(call, 3)
    if attr is None:
        return ptr_arg(raw)
    attr_set, attr_clr, propagation, userns_fd = attr
    bits = x.MOUNT_SETATTR_ATTR
    # userns_fd is an fd only when MOUNT_ATTR_IDMAP asks for one.
    fd = ctx.fd(call, userns_fd) if attr_set & x.MOUNT_ATTR_IDMAP else str(userns_fd)
    text = (
        f"{{attr_set={xflags(attr_set, bits, 'MOUNT_ATTR_???')}, "
        f"attr_clr={xflags(attr_clr, bits, 'MOUNT_ATTR_???')}, "
        f"propagation={xval(propagation, x.MOUNT_PROPAGATION, 'MS_???')}, userns_fd={fd}"
    )
    if call.args[4] > _MOUNT_ATTR.size:
        text += extensible_tail((call.mem or {}).get("attr_extra"), _MOUNT_ATTR.size, ctx.strsize)
    return Arg(text + "}", raw, "struct", attr)


@decoder("mount_setattr")
def decode_mount_setattr(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = xflags(a[2] & _U32, x.MOUNT_SETATTR_FLAGS, "AT_???")
    return Decoded(
        [
            dirfd_arg(call, ctx, a[0]),
            path_arg(call, 1),
            Arg(flags, a[2], "flags", flags),
            _mount_attr(call, ctx),
            Arg(str(a[4]), a[4], "int", a[4]),
        ]
    )


fd_args((0,), "mount_setattr")
