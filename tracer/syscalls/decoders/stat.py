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

from .kstructs import xval

# struct stat on x86_64: dev, ino, nlink, mode, uid, gid, pad, rdev, size, blksize, blocks, times
STAT = struct.Struct("<QQQIIIiQqqq" + "qq" * 3 + "24x")
# struct statx, up to stx_mnt_id (what strace 6.1 prints)
STATX = struct.Struct("<IIQIIIHxxQQQQ" + "qIi" * 4 + "IIIIQ")
_STATX_MNT_ID = 0x1000
# (mask bit, field, index of tv_sec in the STATX tuple), in the struct's order
_STATX_TIMES = (
    (0x20, "stx_atime", 11),
    (0x800, "stx_btime", 14),
    (0x80, "stx_ctime", 17),
    (0x40, "stx_mtime", 20),
)
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
    note = f" /* {comment} */" if comment else ""
    return f"{name}={sec}{note}, {name}_nsec={nsec}"


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


def _statx_time(name: str, sec: int, nsec: int) -> str:
    comment = fmt.timestamp_comment(sec, nsec)
    return f"{name}={{tv_sec={sec}, tv_nsec={nsec}}}" + (f" /* {comment} */" if comment else "")


def format_statx_verbose(sx: tuple) -> str:
    """strace -v: every field strace 6.1 prints (btime and mnt_id when the mask has them)."""
    mask = sx[0]
    parts = [
        f"stx_mask={fmt.flags(mask, x.STATX_MASKS)}",
        f"stx_blksize={sx[1]}",
        f"stx_attributes={fmt.flags(sx[2], x.STATX_ATTRS)}",
        f"stx_nlink={sx[3]}",
        f"stx_uid={sx[4]}",
        f"stx_gid={sx[5]}",
        f"stx_mode={fmt.symbolic_mode(sx[6])}",
        f"stx_ino={sx[7]}",
        f"stx_size={sx[8]}",
        f"stx_blocks={sx[9]}",
        f"stx_attributes_mask={fmt.flags(sx[10], x.STATX_ATTRS)}",
    ]
    # Each time only when the kernel says it filled it in (strace 6.1 on this kernel).
    for bit, name, at in _STATX_TIMES:
        if mask & bit:
            parts.append(_statx_time(name, sx[at], sx[at + 1]))
    parts.append(f"stx_rdev_major={sx[23]}, stx_rdev_minor={sx[24]}")
    parts.append(f"stx_dev_major={sx[25]}, stx_dev_minor={sx[26]}")
    if mask & _STATX_MNT_ID:
        parts.append(f"stx_mnt_id={sx[27]:#x}")
    return "{" + ", ".join(parts) + "}"


_STATX_SYNC_BITS = [(0x2000, "AT_STATX_FORCE_SYNC"), (0x4000, "AT_STATX_DONT_SYNC")]


def statx_flags(value: int) -> str:
    """The sync type as flags, then the AT_* flags, each styled by -X on its own
    (`0x2000 /* AT_STATX_FORCE_SYNC */|0x100 /* AT_SYMLINK_NOFOLLOW */`). A zero
    sync type prints nothing under -X raw: strace's printflags without a default."""
    value &= 0xFFFFFFFF
    sync = value & x.AT_STATX_SYNC_TYPE
    if sync == 0 and fmt.STYLE.constants == "raw":
        text = ""
    else:
        text = fmt.flags(sync, _STATX_SYNC_BITS, "AT_STATX_SYNC_AS_STAT")
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
        text = format_statx(sx) if ctx.abbreviated(call) else format_statx_verbose(sx)
        args.append(struct_arg(text, a[4], sx, at_exit=True))
    else:
        args.append(ptr_arg(a[4], at_exit=True))
    return Decoded(args)


