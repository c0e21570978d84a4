"""Decoders for extended attributes: the set/get/list/remove xattr families (path, l-, f- forms).

Values are byte buffers, printed like strace: up to -s bytes, a trailing NUL
omitted; a list is the kernel's NUL-separated names. A value read back
(getxattr, listxattr) exists only after a successful return, so it is captured
at exit; a value being set is captured at entry.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, fd_args, on_entry, on_exit
from tracer.syscalls.decoders.arguments import (
    cstr_arg,
    flags_arg,
    mem_of,
    ok,
    path_arg,
    ptr_arg,
    ulong_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as x

XATTR_SIZE_MAX = 65536
_FD_FORMS = ("fsetxattr", "fgetxattr", "fremovexattr")


def _first(call: Syscall, ctx: RenderContext, fd_form: bool) -> Arg:
    return ctx.fd_arg(call, call.args[0]) if fd_form else path_arg(call, 0)


def _name_capture(with_path: bool):
    def capture(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
        out = {}
        if with_path and args[0]:
            out[0] = mem.read_cstr(args[0], limits.path_max)
        if args[1]:
            out[1] = mem.read_cstr(args[1], limits.strsize)
        return out

    return capture


def _set_capture(with_path: bool):
    names = _name_capture(with_path)

    def capture(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
        out = names(mem, args, limits)
        size = args[3]
        if args[2] and size <= XATTR_SIZE_MAX:
            out[2] = mem.read(args[2], min(size, limits.data_limit))
        return out

    return capture


@on_exit("getxattr", "lgetxattr", "fgetxattr")
def capture_xattr_value(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    if ret <= 0 or not args[2] or ret > XATTR_SIZE_MAX:
        return None
    return {2: mem.read(args[2], min(ret, limits.data_limit))}


@on_exit("listxattr", "llistxattr", "flistxattr")
def capture_xattr_list(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    if ret <= 0 or not args[1] or not args[2]:
        return None
    return {1: mem.read(args[1], min(ret, limits.data_limit))}


on_entry("setxattr", "lsetxattr")(_set_capture(with_path=True))
on_entry("fsetxattr")(_set_capture(with_path=False))
on_entry("getxattr", "lgetxattr", "removexattr", "lremovexattr")(_name_capture(with_path=True))
on_entry("fgetxattr", "fremovexattr")(_name_capture(with_path=False))
on_entry("listxattr", "llistxattr")(_name_capture(with_path=True))
fd_args((0,), *_FD_FORMS, "flistxattr")


def xattr_value(data: bytes | None, size: int, strsize: int, addr: int) -> str:
    """strace's printstr_ex(QUOTE_OMIT_TRAILING_0): a trailing NUL is not shown."""
    if not addr:
        return "NULL"
    if data is None or len(data) < min(size, strsize):
        return fmt.pointer(addr)
    if size <= strsize and size and data[size - 1 : size] == b"\0":
        size -= 1
    return fmt.quote_buffer(data, size, strsize, addr)


def _value_arg(call: Syscall, ctx: RenderContext, size: int, at_exit: bool) -> Arg:
    raw = call.args[2]
    data = mem_of(call, 2)
    if at_exit and not ok(call):
        return ptr_arg(raw, at_exit=True)
    text = xattr_value(data if size else b"", size, ctx.strsize, raw)
    return Arg(text, raw, "buf", data, at_exit)


def _decode_set(call: Syscall, ctx: RenderContext, fd_form: bool) -> Decoded:
    a = call.args
    size = a[3]
    value = _value_arg(call, ctx, size, at_exit=False) if size <= XATTR_SIZE_MAX else ptr_arg(a[2])
    return Decoded(
        [
            _first(call, ctx, fd_form),
            cstr_arg(call, ctx, 1),
            value,
            ulong_arg(size),
            flags_arg(a[4], x.XATTR_FLAGS),
        ]
    )


@decoder("setxattr", "lsetxattr")
def decode_setxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_set(call, ctx, fd_form=False)


@decoder("fsetxattr")
def decode_fsetxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_set(call, ctx, fd_form=True)


def _decode_get(call: Syscall, ctx: RenderContext, fd_form: bool) -> Decoded:
    size = call.ret if ok(call) and call.ret is not None else 0
    return Decoded(
        [
            _first(call, ctx, fd_form),
            cstr_arg(call, ctx, 1),
            _value_arg(call, ctx, size, at_exit=True),
            ulong_arg(call.args[3]),
        ]
    )


@decoder("getxattr", "lgetxattr")
def decode_getxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_get(call, ctx, fd_form=False)


@decoder("fgetxattr")
def decode_fgetxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_get(call, ctx, fd_form=True)


def _decode_list(call: Syscall, ctx: RenderContext, fd_form: bool) -> Decoded:
    a = call.args
    data = mem_of(call, 1)
    if not a[2] or not ok(call) or data is None:
        names = ptr_arg(a[1], at_exit=True)
    else:
        size = call.ret or 0
        names = Arg(fmt.quote_buffer(data, size, ctx.strsize, a[1]), a[1], "buf", data, True)
    return Decoded([_first(call, ctx, fd_form), names, ulong_arg(a[2])])


@decoder("listxattr", "llistxattr")
def decode_listxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_list(call, ctx, fd_form=False)


@decoder("flistxattr")
def decode_flistxattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_list(call, ctx, fd_form=True)


@decoder("removexattr", "lremovexattr")
def decode_removexattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), cstr_arg(call, ctx, 1)])


@decoder("fremovexattr")
def decode_fremovexattr(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), cstr_arg(call, ctx, 1)])
