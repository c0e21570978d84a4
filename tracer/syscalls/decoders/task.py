"""Decoders for per-task setup and queries: set_tid_address, robust lists, arch_prctl,
uname, getrandom, rseq, umask, sched_getaffinity."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    LIMIT_DATA,
    Read,
    declare_entry,
    declare_exit,
)
from tracer.syscalls.decoders.arguments import (
    flags_arg,
    hex_arg,
    int_arg,
    mem_of,
    ok,
    ptr_arg,
    struct_arg,
    ulong_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import process as x

from .kstructs import aux_flags, xflags, xval

_PTR = struct.Struct("<Q")


@decoder("set_tid_address")
def decode_set_tid_address(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ptr_arg(call.args[0])])


# The list head's address and the size the kernel stored.
declare_exit(
    "get_robust_list",
    *(
        Read(i, i, _PTR.size, null_skip=True, exact=True, bad_skip=True,
             convert=lambda d: _PTR.unpack(d)[0])
        for i in (1, 2)
    ),
)  # fmt: skip


@decoder("get_robust_list")
def decode_get_robust_list(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    head, size = mem_of(call, 1), mem_of(call, 2)
    out = []
    for raw, value, text in ((a[1], head, fmt.pointer), (a[2], size, str)):
        if value is None or not ok(call):
            out.append(ptr_arg(raw, at_exit=True))
        else:
            out.append(struct_arg(f"[{text(value)}]", raw, value, True))
    return Decoded([int_arg(a[0]), *out])


@decoder("set_robust_list")
def decode_set_robust_list(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ptr_arg(call.args[0]), ulong_arg(call.args[1])])


declare_exit(
    "arch_prctl",
    Read(1, 1, _PTR.size, null_skip=True, exact=True, bad_skip=True,
         convert=lambda d: _PTR.unpack(d)[0],
         when=(0, 0xFFFFFFFF, (0x1003, 0x1004, 0x1021, 0x1022, 0x1024))),
)  # fmt: skip


def _xfeature_mask(v: int) -> str:
    """A mask of extended state components: the names are not public, so strace keeps
    the number and comments it whatever -X says (except raw, which has no comment)."""
    if not v:
        return "0"
    if fmt.STYLE.constants == "raw":
        return f"{v:#x}"
    text = fmt.abbreviated(xflags, v, x.XFEATURE_MASKS, "XFEATURE_MASK_???")
    return text if text.startswith("0x") else f"{v:#x} /* {text} */"


@decoder("arch_prctl")
def decode_arch_prctl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    code = a[0] & 0xFFFFFFFF
    name = x.ARCH_PRCTL_CODES.get(code)
    first = Arg(xval(code, x.ARCH_PRCTL_CODES, "ARCH_???"), a[0], "flags", name)
    if code in (0x1003, 0x1004, 0x1021, 0x1022, 0x1024):
        v = mem_of(call, 1)
        if v is not None and ok(call):
            if code in (0x1003, 0x1004):  # ARCH_GET_FS, ARCH_GET_GS: an address
                text = f"[{fmt.pointer(v)}]"
            else:  # a mask of extended state components
                text = f"[{_xfeature_mask(v)}]"
            return Decoded([first, Arg(text, a[1], "ptr", v, True)])
        return Decoded([first, ptr_arg(a[1], at_exit=True)])
    if code == 0x1011:  # ARCH_GET_CPUID
        return Decoded([first])
    if code in (0x1023, 0x1025):  # ARCH_REQ_XCOMP_PERM, ARCH_REQ_XCOMP_GUEST_PERM
        v = a[1] & 0xFFFFFFFFFFFFFFFF
        number = f"{v:#x}" if v else "0"
        if fmt.STYLE.constants != "raw":  # the names are not public: always in a comment
            number += f" /* {x.XFEATURES.get(v, 'XFEATURE_???')} */"
        ret = None
        if ok(call) and call.ret > 0:  # the components now permitted
            note = aux_flags(call.ret, x.XFEATURE_MASKS)
            ret = f"{call.ret:#x} ({note})" if note else f"{call.ret:#x}"
        return Decoded([first, Arg(number, a[1])], ret=ret)
    if code in (0x1001, 0x1002):
        return Decoded([first, hex_arg(a[1])])
    return Decoded([first, hex_arg(a[1])])


# --- uname, getrandom, rseq, umask, sched_getaffinity -----------------------------------------

_UTS_FIELD = 65
_UTS_FIELDS = ("sysname", "nodename", "release", "version", "machine", "domainname")


declare_exit("uname", Read(0, 0, _UTS_FIELD * 6, null_skip=True))


@decoder("uname")
def decode_uname(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[0]
    data = mem_of(call, 0)
    if data is None or len(data) < _UTS_FIELD * 2 or not ok(call):
        return Decoded([ptr_arg(raw, at_exit=True)])
    shown = 2 if ctx.abbreviated(call) else len(data) // _UTS_FIELD  # strace -v: all six
    fields = [data[i * _UTS_FIELD : (i + 1) * _UTS_FIELD].split(b"\0", 1)[0] for i in range(shown)]
    parts = [
        f"{name}={fmt.quote_cstr(f, 64)}" for name, f in zip(_UTS_FIELDS, fields, strict=False)
    ]
    text = "{" + ", ".join(parts) + (", ...}" if shown < len(_UTS_FIELDS) else "}")
    value = dict(zip(_UTS_FIELDS, (f.decode("utf-8", "replace") for f in fields), strict=False))
    return Decoded([struct_arg(text, raw, value, at_exit=True)])


declare_exit("getrandom", Read(0, 0, size_ret=True, cap=LIMIT_DATA, nonpos_first=True))


@decoder("getrandom")
def decode_getrandom(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    data = mem_of(call, 0)
    if data is None or not ok(call) or not a[0]:
        buf = ptr_arg(a[0], at_exit=True)
    else:
        buf = Arg(fmt.quote_hex(data, call.ret or 0, ctx.strsize, a[0]), a[0], "buf", data, True)
    return Decoded([buf, ulong_arg(a[1]), flags_arg(a[2], x.GRND_FLAGS)])


@decoder("rseq")
def decode_rseq(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ptr_arg(a[0]), hex_arg(a[1] & 0xFFFFFFFF), flags_arg(a[2], x.RSEQ_FLAGS)]
    return Decoded([*args, hex_arg(a[3] & 0xFFFFFFFF)])


@decoder("umask")
def decode_umask(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[0] & 0xFFFF  # a umode_t; the old mask comes back as strace's %#03o
    ret = fmt.octal_mode(call.ret or 0) if ok(call) else None
    return Decoded([Arg(fmt.octal_mode(raw), call.args[0], "int", raw)], ret=ret)


# The mask's bytes the call wrote (its return value), at most 8192.
declare_exit(
    "sched_getaffinity", Read(2, 2, size_ret=True, cap=8192, ret_positive=True, null_skip=True)
)


def cpu_list(mask: bytes) -> str:
    cpus = [str(i * 8 + b) for i, byte in enumerate(mask) for b in range(8) if byte >> b & 1]
    return "[" + " ".join(cpus) + "]"


@decoder("sched_getaffinity")
def decode_sched_getaffinity(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    mask = mem_of(call, 2)
    if mask is None or not ok(call):
        out = ptr_arg(a[2], at_exit=True)
    else:
        out = Arg(cpu_list(mask), a[2], "struct", mask, True)
    return Decoded([int_arg(a[0]), Arg(str(a[1] & 0xFFFFFFFF), a[1], "int"), out])


# --- set_thread_area, get_thread_area (x86 TLS descriptors) --------------------------

_USER_DESC = struct.Struct("<IIII")  # entry_number, base_addr, limit, flag bits
_USER_DESC_BITS = (
    ("seg_32bit", 0, 1),
    ("contents", 1, 3),
    ("read_exec_only", 3, 1),
    ("limit_in_pages", 4, 1),
    ("seg_not_present", 5, 1),
    ("useable", 6, 1),
    ("lm", 7, 1),
)


def _c_hex08(v: int) -> str:
    """C's `%#08x`: `00000000` for zero, `0x001000` (8 wide with its 0x) otherwise."""
    return "00000000" if not v else "0x" + f"{v:x}".zfill(6)


