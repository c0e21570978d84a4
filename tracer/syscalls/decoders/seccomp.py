"""seccomp(2) and seccomp filters (also prctl's PR_SET_SECCOMP): the operation decides
what the flags word and the third argument are.

A filter's program prints in full only with -v (`BPF_STMT(BPF_RET|BPF_K,
SECCOMP_RET_ERRNO|0x10)`), otherwise as `{len=N, filter=ADDR}`.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import misc as x

from .arguments import mem_of, ok
from .bpf_filter import SOCK_FPROG_SIZE, filter_bytes, fprog_head, render_sock_fprog
from .kstructs import complete, u32, xflags, xval

SET_MODE_FILTER = 1
GET_ACTION_AVAIL = 2
GET_NOTIF_SIZES = 3
_NOTIF_SIZES = struct.Struct("<HHH")  # struct seccomp_notif_sizes
_RET_ACTION = 0xFFFF0000  # SECCOMP_RET_ACTION_FULL; the low half is the action's data


def seccomp_ret(k: int) -> str:
    """A filter's return value: `SECCOMP_RET_ERRNO|0x10`."""
    data = k & ~_RET_ACTION
    text = xval(k & _RET_ACTION, x.SECCOMP_RET_ACTIONS, "SECCOMP_RET_???")
    return f"{text}|{data:#x}" if data else text


def seccomp_k(code: int, k: int) -> str:
    """An instruction's constant: a return action for BPF_RET|BPF_K, hex otherwise."""
    if code & 0x07 == 6 and code & 0x18 == 0:
        return seccomp_ret(k)
    return f"{k:#x}" if k else "0"


def capture_fprog(mem: MemoryReader, addr: int) -> dict:
    """The `struct sock_fprog` at `addr` and as much of its program as memory holds."""
    head = mem.read(addr, SOCK_FPROG_SIZE)
    got = {"prog": head}
    fprog = fprog_head(head)
    if fprog is not None and fprog[0] and fprog[1]:
        got["filter"] = mem.read(fprog[1], filter_bytes(fprog[0]))
    return got


def fprog_arg(call: Syscall, ctx: RenderContext, raw: int) -> Arg:
    """The filter argument of seccomp(SECCOMP_SET_MODE_FILTER) and prctl(PR_SET_SECCOMP)."""
    if not raw:
        return Arg("NULL", raw, "ptr", raw)
    mem = call.mem or {}
    head = mem.get("prog")
    text = render_sock_fprog(head, mem.get("filter"), raw, ctx.abbreviated(call), seccomp_k)
    return Arg(text, raw, "struct", head)


@on_entry("seccomp")
def _capture_seccomp(mem: MemoryReader, args, limits: CaptureLimits):
    op = args[0] & 0xFFFFFFFF
    if not args[2]:
        return None
    if op == SET_MODE_FILTER:
        return capture_fprog(mem, args[2])
    if op == GET_ACTION_AVAIL:
        return {"action": mem.read(args[2], 4)}
    return None


@on_exit("seccomp")
def _capture_seccomp_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if args[0] & 0xFFFFFFFF == GET_NOTIF_SIZES and args[2] and ret >= 0:
        return {"sizes": mem.read(args[2], _NOTIF_SIZES.size)}
    return None


def _third(call: Syscall, ctx: RenderContext, op: int) -> Arg:
    raw = call.args[2]
    if op == SET_MODE_FILTER:
        return fprog_arg(call, ctx, raw)
    if op == GET_ACTION_AVAIL:
        data = complete(mem_of(call, "action"), 4)
        if data is not None:
            text = xval(u32(data), x.SECCOMP_RET_ACTIONS, "SECCOMP_RET_???")
            return Arg(f"[{text}]", raw, "struct", u32(data))
    if op == GET_NOTIF_SIZES and ok(call):
        data = complete(mem_of(call, "sizes"), _NOTIF_SIZES.size)
        if data is not None:
            sizes = _NOTIF_SIZES.unpack_from(data)
            names = ("seccomp_notif", "seccomp_notif_resp", "seccomp_data")
            text = "{" + ", ".join(f"{n}={v}" for n, v in zip(names, sizes, strict=True)) + "}"
            return Arg(text, raw, "struct", sizes, at_exit=True)
    return Arg(pointer(raw), raw, "ptr", raw, at_exit=op == GET_NOTIF_SIZES)


@decoder("seccomp")
def decode_seccomp(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    op = a[0] & 0xFFFFFFFF
    fl = a[1] & 0xFFFFFFFF
    if op == SET_MODE_FILTER:
        flags = xflags(fl, x.SECCOMP_FILTER_FLAGS, "SECCOMP_FILTER_FLAG_???")
    else:  # the other operations take no flags: strace shows the word as it is
        flags = f"{fl:#x}" if fl else "0"
    return Decoded([
        Arg(xval(op, x.SECCOMP_OPS, "SECCOMP_SET_MODE_???"), a[0], "flags", op),
        Arg(flags, a[1], "flags", fl),
        _third(call, ctx, op),
    ])  # fmt: skip
