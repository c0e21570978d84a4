"""Argument builders and capture helpers shared by the file, desc, mem and process families.

Capture convention: `Syscall.mem[i]` holds what was read for argument `i`
(bytes for strings and buffers, a decoded tuple or int for structs), so a
renderer finds an argument's memory by its position.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Mapping
from typing import Any

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    CWD_KEY,
    LIMIT_PATH,
    Cwd,
    EntryOps,
    MemoryReader,
    Read,
)
from tracer.syscalls.render import Arg, RenderContext, to_int, to_long

U64 = 0xFFFFFFFFFFFFFFFF
AT_FDCWD = -100


def mem_of(call: Syscall, key: Any) -> Any:
    return call.mem.get(key) if call.mem else None


def ok(call: Syscall) -> bool:
    """The call returned successfully (exit-time memory is meaningful)."""
    return call.ret is not None and not call.error


# --- captures -------------------------------------------------------------


def path_capture(*positions: int, dirfds: tuple[int, ...] = ()) -> EntryOps:
    """An entry capture reading the path strings at `positions` (and the cwd when
    one of the `dirfds` arguments is AT_FDCWD, for `AT_FDCWD</cwd>`), as data."""
    ops: list = [Read(i, i, LIMIT_PATH, cstr=True, null_skip=True) for i in positions]
    if dirfds:
        ops.append(Cwd(dirfds))
    return EntryOps(*ops)


def read_struct(mem: MemoryReader, addr: int, fmt_: struct.Struct) -> tuple | None:
    if not addr:
        return None
    data = mem.read(addr, fmt_.size)
    if data is None or len(data) < fmt_.size:
        return None
    return fmt_.unpack(data)


# --- arguments ------------------------------------------------------------


def int_arg(raw: int) -> Arg:
    v = to_int(raw)
    return Arg(str(v), raw, "int", v)


def long_arg(raw: int) -> Arg:
    v = to_long(raw)
    return Arg(str(v), raw, "int", v)


def uint_arg(raw: int) -> Arg:
    v = raw & 0xFFFFFFFF
    return Arg(str(v), raw, "int", v)


def ulong_arg(raw: int) -> Arg:
    v = raw & U64
    return Arg(str(v), raw, "int", v)


def hex_arg(raw: int) -> Arg:
    v = raw & U64
    return Arg(f"{v:#x}" if v else "0", raw, "int", v)


def ptr_arg(raw: int, at_exit: bool = False) -> Arg:
    return Arg(fmt.pointer(raw & U64), raw, "ptr", raw & U64, at_exit)


def fd_arg(call: Syscall, ctx: RenderContext, raw: int) -> Arg:
    return ctx.fd_arg(call, raw)


def dirfd_arg(call: Syscall, ctx: RenderContext, raw: int) -> Arg:
    """A dirfd: `AT_FDCWD</cwd>` when the worker recorded the cwd under -100."""
    fd = to_int(raw)
    if fd == AT_FDCWD:
        cwd = call.fds.get(AT_FDCWD) if call.fds else None
        if cwd is None:
            cwd = mem_of(call, CWD_KEY)
        name = (
            fmt.styled_constant(fd, "AT_FDCWD") if fmt.STYLE.constants != "abbrev" else "AT_FDCWD"
        )
        text = name + fmt.fd_path(cwd) if cwd and ctx.show_fd_paths else name
        if cwd and ctx.show_fd_paths and ctx.fd_details is not None:
            detailed = ctx.fd_details(call, fd, cwd)
            if detailed is not None:
                text = name + detailed
        return Arg(text, raw, "fd", fd)
    return ctx.fd_arg(call, raw)


def path_arg(call: Syscall, i: int) -> Arg:
    data = mem_of(call, i)
    raw = call.args[i]
    value = data.decode("utf-8", "surrogateescape") if data is not None else None
    return Arg(fmt.quote_path(data, raw), raw, "path", value)


def cstr_arg(call: Syscall, ctx: RenderContext, i: int) -> Arg:
    data = mem_of(call, i)
    raw = call.args[i]
    value = data.decode("utf-8", "surrogateescape") if data is not None else None
    return Arg(fmt.quote_cstr(data, ctx.strsize, raw), raw, "str", value)


_UNKNOWN_NAMES: dict[int, str | None] = {}


def unknown_name(names: Iterable[str]) -> str | None:
    """strace's comment for a value no name of the table covers: the names' common
    prefix (`O_???`, `AT_???`), or their common suffix (`?_OK`)."""
    names = [n for n in names if n]
    if not names:
        return None
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("_") + 1]
    if len(prefix) > 1:
        return prefix + "???"
    suffix = os.path.commonprefix([n[::-1] for n in names])[::-1]
    suffix = suffix[suffix.find("_") :] if "_" in suffix else ""
    return "?" + suffix if len(suffix) > 1 else None


def _unknown_for(table: Iterable[tuple[int, str]] | Mapping[int, str]) -> str | None:
    key = id(table)
    if key not in _UNKNOWN_NAMES:
        names = table.values() if isinstance(table, Mapping) else (n for _, n in table)
        _UNKNOWN_NAMES[key] = unknown_name(names)
    return _UNKNOWN_NAMES[key]


def flags_arg(
    raw: int,
    table: Iterable[tuple[int, str]],
    zero: str = "0",
    mask: int = 0xFFFFFFFF,
    unknown: str | None = None,
) -> Arg:
    """Flags; a value with no known bit gets strace's `/* X_??? */` comment."""
    v = raw & mask
    text = fmt.flags(v, table, zero)
    if v and fmt.STYLE.constants != "raw" and text == f"{v:#x}":
        name = unknown or _unknown_for(table)
        if name:
            text = f"{v:#x} /* {name} */"
    return Arg(text, raw, "flags", text)


def enum_arg(
    raw: int, table: Mapping[int, str], mask: int = 0xFFFFFFFF, unknown: str = "{:#x}"
) -> Arg:
    v = raw & mask
    if unknown == "{:#x}" and v not in table and fmt.STYLE.constants != "raw":
        name = _unknown_for(table)
        if name:
            unknown = "{:#x} /* " + name + " */"
    if v & 0x80000000 and mask == 0xFFFFFFFF and v not in table:
        return Arg(unknown.format(v), raw, "flags", None)
    text = fmt.enum(v, table, unknown)
    return Arg(text, raw, "flags", text)


def mode_arg(raw: int) -> Arg:
    v = raw & 0xFFFF  # umode_t
    return Arg(fmt.octal_mode(v), raw, "int", v)


def struct_arg(text: str, raw: int, value: Any = None, at_exit: bool = False) -> Arg:
    return Arg(text, raw, "struct", value, at_exit)


def id_arg(raw: int) -> Arg:
    """A uid/gid: -1 stays -1 (strace prints the unsigned -1 as -1)."""
    v = raw & 0xFFFFFFFF
    return Arg("-1" if v == 0xFFFFFFFF else str(v), raw, "int", v)
