"""System administration calls: syslog, reboot, ustat and the obsolete _sysctl."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    LIMIT_DATA,
    CaptureLimits,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
    on_entry,
)
from tracer.syscalls.decoders.arguments import mem_of, ok, ptr_arg, struct_arg
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import int_arg, u32, u64, xval

# --- syslog -------------------------------------------------------------------------

# Actions that take no buffer: strace prints the action alone.
_SYSLOG_NO_ARGS = frozenset({0, 1, 5, 6, 7, 9, 10})
_SYSLOG_READS = frozenset({2, 3, 4})
_SYSLOG_CONSOLE_LEVEL = 8


def _commented(value: int, table: dict[int, str], unknown: str) -> str:
    """A decimal number with its name as a comment, the form strace gives syslog's
    action and log level whatever -X says (but raw, which keeps the number)."""
    if fmt.STYLE.constants == "raw":
        return str(value)
    return f"{value} /* {table.get(value, unknown)} */"


# What a read action copied into the buffer (the return value says how much).
declare_exit(
    "syslog",
    Read(1, 1, size_ret=True, cap=LIMIT_DATA, nonpos_first=True, null_skip=True,
         when=(0, 0xFFFFFFFF, tuple(_SYSLOG_READS))),
)  # fmt: skip


@decoder("syslog")
def decode_syslog(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    action = to_int(a[0])
    args = [Arg(_commented(action, x.SYSLOG_ACTIONS, "SYSLOG_ACTION_???"), a[0], "flags", action)]
    if action in _SYSLOG_NO_ARGS:
        return Decoded(args)
    if action == _SYSLOG_CONSOLE_LEVEL:
        level = to_int(a[2])
        text = _commented(level, x.LOGLEVELS, "LOGLEVEL_???")
        return Decoded([*args, ptr_arg(a[1]), Arg(text, a[2], "int", level)])
    data = mem_of(call, 1)
    if action in _SYSLOG_READS and a[1] and data is not None and ok(call):
        text = fmt.quote_buffer(data, call.ret or 0, ctx.strsize, a[1])
        buf = Arg(text, a[1], "buf", data, True)
    else:
        buf = ptr_arg(a[1], at_exit=action in _SYSLOG_READS)
    return Decoded([*args, buf, int_arg(a[2])])


# --- reboot -------------------------------------------------------------------------

# LINUX_REBOOT_CMD_RESTART2's command string: the kernel copies at most 255 bytes.
_RESTART2_ARG_MAX = 255


def _restart2_size(strsize: int) -> int:
    """What strace reads of the string: -s bytes and one more, at most 255, all of
    them or nothing (a short string at the end of a page prints as its address)."""
    return min(_RESTART2_ARG_MAX, strsize + 1)


@on_entry("reboot")
def capture_reboot(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    if args[2] & 0xFFFFFFFF != x.REBOOT_CMD_RESTART2 or not args[3]:
        return None
    return {3: mem.read(args[3], _restart2_size(limits.strsize))}


def _restart2_arg(call: Syscall, ctx: RenderContext) -> Arg:
    raw = call.args[3]
    data = mem_of(call, 3)
    size = _restart2_size(ctx.strsize)
    if data is None or not raw or len(data) < size:
        return ptr_arg(raw)
    end = data.find(b"\0")
    if end >= 0:
        text = fmt.quote_cstr(data[:end], ctx.strsize, raw)
    else:  # no NUL in what was read: cut short
        text = fmt.quote_buffer(data, size + 1, min(size, ctx.strsize), raw)
    return Arg(text, raw, "str", data)


def _reboot_value(raw: int, table: dict[int, str], unknown: str) -> Arg:
    v = raw & 0xFFFFFFFF
    return Arg(xval(v, table, unknown), raw, "flags", table.get(v))


@decoder("reboot")
def decode_reboot(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [
        _reboot_value(a[0], x.REBOOT_MAGIC1, "LINUX_REBOOT_MAGIC_???"),
        _reboot_value(a[1], x.REBOOT_MAGIC2, "LINUX_REBOOT_MAGIC_???"),
        _reboot_value(a[2], x.REBOOT_CMDS, "LINUX_REBOOT_CMD_???"),
    ]
    if a[2] & 0xFFFFFFFF == x.REBOOT_CMD_RESTART2:
        args.append(_restart2_arg(call, ctx))
    return Decoded(args)


# --- ustat --------------------------------------------------------------------------

_USTAT_SIZE = 32  # f_tfree (int), f_tinode (ino_t), f_fname[6], f_fpack[6]


declare_exit("ustat", Read(1, 1, _USTAT_SIZE, null_skip=True, exact=True, bad_skip=True))


@decoder("ustat")
def decode_ustat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    dev = a[0] & 0xFFFFFFFF
    data = mem_of(call, 1)
    if ok(call) and data is not None and len(data) >= 16:
        text = f"{{f_tfree={u32(data)}, f_tinode={u64(data, 8)}}}"
        buf = struct_arg(text, a[1], data, True)
    else:
        buf = ptr_arg(a[1], at_exit=True)
    return Decoded([Arg(fmt.makedev(dev), a[0], "int", dev), buf])


# --- _sysctl ------------------------------------------------------------------------

# struct __sysctl_args: name, nlen (int), oldval, oldlenp, newval, newlen, 4 unused longs
_SYSCTL_ARGS = struct.Struct("<Qi4xQQQQ")
_SYSCTL_ARGS_SIZE = _SYSCTL_ARGS.size + 32


declare_entry("_sysctl", Read(0, 0, _SYSCTL_ARGS_SIZE, null_skip=True, exact=True, bad_skip=True))


@decoder("_sysctl")
def decode_sysctl(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[0]
    data = mem_of(call, 0)
    if data is None or len(data) < _SYSCTL_ARGS_SIZE:
        return Decoded([ptr_arg(raw)])
    name, nlen, oldval, oldlenp, newval, newlen = _SYSCTL_ARGS.unpack_from(data)
    p = fmt.pointer
    text = (
        f"{{name={p(name)}, nlen={nlen}, oldval={p(oldval)}, oldlenp={p(oldlenp)}, "
        f"newval={p(newval)}, newlen={newlen}}}"
    )
    return Decoded([struct_arg(text, raw, data)])
