"""NUMA memory policy: mbind, set_mempolicy, get_mempolicy and move_pages.

Their node masks and page arrays are printed element by element as strace prints
arrays: at most -s elements (unless -v), the address alone when the first element is
unreadable, `... /* address */` where memory ends. Only the -s + 1 elements that can
be shown are read (the one past -s decides between `...` and the address note).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_STR_PLUS1, Read, declare_entry, declare_exit
from tracer.syscalls.render import ERRNO_NAMES, Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import numa as x

from .arguments import int_arg, mem_of, ok, ptr_arg, ulong_arg
from .kstructs import xflags, xval

U64 = 0xFFFFFFFFFFFFFFFF
_LONG_BITS = 64


def _array_read(arg: int, elem_size: int) -> Read:
    """The -s + 1 elements an array argument can show (a short read where memory ends)."""
    return Read(arg, arg, size=LIMIT_STR_PLUS1, scale=elem_size, null_skip=True)


declare_entry("set_mempolicy", _array_read(1, 8))
declare_entry("mbind", _array_read(3, 8))
declare_exit("get_mempolicy", Read(0, 0, 4, null_skip=True, exact=True), _array_read(1, 8))
declare_entry("move_pages", _array_read(2, 8), _array_read(3, 4))
declare_exit("move_pages", _array_read(4, 4))


def print_array(
    data: bytes | None,
    count: int,
    addr: int,
    elem: struct.Struct,
    text: Callable[[int], str],
    limit: int | None,
) -> str:
    """`count` elements at `addr`, of which `data` holds those that could be read."""
    readable = len(data) // elem.size if data else 0
    items: list[str] = []
    for i in range(count):
        if i >= readable:
            if not i:
                return fmt.pointer(addr)
            items.append(f"... /* {fmt.pointer(addr + i * elem.size)} */")
            break
        if limit is not None and i >= limit:
            items.append("...")
            break
        items.append(text(elem.unpack_from(data, i * elem.size)[0]))  # type: ignore[arg-type]
    return "[" + ", ".join(items) + "]"


_LONG = struct.Struct("<Q")
_PTR = _LONG
_INT = struct.Struct("<i")


def _limit(call: Syscall, ctx: RenderContext) -> int | None:
    return ctx.strsize if ctx.abbreviated(call) else None


def _node_word(v: int) -> str:
    return "0" * 16 if v == 0 else f"{v:#016x}"  # C's %#016lx


def _nodemask(call: Syscall, ctx: RenderContext, i: int, maxnode: int, shown: bool) -> Arg:
    """A node mask of `maxnode` bits in longs; `shown` is false when the call's failure
    left nothing to show (get_mempolicy's output)."""
    raw = call.args[i] & U64
    if not raw:
        return Arg("NULL", raw, "ptr", 0)
    nlongs = (maxnode + _LONG_BITS - 2) // _LONG_BITS
    if not shown or (nlongs == 0 and maxnode):
        return ptr_arg(raw)
    data = mem_of(call, i)
    text = print_array(data, nlongs, raw, _LONG, _node_word, _limit(call, ctx))
    return Arg(text, raw, "struct", data)


def _mode_text(value: int) -> str:
    """A policy mode with its mode flags: `MPOL_BIND|MPOL_F_STATIC_NODES`."""
    flags = value & x.MPOL_MODE_FLAGS_MASK
    mode = value & ~x.MPOL_MODE_FLAGS_MASK
    names = [n for bit, n in x.MPOL_MODE_FLAGS if flags & bit]
    name = x.MPOL_MODES.get(mode)
    if name is None and not names:
        return f"{value:#x}" if fmt.STYLE.constants == "raw" else f"{value:#x} /* MPOL_??? */"
    text = "|".join([name, *names] if name is not None else [*names, f"{mode:#x}"])
    return text if fmt.STYLE.constants == "abbrev" else fmt.styled_constant(value, text)


def _mode_arg(raw: int, mask: int) -> Arg:
    text = _mode_text(raw & mask)
    return Arg(text, raw, "flags", text)


def _flags_arg(raw: int, table: list[tuple[int, str]], unknown: str) -> Arg:
    text = xflags(raw & 0xFFFFFFFF, table, unknown)
    return Arg(text, raw, "flags", text)


@decoder("set_mempolicy")
def decode_set_mempolicy(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    maxnode = a[2] & U64
    return Decoded([_mode_arg(a[0], 0xFFFFFFFF), _nodemask(call, ctx, 1, maxnode, True),
                    ulong_arg(a[2])])  # fmt: skip


@decoder("mbind")
def decode_mbind(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([
        ptr_arg(a[0]),
        ulong_arg(a[1]),
        _mode_arg(a[2], U64),
        _nodemask(call, ctx, 3, a[4] & U64, True),
        ulong_arg(a[4]),
        _flags_arg(a[5], x.MPOL_MF_FLAGS, "MPOL_???"),
    ])  # fmt: skip


@decoder("get_mempolicy")
def decode_get_mempolicy(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    done = ok(call)
    mode = mem_of(call, 0)
    if not a[0] & U64:
        mode_arg = Arg("NULL", a[0], "ptr", 0, True)
    elif done and mode is not None:
        # the mode alone: strace names no flag bits in what the kernel wrote back
        text = "[" + xval(_INT.unpack_from(mode)[0] & 0xFFFFFFFF, x.MPOL_MODES, "MPOL_???") + "]"
        mode_arg = Arg(text, a[0], "struct", text, True)
    else:
        mode_arg = ptr_arg(a[0], at_exit=True)
    nodes = _nodemask(call, ctx, 1, a[2] & U64, done)
    nodes.at_exit = True
    return Decoded([mode_arg, nodes, ulong_arg(a[2]), ptr_arg(a[3]),
                    _flags_arg(a[4], x.MPOL_GET_FLAGS, "MPOL_F_???")])  # fmt: skip


def _status_text(v: int) -> str:
    if v >= 0:
        return str(v)
    name = ERRNO_NAMES.get(-v)
    if name is None or fmt.STYLE.constants == "raw":
        return str(v)
    return f"-{name}" if fmt.STYLE.constants == "abbrev" else f"{v} /* -{name} */"


def _array_arg(call: Syscall, ctx: RenderContext, i: int, elem: struct.Struct,
               text: Callable[[int], str], shown: bool = True) -> Arg:  # fmt: skip
    raw = call.args[i] & U64
    count = call.args[1] & U64
    if not raw:
        return Arg("NULL", raw, "ptr", 0)
    if not count:
        return Arg("[]", raw, "struct", [])
    if not shown:
        return ptr_arg(raw)
    out = print_array(mem_of(call, i), count, raw, elem, text, _limit(call, ctx))
    return Arg(out, raw, "struct", out)


@decoder("move_pages")
def decode_move_pages(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    status = _array_arg(call, ctx, 4, _INT, _status_text, ok(call))
    status.at_exit = True
    return Decoded([
        int_arg(a[0]),
        ulong_arg(a[1]),
        _array_arg(call, ctx, 2, _PTR, fmt.pointer),
        _array_arg(call, ctx, 3, _INT, str),
        status,
        _flags_arg(a[5], x.MPOL_MF_FLAGS, "MPOL_???"),
    ])  # fmt: skip
