"""Decoders for extended attributes: the set/get/list/remove xattr families (path, l-, f- forms).

Values are byte buffers, printed like strace: up to -s bytes, a trailing NUL
omitted; a list is the kernel's NUL-separated names. A value read back
(getxattr, listxattr) exists only after a successful return, so it is captured
at exit; a value being set is captured at entry.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    LIMIT_DATA,
    LIMIT_PATH,
    LIMIT_STR,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
)
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


_U64 = 0xFFFFFFFFFFFFFFFF


def _name_ops(with_path: bool) -> tuple[Read, ...]:
    """The path (path forms) and the attribute's name, each only when its pointer is not NULL."""
    name = Read(1, 1, LIMIT_STR, cstr=True, null_skip=True)
    return (Read(0, 0, LIMIT_PATH, cstr=True, null_skip=True), name) if with_path else (name,)


def _set_ops(with_path: bool) -> tuple[Read, ...]:
    """The names, and the value being set when its size is at most XATTR_SIZE_MAX (a
    larger one prints as an address): size < 0x10000 (no bit above the low 16) or
    exactly 0x10000, as two exclusive reads under one key."""
    value = dict(size_arg=3, cap=LIMIT_DATA, null_skip=True)
    return (
        *_name_ops(with_path),
        Read(2, 2, when=(3, _U64 & ~0xFFFF, (0,)), **value),
        Read(2, 2, when=(3, _U64, (XATTR_SIZE_MAX,)), **value),
    )


# The value read back: `ret` bytes, after a positive return. The kernel returns more
# than XATTR_SIZE_MAX only for a size of 0 (nothing copied): the decoder ignores the
# bytes then, as it did when they were not read.
declare_exit(
    ("getxattr", "lgetxattr", "fgetxattr"),
    Read(2, 2, size_ret=True, cap=LIMIT_DATA, ret_positive=True, null_skip=True),
)
# The names read back: only when a size was given (args[2] != 0).
declare_exit(
    ("listxattr", "llistxattr", "flistxattr"),
    Read(
        1, 1, size_ret=True, cap=LIMIT_DATA, ret_positive=True, null_skip=True, when=(2, _U64, ())
    ),
)
declare_entry(("setxattr", "lsetxattr"), *_set_ops(with_path=True))
declare_entry("fsetxattr", *_set_ops(with_path=False))
declare_entry(("getxattr", "lgetxattr", "removexattr", "lremovexattr"), *_name_ops(with_path=True))
declare_entry(("fgetxattr", "fremovexattr"), *_name_ops(with_path=False))
declare_entry(("listxattr", "llistxattr"), *_name_ops(with_path=True))
fd_args((0,), *_FD_FORMS, "flistxattr")


def xattr_value(data: bytes | None, size: int, strsize: int, addr: int) -> str:
    """strace's printstr_ex(QUOTE_OMIT_TRAILING_0): it reads min(size, strsize + 1)
    bytes (all or nothing: an address otherwise) and quotes the first min(size,
    strsize); a NUL last among those is not shown, and then there is no `...` either."""
    if not addr:
        return "NULL"
    if data is None or len(data) < min(size, strsize + 1):
        return fmt.pointer(addr)
    shown = min(size, strsize)
    if shown and data[shown - 1 : shown] == b"\0":
        return fmt.quote_buffer(data, shown - 1, strsize, addr)
    return fmt.quote_buffer(data, size, strsize, addr)


def _value_arg(
    call: Syscall, ctx: RenderContext, size: int, at_exit: bool, unread: bool = False
) -> Arg:
    """The value at args[2]; `unread`: a size the capture does not stand for (a
    getxattr's return above XATTR_SIZE_MAX), shown as if nothing had been read."""
    raw = call.args[2]
    data = None if unread else mem_of(call, 2)
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
            _value_arg(call, ctx, size, at_exit=True, unread=size > XATTR_SIZE_MAX),
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
