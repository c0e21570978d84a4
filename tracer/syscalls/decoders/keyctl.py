"""keyctl: one syscall, thirty-odd commands, each with its own arguments.

A table gives each command's arguments (after the command) as kinds; the captures
read what the kinds need: strings and input buffers at entry, what the kernel wrote
(a description, a payload, capabilities) at exit when the call succeeded. Not a hot
call, so the captures are Python functions. The parameter structures are in
keyctl_params.py.
"""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.render import ERRNO_NAMES, Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import keyctl as x
from tracer.syscalls.xlat.longtail import KEY_SPECIAL_IDS

from . import keyctl_params as p
from .arguments import id_arg, mem_of, ok
from .iovec import ALL_DATA, capture_iovecs, iovec_array
from .kstructs import i32, xflags, xval

_U32 = 0xFFFFFFFF
_U64 = 0xFFFFFFFFFFFFFFFF
_OUT = "out"  # what the kernel wrote into the output argument

# Argument kinds: key (a key serial), int, uint, ulong, hex, ptr, uid, str (a C string),
# buf (input bytes, their length the next argument), outstr / outbuf (output, a string
# or bytes, their size the next argument), iov (iovecs, their count the next argument),
# perm, reqkey, errno, moveflags, caps (output flag bytes), dh, kdf, pkey (the public-key
# parameters), pin / pout / pin2 (buffers their lengths size).
ARGS: dict[int, tuple[str, ...]] = {
    0: ("key", "int"),
    1: ("str",),
    2: ("key", "buf", "ulong"),
    3: ("key",),
    4: ("key", "uid", "uid"),
    5: ("key", "perm"),
    6: ("key", "outstr", "ulong"),
    7: ("key",),
    8: ("key", "key"),
    9: ("key", "key"),
    10: ("key", "str", "str", "key"),
    11: ("key", "outbuf", "ulong"),
    12: ("key", "buf", "ulong", "key"),
    13: ("key", "uint", "key"),
    14: ("reqkey",),
    15: ("key", "uint"),
    16: ("key",),
    17: ("key", "outstr", "ulong"),
    18: (),
    19: ("key", "uint", "errno", "key"),
    20: ("key", "iov", "ulong", "key"),
    21: ("key",),
    22: ("uid", "key"),
    23: ("dh", "outbuf", "ulong", "kdf"),
    24: ("key", "hex", "str", "ptr"),
    25: ("pkey", "str", "pin", "pout"),
    26: ("pkey", "str", "pin", "pout"),
    27: ("pkey", "str", "pin", "pout"),
    28: ("pkey", "str", "pin", "pin2"),
    29: ("key", "str", "str"),
    30: ("key", "key", "key", "moveflags"),
    31: ("caps", "ulong"),
}
_OUTPUTS = frozenset({"outstr", "outbuf", "caps", "pout"})


def _kinds(args: tuple[int, ...]) -> tuple[str, ...]:
    return ARGS.get(args[0] & _U32, ("hex",) * 4)


def _read_exact(mem: MemoryReader, addr: int, size: int) -> bytes | None:
    if not addr:
        return None
    data = mem.read(addr, size) if size > 0 else b""
    return data if data is not None and len(data) >= size else None


@on_entry("keyctl")
def _capture_entry(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits) -> dict:
    out: dict = {}
    for i, kind in enumerate(_kinds(args), 1):
        addr = args[i] & _U64
        if kind == "str" and addr:
            out[i] = mem.read_cstr(addr, limits.strsize)
        elif kind == "buf":
            out[i] = _read_exact(mem, addr, min(args[i + 1] & _U64, limits.strsize))
        elif kind == "iov":
            out.update(capture_iovecs(mem, addr, args[i + 1], ALL_DATA, limits, i))
        elif kind == "dh":
            out[i] = _read_exact(mem, addr, p.DH.size)
        elif kind == "kdf":
            out.update(p.read_kdf(mem, addr, limits))
        elif kind == "pkey":
            params = _read_exact(mem, addr, p.PKEY.size)
            out[i] = params
            if params is not None:
                _key, in_len, in2_len = p.PKEY.unpack(params)[:3]
                out[3] = _read_exact(mem, args[3] & _U64, min(in_len, limits.strsize))
                if _kinds(args)[3] == "pin2":
                    out[4] = _read_exact(mem, args[4] & _U64, min(in2_len, limits.strsize))
    return out


def _out_size(args: tuple[int, ...], kind: str, mem: MemoryReader) -> int:
    """How many bytes the output argument may hold."""
    if kind != "pout":
        return args[{"caps": 2}.get(kind, 3)] & _U64
    params = _read_exact(mem, args[1] & _U64, p.PKEY.size)
    return p.PKEY.unpack(params)[2] if params is not None else 0


@on_exit("keyctl")
def _capture_exit(mem: MemoryReader, args, ret: int, limits: CaptureLimits) -> dict | None:
    kinds = _kinds(args)
    for i, kind in enumerate(kinds, 1):
        if kind in _OUTPUTS and args[i] and ret >= 0:
            n = min(ret, _out_size(args, kind, mem))
            got = mem.read(args[i] & _U64, min(n, limits.strsize + 1)) if n else b""
            return {_OUT: (n, got)}
    return None


