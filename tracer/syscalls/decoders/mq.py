"""POSIX message queues: mq_open (mode and attributes only with O_CREAT), mq_getsetattr."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_PATH, Read, declare_entry, declare_exit, fd_args
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .arguments import mode_arg, path_arg
from .file import open_flags_arg

_MQ_ATTR = struct.Struct("<Qqqq")  # mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs
_O_CREAT = 0o100


def render_mq_attr(data: bytes | None, addr: int) -> str:
    if data is None or len(data) < _MQ_ATTR.size:
        return fmt.pointer(addr)
    flags, maxmsg, msgsize, curmsgs = _MQ_ATTR.unpack_from(data)
    flags_text = f"{flags:#x}" if flags else "0"
    return (
        f"{{mq_flags={flags_text}, mq_maxmsg={maxmsg}, mq_msgsize={msgsize}, mq_curmsgs={curmsgs}}}"
    )


def _attr_arg(call: Syscall, key: int | str, i: int, at_exit: bool = False) -> Arg:
    raw = call.args[i]
    if not raw:
        return Arg("NULL", raw, "ptr", None, at_exit)
    data = (call.mem or {}).get(key)
    if at_exit and (call.ret is None or call.error):
        data = None
    return Arg(render_mq_attr(data, raw), raw, "struct", data, at_exit)


declare_entry(
    "mq_open",
    Read(0, 0, LIMIT_PATH, cstr=True, null_skip=True),
    Read(3, 3, _MQ_ATTR.size, null_skip=True, exact=True, when=(1, _O_CREAT, ())),
)
declare_entry("mq_getsetattr", Read(1, 1, _MQ_ATTR.size, null_skip=True, exact=True))
declare_exit("mq_getsetattr", Read("old", 2, _MQ_ATTR.size, null_skip=True, exact=True))
fd_args((0,), "mq_getsetattr")


@decoder("mq_open")
def decode_mq_open(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [path_arg(call, 0), open_flags_arg(a[1])]
    if a[1] & _O_CREAT:
        args += [mode_arg(a[2]), _attr_arg(call, 3, 3)]
    return Decoded(args, ret_fd=True)


@decoder("mq_getsetattr")
def decode_mq_getsetattr(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded(
        [ctx.fd_arg(call, a[0]), _attr_arg(call, 1, 1), _attr_arg(call, "old", 2, at_exit=True)]
    )
