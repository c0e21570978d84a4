"""Decoders for calls that name files: open family, access, links, modes, owners (times: file_times)."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    LIMIT_DATA,
    LIMIT_PATH,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
    on_entry,
)
from tracer.syscalls.decoders.arguments import (
    dirfd_arg,
    flags_arg,
    id_arg,
    long_arg,
    mem_of,
    mode_arg,
    ok,
    path_arg,
    path_capture,
    ptr_arg,
    struct_arg,
    ulong_arg,
)
from tracer.syscalls.decoders.kstructs import extensible_tail
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as x

# --- open family ------------------------------------------------------------


@fmt.constant_text
def open_flags(value: int, mask: int = 0xFFFFFFFF) -> str:
    """`O_WRONLY|O_CREAT|O_TRUNC`: access mode first, then the other bits, like strace.
    (`mask`: open_how's flags are 64 bits.)"""
    value &= mask
    access = x.OPEN_ACCESS[value & 3]
    rest = value & ~3
    # O_PATH ignores the access mode; strace still prints it.
    if not rest:
        return access
    return access + "|" + fmt.flags(rest, x.OPEN_FLAGS)


def open_flags_arg(raw: int) -> Arg:
    text = open_flags(raw)
    return Arg(text, raw, "flags", text)


def _needs_mode(flags: int) -> bool:
    return bool(flags & (x.O_CREAT | x.O_TMPFILE))


on_entry("open", "creat", "access", "chdir", "chroot", "rmdir", "unlink", "mkdir", "truncate")(
    path_capture(0)
)
# swapon's capture is its spec's (specs.py), with its flags.
on_entry("chmod", "chown", "lchown", "mknod", "acct", "swapoff", "uselib")(path_capture(0))
on_entry("readlink")(path_capture(0))
on_entry("rename", "link", "symlink")(path_capture(0, 1))
on_entry("openat", "faccessat", "faccessat2", "mkdirat", "unlinkat", "fchmodat", "fchmodat2")(
    path_capture(1, dirfds=(0,))
)
on_entry("fchownat", "mknodat", "readlinkat")(path_capture(1, dirfds=(0,)))
on_entry("renameat", "renameat2", "linkat")(path_capture(1, 3, dirfds=(0, 2)))
on_entry("symlinkat")(path_capture(0, 2, dirfds=(1,)))
fd_args((0,), "openat", "openat2", "faccessat", "faccessat2", "mkdirat", "unlinkat")
fd_args((0,), "fchmodat", "fchmodat2", "fchownat", "mknodat", "readlinkat")
fd_args((0,), "fchmod", "fchown", "fchdir")
fd_args((0, 2), "renameat", "renameat2", "linkat")
fd_args((1,), "symlinkat")


@decoder("open")
def decode_open(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [path_arg(call, 0), open_flags_arg(a[1])]
    if _needs_mode(a[1]):
        args.append(mode_arg(a[2]))
    return Decoded(args, ret_fd=True)


@decoder("openat")
def decode_openat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), open_flags_arg(a[2])]
    if _needs_mode(a[2]):
        args.append(mode_arg(a[3]))
    return Decoded(args, ret_fd=True)


@decoder("creat")
def decode_creat(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), mode_arg(call.args[1])], ret_fd=True)


_OPEN_HOW = struct.Struct("<QQQ")


# How much of a larger struct open_how strace looks at for nonzero unknown fields.
_OPEN_HOW_READ_MAX = 4096

# The path, the cwd (-y) and the struct's `size` bytes, at most _OPEN_HOW_READ_MAX
# (`_open_how` makes of them what strace shows).
declare_entry(
    "openat2",
    *path_capture(1, dirfds=(0,)).ops,
    Read("how_raw", 2, size_arg=3, cap=_OPEN_HOW_READ_MAX, null_skip=True),
)


def _open_how(call: Syscall) -> tuple | None:
    """The struct's three known fields, when `size` covers them and memory held them."""
    data = mem_of(call, "how_raw")
    if call.args[3] & 0xFFFFFFFFFFFFFFFF < _OPEN_HOW.size or data is None:
        return None
    return _OPEN_HOW.unpack_from(data) if len(data) >= _OPEN_HOW.size else None


def _open_how_extra(call: Syscall, strsize: int) -> str:
    """The bytes past the known fields (None where memory ended before `size`)."""
    size = call.args[3] & 0xFFFFFFFFFFFFFFFF
    if size <= _OPEN_HOW.size:
        return ""
    data = mem_of(call, "how_raw") or b""
    extra = data[_OPEN_HOW.size :] if len(data) == min(size, _OPEN_HOW_READ_MAX) else None
    return extensible_tail(extra, _OPEN_HOW.size, strsize)


@decoder("openat2")
def decode_openat2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    how = _open_how(call)
    if how is None:
        how_arg = ptr_arg(a[2])
    else:
        flags, mode, resolve = how
        parts = [f"flags={open_flags(flags, 0xFFFFFFFFFFFFFFFF)}"]
        if _needs_mode(flags) or mode:
            parts.append(f"mode={fmt.octal_mode(mode)}")
        resolve_text = fmt.flags(resolve, x.RESOLVE_FLAGS)
        if resolve and resolve_text == f"{resolve:#x}" and fmt.STYLE.constants != "raw":
            resolve_text += " /* RESOLVE_??? */"
        parts.append(f"resolve={resolve_text}")
        how_arg = struct_arg(
            "{" + ", ".join(parts) + _open_how_extra(call, ctx.strsize) + "}", a[2], how
        )
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), how_arg, ulong_arg(a[3])]
    return Decoded(args, ret_fd=True)