def _int(raw: int) -> str:
    v = raw & _U32
    return str(v - (1 << 32) if v >> 31 else v)


def _key(raw: int) -> Arg:
    return Arg(p.key_text(i32((raw & _U32).to_bytes(4, "little")), KEY_SPECIAL_IDS), raw, "int")


def _errno(raw: int) -> str:
    v = raw & _U32
    name = ERRNO_NAMES.get(v)
    return xval(v, ERRNO_NAMES, "", "{}") if name else str(v)


def _reqkey(raw: int) -> str:
    v = int(_int(raw))
    if v in x.KEY_REQKEY_DEFL:
        return xval(v, x.KEY_REQKEY_DEFL, "", "{}")
    return str(v) if fmt.STYLE.constants == "raw" else f"{v} /* KEY_REQKEY_DEFL_??? */"


def _string_out(n: int, data: bytes | None, addr: int, strsize: int) -> str:
    """A string the kernel wrote, `n` bytes at most: up to its NUL if one comes within
    what strace shows, else cut at -s."""
    if data is None or len(data) < min(n, strsize + 1):
        return fmt.pointer(addr)
    nul = data.find(b"\0", 0, min(n, strsize + 1))
    if nul >= 0:
        return fmt.quote_buffer(data[:nul], nul, strsize)
    return fmt.quote_buffer(data, n, strsize)


def _caps(n: int, data: bytes | None, addr: int) -> str:
    if data is None or len(data) < min(n, 2):
        return fmt.pointer(addr)
    tables = ((x.KEYCTL_CAPS0, "KEYCTL_CAPS0_???"), (x.KEYCTL_CAPS1, "KEYCTL_CAPS1_???"))
    items = [xflags(b, *tables[j]) if j < 2 else f"{b:#x}" for j, b in enumerate(data[:n])]
    return "[" + ", ".join(items) + "]"


def _output(call: Syscall, ctx: RenderContext, kind: str, raw: int) -> str:
    got = mem_of(call, _OUT)
    if not raw or not ok(call) or got is None:
        return fmt.pointer(raw)
    n, data = got
    if kind == "outstr":
        return _string_out(n, data, raw, ctx.strsize)
    if kind == "caps":
        return _caps(n, data, raw)
    if data is None or len(data) < min(n, ctx.strsize):
        return fmt.pointer(raw)
    return fmt.quote_buffer(data, n, ctx.strsize)


def _arg(call: Syscall, ctx: RenderContext, i: int, kind: str) -> Arg:
    raw = call.args[i]
    data = mem_of(call, i)
    simple = {
        "int": _int,
        "uint": lambda r: str(r & _U32),
        "ulong": lambda r: str(r & _U64),
        "hex": lambda r: f"{r & _U64:#x}" if r & _U64 else "0",
        "ptr": lambda r: fmt.pointer(r & _U64),
        "perm": lambda r: xflags(r & _U32, x.KEY_PERMS, "KEY_???"),
        "reqkey": _reqkey,
        "errno": _errno,
        "moveflags": lambda r: xflags(r & _U32, x.KEYCTL_MOVE_FLAGS, "KEYCTL_MOVE_???"),
    }
    if kind in simple:
        return Arg(simple[kind](raw), raw, "int")
    if kind == "key":
        return _key(raw)
    if kind == "uid":
        return id_arg(raw)
    if kind == "str":
        return Arg(fmt.quote_cstr(data, ctx.strsize, raw), raw, "str")
    if kind == "buf":
        return Arg(fmt.quote_buffer(data, call.args[i + 1] & _U64, ctx.strsize, raw), raw, "buf")
    if kind == "iov":
        return iovec_array(call, ctx, i, call.args[i + 1], strings=True)
    if kind in _OUTPUTS:
        return Arg(_output(call, ctx, kind, raw), raw, "buf", at_exit=True)
    return _struct_arg(call, ctx, i, kind)


def _struct_arg(call: Syscall, ctx: RenderContext, i: int, kind: str) -> Arg:
    """The parameter structures, and the buffers the public-key parameters size."""
    raw = call.args[i]
    mem = call.mem or {}
    if kind == "dh":
        text = p.dh_text(mem.get(i), KEY_SPECIAL_IDS)
    elif kind == "kdf":
        text = p.kdf_text(mem, ctx.strsize) if raw else None
    elif kind == "pkey":
        text = p.pkey_text(mem.get(i), KEY_SPECIAL_IDS, _kinds(call.args)[3] == "pin2")
    else:  # pin, pin2: sized by the parameters, unknown when they could not be read
        params = mem.get(1)
        size = p.PKEY.unpack(params)[1 if kind == "pin" else 2] if params else 0
        data = mem.get(i)
        text = fmt.quote_buffer(data, size, ctx.strsize, raw) if params else None
    return Arg(text if text is not None else fmt.pointer(raw & _U64), raw, "struct")


@decoder("keyctl")
def decode_keyctl(call: Syscall, ctx: RenderContext) -> Decoded:
    cmd = call.args[0] & _U32
    head = Arg(xval(cmd, x.KEYCTL_CMDS, "KEYCTL_???"), call.args[0], "flags")
    kinds = _kinds(call.args)
    return Decoded([head, *(_arg(call, ctx, i, k) for i, k in enumerate(kinds, 1))])
