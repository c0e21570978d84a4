"""sched_getattr and sched_setattr: struct sched_attr, a structure that grows.

Its first field says how big the caller's copy is. sched_setattr's is read at entry
(a size of 0 means the first version, 48 bytes; one below that is only the size), and
on E2BIG the kernel writes back the size it knows, which strace shows after ` => `:
that word is read at exit even though the call failed. sched_getattr's is what the
kernel wrote, as big as the caller allowed. Fields a flag tells the kernel to keep
(SCHED_FLAG_KEEP_POLICY / KEEP_PARAMS) are left out as strace leaves them out.
"""

from __future__ import annotations

import errno
import struct

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_entry, declare_exit
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Decoded, RenderContext, decoder
from tracer.syscalls.xlat import misc as x

from .arguments import int_arg, mem_of, ok, struct_arg, uint_arg
from .kstructs import u32, xflags, xval

_SIZE_VER0 = 48  # up to sched_period
_SIZE_VER1 = 56  # with sched_util_min/max: the largest version we know
# size, policy, flags, nice, priority, runtime, deadline, period, util_min, util_max
_ATTR = struct.Struct("<IIQiIQQQII")

declare_entry("sched_setattr", Read("attr", 1, _SIZE_VER1, null_skip=True))
declare_exit("sched_setattr", Read("size_out", 1, 4, null_skip=True, exact=True, on_error=True))
declare_exit("sched_getattr", Read("attr", 1, size_arg=2, cap=_SIZE_VER1, null_skip=True))


def _fields(data: bytes, size: int, setting: bool, more: bool) -> str:
    """The structure's fields for a copy of `size` bytes (at least the first version)."""
    size_f, policy, flags, nice, prio, runtime, deadline, period, umin, umax = _ATTR.unpack(
        data[:_SIZE_VER1].ljust(_SIZE_VER1, b"\0")
    )
    keep_params = setting and flags & x.SCHED_FLAG_KEEP_PARAMS
    # The kernel refuses a negative policy before it looks at the keep flags.
    keep_policy = (
        setting
        and policy < 0x80000000
        and flags & (x.SCHED_FLAG_KEEP_POLICY | x.SCHED_FLAG_KEEP_PARAMS)
    )
    parts = [f"size={size_f}"]
    if not keep_policy:
        parts.append(f"sched_policy={xval(policy, x.SCHED_POLICIES, 'SCHED_???')}")
    parts.append(f"sched_flags={xflags(flags, x.SCHED_ATTR_FLAGS, 'SCHED_FLAG_???')}")
    if not keep_params:
        parts += [f"sched_nice={nice}", f"sched_priority={prio}", f"sched_runtime={runtime}",
                  f"sched_deadline={deadline}", f"sched_period={period}"]  # fmt: skip
    if size >= _SIZE_VER1:
        parts += [f"sched_util_min={umin}", f"sched_util_max={umax}"]
    if more:
        parts.append("...")
    return "{" + ", ".join(parts) + "}"


def _set_text(call: Syscall) -> str | None:
    data = mem_of(call, "attr")
    if data is None or len(data) < 4:
        return None
    declared = u32(data)
    size = min(declared or _SIZE_VER0, _SIZE_VER1)
    if size < _SIZE_VER0:
        text = f"{{size={declared}}}"
    elif len(data) < size:
        return None
    else:
        text = _fields(data, size, True, declared > _SIZE_VER1)
    back = mem_of(call, "size_out")
    if call.error == errno.E2BIG and back is not None:
        text += f" => {{size={u32(back)}}}"
    return text


def _get_text(call: Syscall) -> str | None:
    data = mem_of(call, "attr")
    want = min(call.args[2] & 0xFFFFFFFF, _SIZE_VER1)
    if not ok(call) or data is None or len(data) < max(want, 4):
        return None
    size = u32(data)
    if size < _SIZE_VER0:
        return f"{{size={size}}}"
    return _fields(data, min(size, len(data)), False, False)


@decoder("sched_setattr")
def decode_sched_setattr(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    text = _set_text(call) if a[1] else None
    attr = struct_arg(text if text is not None else pointer(a[1]), a[1])
    return Decoded([int_arg(a[0]), attr, uint_arg(a[2])])


@decoder("sched_getattr")
def decode_sched_getattr(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    text = _get_text(call) if a[1] else None
    attr = struct_arg(text if text is not None else pointer(a[1]), a[1], at_exit=True)
    return Decoded([int_arg(a[0]), attr, uint_arg(a[2]), uint_arg(a[3])])
