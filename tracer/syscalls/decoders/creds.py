"""Decoders for credentials: set*id/get*id with out-arrays, groups, capget/capset."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_entry, declare_exit
from tracer.syscalls.decoders.arguments import id_arg, int_arg, mem_of, ok, ptr_arg, struct_arg
from tracer.syscalls.decoders.arrays import array_text
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


def _u32(data: bytes) -> int:
    return _U32.unpack(data)[0]


# Three uid_t *: each None where NULL, unreadable or short.
declare_exit(
    ("getresuid", "getresgid"), *(Read(i, i, 4, exact=True, convert=_u32) for i in range(3))
)


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


def _gids(data: bytes) -> list[int]:
    return [v for (v,) in struct.iter_unpack("<I", data[: len(data) // 4 * 4])]


# strace shows `ret` entries even for a size-0 query (the kernel wrote none of them), at
# most MAX_GROUPS_SHOWN: None where NULL or unreadable, [] for none.
declare_exit(
    "getgroups", Read(1, 1, size_ret=True, scale=4, cap=4 * MAX_GROUPS_SHOWN, convert=_gids)
)


_NGROUPS_MAX = 65536


# The gid array when its size (an int) is at most NGROUPS_MAX: up to that many gids (the
# decoder looks at -s of them and the one past). None where NULL, unreadable or empty.
_SETGROUPS_READ = {"size_arg": 0, "scale": 4, "cap": 4 * _NGROUPS_MAX, "nonpos_empty": False}
declare_entry(
    "setgroups",
    Read(1, 1, when=(0, 0xFFFF0000, (0,)), **_SETGROUPS_READ),  # below 65536
    Read(1, 1, when=(0, 0xFFFFFFFF, (_NGROUPS_MAX,)), **_SETGROUPS_READ),
)


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


def _cap_data(hdr: tuple | None, data: bytes | None):
    """(effective, permitted, inheritable) from the cap_user_data_t bytes read (up to two
    structs): one struct for version 1, two otherwise; None where memory held fewer."""
    if hdr is None:
        return None
    n = 1 if hdr[0] == 0x19980330 else 2
    if data is None or len(data) < _CAP_DATA.size * n:
        return None
    parts = [_CAP_DATA.unpack_from(data, i * _CAP_DATA.size) for i in range(n)]
    # (effective, permitted, inheritable) as 64-bit masks
    return tuple(sum(p[k] << (32 * i) for i, p in enumerate(parts)) for k in range(3))


# The header (None where NULL, unreadable or short) and the data's bytes: as many as two
# structs need, the decoder keeping what the header's version says (`_cap_data`). capget
# reads both again at exit (its header as the kernel left it).
_CAP_HEADER_READ = Read(0, 0, _CAP_HEADER.size, exact=True, convert=_CAP_HEADER.unpack)
_CAP_DATA_READ = Read("capdata", 1, 2 * _CAP_DATA.size)
declare_entry("capget", _CAP_HEADER_READ)
declare_entry("capset", _CAP_HEADER_READ, _CAP_DATA_READ)
declare_exit(
    "capget",
    Read("caphdr_exit", 0, _CAP_HEADER.size, exact=True, convert=_CAP_HEADER.unpack),
    _CAP_DATA_READ,
)


def _caps(call: Syscall, is_get: bool):
    mem = call.mem or {}
    return _cap_data(mem.get("caphdr_exit" if is_get else 0), mem.get("capdata"))


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
    caps = _caps(call, is_get)
    if caps is None or (is_get and not ok(call)):
        data = ptr_arg(a[1], at_exit=is_get)
    else:
        eff, perm, inh = caps
        text = f"{{effective={cap_mask(eff)}, permitted={cap_mask(perm)}, inheritable={cap_mask(inh)}}}"
        data = struct_arg(text, a[1], caps, at_exit=is_get)
    return Decoded([head, data])
