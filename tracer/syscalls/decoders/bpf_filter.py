"""Classic BPF programs (`struct sock_fprog`) as strace prints them: `BPF_STMT(...)`, `BPF_JUMP(...)`.

Socket filters (SO_ATTACH_FILTER, SO_GET_FILTER) and seccomp filters print in full
only with -v; by default strace shows the program's address. The two kinds differ
only in how an instruction's constant reads (`KText`): packet offsets for sockets,
return actions for seccomp.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.fmt import STYLE, pointer

from .kstructs import xval

BPF_MAXINSNS = 4096
SOCK_FPROG_SIZE = 16  # struct sock_fprog on x86_64: u16 len, padding, a pointer
_INSN = struct.Struct("<HBBI")

_CLASS = {0: "BPF_LD", 1: "BPF_LDX", 2: "BPF_ST", 3: "BPF_STX", 4: "BPF_ALU", 5: "BPF_JMP",
          6: "BPF_RET", 7: "BPF_MISC"}  # fmt: skip
_SIZE = {0x00: "BPF_W", 0x08: "BPF_H", 0x10: "BPF_B", 0x18: "BPF_DW"}
_MODE = {0x00: "BPF_IMM", 0x20: "BPF_ABS", 0x40: "BPF_IND", 0x60: "BPF_MEM", 0x80: "BPF_LEN",
         0xA0: "BPF_MSH", 0xC0: "BPF_XADD"}  # fmt: skip
_OP_ALU = {0x00: "BPF_ADD", 0x10: "BPF_SUB", 0x20: "BPF_MUL", 0x30: "BPF_DIV", 0x40: "BPF_OR",
           0x50: "BPF_AND", 0x60: "BPF_LSH", 0x70: "BPF_RSH", 0x80: "BPF_NEG", 0x90: "BPF_MOD",
           0xA0: "BPF_XOR", 0xB0: "BPF_MOV", 0xC0: "BPF_ARSH", 0xD0: "BPF_END"}  # fmt: skip
_OP_JMP = {0x00: "BPF_JA", 0x10: "BPF_JEQ", 0x20: "BPF_JGT", 0x30: "BPF_JGE", 0x40: "BPF_JSET",
           0x50: "BPF_JNE", 0x60: "BPF_JSGT", 0x70: "BPF_JSGE", 0x80: "BPF_CALL", 0x90: "BPF_EXIT",
           0xA0: "BPF_JLT", 0xB0: "BPF_JLE", 0xC0: "BPF_JSLT", 0xD0: "BPF_JSLE"}  # fmt: skip
_SRC = {0x00: "BPF_K", 0x08: "BPF_X"}
_RVAL = {0x00: "BPF_K", 0x08: "BPF_X", 0x10: "BPF_A"}
_MISCOP = {0x00: "BPF_TAX", 0x80: "BPF_TXA"}
_SKF_AD = {0: "SKF_AD_PROTOCOL", 4: "SKF_AD_PKTTYPE", 8: "SKF_AD_IFINDEX", 12: "SKF_AD_NLATTR",
           16: "SKF_AD_NLATTR_NEST", 20: "SKF_AD_MARK", 24: "SKF_AD_QUEUE", 28: "SKF_AD_HATYPE",
           32: "SKF_AD_RXHASH", 36: "SKF_AD_CPU", 40: "SKF_AD_ALU_XOR_X", 44: "SKF_AD_VLAN_TAG",
           48: "SKF_AD_VLAN_TAG_PRESENT", 52: "SKF_AD_PAY_OFFSET", 56: "SKF_AD_RANDOM",
           60: "SKF_AD_VLAN_TPID"}  # fmt: skip
_SKF_OFFSETS = ((0xFFFFF000, "SKF_AD_OFF"), (0xFFF00000, "SKF_NET_OFF"), (0xFFE00000, "SKF_LL_OFF"))

KText = Callable[[int, int], str]  # (opcode, k) -> the constant's text


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _unknown_bits(i: int) -> str:
    return f"|{i:#x} /* BPF_??? */"


def bpf_code(code: int) -> str:
    """An instruction's opcode as `BPF_LD|BPF_H|BPF_ABS` (print_bpf_filter_code, classic BPF)."""
    cls = code & 0x07
    rest = code & ~cls
    text = xval(cls, _CLASS, "BPF_???")
    if cls in (2, 3):  # BPF_ST, BPF_STX
        return text + (_unknown_bits(rest) if rest else "")
    if cls in (0, 1):  # BPF_LD, BPF_LDX
        return f"{text}|{xval(code & 0x18, _SIZE, 'BPF_???')}|{xval(code & 0xE0, _MODE, 'BPF_???')}"
    if cls == 7:  # BPF_MISC
        op = code & 0xF8
        rest &= ~op
        return f"{text}|{xval(op, _MISCOP, 'BPF_???')}" + (_unknown_bits(rest) if rest else "")
    if cls in (4, 5):  # BPF_ALU, BPF_JMP
        ops = _OP_ALU if cls == 4 else _OP_JMP
        return f"{text}|{xval(code & 0x08, _SRC, 'BPF_???')}|{xval(code & 0xF0, ops, 'BPF_???')}"
    rval = code & 0x18  # BPF_RET
    rest &= ~rval
    return f"{text}|{xval(rval, _RVAL, 'BPF_???')}" + (_unknown_bits(rest) if rest else "")


