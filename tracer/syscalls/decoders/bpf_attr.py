"""The layout of bpf(2)'s `union bpf_attr` for each command strace 6.1 decodes.

A command's fields come in groups, in the order the kernel grew them: a group is
printed when the size the caller passed reaches into it (the rest of the attr reads
as zeros, as the kernel sees it), so a 4-byte BPF_MAP_CREATE still shows its four
first fields. `size` is where the command's struct ends: bytes past it that are not
zero print as extra data. BPF_LINK_CREATE's tail is a union chosen by attach_type.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from tracer.syscalls.fmt import pointer, quote_cstr
from tracer.syscalls.xlat import bpf as x

from . import bpf_fields as f
from .arrays import array_items, each_item, read_array
from .bpf_fields import Attr, Field, Show
from .kstructs import hex_quote

Group = tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Command:
    groups: tuple[Group, ...]
    size: int
    wrap: str | None = None  # `test={...}`: the fields sit in a named struct
    returns_fd: bool = False
    # a union after the groups, chosen by the attr: its fields and where it ends
    variant: Callable[[Attr], tuple[Group, int]] | None = None


# ---- the getters' fields: what the kernel wrote back ------------------------------------


def _changed(entry: int, s: Show, off: int) -> str:
    """`152 => 104` when the kernel changed the value."""
    if s.exit_attr is None:
        return str(entry)
    after = s.exit_attr.u32(off)
    return f"{entry} => {after}" if after != entry else str(entry)


def _counter(name: str, off: int) -> Field:
    return Field(name, off, lambda s, fld: _changed(s.attr.u32(fld.off), s, fld.off))


def _prog_ids(s: Show, fld: Field) -> str:
    """Read at exit, with the count the kernel left."""
    a = s.exit_attr or s.attr
    count = a.u32(24)
    data = s.mem.get("prog_ids_out") if s.ok else None
    elem = lambda d, i: str(struct.unpack("<I", d)[0])  # noqa: E731
    return array_items(data, a.u64(16), count, 4, each_item(4, elem), s.strsize)


# BPF_OBJ_GET_INFO_BY_FD's info, when its fd is a map (-v): one field per group, as
# far as the length the kernel left reaches
MAP_INFO: tuple[Group, ...] = tuple(
    (fld,)
    for fld in (
        f.enum("type", 0, x.MAP_TYPES, "BPF_MAP_TYPE_???"),
        f.u32("id", 4),
        f.u32("key_size", 8),
        f.u32("value_size", 12),
        f.u32("max_entries", 16),
        f.flags("map_flags", 20, x.MAP_FLAGS, "BPF_F_???"),
        f.fixed_name("name", 24),
        f.ifindex("ifindex", 40),
        f.u32("btf_vmlinux_value_type_id", 44),
        f.makedev("netns_dev", 48),
        f.u64("netns_ino", 56),
        f.u32("btf_id", 64),
        f.u32("btf_key_type_id", 68),
        f.u32("btf_value_type_id", 72),
    )
)
MAP_INFO_SIZE = 88  # bytes past it that are not zero print as extra data


def _info(s: Show, fld: Field) -> str:
    """The info struct as it is after the call (the kernel's values, or the caller's
    when it failed), for a map under -v; its address otherwise."""
    addr = s.attr.u64(fld.off)
    data = s.mem.get("info_out" if s.ok else "info_in")
    if s.abbrev or s.mem.get("info_kind") != "map" or not data:
        return pointer(addr)
    info = Show(Attr(data, MAP_INFO_SIZE), s.mem, s.fd, s.strsize, s.abbrev, s.ok, None)
    shown = [g for g in MAP_INFO if info.attr.length > g[0].off]
    parts = [fl.show(info) for g in shown for fl in g]
    extra = extra_data(info.attr, MAP_INFO_SIZE, s.abbrev)
    return "{" + ", ".join(parts + ([extra] if extra else [])) + "}"


def extra_data(attr: Attr, end: int, abbrev: bool) -> str | None:
    """Bytes past a struct's end that are not zero: `...`, or all of them under -v."""
    if attr.length <= end:
        return None
    rest = attr.data[end : attr.length]
    if not any(rest):
        return None
    if abbrev:
        return "..."
    return f"extra_data={hex_quote(rest)} /* bytes {end}..{attr.length - 1} */"