def _entry_number(v: int) -> str:
    return "-1" if v == 0xFFFFFFFF else str(v)


def user_desc_text(data: bytes) -> str:
    entry, base, limit, bits = _USER_DESC.unpack_from(data)
    fields = [f"entry_number={_entry_number(entry)}", f"base_addr={_c_hex08(base)}"]
    fields.append(f"limit={_c_hex08(limit)}")
    fields += [f"{name}={bits >> shift & mask}" for name, shift, mask in _USER_DESC_BITS]
    return "{" + ", ".join(fields) + "}"


declare_entry(
    ("set_thread_area", "get_thread_area"),
    Read(0, 0, _USER_DESC.size, null_skip=True, bad_skip=True),
)
declare_exit(
    ("set_thread_area", "get_thread_area"),
    Read("desc_out", 0, _USER_DESC.size, null_skip=True, bad_skip=True),
)


@decoder("set_thread_area")
def decode_set_thread_area(call: Syscall, ctx: RenderContext) -> Decoded:
    raw = call.args[0]
    data = mem_of(call, 0)
    if data is None or len(data) < _USER_DESC.size:
        return Decoded([ptr_arg(raw)])
    ret = None
    if ok(call):  # the kernel picked the entry when asked with -1
        out = mem_of(call, "desc_out")
        entry = _USER_DESC.unpack_from(out)[0] if out and len(out) >= 4 else None
        ret = f"0 (entry_number={entry})" if entry is not None else None
    return Decoded([struct_arg(user_desc_text(data), raw, data)], ret=ret)


@decoder("get_thread_area")
def decode_get_thread_area(call: Syscall, ctx: RenderContext) -> Decoded:
    """The entry asked for at entry; the whole descriptor when the call returned it."""
    raw = call.args[0]
    data = mem_of(call, 0)
    out = mem_of(call, "desc_out")
    if ok(call) and out is not None and len(out) >= _USER_DESC.size:
        return Decoded([struct_arg(user_desc_text(out), raw, out, True)])
    if data is None or len(data) < 4:
        return Decoded([ptr_arg(raw)])
    entry = _entry_number(_USER_DESC.unpack_from(data.ljust(16, b"\0"))[0])
    return Decoded([struct_arg(f"{{entry_number={entry}, ...}}", raw, data)])