def socket_k(code: int, k: int) -> str:
    """A socket filter's constant: packet offsets relative to SKF_*_OFF by name."""
    if code & 0x07 == 0 and code & 0xE0 == 0x20:  # BPF_LD|BPF_ABS
        for base, name in _SKF_OFFSETS:
            if k >= base:
                if STYLE.constants == "raw":
                    head = f"{base:#x}"
                elif STYLE.constants == "verbose":
                    head = f"{base:#x} /* {name} */"
                else:
                    head = name
                if base == 0xFFFFF000:
                    return f"{head}+{xval(k - base, _SKF_AD, 'SKF_AD_???')}"
                return f"{head}+{k - base}"
    return _hex(k)


def render_filter(data: bytes | None, count: int, addr: int, k_text: KText = socket_k) -> str:
    """`count` instructions at `addr` (print_array of print_bpf_filter_block)."""
    if not addr:
        return "NULL"
    if not count:
        return "[]"
    if data is None or len(data) < _INSN.size:
        return pointer(addr)
    out: list[str] = []
    for i in range(count):
        off = i * _INSN.size
        if off + _INSN.size > len(data):
            out.append(f"... /* {addr + off:#x} */")
            break
        if i >= BPF_MAXINSNS:
            out.append("...")
            break
        code, jt, jf, k = _INSN.unpack_from(data, off)
        if jt or jf:
            out.append(f"BPF_JUMP({bpf_code(code)}, {_hex(k)}, {_hex(jt)}, {_hex(jf)})")
        else:
            out.append(f"BPF_STMT({bpf_code(code)}, {k_text(code, k)})")
    return "[" + ", ".join(out) + "]"


def filter_bytes(count: int) -> int:
    """How many bytes of instructions to read: one past BPF_MAXINSNS says `...`."""
    return min(count, BPF_MAXINSNS + 1) * _INSN.size


def fprog_head(head: bytes | None) -> tuple[int, int] | None:
    """(len, filter) of a captured `struct sock_fprog`, None when it could not be read."""
    if head is None or len(head) < SOCK_FPROG_SIZE:
        return None
    return struct.unpack_from("<H6xQ", head)


def render_sock_fprog(
    head: bytes | None, insns: bytes | None, addr: int, abbrev: bool, k_text: KText = socket_k
) -> str:
    """`{len=6, filter=[...]}`, the filter's address when abbreviated (strace's default)."""
    fprog = fprog_head(head)
    if fprog is None:
        return pointer(addr)
    count, filt = fprog
    text = pointer(filt) if abbrev else render_filter(insns, count, filt, k_text)
    return f"{{len={count}, filter={text}}}"