def format_statfs(sf: tuple) -> str:
    ftype = sf[0] & 0xFFFFFFFFFFFFFFFF
    # PRINT_FIELD_XVAL without a default: an unknown magic is the number alone.
    ftype_text = xval(ftype, x.FS_MAGIC, "") if ftype in x.FS_MAGIC else f"{ftype:#x}"
    fsid = ", ".join(f"{v & 0xFFFFFFFF:#x}" if v else "0" for v in (sf[7], sf[8]))
    return (
        f"{{f_type={ftype_text}, f_bsize={sf[1]}, "
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


_DIRENT64 = struct.Struct("<QqHB")  # d_ino, d_off, d_reclen, d_type; d_name follows
_DIRENT = struct.Struct("<QQH")  # linux_dirent: d_name follows, d_type is the last byte
_keep_entries = False


def keep_dirent_entries(keep: bool) -> None:
    """Keep getdents' entries (strace -v prints them) rather than only their number.

    Set once before tracing starts (the writer process and the worker inherit it):
    by default only the count is kept, as strace's default output shows only that."""
    global _keep_entries
    _keep_entries = keep


def _count_dirents(data: bytes) -> int:
    count = off = 0
    # d_reclen sits at offset 16 in both linux_dirent and linux_dirent64.
    while off + 18 <= len(data):
        reclen = _RECLEN.unpack_from(data, off + 16)[0]
        if reclen == 0:
            break
        count += 1
        off += reclen
    return count


def _entries(data: bytes, old: bool) -> tuple:
    """(d_ino, d_off, d_reclen, d_type, d_name) of each whole entry."""
    out = []
    off = 0
    head = _DIRENT if old else _DIRENT64
    while off + head.size <= len(data):
        if old:
            ino, doff, reclen = head.unpack_from(data, off)
            name_at, dtype = off + head.size, data[off + reclen - 1] if reclen else 0
        else:
            ino, doff, reclen, dtype = head.unpack_from(data, off)
            name_at = off + head.size
        if reclen < head.size or off + reclen > len(data):
            break
        name = data[name_at : off + reclen].split(b"\0", 1)[0]
        out.append((ino, doff, reclen, dtype, name))
        off += reclen
    return tuple(out)


def _dirents64(data: bytes) -> int | tuple:
    return _entries(data, False) if _keep_entries else _count_dirents(data)


def _dirents(data: bytes) -> int | tuple:
    return _entries(data, True) if _keep_entries else _count_dirents(data)


for _name, _convert in (("getdents", _dirents), ("getdents64", _dirents64)):
    declare_exit(
        _name,
        Read(
            1,
            1,
            size_ret=True,
            cap=_DIRENT_BUF_CAP,
            nonpos_first=True,
            null_skip=True,
            bad_skip=True,
            convert=_convert,
        ),
    )

_DT = {0: "DT_UNKNOWN", 1: "DT_FIFO", 2: "DT_CHR", 4: "DT_DIR", 6: "DT_BLK", 8: "DT_REG"}
_DT.update({10: "DT_LNK", 12: "DT_SOCK", 14: "DT_WHT"})


def _format_entries(entries: tuple, old: bool) -> str:
    parts = []
    for ino, doff, reclen, dtype, name in entries:
        head = f"{{d_ino={ino}, d_off={doff}, d_reclen={reclen}"
        quoted = fmt.quote_cstr(name, len(name) + 1)
        dt = _DT.get(dtype, f"{dtype:#x} /* DT_??? */")
        if old:
            parts.append(f"{head}, d_name={quoted}, d_type={dt}}}")
        else:
            parts.append(f"{head}, d_type={dt}, d_name={quoted}}}")
    return "[" + ", ".join(parts) + "]"


@decoder("getdents", "getdents64")
def decode_getdents(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    got = mem_of(call, 1)
    if ok(call) and isinstance(got, tuple) and not ctx.abbreviated(call):
        text = _format_entries(got, ctx.table.name(call.nr) == "getdents")
        buf = Arg(text, a[1], "struct", len(got), True)
    elif ok(call) and got is not None:
        count = len(got) if isinstance(got, tuple) else got
        text = f"{fmt.pointer(a[1])} /* {count} entries */"
        buf = Arg(text, a[1], "struct", count, True)
    else:
        buf = ptr_arg(a[1], at_exit=True)
    return Decoded([ctx.fd_arg(call, a[0]), buf, uint_arg(a[2])])
