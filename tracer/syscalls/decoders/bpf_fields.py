"""The field kinds of bpf(2)'s `union bpf_attr`: how one field reads, what memory it
points to, and how strace 6.1 prints it.

A `Field` is data: its offset, a `text` function over the attr (`Show`), and, for
fields that point into the tracee (a license string, a program, an array), a `deref`
that reads that memory while the tracee is stopped, kept under the field's name.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.fmt import STYLE, pointer, quote_buffer, quote_cstr, quote_path
from tracer.syscalls.fmt import makedev as fmt_makedev
from tracer.syscalls.xlat import bpf as x

from .arrays import array_items, each_item, read_array
from .kstructs import xflags, xval
from .sockaddr import ifindex_text

PATH_MAX = 4096
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_INSN = struct.Struct("<BBhi")


class Attr:
    """The attr the caller passed, zero-filled past its size as the kernel sees it."""

    __slots__ = ("data", "length")

    def __init__(self, data: bytes, pad: int = 256) -> None:
        self.length = len(data)
        self.data = data.ljust(pad, b"\0")

    def u32(self, off: int) -> int:
        return _U32.unpack_from(self.data, off)[0]

    def i32(self, off: int) -> int:
        return _I32.unpack_from(self.data, off)[0]

    def u64(self, off: int) -> int:
        return _U64.unpack_from(self.data, off)[0]


@dataclass(slots=True)
class Show:
    """What printing a field may look at."""

    attr: Attr
    mem: Mapping[str, Any]  # what the derefs read at entry, by field name
    fd: Callable[[int], str]  # an fd as -y prints it
    strsize: int
    abbrev: bool  # no -v: programs and info structs stay addresses
    ok: bool  # the call returned and succeeded
    exit_attr: Attr | None  # the attr read again at exit (getters)


Deref = Callable[[MemoryReader, Attr, CaptureLimits], Any]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    off: int
    text: Callable[[Show, Field], str]
    deref: Deref | None = None
    fd: bool = False  # an fd: named under -y
    when: Callable[[Attr], bool] | None = None  # printed only when this holds
    parts: tuple[Field, ...] = ()  # a struct inside the attr: its own fields
    fds: Callable[[Any], list[int]] | None = None  # the fds in what `deref` read

    def show(self, s: Show) -> str:
        return f"{self.name}={self.text(s, self)}"

    def only_if(self, test: Callable[[Attr], bool]) -> Field:
        return replace(self, when=test)


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


# ---- plain numbers ---------------------------------------------------------------------


def u32(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: str(s.attr.u32(f.off)))


def i32(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: str(s.attr.i32(f.off)))


def u64(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: str(s.attr.u64(f.off)))


def x32(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: _hex(s.attr.u32(f.off)))


def x64(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: _hex(s.attr.u64(f.off)))


def ptr(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: pointer(s.attr.u64(f.off)))


def fd(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: s.fd(s.attr.i32(f.off)), fd=True)


def enum(name: str, off: int, table: Mapping[int, str], unknown: str, wide: bool = False) -> Field:
    def text(s: Show, f: Field) -> str:
        return xval(s.attr.u64(f.off) if wide else s.attr.u32(f.off), table, unknown)

    return Field(name, off, text)


def flags(
    name: str, off: int, table: list[tuple[int, str]], unknown: str, wide: bool = False
) -> Field:
    def text(s: Show, f: Field) -> str:
        v = s.attr.u64(f.off) if wide else s.attr.u32(f.off)
        return xflags(v, table, unknown)

    return Field(name, off, text)


def ifindex(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: ifindex_text(s.attr.u32(f.off)))


def numa_node(name: str, off: int) -> Field:
    def text(s: Show, f: Field) -> str:
        v = s.attr.u32(f.off)
        if v != x.NUMA_NO_NODE or STYLE.constants == "raw":
            return str(v)
        return f"{v} /* NUMA_NO_NODE */"  # a comment even under -X abbrev

    return Field(name, off, text, when=lambda a: bool(a.u32(16) & x.BPF_F_NUMA_NODE))


def makedev(name: str, off: int) -> Field:
    return Field(name, off, lambda s, f: fmt_makedev(s.attr.u64(f.off)))


def kernel_version(name: str, off: int) -> Field:
    def text(s: Show, f: Field) -> str:
        v = s.attr.u32(f.off)
        macro = f"KERNEL_VERSION({v >> 16}, {v >> 8 & 0xFF}, {v & 0xFF})"
        if STYLE.constants == "abbrev":
            return macro
        return _hex(v) if STYLE.constants == "raw" else f"{_hex(v)} /* {macro} */"

    return Field(name, off, text)


def fixed_name(name: str, off: int, size: int = 16) -> Field:
    """A char array: the string up to its NUL, or `...` when the bytes the caller
    passed hold none."""

    def text(s: Show, f: Field) -> str:
        raw = s.attr.data[f.off : f.off + min(size, max(s.attr.length - f.off, 0))]
        end = raw.find(b"\0")
        if end >= 0:
            return quote_cstr(raw[:end], size)
        return quote_cstr(raw, len(raw) - 1) if raw else '""'

    return Field(name, off, text)


# ---- pointers to memory ----------------------------------------------------------------


def _read_cstr(limit: Callable[[CaptureLimits], int]) -> Callable[[int], Deref]:
    def at(off: int) -> Deref:
        def deref(mem: MemoryReader, a: Attr, limits: CaptureLimits) -> Any:
            addr = a.u64(off)
            return mem.read_cstr(addr, limit(limits)) if addr else None

        return deref

    return at


_cstr_at = _read_cstr(lambda lim: lim.strsize)
_path_at = _read_cstr(lambda lim: PATH_MAX)


def cstr(name: str, off: int) -> Field:
    """A NUL-terminated string, cut at -s."""

    def text(s: Show, f: Field) -> str:
        return quote_cstr(s.mem.get(f.name), s.strsize, s.attr.u64(f.off))

    return Field(name, off, text, deref=_cstr_at(off))


def path(name: str, off: int) -> Field:
    def text(s: Show, f: Field) -> str:
        return quote_path(s.mem.get(f.name), s.attr.u64(f.off))

    return Field(name, off, text, deref=_path_at(off))


def _read_bytes(off: int, size_off: int) -> Deref:
    def deref(mem: MemoryReader, a: Attr, limits: CaptureLimits) -> Any:
        addr, size = a.u64(off), a.u32(size_off)
        return mem.read(addr, min(size, limits.strsize + 1)) if addr and size else None

    return deref


def counted_str(name: str, off: int, size_off: int, terminated: bool) -> Field:
    """A buffer of the size another field gives: all of it (`terminated`: up to a NUL
    within it, `...` when none), cut at -s."""

    def text(s: Show, f: Field) -> str:
        addr, size = s.attr.u64(f.off), s.attr.u32(size_off)
        data = s.mem.get(f.name)
        if not addr:
            return "NULL"
        if data is None or len(data) < min(size, s.strsize):
            return pointer(addr)
        shown = data[: min(size, s.strsize)]
        more = size > s.strsize
        if terminated:
            end = shown.find(b"\0")
            if end >= 0:
                shown, more = shown[:end], False
            else:
                more = True
        return quote_buffer(shown, len(shown) + more, len(shown))

    return Field(name, off, text, deref=_read_bytes(off, size_off))


def int_values(data: bytes | None) -> list[int]:
    """The ints of an array that hold fds."""
    if not data:
        return []
    return list(struct.unpack(f"<{len(data) // 4}i", data[: len(data) // 4 * 4]))


def array(
    name: str,
    off: int,
    count_off: int,
    size: int,
    elem: Callable[[Show, bytes], str],
    fds: Callable[[Any], list[int]] | None = None,
) -> Field:
    def deref(mem: MemoryReader, a: Attr, limits: CaptureLimits) -> Any:
        return read_array(mem, a.u64(off), a.u32(count_off), size, limits.strsize)

    def text(s: Show, f: Field) -> str:
        addr, count = s.attr.u64(f.off), s.attr.u32(count_off)
        item = each_item(size, lambda d, i: elem(s, d))
        return array_items(s.mem.get(f.name), addr, count, size, item, s.strsize)

    return Field(name, off, text, deref=deref, fds=fds)


def u64_hex_elem(s: Show, d: bytes) -> str:
    return _hex(_U64.unpack(d)[0])


# ---- eBPF programs ----------------------------------------------------------------------


def insn_code(code: int) -> str:
    """`BPF_JMP|BPF_K|BPF_EXIT`, `BPF_STX|BPF_W|BPF_MEM`: an eBPF opcode."""
    cls = code & 7
    head = xval(cls, x.INSN_CLASSES, "BPF_???")
    if cls < 4:
        size = xval(code & 0x18, x.INSN_SIZES, "BPF_???")
        return f"{head}|{size}|{xval(code & 0xE0, x.INSN_MODES, 'BPF_???')}"
    ops = x.ALU_OPS if cls in (4, 7) else x.JMP_OPS
    return (
        f"{head}|{xval(code & 0x08, x.INSN_SOURCES, 'BPF_???')}|{xval(code & 0xF0, ops, 'BPF_???')}"
    )


def _insn(s: Show, d: bytes) -> str:
    code, regs, off, imm = _INSN.unpack(d)
    dst = xval(regs & 0xF, x.REGS, "BPF_REG_???")
    src = xval(regs >> 4, x.REGS, "BPF_REG_???")
    return f"{{code={insn_code(code)}, dst_reg={dst}, src_reg={src}, off={off}, imm={_hex(imm & 0xFFFFFFFF)}}}"


def insns(name: str, off: int, count_off: int) -> Field:
    """A program: its instructions under -v, its address otherwise."""
    full = array(name, off, count_off, _INSN.size, _insn)

    def text(s: Show, f: Field) -> str:
        return pointer(s.attr.u64(f.off)) if s.abbrev else full.text(s, f)

    return Field(name, off, text, deref=full.deref)
