"""Decoders for the stat, statx, statfs and getdents families (strace's abbreviated structs)."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    ExitOps,
    Read,
    declare_exit,
    fd_args,
    on_entry,
    on_exit,
)
from tracer.syscalls.decoders.arguments import (
    dirfd_arg,
    flags_arg,
    mem_of,
    ok,
    path_arg,
    path_capture,
    ptr_arg,
    struct_arg,
    uint_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as x

# struct stat on x86_64: dev, ino, nlink, mode, uid, gid, pad, rdev, size, blksize, blocks, times
STAT = struct.Struct("<QQQIIIiQqqq" + "qq" * 3 + "24x")
# struct statx, up to the dev minor (the rest is spare)
STATX = struct.Struct("<IIQIIIHxxQQQQ" + "qIi" * 4 + "IIII")
# struct statfs on x86_64
STATFS = struct.Struct("<qqQQQQQiiqqq32x")


def _exit_struct(pos: int, layout: struct.Struct) -> ExitOps:
    return ExitOps(
        Read(
            pos, pos, layout.size, null_skip=True, bad_skip=True, exact=True, convert=layout.unpack
        )
    )


on_entry("stat", "lstat", "statfs")(path_capture(0))
on_entry("newfstatat", "statx")(path_capture(1, dirfds=(0,)))
on_exit("stat", "lstat", "fstat")(_exit_struct(1, STAT))
on_exit("newfstatat")(_exit_struct(2, STAT))
on_exit("statx")(_exit_struct(4, STATX))
on_exit("statfs", "fstatfs")(_exit_struct(1, STATFS))
fd_args((0,), "fstat", "newfstatat", "statx", "fstatfs", "getdents", "getdents64")


def format_stat(st: tuple) -> str:
    """`{st_mode=S_IFREG|0644, st_size=123, ...}`: strace's default (abbreviated) struct stat."""
    mode, rdev, size = st[3], st[7], st[8]
    second = (
        f"st_rdev={fmt.makedev(rdev)}"
        if mode & 0o170000 in (0o020000, 0o060000)
        else f"st_size={size}"
    )
    return f"{{st_mode={fmt.symbolic_mode(mode)}, {second}, ...}}"


def _time_field(name: str, sec: int, nsec: int) -> str:
    comment = fmt.timestamp_comment(sec, nsec)
    return f"{name}={sec} /* {comment} */, {name}_nsec={nsec}"


def format_stat_verbose(st: tuple) -> str:
    """strace -v: every field of struct stat."""
    mode, rdev, size = st[3], st[7], st[8]
    second = (
        f"st_rdev={fmt.makedev(rdev)}"
        if mode & 0o170000 in (0o020000, 0o060000)
        else f"st_size={size}"
    )
    return (
        f"{{st_dev={fmt.makedev(st[0])}, st_ino={st[1]}, st_mode={fmt.symbolic_mode(mode)}, "
        f"st_nlink={st[2]}, st_uid={st[4]}, st_gid={st[5]}, st_blksize={st[9]}, "
        f"st_blocks={st[10]}, {second}, {_time_field('st_atime', st[11], st[12])}, "
        f"{_time_field('st_mtime', st[13], st[14])}, {_time_field('st_ctime', st[15], st[16])}}}"
    )


def _stat_buf(call: Syscall, ctx: RenderContext, pos: int) -> Arg:
    raw = call.args[pos]
    st = mem_of(call, pos)
    if not ok(call) or st is None:
        return ptr_arg(raw, at_exit=True)
    text = format_stat(st) if ctx.abbreviated(call) else format_stat_verbose(st)
    return struct_arg(text, raw, st, at_exit=True)


@decoder("stat", "lstat")
def decode_stat(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), _stat_buf(call, ctx, 1)])


@decoder("fstat")
def decode_fstat(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), _stat_buf(call, ctx, 1)])