# ---- BPF_LINK_CREATE's union --------------------------------------------------------------


def _iter_info_elem(s: Show, d: bytes) -> str:
    return f"{{map={{map_fd={s.fd(struct.unpack('<i', d)[0])}}}}}"


def _syms(fld_off: int, count_off: int) -> Field:
    """kprobe_multi's symbol names: an array of string pointers."""

    def deref(mem, a: Attr, limits):
        addr, count = a.u64(fld_off), a.u32(count_off)
        ptrs = read_array(mem, addr, count, 8, limits.strsize)
        if ptrs is None:
            return None
        names = []
        for i in range(len(ptrs) // 8):
            p = struct.unpack_from("<Q", ptrs, i * 8)[0]
            names.append(mem.read_cstr(p, limits.strsize) if p else None)
        return ptrs, names

    def text(s: Show, fld: Field) -> str:
        got = s.mem.get(fld.name)
        ptrs, names = got if got is not None else (None, [])

        def elem(d: bytes, i: int) -> str:
            p = struct.unpack("<Q", d)[0]
            return quote_cstr(names[i], s.strsize, p) if p else "NULL"

        addr, count = s.attr.u64(fld.off), s.attr.u32(count_off)
        return array_items(ptrs, addr, count, 8, each_item(8, elem), s.strsize)

    return Field("syms", fld_off, text, deref=deref)


def nested(name: str, off: int, fields: Group) -> Field:
    """`perf_event={bpf_cookie=...}`: a struct inside the attr."""

    def text(s: Show, fld: Field) -> str:
        return "{" + ", ".join(p.show(s) for p in fields if p.when is None or p.when(s.attr)) + "}"

    return Field(name, off, text, parts=fields)


_TARGET_BTF_ID = (f.u32("target_btf_id", 16).only_if(lambda a: a.u32(16) != 0),)
_ITER = (
    f.array("iter_info", 16, 24, 4, _iter_info_elem, fds=f.int_values),
    f.u32("iter_info_len", 24),
)
_PERF_EVENT = (nested("perf_event", 16, (f.x64("bpf_cookie", 16),)),)
_KPROBE_MULTI = (
    nested(
        "kprobe_multi",
        16,
        (
            f.flags("flags", 16, x.KPROBE_MULTI_FLAGS, "BPF_F_???"),
            f.u32("cnt", 20),
            _syms(24, 20),
            f.array("addrs", 32, 20, 8, f.u64_hex_elem),
            f.array("cookies", 40, 20, 8, f.u64_hex_elem),
        ),
    ),
)
_TRACE_ITER, _PERF_EVENT_TYPE, _KPROBE_MULTI_TYPE = 28, 41, 42


def _link_create_union(a: Attr) -> tuple[Group, int]:
    kind = a.u32(8)
    if kind == 0:
        return _TARGET_BTF_ID, 20
    if kind == _TRACE_ITER:
        return _ITER, 28
    if kind == _PERF_EVENT_TYPE:
        return _PERF_EVENT, 24
    if kind == _KPROBE_MULTI_TYPE:
        return _KPROBE_MULTI, 48
    return (), 16


# ---- the commands -------------------------------------------------------------------------


def _elem(key2: str | None = "value", flags: Group = ()) -> tuple[Group, ...]:
    head: Group = (f.fd("map_fd", 0), f.ptr("key", 8))
    if key2:
        head += (f.ptr(key2, 16),)
    return (head, flags) if flags else (head,)


def _next_id(first: str) -> Command:
    return Command(
        (
            (f.u32(first, 0), f.u32("next_id", 4)),
            (f.flags("open_flags", 8, x.FILE_MODE_FLAGS, "BPF_F_???"),),
        ),
        12,
    )


def _by_id(first: str, fd_flags: bool = True) -> Command:
    if not fd_flags:
        return Command(((f.u32(first, 0),),), 4, returns_fd=True)
    return Command(_next_id(first).groups, 12, returns_fd=True)


def _batch(*pointers: str) -> Command:
    offsets = {"in_batch": 0, "out_batch": 8, "keys": 16, "values": 24}
    fields = tuple(f.ptr(p, offsets[p]) for p in pointers)
    fields += (
        f.u32("count", 32),
        f.fd("map_fd", 36),
        f.enum("elem_flags", 40, x.UPDATE_FLAGS, "BPF_???", wide=True),
        f.x64("flags", 48),
    )
    return Command((fields,), 56, wrap="batch")


_OBJ_PIN = Command(
    (
        (f.path("pathname", 0), f.fd("bpf_fd", 8)),
        (f.flags("file_flags", 12, x.FILE_MODE_FLAGS, "BPF_F_???"),),
    ),
    16,
)
_LOOKUP = Command(
    _elem("value", (f.flags("flags", 24, x.LOOKUP_FLAGS, "BPF_F_???", wide=True),)), 32
)
_ATTACH_TYPE = (x.ATTACH_TYPES, "BPF_???")

COMMANDS: dict[int, Command] = {
    0: Command(
        (
            (
                f.enum("map_type", 0, x.MAP_TYPES, "BPF_MAP_TYPE_???"),
                f.u32("key_size", 4),
                f.u32("value_size", 8),
                f.u32("max_entries", 12),
            ),
            (f.flags("map_flags", 16, x.MAP_FLAGS, "BPF_F_???"),),
            (f.fd("inner_map_fd", 20),),
            (f.numa_node("numa_node", 24),),
            (f.fixed_name("map_name", 28),),
            (f.ifindex("map_ifindex", 44),),
            (f.fd("btf_fd", 48), f.u32("btf_key_type_id", 52), f.u32("btf_value_type_id", 56)),
            (f.u32("btf_vmlinux_value_type_id", 60),),
            (f.u64("map_extra", 64),),
        ),
        72,
        returns_fd=True,
    ),
    1: _LOOKUP,
    2: Command(
        (_elem("value")[0] + (f.enum("flags", 24, x.UPDATE_FLAGS, "BPF_???", wide=True),),), 32
    ),
    3: Command(_elem(None), 16),
    4: Command(_elem("next_key"), 24),
    5: Command(
        (
            (
                f.enum("prog_type", 0, x.PROG_TYPES, "BPF_PROG_TYPE_???"),
                f.u32("insn_cnt", 4),
                f.insns("insns", 8, 4),
                f.cstr("license", 16),
            ),
            (
                f.u32("log_level", 24),
                f.u32("log_size", 28),
                f.counted_str("log_buf", 32, 28, True),
                f.kernel_version("kern_version", 40),
                f.flags("prog_flags", 44, x.PROG_FLAGS, "BPF_F_???"),
            ),
            (f.fixed_name("prog_name", 48),),
            (f.ifindex("prog_ifindex", 64),),
            (f.enum("expected_attach_type", 68, *_ATTACH_TYPE),),
            (
                f.fd("prog_btf_fd", 72),
                f.u32("func_info_rec_size", 76),
                f.ptr("func_info", 80),
                f.u32("func_info_cnt", 88),
                f.u32("line_info_rec_size", 92),
                f.ptr("line_info", 96),
                f.u32("line_info_cnt", 104),
            ),
            (f.u32("attach_btf_id", 108), f.fd("attach_prog_fd", 112)),
            (f.ptr("fd_array", 120),),
        ),
        128,
        returns_fd=True,
    ),
    6: _OBJ_PIN,
    7: Command(_OBJ_PIN.groups, 16, returns_fd=True),
    8: Command(
        (
            (
                f.fd("target_fd", 0),
                f.fd("attach_bpf_fd", 4),
                f.enum("attach_type", 8, *_ATTACH_TYPE),
                f.flags("attach_flags", 12, x.ATTACH_FLAGS, "BPF_F_???"),
            ),
            (f.fd("replace_bpf_fd", 16),),
        ),
        20,
    ),
    9: Command(((f.fd("target_fd", 0), f.enum("attach_type", 8, *_ATTACH_TYPE)),), 12),
    10: Command(
        (
            (
                f.fd("prog_fd", 0),
                f.u32("retval", 4),
                f.u32("data_size_in", 8),
                f.u32("data_size_out", 12),
                f.ptr("data_in", 16),
                f.ptr("data_out", 24),
                f.u32("repeat", 32),
                f.u32("duration", 36),
            ),
            (
                f.u32("ctx_size_in", 40),
                f.u32("ctx_size_out", 44),
                f.ptr("ctx_in", 48),
                f.ptr("ctx_out", 56),
            ),
            (f.flags("flags", 64, x.TEST_RUN_FLAGS, "BPF_F_???"), f.u32("cpu", 68)),
            (f.u32("batch_size", 72),),
        ),
        76,
        wrap="test",
    ),
    11: _next_id("start_id"),
    12: _next_id("start_id"),
    13: _by_id("prog_id"),
    14: _by_id("map_id"),
    15: Command(
        ((f.fd("bpf_fd", 0), _counter("info_len", 4), Field("info", 8, _info)),), 16, wrap="info"
    ),
    16: Command(
        (
            (
                f.fd("target_fd", 0),
                f.enum("attach_type", 4, *_ATTACH_TYPE),
                f.flags("query_flags", 8, x.QUERY_FLAGS, "BPF_F_QUERY_???"),
                f.flags("attach_flags", 12, x.ATTACH_FLAGS, "BPF_F_???"),
                Field("prog_ids", 16, _prog_ids),
                _counter("prog_cnt", 24),
            ),
        ),
        28,
        wrap="query",
    ),
    17: Command(
        ((f.cstr("name", 0), f.fd("prog_fd", 8)),), 12, wrap="raw_tracepoint", returns_fd=True
    ),
    18: Command(
        (
            (
                f.counted_str("btf", 0, 16, False),
                f.ptr("btf_log_buf", 8),
                f.u32("btf_size", 16),
                f.u32("btf_log_size", 20),
                f.u32("btf_log_level", 24),
            ),
        ),
        28,
        returns_fd=True,
    ),
    19: _by_id("btf_id", False),
    20: Command(
        (
            (
                f.u32("pid", 0),
                f.fd("fd", 4),
                f.u32("flags", 8),
                f.u32("buf_len", 12),
                f.ptr("buf", 16),
                f.u32("prog_id", 24),
                f.enum("fd_type", 28, x.TASK_FD_TYPES, "BPF_FD_TYPE_???"),
                f.x64("probe_offset", 32),
                f.x64("probe_addr", 40),
            ),
        ),
        48,
        wrap="task_fd_query",
    ),
    21: _LOOKUP,
    22: Command(((f.fd("map_fd", 0),),), 4),
    23: _next_id("start_id"),
    24: _batch("in_batch", "out_batch", "keys", "values"),
    25: _batch("in_batch", "out_batch", "keys", "values"),
    26: _batch("keys", "values"),
    27: _batch("keys"),
    28: Command(
        (
            (
                f.fd("prog_fd", 0),
                f.fd("target_fd", 4),
                f.enum("attach_type", 8, *_ATTACH_TYPE),
                f.x32("flags", 12),
            ),
        ),
        16,
        wrap="link_create",
        returns_fd=True,
        variant=_link_create_union,
    ),
    29: Command(
        (
            (
                f.fd("link_fd", 0),
                f.fd("new_prog_fd", 4),
                f.flags("flags", 8, x.ATTACH_FLAGS, "BPF_F_???"),
                f.fd("old_prog_fd", 12).only_if(lambda a: bool(a.u32(8) & 4)),
            ),
        ),
        16,
        wrap="link_update",
    ),
    30: _by_id("link_id", False),
    31: _next_id("start_id"),
}

OBJ_GET_INFO_BY_FD, PROG_QUERY = 15, 16


def groups_of(cmd: Command, a: Attr) -> tuple[list[Group], int]:
    """The groups the caller's size reaches, and where the struct ends."""
    shown = [g for g in cmd.groups if g and a.length > g[0].off]
    end = cmd.size
    if cmd.variant is not None:
        tail, end = cmd.variant(a)
        if tail and a.length > tail[0].off:
            shown.append(tail)
    return shown, end
