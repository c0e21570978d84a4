"""prctl: per-option argument decoding, as strace 6.1 prints each option.

Each option prints its own arguments (a signal, a capability, flags, a string, an
`int *` read back at exit) and, for the getters that return a value strace names,
the return value with its meaning (`= 1 (SUID_DUMP_USER)`). Arguments an option
does not use are printed, when strace prints them, as hex words.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.fmt import abbreviated, pointer, quote_cstr, styled_decimal
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int, to_long
from tracer.syscalls.xlat import misc as x

from .kstructs import complete, i32, u32, u64, xflags, xval
from .siginfo import signal_name

_COMM_LEN = 16
_CAPABILITIES = {i: name for i, name in enumerate(x.CAPABILITIES) if name}
_U64 = 0xFFFFFFFFFFFFFFFF

# Options that print nothing after their name.
_NO_ARGS = {7, 13, 21, 30, 31, 32, 3, 27, 46, 51, 64}
# Getters storing an int at arg2 (read at exit): how to print it.
_INT_OUT = {37: "u", 19: "u", 9: "u", 11: "u", 2: "signal", 25: "tsc", 5: "unalign"}
# Setters printing arg2 as an unsigned long and nothing else.
_U_ARG = {36, 20, 10, 12, 8, 14}
# Setters printing arg2 unsigned and the remaining words in hex.
_U_ARG_REST = {38, 41, 57}
# Options printing all four remaining words in hex.
_HEX_ARGS = {39, 42, 58, 34, 56, 61, 43, 44}


def _ok(call: Syscall) -> bool:
    return call.ret is not None and not call.error


def _chex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _hex(raw: int) -> Arg:
    v = raw & _U64
    return Arg(_chex(v), raw, "int", v)


def _xval64(raw: int, table: dict[int, str], unknown: str) -> Arg:
    v = raw & _U64
    return Arg(xval(v, table, unknown), raw, "flags", v)


def _flags64(raw: int, table: list[tuple[int, str]], unknown: str) -> Arg:
    v = raw & _U64
    return Arg(xflags(v, table, unknown), raw, "flags", v)


def _capability(raw: int) -> Arg:
    v = raw & _U64
    return Arg(xval(v, _CAPABILITIES, "CAP_???"), raw, "flags", v)


def _vector_length(v: int, onexec: str, inherit: str) -> str:
    """PR_SVE/SME_SET_VL's argument: flag bits, then the vector length in hex."""
    names = []
    rest = v & ~0xFFFF
    if rest & (1 << 18):
        names.append(onexec)
        rest &= ~(1 << 18)
    if rest & (1 << 17):
        names.append(inherit)
        rest &= ~(1 << 17)
    if rest:
        names.append(f"{rest:#x}")
    vl = _chex(v & 0xFFFF)
    return "|".join([*names, vl]) if names else vl


def _tagged_addr(v: int) -> str:
    parts = ["PR_TAGGED_ADDR_ENABLE" if v & 1 else "!PR_TAGGED_ADDR_ENABLE"]
    parts.append(x.PR_MTE_TCF[v & 6])
    tag = (v >> 3) & 0xFFFF
    if tag:
        parts.append(f"{tag:#x}<<PR_MTE_TAG_SHIFT")
    rest = v & ~0x7FFFF
    if rest:
        parts.append(f"{rest:#x}")
    return "|".join(parts)


@on_entry("prctl")
def _capture_prctl_in(mem: MemoryReader, args, limits: CaptureLimits):
    opt = args[0] & 0xFFFFFFFF
    if opt == 15 and args[1]:  # PR_SET_NAME
        return {"name": mem.read_cstr(args[1], _COMM_LEN - 1)}
    if opt == 0x53564D41 and args[1] == 0 and args[4]:  # PR_SET_VMA_ANON_NAME
        return {"name": mem.read_cstr(args[4], limits.strsize)}
    return None


@on_exit("prctl")
def _capture_prctl_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if ret < 0 or not args[1]:
        return None
    opt = args[0] & 0xFFFFFFFF
    if opt == 16:  # PR_GET_NAME
        return {"name": mem.read_cstr(args[1], _COMM_LEN - 1)}
    if opt in _INT_OUT:
        return {"value": mem.read(args[1], 4)}
    if opt == 40:  # PR_GET_TID_ADDRESS
        return {"value": mem.read(args[1], 8)}
    return None


