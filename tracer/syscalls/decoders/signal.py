"""Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigreturn, kill family, sigaltstack, waits, signalfd."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    ARG_SP,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
)
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import signal as x

from .kstructs import complete, int_arg, timespec, ulong_arg, xflags, xval
from .siginfo import render_siginfo, render_sigset, signal_name

__all__ = ["render_siginfo", "render_sigset", "signal_name"]

_SIGSET_MAX = 128
_SIGACTION = struct.Struct("<QQQQ")  # handler, flags, restorer, mask
_STACK_T = struct.Struct("<Qi4xQ")
# Offset of uc.uc_sigmask from the stack pointer at rt_sigreturn's entry (x86_64 rt_sigframe).
_SIGRETURN_MASK_OFFSET = 296


def signal_arg(raw: int) -> Arg:
    sig = to_int(raw)
    return Arg(fmt.styled_decimal(sig, signal_name(sig)), raw, "signal", sig)


def _sigset_arg(
    call: Syscall, key: str, i: int, size: int, at_exit: bool = False, min_size: int = 8
) -> Arg:
    addr = call.args[i]
    if not addr:
        return Arg("NULL", addr, "ptr", None, at_exit)
    data = (call.mem or {}).get(key)
    if at_exit and (call.error or call.ret is None):
        data = None
    return Arg(render_sigset(data, size, addr, min_size), addr, "struct", data, at_exit)


# ---- rt_sigaction ----------------------------------------------------------------------------


def render_sigaction(data: bytes | None, addr: int) -> str:
    data = complete(data, _SIGACTION.size)
    if data is None:
        return pointer(addr)
    handler, flags, restorer, _mask = _SIGACTION.unpack(data)
    if handler == 0:
        h = fmt.styled_constant(0, "SIG_DFL") if fmt.STYLE.constants != "abbrev" else "SIG_DFL"
    elif handler == 1:
        h = fmt.styled_constant(1, "SIG_IGN") if fmt.STYLE.constants != "abbrev" else "SIG_IGN"
    elif handler == 0xFFFFFFFFFFFFFFFF:
        h = "SIG_ERR"
    else:
        h = f"{handler:#x}"
    text = f"{{sa_handler={h}, sa_mask={render_sigset(data[24:32], 8)}, "
    text += f"sa_flags={xflags(flags, x.SIGACTION_FLAGS, 'SA_???')}"
    if flags & x.SA_RESTORER:
        text += f", sa_restorer={pointer(restorer)}"
    return text + "}"


declare_entry("rt_sigaction", Read("act", 1, _SIGACTION.size, null_skip=True))


declare_exit("rt_sigaction", Read("oact", 2, _SIGACTION.size, null_skip=True))


@decoder("rt_sigaction")
def decode_rt_sigaction(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    act = render_sigaction(mem.get("act"), call.args[1]) if call.args[1] else "NULL"
    if not call.args[2]:
        oact = "NULL"
    elif call.error or call.ret is None:
        oact = pointer(call.args[2])
    else:
        oact = render_sigaction(mem.get("oact"), call.args[2])
    return Decoded([signal_arg(call.args[0]), Arg(act, call.args[1], "struct"),
                    Arg(oact, call.args[2], "struct", at_exit=True), ulong_arg(call.args[3])])  # fmt: skip


# ---- rt_sigprocmask, rt_sigpending, rt_sigsuspend ---------------------------------------------


declare_entry(
    "rt_sigprocmask",
    Read("set", 1, size_arg=3, cap=_SIGSET_MAX, null_skip=True, nonpos_empty=False),
)


declare_exit(
    "rt_sigprocmask",
    Read("oset", 2, size_arg=3, cap=_SIGSET_MAX, null_skip=True, nonpos_empty=False),
)


@decoder("rt_sigprocmask")
def decode_rt_sigprocmask(call: Syscall, ctx: RenderContext) -> Decoded:
    how = to_int(call.args[0])
    size = call.args[3] & 0xFFFFFFFFFFFFFFFF
    return Decoded(
        [
            Arg(xval(how, x.SIGPROCMASK_HOW, "SIG_???"), call.args[0], "flags", how),
            _sigset_arg(call, "set", 1, size),
            _sigset_arg(call, "oset", 2, size, at_exit=True),
            ulong_arg(call.args[3]),
        ]
    )


def _sigset_read(key: str, arg: int, size_arg: int) -> Read:
    """A sigset of argument `size_arg`'s bytes (at most _SIGSET_MAX): None when the
    pointer is NULL, the size 0 or the memory unreadable."""
    return Read(key, arg, size_arg=size_arg, cap=_SIGSET_MAX, nonpos_empty=False)


declare_exit("rt_sigpending", _sigset_read("set", 0, 1))


@decoder("rt_sigpending")
def decode_rt_sigpending(call: Syscall, ctx: RenderContext) -> Decoded:
    size = call.args[1] & 0xFFFFFFFFFFFFFFFF
    set_arg = _sigset_arg(call, "set", 0, size, at_exit=True, min_size=1)  # sigpending's sizes
    return Decoded([set_arg, ulong_arg(call.args[1])])


declare_entry("rt_sigsuspend", _sigset_read("set", 0, 1))


@decoder("rt_sigsuspend")
def decode_rt_sigsuspend(call: Syscall, ctx: RenderContext) -> Decoded:
    size = call.args[1] & 0xFFFFFFFFFFFFFFFF
    return Decoded([_sigset_arg(call, "set", 0, size), ulong_arg(call.args[1])])


# ---- rt_sigreturn: the mask comes from the signal frame on the stack -------------------------


declare_entry(
    "rt_sigreturn", Read("mask", ARG_SP, size=8, offset=_SIGRETURN_MASK_OFFSET, exact=True)
)


@decoder("rt_sigreturn")
def decode_rt_sigreturn(call: Syscall, ctx: RenderContext) -> Decoded:
    data = (call.mem or {}).get("mask")
    text = "{mask=" + render_sigset(data, 8) + "}" if data and len(data) == 8 else "{mask=?}"
    return Decoded([Arg(text, None, "struct", data)])


# ---- kill, tkill, tgkill, rt_sigqueueinfo ----------------------------------------------------


@decoder("kill", "tkill")
def decode_kill(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0]), signal_arg(call.args[1])])


@decoder("tgkill")
def decode_tgkill(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0]), int_arg(call.args[1]), signal_arg(call.args[2])])


def _siginfo_arg(call: Syscall, i: int, key: str, at_exit: bool = False) -> Arg:
    addr = call.args[i]
    data = (call.mem or {}).get(key)
    if not addr:
        return Arg("NULL", addr, "ptr", None, at_exit)
    if data is None or len(data) < 128 or (at_exit and (call.error or call.ret is None)):
        return Arg(pointer(addr), addr, "ptr", None, at_exit)
    return Arg(render_siginfo(data), addr, "struct", data, at_exit)


declare_entry("rt_sigqueueinfo", Read("info", 2, 128, null_skip=True))
declare_entry("rt_tgsigqueueinfo", Read("info", 3, 128, null_skip=True))


@decoder("rt_sigqueueinfo")
def decode_rt_sigqueueinfo(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0]), signal_arg(call.args[1]), _siginfo_arg(call, 2, "info")])


@decoder("rt_tgsigqueueinfo")
def decode_rt_tgsigqueueinfo(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0]), int_arg(call.args[1]), signal_arg(call.args[2]),
                    _siginfo_arg(call, 3, "info")])  # fmt: skip


# ---- rt_sigtimedwait ----------------------------------------------------------------------------


declare_entry("rt_sigtimedwait", _sigset_read("set", 0, 3), Read("timeout", 2, 16))
declare_exit("rt_sigtimedwait", Read("info", 1, 128, null_skip=True))


@decoder("rt_sigtimedwait")
def decode_rt_sigtimedwait(call: Syscall, ctx: RenderContext) -> Decoded:
    size = call.args[3] & 0xFFFFFFFFFFFFFFFF
    mem = call.mem or {}
    tmo = timespec(mem.get("timeout"), call.args[2]) if call.args[2] else "NULL"
    ret = None
    if call.ret is not None and not call.error and call.ret > 0:
        ret = f"{call.ret} ({signal_name(call.ret)})"
    return Decoded([_sigset_arg(call, "set", 0, size), _siginfo_arg(call, 1, "info", at_exit=True),
                    Arg(tmo, call.args[2], "struct"), ulong_arg(call.args[3])], ret=ret)  # fmt: skip


# ---- sigaltstack ---------------------------------------------------------------------------------


def render_stack_t(data: bytes | None, addr: int) -> str:
    data = complete(data, _STACK_T.size)
    if data is None:
        return pointer(addr)
    sp, flags, size = _STACK_T.unpack(data)
    fl = xflags(flags & 0xFFFFFFFF, x.SIGALTSTACK_FLAGS, "SS_???")
    return f"{{ss_sp={pointer(sp)}, ss_flags={fl}, ss_size={size}}}"


declare_entry("sigaltstack", Read("ss", 0, _STACK_T.size, null_skip=True))
declare_exit("sigaltstack", Read("old_ss", 1, _STACK_T.size, null_skip=True))


@decoder("sigaltstack")
def decode_sigaltstack(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    ss = render_stack_t(mem.get("ss"), call.args[0]) if call.args[0] else "NULL"
    if not call.args[1]:
        old = "NULL"
    elif call.error or call.ret is None:
        old = pointer(call.args[1])
    else:
        old = render_stack_t(mem.get("old_ss"), call.args[1])
    return Decoded(
        [Arg(ss, call.args[0], "struct"), Arg(old, call.args[1], "struct", at_exit=True)]
    )


# ---- signalfd ---------------------------------------------------------------------------------


declare_entry(("signalfd", "signalfd4"), _sigset_read("set", 1, 2))


@decoder("signalfd")
def decode_signalfd(call: Syscall, ctx: RenderContext) -> Decoded:
    size = call.args[2] & 0xFFFFFFFFFFFFFFFF
    args = [
        ctx.fd_arg(call, call.args[0]),
        _sigset_arg(call, "set", 1, size),
        ulong_arg(call.args[2]),
    ]
    return Decoded(args, ret_fd=True)


@decoder("signalfd4")
def decode_signalfd4(call: Syscall, ctx: RenderContext) -> Decoded:
    dec = decode_signalfd(call, ctx)
    flags = xflags(call.args[3] & 0xFFFFFFFF, x.SIGNALFD_FLAGS, "SFD_???")
    dec.args.append(Arg(flags, call.args[3], "flags"))
    return dec


fd_args((0,), "signalfd", "signalfd4")
