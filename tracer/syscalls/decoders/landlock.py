"""Landlock: landlock_create_ruleset and landlock_add_rule, with their attribute structs.

The ruleset attribute is as long as its size argument says: strace prints the fields
it knows and `...` for a longer one. A path-beneath rule names a parent fd, which -y
shows with its path like any fd argument, so the capture hands it to the worker.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    MemoryReader,
    Read,
    declare_entry,
    fd_args,
    on_entry,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import landlock as x

from .arguments import hex_arg, mem_of, ptr_arg, ulong_arg
from .kstructs import xflags, xval

_RULESET_ATTR = 8  # struct landlock_ruleset_attr: handled_access_fs
_PATH_BENEATH = struct.Struct("<Qi")  # packed: allowed_access, parent_fd

declare_entry("landlock_create_ruleset", Read(0, 0, _RULESET_ATTR, null_skip=True, exact=True))
fd_args((0,), "landlock_add_rule")


@on_entry("landlock_add_rule")
def _capture_rule(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits) -> dict | None:
    if args[1] & 0xFFFFFFFF != x.LANDLOCK_RULE_PATH_BENEATH or not args[2]:
        return None
    data = mem.read(args[2], _PATH_BENEATH.size)
    if data is None or len(data) < _PATH_BENEATH.size:
        return None
    return {2: data, "_fds": [_PATH_BENEATH.unpack(data)[1]]}


def _access(value: int) -> str:
    return xflags(value, x.LANDLOCK_ACCESS_FS, "LANDLOCK_ACCESS_FS_???")


@decoder("landlock_create_ruleset")
def decode_landlock_create_ruleset(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[1] & 0xFFFFFFFFFFFFFFFF
    data = mem_of(call, 0)
    if data is not None and size >= _RULESET_ATTR:
        more = ", ..." if size > _RULESET_ATTR else ""
        text = f"{{handled_access_fs={_access(struct.unpack_from('<Q', data)[0])}{more}}}"
        attr = Arg(text, a[0], "struct", text)
    else:
        attr = ptr_arg(a[0])
    flags = a[2] & 0xFFFFFFFF
    text = xflags(flags, x.LANDLOCK_CREATE_RULESET_FLAGS, "LANDLOCK_CREATE_RULESET_???")
    version = flags & x.LANDLOCK_CREATE_RULESET_VERSION
    ret = str(call.ret) if version and call.ret is not None and not call.error else None
    return Decoded([attr, ulong_arg(a[1]), Arg(text, a[2], "flags", text)], ret=ret,
                   ret_fd=not version)  # fmt: skip


@decoder("landlock_add_rule")
def decode_landlock_add_rule(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    kind = a[1] & 0xFFFFFFFF
    kind_text = xval(kind, x.LANDLOCK_RULE_TYPES, "LANDLOCK_RULE_???")
    data = mem_of(call, 2)
    if data is not None and kind == x.LANDLOCK_RULE_PATH_BENEATH:
        access, parent = _PATH_BENEATH.unpack(data)
        text = f"{{allowed_access={_access(access)}, parent_fd={ctx.fd(call, parent)}}}"
        attr = Arg(text, a[2], "struct", text)
    else:
        attr = ptr_arg(a[2])
    return Decoded([ctx.fd_arg(call, a[0]), Arg(kind_text, a[1], "flags", kind_text), attr,
                    hex_arg(a[3] & 0xFFFFFFFF)])  # fmt: skip