def _int_out(call: Syscall, kind: str) -> Arg:
    raw = call.args[1]
    data = complete((call.mem or {}).get("value"), 4) if _ok(call) else None
    if data is None:
        return Arg(pointer(raw & _U64), raw, "ptr", raw, at_exit=True)
    if kind == "signal":
        text = styled_decimal(i32(data), signal_name(i32(data)))
    elif kind == "tsc":
        text = xval(u32(data), x.PR_TSC, "PR_TSC_???")
    elif kind == "unalign":
        text = xflags(u32(data), x.PR_UNALIGN, "PR_UNALIGN_???")
    else:
        text = str(u32(data))
    return Arg(f"[{text}]", raw, "struct", data, at_exit=True)


def _rest(a: tuple[int, ...], first: int) -> list[Arg]:
    return [_hex(v) for v in a[first:5]]


def _returned(call: Syscall, table, flags: bool = False, hex_ret: bool = False) -> str | None:
    """A getter's return value with its meaning, as strace's auxstr."""
    if not _ok(call):
        return None
    r = call.ret
    if flags:
        if not r:
            return None
        return f"{r:#x} ({abbreviated(xflags, r, table, '???').split(' /* ')[0]})"
    name = table.get(r)
    num = f"{r:#x}" if hex_ret else str(r)
    return f"{num} ({name})" if name else None


