"""prctl: per-option argument decoding, as strace 6.1 prints each option.

Each option prints its own arguments (a signal, a capability, flags, a string, an
`int *` read back at exit) and, for the getters that return a value strace names,
the return value with its meaning (`= 1 (SUID_DUMP_USER)`). Arguments an option
does not use are printed, when strace prints them, as hex words.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import (
    LIMIT_STR,
    CaptureLimits,
    Handoff,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
)
from tracer.syscalls.fmt import STYLE, pointer, quote_cstr, styled_decimal
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int, to_long
from tracer.syscalls.xlat import misc as x

from .kstructs import aux_flags, complete, i32, i64, u32, u64, xflags, xval
from .seccomp import capture_fprog, fprog_arg
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
_HEX_ARGS = {39, 42, 58, 34, 43, 44}
# PR_SVE/SME_*_VL: the names of their flag bits.
_VL_FLAGS = {
    op: names
    for ops, names in (
        ((50, 51), ("PR_SVE_SET_VL_ONEXEC", "PR_SVE_VL_INHERIT")),
        ((63, 64), ("PR_SME_SET_VL_ONEXEC", "PR_SME_VL_INHERIT")),
    )
    for op in ops
}


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


def _hex_ret(call: Syscall, note: str | None) -> str:
    """A return value strace prints in hex, with its meaning when there is one."""
    text = _chex(call.ret & _U64)
    return f"{text} ({note})" if note else text


def _styled_word(value: int, meaning: str) -> str:
    """An argument strace builds by hand from several parts: -X raw prints the word,
    -X verbose the word and the parts in a comment."""
    if STYLE.constants == "raw":
        return _chex(value)
    if STYLE.constants == "verbose":
        return f"{_chex(value)} /* {meaning} */"
    return meaning


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


def _vector_length_arg(v: int, onexec: str, inherit: str) -> str:
    """-X verbose comments the word only when it has flag bits (strace's sprint_sve_val)."""
    text = _vector_length(v, onexec, inherit)
    if STYLE.constants == "verbose" and not v & ~0xFFFF:
        return text
    return _styled_word(v, text)


def _vector_length_ret(call: Syscall, onexec: str, inherit: str) -> str | None:
    """PR_SVE/SME_*_VL's return value: hex, with its flag bits named when there are any."""
    if not _ok(call) or not call.ret:
        return None
    v = call.ret & _U64
    note = None
    if STYLE.constants != "raw" and v & ~0xFFFF:
        note = _vector_length(v, onexec, inherit)
    return _hex_ret(call, note)


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


_OPT = 0xFFFFFFFF  # `when` mask: the option (an int)


def _seccomp_filter(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    """PR_SET_SECCOMP's filter: its size lies in the struct it points to (Python's)."""
    if args[1] == 2 and args[2]:  # SECCOMP_MODE_FILTER
        return capture_fprog(mem, args[2])
    return None


declare_entry(
    "prctl",
    # PR_SET_NAME: 15 bytes without a NUL print with `...`
    Read("name", 1, _COMM_LEN - 2, cstr=True, null_skip=True, when=(0, _OPT, (15,))),
    # PR_SET_VMA's name (the decoder shows it for PR_SET_VMA_ANON_NAME, arg2 0)
    Read("name", 4, LIMIT_STR, cstr=True, null_skip=True, when=(0, _OPT, (0x53564D41,))),
    Handoff((0, _OPT, (22,)), _seccomp_filter),  # PR_SET_SECCOMP
)


_INT_OUT_OPTS = tuple(sorted(_INT_OUT))
declare_exit(
    "prctl",
    # PR_SCHED_CORE's cookie (the decoder shows it for PR_SCHED_CORE_GET, arg2 0)
    Read("value", 4, 8, null_skip=True, when=(0, _OPT, (62,))),
    Read("name", 1, _COMM_LEN - 1, cstr=True, null_skip=True, when=(0, _OPT, (16,))),  # PR_GET_NAME
    Read("value", 1, 4, null_skip=True, when=(0, _OPT, _INT_OUT_OPTS[:6])),
    Read("value", 1, 4, null_skip=True, when=(0, _OPT, _INT_OUT_OPTS[6:])),
    Read("value", 1, 8, null_skip=True, when=(0, _OPT, (40,))),  # PR_GET_TID_ADDRESS
)


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


def _returned(call: Syscall, table) -> str | None:
    """A getter's return value with its name, as strace's auxstr."""
    if not _ok(call):
        return None
    name = table.get(call.ret)
    return f"{call.ret} ({name})" if name else None


def _returned_flags(
    call: Syscall, table: list[tuple[int, str]], always: bool = False, zero: str | None = None
) -> str | None:
    """A getter returning flags: hex with the names. A zero return stays decimal unless
    `always` (strace prints those getters' results in hex whatever they are)."""
    if not _ok(call) or not (call.ret or always):
        return None
    return _hex_ret(call, aux_flags(call.ret & _U64, table, zero))


def _sched_core(call: Syscall) -> list[Arg]:
    """PR_SCHED_CORE: command, pid, pid type (always with its name in a comment), cookie
    pointer (PR_SCHED_CORE_GET's cookie is read back at exit)."""
    a = call.args
    cmd = a[1] & 0xFFFFFFFF
    pidtype = a[3] & 0xFFFFFFFF
    if STYLE.constants == "raw":
        pidtype_text = _chex(pidtype)
    else:
        pidtype_text = f"{_chex(pidtype)} /* {x.PIDTYPES.get(pidtype, 'PIDTYPE_???')} */"
    args = [
        Arg(xval(cmd, x.PR_SCHED_CORE_CMDS, "PR_SCHED_CORE_???"), a[1], "flags", cmd),
        Arg(str(to_int(a[2])), a[2], "int", to_int(a[2])),
        Arg(pidtype_text, a[3], "flags", pidtype),
    ]
    if cmd != 0:  # not PR_SCHED_CORE_GET
        return [*args, Arg(pointer(a[4] & _U64), a[4], "ptr", a[4])]
    data = complete((call.mem or {}).get("value"), 8) if _ok(call) else None
    if data is None:
        return [*args, Arg(pointer(a[4] & _U64), a[4], "ptr", a[4], at_exit=True)]
    return [*args, Arg(f"[{_chex(i64(data) & _U64)}]", a[4], "struct", data, at_exit=True)]


def _set_name(call: Syscall) -> Arg:
    """PR_SET_NAME: strace reads at most 15 bytes and adds `...` when none is a NUL."""
    raw = call.args[1]
    data = (call.mem or {}).get("name")
    if data is not None and len(data) >= _COMM_LEN - 1:
        return Arg(quote_cstr(data[: _COMM_LEN - 1], _COMM_LEN) + "...", raw, "str", data)
    return Arg(quote_cstr(data, _COMM_LEN - 1, raw), raw, "str", data)


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
            ret = _returned_flags(call, x.SECBITS)
        elif opt == 46:
            ret = _returned_flags(call, x.PR_FP_MODE)
        elif opt in (51, 64):
            ret = _vector_length_ret(call, *_VL_FLAGS[opt])
    elif opt in _INT_OUT:
        rest = [_int_out(call, _INT_OUT[opt])]
    elif opt == 15:  # PR_SET_NAME
        rest = [_set_name(call)]
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
        rest = [Arg(_vector_length_arg(a[1] & _U64, *_VL_FLAGS[opt]), a[1], "flags")]
        ret = _vector_length_ret(call, *_VL_FLAGS[opt])
    elif opt == 55:  # PR_SET_TAGGED_ADDR_CTRL
        v = a[1] & _U64
        rest = [Arg(_styled_word(v, _tagged_addr(v)), a[1], "flags"), *_rest(a, 2)]
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
            rest.append(fprog_arg(call, ctx, a[2] & _U64))
        elif mode != 1:
            rest += _rest(a, 2)
    elif opt == 0x59616D61:  # PR_SET_PTRACER
        v = to_int(a[1])
        rest = [Arg(styled_decimal(v, "PR_SET_PTRACER_ANY") if v == -1 else str(v), a[1], "int", v)]
    elif opt == 52:  # PR_GET_SPECULATION_CTRL
        rest = [_xval64(a[1], x.PR_SPEC, "PR_SPEC_???")]
        if a[1] & _U64 in x.PR_SPEC:
            ret = _returned_flags(call, x.PR_SPEC_GET_FLAGS, True, "PR_SPEC_NOT_AFFECTED")
    elif opt == 53:  # PR_SET_SPECULATION_CTRL
        rest = [_xval64(a[1], x.PR_SPEC, "PR_SPEC_???")]
        if a[1] & _U64 in x.PR_SPEC:
            rest.append(_xval64(a[2], x.PR_SPEC_SET_FLAGS, "PR_SPEC_???"))
        else:
            rest.append(_hex(a[2]))
    elif opt == 56:  # PR_GET_TAGGED_ADDR_CTRL
        rest = _rest(a, 1)
        if _ok(call):
            note = None if STYLE.constants == "raw" else _tagged_addr(call.ret & _U64)
            ret = _hex_ret(call, note)
    elif opt == 61:  # PR_PAC_GET_ENABLED_KEYS
        rest = _rest(a, 1)
        ret = _returned_flags(call, x.PR_PAC_ENABLED_KEYS, always=True)
    elif opt == 62:  # PR_SCHED_CORE
        rest = _sched_core(call)
    else:
        rest = _rest(a, 1)
    return Decoded([first, *rest], ret=ret)
