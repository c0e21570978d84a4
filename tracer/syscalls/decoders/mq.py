"""POSIX message queues: mq_open (mode and attributes only with O_CREAT), mq_getsetattr,
mq_timedsend, mq_timedreceive and mq_notify."""

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
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .arguments import mem_of, mode_arg, ok, path_arg, ptr_arg, uint_arg, ulong_arg
from .clock import TIMESPEC, timespec_arg
from .file import open_flags_arg
from .kstructs import complete, u32
from .posix_timers import SIGEVENT_SIZE, render_sigevent

_MQ_ATTR = struct.Struct("<Qqqq")  # mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs
# The kernel's struct mq_attr: the four fields and four reserved longs. strace reads it
# whole, so one that ends past readable memory prints as its address.
_MQ_ATTR_SIZE = 64
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
    Read(3, 3, _MQ_ATTR_SIZE, null_skip=True, exact=True, when=(1, _O_CREAT, ())),
)
declare_entry("mq_getsetattr", Read(1, 1, _MQ_ATTR_SIZE, null_skip=True, exact=True))
declare_exit("mq_getsetattr", Read("old", 2, _MQ_ATTR_SIZE, null_skip=True, exact=True))
# The message whole (for -e write=), the timeout, the sigevent: inputs.
_TIMEOUT = Read(4, 4, TIMESPEC.size, null_skip=True, exact=True, convert=TIMESPEC.unpack)
declare_entry("mq_timedsend", Read(1, 1, size_arg=2, cap=LIMIT_DATA, null_skip=True), _TIMEOUT)
declare_entry("mq_timedreceive", _TIMEOUT)
declare_exit(
    "mq_timedreceive",
    Read(1, 1, size_ret=True, cap=LIMIT_DATA, nonpos_first=True),
    Read(3, 3, 4, null_skip=True, exact=True),
)
declare_entry("mq_notify", Read(1, 1, SIGEVENT_SIZE, null_skip=True, exact=True))
fd_args((0,), "mq_getsetattr", "mq_timedsend", "mq_timedreceive", "mq_notify")


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


def _message(call: Syscall, ctx: RenderContext, length: int, at_exit: bool) -> Arg:
    """The message as a string cut at -s; its address when strace could not read the
    part it shows."""
    raw = call.args[1]
    data = mem_of(call, 1)
    if data is None or len(data) < min(length, ctx.strsize) or (at_exit and not ok(call)):
        return ptr_arg(raw, at_exit)
    return Arg(fmt.quote_buffer(data, length, ctx.strsize, raw), raw, "buf", data, at_exit)


@decoder("mq_timedsend")
def decode_mq_timedsend(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[2] & 0xFFFFFFFFFFFFFFFF
    return Decoded(
        [
            ctx.fd_arg(call, a[0]),
            _message(call, ctx, size, at_exit=False),
            ulong_arg(a[2]),
            uint_arg(a[3]),
            timespec_arg(call, 4, at_exit=False),
        ]
    )


@decoder("mq_timedreceive")
def decode_mq_timedreceive(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    prio = complete(mem_of(call, 3), 4) if ok(call) else None
    prio_text = f"[{u32(prio)}]" if prio is not None else fmt.pointer(a[3])
    return Decoded(
        [
            ctx.fd_arg(call, a[0]),
            _message(call, ctx, call.ret or 0, at_exit=True),
            ulong_arg(a[2]),
            Arg(prio_text, a[3], "struct", prio, at_exit=True),
            timespec_arg(call, 4, at_exit=False),
        ]
    )


@decoder("mq_notify")
def decode_mq_notify(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    text = render_sigevent(mem_of(call, 1), a[1])
    return Decoded([ctx.fd_arg(call, a[0]), Arg(text, a[1], "struct")])