@decoder("prctl")
def decode_prctl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    opt = a[0] & 0xFFFFFFFF
    name = x.PRCTL_OPTIONS.get(opt)
    first = Arg(xval(opt, x.PRCTL_OPTIONS, "PR_???"), a[0], "flags", opt)
    mem = call.mem or {}
    ret = None
    rest: list[Arg]
    if name is None:
        rest = _rest(a, 1)
    elif opt in _NO_ARGS:
        rest = []
        if opt == 3:  # PR_GET_DUMPABLE
            ret = _returned(call, x.DUMPABLE)
        elif opt == 27:
            ret = _returned(call, x.SECBITS, flags=True)
        elif opt == 46:
            ret = _returned(call, x.PR_FP_MODE, flags=True)
        elif opt in (51, 64) and _ok(call) and call.ret:
            onexec, inherit = ("PR_SVE_SET_VL_ONEXEC", "PR_SVE_VL_INHERIT") if opt == 51 else (
                "PR_SME_SET_VL_ONEXEC", "PR_SME_VL_INHERIT")  # fmt: skip
            ret = f"{call.ret:#x} ({_vector_length(call.ret, onexec, inherit)})"
    elif opt in _INT_OUT:
        rest = [_int_out(call, _INT_OUT[opt])]
    elif opt == 15:  # PR_SET_NAME
        text = quote_cstr(mem.get("name"), _COMM_LEN - 1, a[1])
        rest = [Arg(text, a[1], "str", mem.get("name"))]
    elif opt == 16:  # PR_GET_NAME
        data = mem.get("name") if _ok(call) else None
        text = quote_cstr(data, _COMM_LEN - 1) if data is not None else pointer(a[1])
        rest = [Arg(text, a[1], "str", data, at_exit=True)]
    elif opt == 40:  # PR_GET_TID_ADDRESS
        data = complete(mem.get("value"), 8) if _ok(call) else None
        text = f"[{_chex(u64(data))}]" if data is not None else pointer(a[1] & _U64)
        rest = [Arg(text, a[1], "struct", data, at_exit=True)]
    elif opt in _U_ARG:
        rest = [Arg(str(a[1] & _U64), a[1], "int", a[1] & _U64)]
    elif opt in _U_ARG_REST:
        rest = [Arg(str(a[1] & _U64), a[1], "int", a[1] & _U64), *_rest(a, 2)]
    elif opt in _HEX_ARGS:
        rest = _rest(a, 1)
        if opt == 34:
            ret = _returned(call, x.PR_MCE_KILL_POLICY)
    elif opt == 1:  # PR_SET_PDEATHSIG
        v = a[1] & _U64
        rest = [Arg(str(v) if v > 128 else styled_decimal(v, signal_name(v)), a[1], "signal", v)]
    elif opt == 4:
        rest = [_xval64(a[1], x.DUMPABLE, "SUID_DUMP_???")]
    elif opt in (23, 24):
        rest = [_capability(a[1])]
    elif opt == 47:  # PR_CAP_AMBIENT
        rest = [_xval64(a[1], x.PR_CAP_AMBIENT, "PR_CAP_AMBIENT_???")]
        if a[1] & _U64 in (1, 2, 3):
            rest += [_capability(a[2]), *_rest(a, 3)]
        else:
            rest += _rest(a, 2)
    elif opt == 33:  # PR_MCE_KILL
        rest = [_xval64(a[1], x.PR_MCE_KILL, "PR_MCE_KILL_???")]
        if a[1] & _U64 == 1:
            rest.append(_xval64(a[2], x.PR_MCE_KILL_POLICY, "PR_MCE_KILL_???"))
        else:
            rest.append(_hex(a[2]))
        rest += _rest(a, 3)
    elif opt == 0x53564D41:  # PR_SET_VMA
        rest = [_xval64(a[1], x.PR_SET_VMA, "PR_SET_VMA_???")]
        if a[1] & _U64 == 0:
            data = mem.get("name")
            text = quote_cstr(data, ctx.strsize, a[4])
            rest += [Arg(pointer(a[2] & _U64), a[2], "ptr"), Arg(str(a[3] & _U64), a[3]),
                     Arg(text, a[4], "str", data)]  # fmt: skip
        else:
            rest += _rest(a, 2)
    elif opt == 35:  # PR_SET_MM
        v = a[1] & 0xFFFFFFFF
        rest = [Arg(xval(v, x.PR_SET_MM, "PR_SET_MM_???"), a[1], "flags"),
                *_rest(a, 2)]  # fmt: skip
    elif opt == 28:
        rest = [_flags64(a[1], x.SECBITS, "SECBIT_???")]
    elif opt == 29:
        rest = [Arg(str(to_long(a[1])), a[1], "int", to_long(a[1]))]
    elif opt == 26:
        v = a[1] & 0xFFFFFFFF
        rest = [Arg(xval(v, x.PR_TSC, "PR_TSC_???"), a[1], "flags", v)]
    elif opt == 6:
        rest = [Arg(xflags(a[1] & 0xFFFFFFFF, x.PR_UNALIGN, "PR_UNALIGN_???"), a[1], "flags")]
    elif opt == 45:
        rest = [Arg(xflags(a[1] & 0xFFFFFFFF, x.PR_FP_MODE, "PR_FP_MODE_???"), a[1], "flags")]
    elif opt in (50, 63):  # PR_SVE_SET_VL, PR_SME_SET_VL
        onexec, inherit = ("PR_SVE_SET_VL_ONEXEC", "PR_SVE_VL_INHERIT") if opt == 50 else (
            "PR_SME_SET_VL_ONEXEC", "PR_SME_VL_INHERIT")  # fmt: skip
        rest = [Arg(_vector_length(a[1] & _U64, onexec, inherit), a[1], "flags")]
        if _ok(call) and call.ret:
            ret = f"{call.ret:#x} ({_vector_length(call.ret, onexec, inherit)})"
    elif opt == 55:  # PR_SET_TAGGED_ADDR_CTRL
        rest = [Arg(_tagged_addr(a[1] & _U64), a[1], "flags"), *_rest(a, 2)]
    elif opt == 54:  # PR_PAC_RESET_KEYS
        rest = [_flags64(a[1], x.PR_PAC_KEYS, "PR_PAC_???"), *_rest(a, 2)]
    elif opt == 60:  # PR_PAC_SET_ENABLED_KEYS
        rest = [_flags64(a[1], x.PR_PAC_ENABLED_KEYS, "PR_PAC_???"),
                _flags64(a[2], x.PR_PAC_ENABLED_KEYS, "PR_PAC_???"), *_rest(a, 3)]  # fmt: skip
    elif opt == 59:  # PR_SET_SYSCALL_USER_DISPATCH
        rest = [_xval64(a[1], x.PR_SYS_DISPATCH, "PR_SYS_DISPATCH_???")]
        if a[1] & _U64 == 1:
            rest += [
                _hex(a[2]),
                Arg(str(a[3] & _U64), a[3]),
                Arg(pointer(a[4] & _U64), a[4], "ptr"),
            ]
        else:
            rest += _rest(a, 2)
    elif opt == 22:  # PR_SET_SECCOMP
        mode = a[1] & _U64
        rest = [_xval64(a[1], x.SECCOMP_MODES, "SECCOMP_MODE_???")]
        if mode == 2:
            rest.append(Arg(pointer(a[2] & _U64), a[2], "ptr"))
        elif mode != 1:
            rest += _rest(a, 2)
    elif opt == 0x59616D61:  # PR_SET_PTRACER
        v = to_int(a[1])
        rest = [Arg("PR_SET_PTRACER_ANY" if v == -1 else str(v), a[1], "int", v)]
    elif opt in (52, 53):  # PR_GET/SET_SPECULATION_CTRL
        rest = [_xval64(a[1], x.PR_SPEC, "PR_SPEC_???")]
        if opt == 53:
            rest.append(_hex(a[2]))
    else:
        rest = _rest(a, 1)
    return Decoded([first, *rest], ret=ret)
