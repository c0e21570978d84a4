"""Decoders for file-change notification: inotify and fanotify.

Everything here is an input (paths, masks), so it is all captured at entry.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import fd_args, on_entry
from tracer.syscalls.decoders.arguments import dirfd_arg, path_arg, path_capture
from tracer.syscalls.decoders.file import open_flags_arg
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import int_arg, xflags, xval

FAN_NOFD = -1


@decoder("inotify_init")
def decode_inotify_init(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([], ret_fd=True)


@decoder("inotify_init1")
def decode_inotify_init1(call: Syscall, ctx: RenderContext) -> Decoded:
    fl = xflags(call.args[0] & 0xFFFFFFFF, x.INOTIFY_INIT_FLAGS, "IN_???")
    return Decoded([Arg(fl, call.args[0], "flags", fl)], ret_fd=True)


on_entry("inotify_add_watch")(path_capture(1))


@decoder("inotify_add_watch")
def decode_inotify_add_watch(call: Syscall, ctx: RenderContext) -> Decoded:
    mask = xflags(call.args[2] & 0xFFFFFFFF, x.INOTIFY_MASK, "IN_???")
    return Decoded(
        [ctx.fd_arg(call, call.args[0]), path_arg(call, 1), Arg(mask, call.args[2], "flags", mask)]
    )


@decoder("inotify_rm_watch")
def decode_inotify_rm_watch(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), int_arg(call.args[1])])


@decoder("fanotify_init")
def decode_fanotify_init(call: Syscall, ctx: RenderContext) -> Decoded:
    """The notification class is a 2-bit field printed first, even when zero."""
    flags = call.args[0] & 0xFFFFFFFF
    text = xval(flags & x.FAN_CLASS_BITS, x.FAN_CLASSES, "FAN_CLASS_???")
    rest = flags & ~x.FAN_CLASS_BITS
    if rest:
        text += "|" + xflags(rest, x.FAN_INIT_FLAGS, "FAN_???")
    return Decoded(
        [Arg(text, call.args[0], "flags", text), open_flags_arg(call.args[1])], ret_fd=True
    )


on_entry("fanotify_mark")(path_capture(4, dirfds=(3,)))


@decoder("fanotify_mark")
def decode_fanotify_mark(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = xflags(a[1] & 0xFFFFFFFF, x.FAN_MARK_FLAGS, "FAN_MARK_???")
    mask = xflags(a[2] & 0xFFFFFFFFFFFFFFFF, x.FAN_EVENT_FLAGS, "FAN_???")
    if to_int(a[3]) == FAN_NOFD:
        dirfd = Arg(fmt.styled_decimal(FAN_NOFD, "FAN_NOFD"), a[3], "fd", FAN_NOFD)
    else:
        dirfd = dirfd_arg(call, ctx, a[3])
    return Decoded(
        [
            ctx.fd_arg(call, a[0]),
            Arg(flags, a[1], "flags", flags),
            Arg(mask, a[2], "flags", mask),
            dirfd,
            path_arg(call, 4),
        ]
    )


fd_args((0,), "inotify_add_watch", "inotify_rm_watch")
fd_args((0, 3), "fanotify_mark")