@decoder("newfstatat")
def decode_newfstatat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), _stat_buf(call, ctx, 2)]
    return Decoded([*args, flags_arg(a[3], x.AT_FLAGS)])


def format_statx(sx: tuple) -> str:
    mask, attrs, mode, size = sx[0], sx[2], sx[6], sx[8]
    return (
        f"{{stx_mask={fmt.flags(mask, x.STATX_MASKS)}, "
        f"stx_attributes={fmt.flags(attrs, x.STATX_ATTRS)}, "
        f"stx_mode={fmt.symbolic_mode(mode)}, stx_size={size}, ...}}"
    )


@fmt.constant_text
def statx_flags(value: int) -> str:
    value &= 0xFFFFFFFF
    text = fmt.enum(value & x.AT_STATX_SYNC_TYPE, x.AT_STATX_SYNC)
    rest = value & ~x.AT_STATX_SYNC_TYPE
    return text + "|" + fmt.flags(rest, x.AT_FLAGS) if rest else text


@decoder("statx")
def decode_statx(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = statx_flags(a[2])
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), Arg(flags, a[2], "flags", flags)]
    args.append(flags_arg(a[3], x.STATX_MASKS))
    sx = mem_of(call, 4)
    if ok(call) and sx is not None:
        args.append(struct_arg(format_statx(sx), a[4], sx, at_exit=True))
    else:
        args.append(ptr_arg(a[4], at_exit=True))
    return Decoded(args)


def format_statfs(sf: tuple) -> str:
    ftype = sf[0] & 0xFFFFFFFFFFFFFFFF
    fsid = ", ".join(f"{v & 0xFFFFFFFF:#x}" if v else "0" for v in (sf[7], sf[8]))
    return (
        f"{{f_type={x.FS_MAGIC.get(ftype, f'{ftype:#x}')}, f_bsize={sf[1]}, "
        f"f_blocks={sf[2]}, f_bfree={sf[3]}, f_bavail={sf[4]}, f_files={sf[5]}, "
        f"f_ffree={sf[6]}, f_fsid={{val=[{fsid}]}}, f_namelen={sf[9]}, f_frsize={sf[10]}, "
        f"f_flags={fmt.flags(sf[11], x.STATFS_FLAGS)}}}"
    )


def _statfs_buf(call: Syscall) -> Arg:
    raw = call.args[1]
    sf = mem_of(call, 1)
    if not ok(call) or sf is None:
        return ptr_arg(raw, at_exit=True)
    return struct_arg(format_statfs(sf), raw, sf, at_exit=True)


@decoder("statfs")
def decode_statfs(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), _statfs_buf(call)])


@decoder("fstatfs")
def decode_fstatfs(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), _statfs_buf(call)])


# --- getdents -----------------------------------------------------------------------

_RECLEN = struct.Struct("<H")
_DIRENT_BUF_CAP = 1 << 20


def _count_dirents(data: bytes) -> int:
    """Counts the entries now: strace's default output shows only their number."""
    count = off = 0
    # d_reclen sits at offset 16 in both linux_dirent and linux_dirent64.
    while off + 18 <= len(data):
        reclen = _RECLEN.unpack_from(data, off + 16)[0]
        if reclen == 0:
            break
        count += 1
        off += reclen
    return count


declare_exit(
    ("getdents", "getdents64"),
    Read(
        1,
        1,
        size_ret=True,
        cap=_DIRENT_BUF_CAP,
        nonpos_first=True,
        null_skip=True,
        bad_skip=True,
        convert=_count_dirents,
    ),
)


@decoder("getdents", "getdents64")
def decode_getdents(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    count = mem_of(call, 1)
    if ok(call) and count is not None:
        text = f"{fmt.pointer(a[1])} /* {count} entries */"
        buf = Arg(text, a[1], "struct", count, True)
    else:
        buf = ptr_arg(a[1], at_exit=True)
    return Decoded([ctx.fd_arg(call, a[0]), buf, uint_arg(a[2])])
