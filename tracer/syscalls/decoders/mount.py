"""Decoders for mount and umount2 (all inputs, captured at entry).

As strace does, the filesystem type is not read for a remount, and neither the
type nor the data for bind, move and propagation changes: they are ignored then.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry
from tracer.syscalls.decoders.arguments import cstr_arg, path_arg, path_capture, ptr_arg
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import misc as x

from .kstructs import xflags


def _ignored(flags: int) -> tuple[bool, bool]:
    """(type ignored, data ignored) for these mount flags (the old magic in the high
    word is not flags: strace discards it first)."""
    if flags & x.MS_MGC_MSK == x.MS_MGC_VAL:
        flags &= ~x.MS_MGC_MSK
    if flags & x.MS_REMOUNT:
        return True, False
    if flags & (x.MS_BIND | x.MS_MOVE | x.MS_PROPAGATION):
        return True, True
    return False, False


@on_entry("mount")
def capture_mount(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    out: dict = path_capture(0, 1)(mem, args, limits)
    ignore_type, ignore_data = _ignored(args[3] & 0xFFFFFFFF)
    if args[2] and not ignore_type:
        out[2] = mem.read_cstr(args[2], limits.strsize)
    if args[4] and not ignore_data:
        out[4] = mem.read_cstr(args[4], limits.strsize)
    return out


def mount_flags_text(flags: int) -> str:
    if flags & x.MS_MGC_MSK == x.MS_MGC_VAL:
        rest = flags & ~x.MS_MGC_MSK
        magic = fmt.styled_constant(x.MS_MGC_VAL, "MS_MGC_VAL")
        if fmt.STYLE.constants == "abbrev":
            magic = "MS_MGC_VAL"
        return magic + ("|" + fmt.flags(rest, x.MOUNT_FLAGS) if rest else "")
    return xflags(flags, x.MOUNT_FLAGS, "MS_???")


@decoder("mount")
def decode_mount(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = a[3] & 0xFFFFFFFF
    ignore_type, ignore_data = _ignored(flags)
    text = mount_flags_text(flags)
    return Decoded(
        [
            path_arg(call, 0),
            path_arg(call, 1),
            ptr_arg(a[2]) if ignore_type else cstr_arg(call, ctx, 2),
            Arg(text, a[3], "flags", text),
            ptr_arg(a[4]) if ignore_data else cstr_arg(call, ctx, 4),
        ]
    )


on_entry("umount2")(path_capture(0))


@decoder("umount2")
def decode_umount2(call: Syscall, ctx: RenderContext) -> Decoded:
    text = xflags(call.args[1] & 0xFFFFFFFF, x.UMOUNT_FLAGS, "MNT_???")
    return Decoded([path_arg(call, 0), Arg(text, call.args[1], "flags", text)])
