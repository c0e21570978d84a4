"""Decoders for credentials: set*id/get*id with out-arrays, groups, capget/capset."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.decoders.arguments import id_arg, int_arg, mem_of, ok, ptr_arg, struct_arg
from tracer.syscalls.decoders.arrays import array_text, read_array
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import process as x

_U32 = struct.Struct("<I")
MAX_GROUPS_SHOWN = 1024


@decoder("setuid", "setgid", "setfsuid", "setfsgid")
def decode_one_id(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([id_arg(call.args[0])])


@decoder("setreuid", "setregid")
def decode_two_ids(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([id_arg(call.args[0]), id_arg(call.args[1])])


@decoder("setresuid", "setresgid")
def decode_three_ids(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([id_arg(a) for a in call.args[:3]])


@on_exit("getresuid", "getresgid")
def capture_getres(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    out = {}
    for i in range(3):
        data = mem.read(args[i], 4) if args[i] else None
        out[i] = _U32.unpack(data)[0] if data is not None and len(data) == 4 else None
    return out


@decoder("getresuid", "getresgid")
def decode_getres(call: Syscall, ctx: RenderContext) -> Decoded:
    args = []
    for i in range(3):
        v = mem_of(call, i)
        if v is None or not ok(call):
            args.append(ptr_arg(call.args[i], at_exit=True))
        else:
            args.append(Arg(f"[{-1 if v == 0xFFFFFFFF else v}]", call.args[i], "int", v, True))
    return Decoded(args)


def _read_gids(mem: MemoryReader, addr: int, count: int) -> list[int] | None:
    count = min(count, MAX_GROUPS_SHOWN)
    if not addr or count <= 0:
        return [] if addr else None
    data = mem.read(addr, 4 * count)
    if data is None:
        return None
    return [v for (v,) in struct.iter_unpack("<I", data[: len(data) // 4 * 4])]


@on_exit("getgroups")
def capture_getgroups(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    # strace shows `ret` entries even for a size-0 query (the kernel wrote none of them).
    return {1: _read_gids(mem, args[1], ret)} if ret >= 0 else None


_NGROUPS_MAX = 65536


@on_entry("setgroups")
def capture_setgroups(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    n = args[0] & 0xFFFFFFFF
    return {1: read_array(mem, args[1], n, 4, limits.strsize)} if n <= _NGROUPS_MAX else None


def _gid(data: bytes) -> str:
    v = int.from_bytes(data, "little")
    return "-1" if v == 0xFFFFFFFF else str(v)


def gid_list(values: list[int], strsize: int) -> str:
    shown = ["-1" if v == 0xFFFFFFFF else str(v) for v in values[:strsize]]  # as strace
    if len(values) > strsize:
        shown.append("...")
    return "[" + ", ".join(shown) + "]"


@decoder("setgroups")
def decode_setgroups(call: Syscall, ctx: RenderContext) -> Decoded:
    """More than NGROUPS_MAX groups: strace shows the address alone."""
    a = call.args
    n = a[0] & 0xFFFFFFFF
    if n > _NGROUPS_MAX:
        return Decoded([int_arg(a[0]), ptr_arg(a[1])])
    data = mem_of(call, 1)
    return Decoded(
        [int_arg(a[0]), struct_arg(array_text(data, a[1], n, 4, ctx.strsize, _gid), a[1], data)]
    )


@decoder("getgroups")
def decode_getgroups(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    gids = mem_of(call, 1)
    if gids is None or not ok(call) or not a[1]:
        lst = ptr_arg(a[1], True)
    else:
        lst = struct_arg(gid_list(gids, ctx.strsize), a[1], gids, True)
    return Decoded([int_arg(a[0]), lst])


# --- capabilities ----------------------------------------------------------------------

_CAP_HEADER = struct.Struct("<Ii")
_CAP_DATA = struct.Struct("<III")


def _read_cap_data(mem: MemoryReader, addr: int, version: int):
    n = 1 if version == 0x19980330 else 2
    data = mem.read(addr, _CAP_DATA.size * n) if addr else None
    if data is None or len(data) < _CAP_DATA.size * n:
        return None
    parts = [_CAP_DATA.unpack_from(data, i * _CAP_DATA.size) for i in range(n)]
    # (effective, permitted, inheritable) as 64-bit masks
    return tuple(sum(p[k] << (32 * i) for i, p in enumerate(parts)) for k in range(3))


def _read_cap_header(mem: MemoryReader, addr: int):
    data = mem.read(addr, _CAP_HEADER.size) if addr else None
    return _CAP_HEADER.unpack(data) if data is not None and len(data) == 8 else None


@on_entry("capget")
def capture_capget_entry(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    return {0: _read_cap_header(mem, args[0])}


@on_entry("capset")
def capture_capset(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    hdr = _read_cap_header(mem, args[0])
    return {0: hdr, 1: _read_cap_data(mem, args[1], hdr[0]) if hdr else None}


@on_exit("capget")
def capture_capget(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    hdr = _read_cap_header(mem, args[0])
    return {1: _read_cap_data(mem, args[1], hdr[0]) if hdr else None}


def cap_mask(value: int) -> str:
    if not value:
        return "0"
    names = [f"1<<{name}" for bit, name in enumerate(x.CAPABILITIES) if value >> bit & 1]
    rest = value & ~((1 << len(x.CAPABILITIES)) - 1)
    if rest:
        names.append(f"{rest:#x}")
    return "|".join(names)


@decoder("capget", "capset")
def decode_capget(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    is_get = ctx.table.name(call.nr) == "capget"
    hdr = mem_of(call, 0)
    if hdr is None:
        head = ptr_arg(a[0])
    else:
        version = x.CAP_VERSIONS.get(hdr[0], f"{hdr[0]:#x} /* _LINUX_CAPABILITY_VERSION_??? */")
        head = struct_arg(f"{{version={version}, pid={hdr[1]}}}", a[0], hdr)
    caps = mem_of(call, 1)
    if caps is None or (is_get and not ok(call)):
        data = ptr_arg(a[1], at_exit=is_get)
    else:
        eff, perm, inh = caps
        text = f"{{effective={cap_mask(eff)}, permitted={cap_mask(perm)}, inheritable={cap_mask(inh)}}}"
        data = struct_arg(text, a[1], caps, at_exit=is_get)
    return Decoded([head, data])