# --- access -------------------------------------------------------------------


def access_mode_arg(raw: int) -> Arg:
    return flags_arg(raw, x.ACCESS_MODES, zero="F_OK")


@decoder("access")
def decode_access(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), access_mode_arg(call.args[1])])


@decoder("faccessat")
def decode_faccessat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([dirfd_arg(call, ctx, a[0]), path_arg(call, 1), access_mode_arg(a[2])])


@decoder("faccessat2")
def decode_faccessat2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), access_mode_arg(a[2])]
    args.append(flags_arg(a[3], x.FACCESSAT_FLAGS))
    return Decoded(args)


# --- single path, optional mode ---------------------------------------------------


@decoder("chdir", "chroot", "rmdir", "unlink", "acct", "swapoff", "uselib")
def decode_path(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0)])


@decoder("mkdir", "chmod")
def decode_path_mode(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), mode_arg(call.args[1])])


@decoder("mkdirat", "fchmodat")
def decode_at_path_mode(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([dirfd_arg(call, ctx, a[0]), path_arg(call, 1), mode_arg(a[2])])


@decoder("fchmodat2")
def decode_fchmodat2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), mode_arg(a[2])]
    args.append(flags_arg(a[3], x.AT_FLAGS))
    return Decoded(args)


@decoder("fchmod")
def decode_fchmod(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), mode_arg(call.args[1])])


@decoder("fchdir", "fsync", "fdatasync", "syncfs")
def decode_fd_only(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0])])


@decoder("unlinkat")
def decode_unlinkat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([dirfd_arg(call, ctx, a[0]), path_arg(call, 1), flags_arg(a[2], x.AT_FLAGS)])


@decoder("truncate")
def decode_truncate(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), long_arg(call.args[1])])


# --- two paths --------------------------------------------------------------------


@decoder("rename", "link", "symlink")
def decode_two_paths(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), path_arg(call, 1)])


@decoder("renameat")
def decode_renameat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded(
        [
            dirfd_arg(call, ctx, a[0]),
            path_arg(call, 1),
            dirfd_arg(call, ctx, a[2]),
            path_arg(call, 3),
        ]
    )


@decoder("renameat2")
def decode_renameat2(call: Syscall, ctx: RenderContext) -> Decoded:
    dec = decode_renameat(call, ctx)
    dec.args.append(flags_arg(call.args[4], x.RENAME_FLAGS))
    return dec


@decoder("linkat")
def decode_linkat(call: Syscall, ctx: RenderContext) -> Decoded:
    dec = decode_renameat(call, ctx)
    dec.args.append(flags_arg(call.args[4], x.AT_FLAGS))
    return dec


@decoder("symlinkat")
def decode_symlinkat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([path_arg(call, 0), dirfd_arg(call, ctx, a[1]), path_arg(call, 2)])


# --- owners -------------------------------------------------------------------------


@decoder("chown", "lchown")
def decode_chown(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([path_arg(call, 0), id_arg(a[1]), id_arg(a[2])])


@decoder("fchown")
def decode_fchown(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ctx.fd_arg(call, a[0]), id_arg(a[1]), id_arg(a[2])])


@decoder("fchownat")
def decode_fchownat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), id_arg(a[2]), id_arg(a[3])]
    args.append(flags_arg(a[4], x.AT_FLAGS))
    return Decoded(args)


# --- device nodes ---------------------------------------------------------------------


def _mknod_tail(mode: int, dev: int) -> list[Arg]:
    mode &= 0xFFFF  # umode_t
    dev &= 0xFFFFFFFF  # the kernel takes an unsigned int
    args = [Arg(fmt.symbolic_mode(mode), mode, "int", mode)]
    if mode & 0o170000 in (0o020000, 0o060000):
        args.append(Arg(fmt.makedev(dev), dev, "int", dev))
    return args


@decoder("mknod")
def decode_mknod(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), *_mknod_tail(call.args[1], call.args[2])])


@decoder("mknodat")
def decode_mknodat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([dirfd_arg(call, ctx, a[0]), path_arg(call, 1), *_mknod_tail(a[2], a[3])])


# --- readlink, getcwd -----------------------------------------------------------------


declare_exit("readlink", Read(1, 1, size_ret=True, cap=LIMIT_DATA, nonpos_first=True))


declare_exit("readlinkat", Read(2, 2, size_ret=True, cap=LIMIT_DATA, nonpos_first=True))


def _readlink_buf(call: Syscall, ctx: RenderContext, i: int) -> Arg:
    raw = call.args[i]
    data = mem_of(call, i)
    if not ok(call) or data is None:
        return ptr_arg(raw, at_exit=True)
    text = fmt.quote_buffer(data, call.ret or 0, ctx.strsize, raw)
    return Arg(text, raw, "str", data.decode("utf-8", "surrogateescape"), True)


@decoder("readlink")
def decode_readlink(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([path_arg(call, 0), _readlink_buf(call, ctx, 1), ulong_arg(a[2])])


@decoder("readlinkat")
def decode_readlinkat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), _readlink_buf(call, ctx, 2)]
    return Decoded([*args, ulong_arg(a[3])])


declare_exit("getcwd", Read(0, 0, LIMIT_PATH, cstr=True))


@decoder("getcwd")
def decode_getcwd(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    data = mem_of(call, 0)
    if ok(call) and data is not None:
        buf = Arg(fmt.quote_path(data), a[0], "path", data.decode("utf-8", "surrogateescape"), True)
    else:
        buf = ptr_arg(a[0], at_exit=True)
    return Decoded([buf, ulong_arg(a[1])])
