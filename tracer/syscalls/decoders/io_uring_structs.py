"""The structures io_uring_register's opcodes take, read and shown as strace shows them.

Several hold further pointers (an fd or iovec array and its tags), and the resource
structures may be given larger than the kernel knows: strace shows what lies past the
known part as `/* bytes 32..39 */ "\\xa0..."` when it is not zero, `???` when it cannot
be read. IORING_REGISTER_PROBE is filled in by the kernel: shown at entry unless the
caller zeroed it (as it must), and what the kernel wrote after ` => `.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.render import RenderContext
from tracer.syscalls.xlat import io_uring as x

from .arrays import array_items, each_item, read_array
from .kstructs import xflags, xval

PROBE_HEAD = struct.Struct("<BBH3I")  # last_op, ops_len, resv, resv2[3]
PROBE_OP = struct.Struct("<BBHI")  # op, resv, flags, resv2
PROBE_OPS_MAX = 256  # ops_len is a byte
RSRC_REGISTER = struct.Struct("<IIQQQ")  # nr, flags, resv2, data, tags
RSRC_UPDATE2 = struct.Struct("<IIQQII")  # offset, resv, data, tags, nr, resv2
FILES_UPDATE = struct.Struct("<IIQ")  # offset, resv, fds
BUF_REG = struct.Struct("<QIHH3Q")  # ring_addr, ring_entries, bgid, pad, resv[3]
IOVEC = struct.Struct("<QQ")
_EXTRA_MAX = 4096  # bytes past the known part that are looked at

FdText = Callable[[int], str]


def hex0(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _nonzero(name: str, v: int) -> list[str]:
    return [f"{name}={v:#x}"] if v else []


def _hex_list(name: str, values: tuple[int, ...]) -> list[str]:
    return [f"{name}=[" + ", ".join(hex0(v) for v in values) + "]"] if any(values) else []


def read_exact(mem: MemoryReader, addr: int, size: int) -> bytes | None:
    data = mem.read(addr, size) if addr else None
    return data if data is not None and len(data) >= size else None


# ---- arrays the structures point to ----------------------------------------------------


def fds_of(data: bytes | None) -> list[int]:
    """The fds of an int array, for -y."""
    if not data:
        return []
    return [v for (v,) in struct.iter_unpack("<i", data[: len(data) // 4 * 4])]


def fd_array(data: bytes | None, addr: int, count: int, fd: FdText, limit: int) -> str:
    return array_items(data, addr, count, 4, each_item(4, lambda b, _i: fd(_s32(b))), limit)


def _s32(b: bytes) -> int:
    return int.from_bytes(b[:4], "little", signed=True)


def iovec_pointers(data: bytes | None, addr: int, count: int, limit: int) -> str:
    def item(b: bytes, _i: int) -> str:
        base, length = IOVEC.unpack(b)
        return f"{{iov_base={hex0(base) if base else 'NULL'}, iov_len={length}}}"

    return array_items(data, addr, count, 16, each_item(16, item), limit)


def u64_array(data: bytes | None, addr: int, count: int, limit: int) -> str:
    item = each_item(8, lambda b, _i: hex0(int.from_bytes(b, "little")))
    return array_items(data, addr, count, 8, item, limit)


# ---- the resource structures (FILES2 / BUFFERS2, FILES_UPDATE2 / BUFFERS_UPDATE) -------


def read_rsrc(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits, files: bool,
              update: bool) -> dict:  # fmt: skip
    """The structure, what its data and tags point to, and the bytes past it."""
    size = args[3] & 0xFFFFFFFF
    layout = RSRC_UPDATE2 if update else RSRC_REGISTER
    data = read_exact(mem, args[2], layout.size) if size >= layout.size else None
    if data is None:
        return {}
    fields = layout.unpack(data)
    nr, ptr, tags = (fields[4], fields[2], fields[3]) if update else (fields[0], fields[3],
                                                                      fields[4])  # fmt: skip
    items = read_array(mem, ptr, nr, 4 if files else 16, limits.strsize)
    out: dict = {2: data, "data": items, "tags": read_array(mem, tags, nr, 8, limits.strsize)}
    if files:
        out["_fds"] = fds_of(items)
    if size > layout.size:
        want = min(size - layout.size, _EXTRA_MAX)
        out["extra"] = read_exact(mem, args[2] + layout.size, want)
    return out


def _extra(mem: dict, start: int) -> list[str]:
    if "extra" not in mem:
        return []
    extra = mem["extra"]
    if extra is None:
        return ["???"]
    if not any(extra):
        return []
    escaped = "".join(f"\\x{b:02x}" for b in extra)
    return [f'/* bytes {start}..{start + len(extra) - 1} */ "{escaped}"']


def _rsrc_items(mem: dict, ptr: int, tags: int, nr: int, files: bool, upd: bool,
                fd: FdText, limit: int) -> tuple[str, str]:  # fmt: skip
    if files:
        skip = x.IORING_REGISTER_FILES_SKIP
        one = (lambda v: xval(v, skip, "", "{}") if v in skip else fd(v)) if upd else fd
        data = fd_array(mem.get("data"), ptr, nr, one, limit)
    else:
        data = iovec_pointers(mem.get("data"), ptr, nr, limit)
    return data, u64_array(mem.get("tags"), tags, nr, limit)


def rsrc_register_text(mem: dict, files: bool, fd: FdText, limit: int) -> str | None:
    raw = mem.get(2)
    if raw is None:
        return None
    nr, flags, resv2, ptr, tags = RSRC_REGISTER.unpack(raw)
    data, tag_text = _rsrc_items(mem, ptr, tags, nr, files, False, fd, limit)
    flag_text = xflags(flags, x.IORING_RSRC_REGISTER_FLAGS, "IORING_RSRC_REGISTER_???")
    parts = [f"nr={nr}", f"flags={flag_text}", *_nonzero("resv2", resv2),
             f"data={data}", f"tags={tag_text}", *_extra(mem, RSRC_REGISTER.size)]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


def rsrc_update_text(mem: dict, files: bool, fd: FdText, limit: int) -> str | None:
    raw = mem.get(2)
    if raw is None:
        return None
    offset, resv, ptr, tags, nr, resv2 = RSRC_UPDATE2.unpack(raw)
    data, tag_text = _rsrc_items(mem, ptr, tags, nr, files, True, fd, limit)
    parts = [f"offset={offset}", *_nonzero("resv", resv), f"data={data}", f"tags={tag_text}",
             f"nr={nr}", *_nonzero("resv2", resv2), *_extra(mem, RSRC_UPDATE2.size)]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


# ---- IORING_REGISTER_FILES_UPDATE, the PBUF_RING registration ---------------------------


def files_update_text(mem: dict, nargs: int, fd: FdText, limit: int) -> str | None:
    raw = mem.get(2)
    if raw is None:
        return None
    offset, resv, fds = FILES_UPDATE.unpack(raw)
    skip = x.IORING_REGISTER_FILES_SKIP
    one = lambda v: xval(v, skip, "", "{}") if v in skip else fd(v)  # noqa: E731
    parts = [f"offset={offset}", *_nonzero("resv", resv),
             f"fds={fd_array(mem.get('fds'), fds, nargs, one, limit)}"]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


def buf_reg_text(raw: bytes | None) -> str | None:
    if raw is None:
        return None
    ring, entries, bgid, pad, *resv = BUF_REG.unpack(raw)
    parts = [f"ring_addr={hex0(ring) if ring else 'NULL'}", f"ring_entries={entries}",
             f"bgid={bgid}", *_nonzero("pad", pad), *_hex_list("resv", tuple(resv))]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


# ---- IORING_REGISTER_PROBE -------------------------------------------------------------


def probe_size(nargs: int) -> int:
    return PROBE_HEAD.size + min(nargs, PROBE_OPS_MAX) * PROBE_OP.size


def _probe_op(b: bytes, _i: int) -> str:
    op, resv, flags, resv2 = PROBE_OP.unpack(b)
    parts = [f"op={xval(op, x.IORING_OPS, 'IORING_OP_???', '{}')}", *_nonzero("resv", resv),
             f"flags={xflags(flags, x.IO_URING_OP_FLAGS, 'IO_URING_OP_???')}",
             *_nonzero("resv2", resv2)]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


def probe_text(raw: bytes, addr: int, count: int, more: bool, limit: int) -> str:
    """The header and `count` ops (`more`: the kernel has more than the caller's room)."""
    last_op, ops_len, resv, *resv2 = PROBE_HEAD.unpack_from(raw)
    ops_addr = addr + PROBE_HEAD.size
    ops = array_items(raw[PROBE_HEAD.size :], ops_addr, count, PROBE_OP.size,
                      each_item(PROBE_OP.size, _probe_op), limit)  # fmt: skip
    if more and not ops.endswith("...]"):
        ops = ops[:-1] + (", ...]" if count else "...]")
    parts = [f"last_op={xval(last_op, x.IORING_OPS, 'IORING_OP_???', '{}')}",
             f"ops_len={ops_len}", *_nonzero("resv", resv), *_hex_list("resv2", tuple(resv2)),
             f"ops={ops}"]  # fmt: skip
    return "{" + ", ".join(parts) + "}"


def probe_arg(call: Syscall, ctx: RenderContext, ok: bool) -> str | None:
    """Entry view unless zeroed, then ` => ` and the kernel's view when the call worked."""
    mem = call.mem or {}
    addr = call.args[2]
    nargs = min(call.args[3] & 0xFFFFFFFF, PROBE_OPS_MAX)
    entry = mem.get(2)
    if entry is None:
        return None
    text = probe_text(entry, addr, nargs, False, ctx.strsize) if any(entry) else ""
    out = mem.get("out")
    if ok and out is not None:
        ops_len = out[1]
        after = probe_text(out, addr, min(ops_len, nargs), ops_len > nargs, ctx.strsize)
        return f"{text} => {after}" if text else after
    return text or None
