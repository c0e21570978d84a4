"""sendmmsg/recvmmsg: vectors of `struct mmsghdr`, shown as strace's print_array shows them.

Headers are read up to the first unreadable one (`... /* address */` there), and no
further than what can be shown: -s of them (and the one after, which strace reads
before it prints `...`), or IOV_MAX (strace's own limit) when a call is shown whole
(-v; `show_whole_vectors`, set before tracing). recvmmsg's msg_namelen values are
kept from the call's entry, for `msg_namelen=16 => 38`.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .kstructs import timespec, u32
from .msghdr import MSGHDR_SIZE, capture_msghdr, render_msghdr
from .net import msg_flags

MMSGHDR_SIZE = 64
IOV_MAX = 1024
_NAMELEN = struct.Struct("<I")
_whole = False


def show_whole_vectors(whole: bool) -> None:
    """Read up to IOV_MAX headers rather than -s of them (strace -v prints them all).

    Set once before tracing starts; the worker and the writer process inherit it."""
    global _whole
    _whole = whole


def _headers_max(limits: CaptureLimits) -> int:
    return IOV_MAX + 1 if _whole else limits.strsize + 1


def _read_headers(mem: MemoryReader, addr: int, count: int) -> tuple[bytes, bool]:
    """The whole headers readable at `addr` (up to `count`), and whether memory ended first."""
    if not addr or count <= 0:
        return b"", False
    raw = mem.read(addr, count * MMSGHDR_SIZE) or b""
    whole = len(raw) // MMSGHDR_SIZE
    return raw[: whole * MMSGHDR_SIZE], whole < count


def _capture_mmsgs(mem: MemoryReader, addr: int, vlen: int, limits: CaptureLimits,
                   recv: bool) -> dict:  # fmt: skip
    raw, cut = _read_headers(mem, addr, min(vlen, _headers_max(limits)))
    items = []
    for off in range(0, len(raw), MMSGHDR_SIZE):
        chunk = raw[off : off + MMSGHDR_SIZE]
        msg_len = u32(chunk, MSGHDR_SIZE)
        items.append((capture_msghdr(mem, chunk, limits, msg_len if recv else None), msg_len))
    got: dict = {"mmsg": items, "mmsg_cut": cut}
    fds = [fd for m, _ in items for fd in m.get("_fds", ())]
    if fds:
        got["_fds"] = fds
    return got


@on_entry("sendmmsg")
def _capture_sendmmsg_vector(mem: MemoryReader, args, limits: CaptureLimits):
    """The whole vector, for a call that fails: strace prints its messages all the same
    (the kernel changes nothing in them but the msg_len of those it sent)."""
    return _capture_mmsgs(mem, args[1], args[2] & 0xFFFFFFFF, limits, False)


@on_exit("sendmmsg")
def _capture_sendmmsg(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    """Read again once sent: every message, the first `ret` with their msg_len."""
    return _capture_mmsgs(mem, args[1], args[2] & 0xFFFFFFFF, limits, False)


@on_entry("recvmmsg")
def _capture_recvmmsg_entry(mem: MemoryReader, args, limits: CaptureLimits):
    """The timeout, and each header's msg_namelen as the caller gave it."""
    got: dict = {}
    if args[4]:
        got["timeout"] = mem.read(args[4], 16)
    vlen = min(args[2] & 0xFFFFFFFF, IOV_MAX, _headers_max(limits))
    raw, _cut = _read_headers(mem, args[1], vlen)
    got["namelens"] = [
        _NAMELEN.unpack_from(raw, off + 8)[0] for off in range(0, len(raw), MMSGHDR_SIZE)
    ]
    return got


@on_exit("recvmmsg")
def _capture_recvmmsg(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if ret < 0:
        return None
    got = _capture_mmsgs(mem, args[1], ret, limits, True)
    if args[4]:  # the time left, written back by the kernel
        got["left"] = mem.read(args[4], 16)
    return got


def _render_mmsgs(call: Syscall, ctx: RenderContext, vlen: int) -> str:
    """The captured vector; msg_len for the messages the call sent or received."""
    addr = call.args[1]
    mem = call.mem or {}
    items = mem.get("mmsg")
    if not addr:
        return "NULL"
    if items is None or not ctx.dereferenced(call):  # -e verbose= leaves it an address
        return pointer(addr)
    if not vlen:
        return "[]"
    namelens = mem.get("namelens")
    # strace shows at most IOV_MAX headers, and of recvmmsg's those whose length it kept.
    count = IOV_MAX if namelens is None else min(IOV_MAX, len(namelens))
    limit = ctx.strsize if ctx.abbreviated(call) and ctx.strsize < vlen else vlen
    with_len = 0 if call.error or call.ret is None else call.ret
    parts = []
    for i in range(vlen):
        if i >= len(items):  # not read: unreadable, or past what could be shown
            if i == 0:
                return pointer(addr)
            parts.append(
                f"... /* {pointer(addr + i * MMSGHDR_SIZE)} */" if mem.get("mmsg_cut") else "..."
            )
            break
        if i >= limit or i >= count:
            parts.append("...")
            break
        m, n = items[i]
        namelen_in = namelens[i] if namelens is not None else None
        msg_len = f", msg_len={n}" if i < with_len else ""
        parts.append(f"{{msg_hdr={render_msghdr(call, ctx, m, 0, namelen_in)}{msg_len}}}")
    return "[" + ", ".join(parts) + "]"


@decoder("sendmmsg")
def decode_sendmmsg(call: Syscall, ctx: RenderContext) -> Decoded:
    vlen = call.args[2] & 0xFFFFFFFF
    return Decoded([ctx.fd_arg(call, call.args[0]),
                    Arg(_render_mmsgs(call, ctx, vlen), call.args[1], "struct", at_exit=True),
                    Arg(str(vlen), call.args[2], "int"),
                    Arg(msg_flags(call.args[3]), call.args[3], "flags")])  # fmt: skip


@decoder("recvmmsg")
def decode_recvmmsg(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    verbose = ctx.dereferenced(call)
    tmo = (
        timespec(mem.get("timeout") if verbose else None, call.args[4]) if call.args[4] else "NULL"
    )
    ret = None
    left = mem.get("left")
    if call.ret == 0 and not call.error:
        ret = "0 (Timeout)"
    elif verbose and call.args[4] and left is not None and call.ret is not None and not call.error:
        ret = f"{call.ret} (left {timespec(left, call.args[4])})"
    received = 0 if call.error or call.ret is None else call.ret
    return Decoded(ret=ret, args=[ctx.fd_arg(call, call.args[0]),
                    Arg(_render_mmsgs(call, ctx, received), call.args[1], "struct", at_exit=True),
                    Arg(str(call.args[2] & 0xFFFFFFFF), call.args[2], "int"),
                    Arg(msg_flags(call.args[3]), call.args[3], "flags"),
                    Arg(tmo, call.args[4], "struct")])  # fmt: skip
