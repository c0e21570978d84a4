"""prctl: per-option argument decoding (names, signals, capabilities, the task name)."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.fmt import pointer, quote_cstr
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import complete, hex_arg, i32, ulong_arg, xval
from .siginfo import signal_name

_COMM_LEN = 16


def _ok(call: Syscall) -> bool:
    return call.ret is not None and not call.error


def _out(call: Syscall, key: str) -> bytes | None:
    return (call.mem or {}).get(key) if _ok(call) else None


# ---- prctl -----------------------------------------------------------------------------------------

_NO_ARGS = {3, 5, 7, 9, 11, 13, 19, 21, 25, 27, 30, 31, 32, 34, 37, 42, 46, 58, 61}
_INT_ARG = {8, 36, 29, 41, 57}  # KEEPCAPS, CHILD_SUBREAPER, TIMERSLACK, THP_DISABLE, IO_FLUSHER
_FOUR_ARGS = {38, 39}  # SET/GET_NO_NEW_PRIVS print all four remaining words


@on_entry("prctl")
def _capture_prctl_in(mem: MemoryReader, args, limits: CaptureLimits):
    if args[0] & 0xFFFFFFFF == 15 and args[1]:  # PR_SET_NAME
        return {"name": mem.read_cstr(args[1], _COMM_LEN - 1)}
    return None


@on_exit("prctl")
def _capture_prctl_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if ret < 0 or not args[1]:
        return None
    opt = args[0] & 0xFFFFFFFF
    if opt == 16:  # PR_GET_NAME
        return {"name": mem.read_cstr(args[1], _COMM_LEN - 1)}
    if opt == 2:  # PR_GET_PDEATHSIG
        return {"value": mem.read(args[1], 4)}
    return None


def _capability(v: int) -> str:
    return x.CAPABILITIES[v] if 0 <= v < len(x.CAPABILITIES) else f"{v} /* CAP_??? */"


@decoder("prctl")
def decode_prctl(call: Syscall, ctx: RenderContext) -> Decoded:
    opt = call.args[0] & 0xFFFFFFFF
    a = call.args
    name = x.PRCTL_OPTIONS.get(opt)
    first = Arg(name or f"{opt:#x} /* PR_??? */", a[0], "flags", opt)
    mem = call.mem or {}
    rest: list[Arg]
    ret = None
    if name is None:
        rest = [hex_arg(v) for v in a[1:5]]
    elif opt in _NO_ARGS:
        rest = []
        if opt == 3 and _ok(call):  # PR_GET_DUMPABLE
            ret = f"{call.ret} ({xval(call.ret, x.DUMPABLE, 'SUID_DUMP_???')})"
    elif opt == 15:  # PR_SET_NAME
        rest = [Arg(quote_cstr(mem.get("name"), _COMM_LEN - 1, a[1]), a[1], "str", mem.get("name"))]
    elif opt == 16:  # PR_GET_NAME
        data = _out(call, "name")
        text = quote_cstr(data, _COMM_LEN - 1) if data is not None else pointer(a[1])
        rest = [Arg(text, a[1], "str", data, at_exit=True)]
    elif opt == 1:  # PR_SET_PDEATHSIG
        rest = [Arg(signal_name(to_int(a[1])), a[1], "signal", to_int(a[1]))]
    elif opt == 2:  # PR_GET_PDEATHSIG
        data = complete(_out(call, "value"), 4)
        text = f"[{signal_name(i32(data))}]" if data is not None else pointer(a[1])
        rest = [Arg(text, a[1], "struct", at_exit=True)]
    elif opt == 4:  # PR_SET_DUMPABLE
        rest = [Arg(xval(a[1], x.DUMPABLE, "SUID_DUMP_???"), a[1], "flags")]
    elif opt in (23, 24):  # PR_CAPBSET_READ, PR_CAPBSET_DROP
        rest = [Arg(_capability(to_int(a[1])), a[1], "flags")]
    elif opt in _INT_ARG:
        rest = [ulong_arg(a[1])]
    elif opt in _FOUR_ARGS:
        rest = [ulong_arg(v) for v in a[1:5]]
    elif opt == 22:  # PR_SET_SECCOMP
        mode = xval(a[1], x.SECCOMP_MODES, "SECCOMP_MODE_???")
        rest = [Arg(mode, a[1], "flags")] + ([ptr_or_null(a[2])] if a[1] == 2 else [])
    elif opt == 0x59616D61:  # PR_SET_PTRACER
        v = to_int(a[1])
        rest = [Arg("PR_SET_PTRACER_ANY" if v == -1 else str(v), a[1], "int", v)]
    else:
        rest = [hex_arg(v) for v in a[1:5]]
    return Decoded([first, *rest], ret=ret)


def ptr_or_null(raw: int) -> Arg:
    return Arg(pointer(raw), raw, "ptr", raw)
