"""sendmsg/recvmsg: struct msghdr with its iovec array and control messages.

sendmmsg/recvmmsg, vectors of them, are in `mmsghdr.py`.

Captured as plain data: the header words, the name bytes, each iovec's
(base, len, bytes) and the control buffer; SCM_RIGHTS fds are listed under
`_fds` so the worker records what they refer to.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

from .cmsg import capture_control, render_control, scm_rights_fds
from .kstructs import complete
from .net import msg_flags
from .netlink import (
    NETLINK_KEY,
    NETLINK_READ_MAX,
    NETLINK_ROUTE,
    capture_family,
    render_netlink,
)
from .netlink_fds import route_message_fds
from .sockaddr import SOCKADDR_MAX, render_sockaddr

_MSGHDR = struct.Struct("<QI4xQQQQi4x")  # name, namelen, iov, iovlen, control, controllen, flags
MSGHDR_SIZE = _MSGHDR.size  # 56


def capture_msghdr(mem: MemoryReader, raw: bytes, limits: CaptureLimits, data_size: int | None,
                    namelen: int | None = None) -> dict:  # fmt: skip
    """Everything needed to print one msghdr; `data_size` caps the bytes shown (recv: the count)."""
    name, nlen, iov, iovlen, control, clen, _flags = _MSGHDR.unpack_from(raw)
    out: dict = {"hdr": raw[:MSGHDR_SIZE]}
    nlen = nlen if namelen is None else namelen
    if name and nlen > 0:
        out["name"] = mem.read(name, min(nlen, SOCKADDR_MAX))
    if iov and iovlen:
        count = min(iovlen, limits.strsize + 1, 1024)
        vecs = mem.read(iov, count * 16)
        items = []
        if vecs is not None and len(vecs) == count * 16:
            remaining = data_size
            # The data is kept up to the capture size, as write's is: the list shows `-s`
            # of it, the detail screen and plain-word search all of it.
            budget = limits.data_limit
            if (out.get("name") or b"")[:2] == b"\x10\x00":  # netlink: decoded whole
                budget = NETLINK_READ_MAX
            for i in range(count):
                base, length = struct.unpack_from("<QQ", vecs, i * 16)
                want = length if remaining is None else min(length, remaining)
                take = min(want, max(budget, limits.strsize + 1), NETLINK_READ_MAX)
                data = mem.read(base, take) if base and want else b""
                budget -= len(data or b"")
                items.append((base, length, want, data))
                if remaining is not None:
                    remaining -= want
            out["iov"] = items
    if control and clen:
        out["control"] = capture_control(mem, control, clen)
        fds = scm_rights_fds(out["control"] or b"")
        if fds:
            out["_fds"] = fds
    return out


def render_msghdr(call: Syscall, ctx: RenderContext, cap: dict | None, addr: int,
                  namelen_in: int | None = None) -> str:  # fmt: skip
    if not cap or len(cap.get("hdr", b"")) < MSGHDR_SIZE:
        return pointer(addr)
    name, nlen, iov, iovlen, control, clen, flags = _MSGHDR.unpack_from(cap["hdr"])
    parts = []
    if not name:
        parts.append("msg_name=NULL")
    elif not nlen:
        parts.append(f"msg_name={pointer(name)}")
    else:
        # The kernel writes at most the length the caller gave: show no more than that.
        shown = nlen if namelen_in is None else min(nlen, namelen_in)
        parts.append("msg_name=" + render_sockaddr(cap.get("name"), shown, name)[0])
    if namelen_in is not None and namelen_in != nlen:
        parts.append(f"msg_namelen={namelen_in} => {nlen}")
    else:
        parts.append(f"msg_namelen={nlen}")
    items = cap.get("iov")
    # strace decodes the data as netlink messages when the name is a netlink address.
    netlink = None
    name_bytes = cap.get("name")
    if (
        name
        and nlen >= 2
        and name_bytes
        and name_bytes[:2] == b"\x10\x00"
        and ctx.dereferenced(call)
    ):
        netlink = (call.mem or {}).get(NETLINK_KEY, -1)
    if not iov:
        parts.append("msg_iov=NULL")
    elif items is None:
        parts.append(f"msg_iov={pointer(iov)}")
    else:
        shown = []
        for i, (base, length, want, data) in enumerate(items):
            if i >= ctx.strsize:
                shown.append("...")
                break
            if not base:
                buf = "NULL"
            elif netlink is not None:
                buf = render_netlink(data, want, netlink, ctx.strsize, ctx.abbreviated(call),
                                     base, lambda fd: ctx.fd(call, fd))  # fmt: skip
            else:
                buf = quote_buffer(data, want, ctx.strsize, base)
            shown.append(f"{{iov_base={buf}, iov_len={length}}}")
        parts.append("msg_iov=[" + ", ".join(shown) + "]")
    parts.append(f"msg_iovlen={iovlen}")
    if clen:
        ctl = render_control(call, ctx, cap.get("control"), control, clen)
        parts.append(f"msg_control={ctl}")
    parts.append(f"msg_controllen={clen}")
    parts.append(f"msg_flags={msg_flags(flags)}")
    return "{" + ", ".join(parts) + "}"


# ---- sendmsg / recvmsg ---------------------------------------------------------------------------


@on_entry("sendmsg")
def _capture_sendmsg(mem: MemoryReader, args, limits: CaptureLimits):
    raw = complete(mem.read(args[1], MSGHDR_SIZE), MSGHDR_SIZE)
    if raw is None:
        return None
    msg = capture_msghdr(mem, raw, limits, None)
    got = {"msg": msg, "_fds": msg["_fds"]} if "_fds" in msg else {"msg": msg}
    got = _with_netlink(mem, args, msg, got)
    if got.get(NETLINK_KEY) == NETLINK_ROUTE and limits.fd_paths:
        _add_route_fds(got, msg)
    return got


def _with_netlink(mem: MemoryReader, args, msg: dict, got: dict) -> dict:
    """A netlink name: note the socket's protocol, which names the messages' types."""
    name = msg.get("name")
    if name and name[:2] == b"\x10\x00":
        family = capture_family(mem, args[0] & 0xFFFFFFFF)
        got[NETLINK_KEY] = -1 if family is None else family
    return got


def _add_route_fds(got: dict, msg: dict) -> None:
    """The fds the NETLINK_ROUTE messages being sent name, added to `_fds` (for -y)."""
    fds = list(got.get("_fds", ()))
    for _base, _length, _want, data in msg.get("iov", ()):
        fds += [fd for fd in route_message_fds(data or b"") if fd not in fds]
    if fds:
        got["_fds"] = fds


@on_entry("recvmsg")
def _capture_recvmsg_in(mem: MemoryReader, args, limits: CaptureLimits):
    raw = complete(mem.read(args[1], MSGHDR_SIZE), MSGHDR_SIZE)
    return {"namelen_in": _MSGHDR.unpack_from(raw)[1]} if raw else None


@on_exit("recvmsg")
def _capture_recvmsg_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if ret < 0:
        return None
    raw = complete(mem.read(args[1], MSGHDR_SIZE), MSGHDR_SIZE)
    if raw is None:
        return None
    msg = capture_msghdr(mem, raw, limits, ret)
    got = {"msg": msg}
    if "_fds" in msg:
        got["_fds"] = msg["_fds"]
    return _with_netlink(mem, args, msg, got)


@decoder("sendmsg")
def decode_sendmsg(call: Syscall, ctx: RenderContext) -> Decoded:
    msg = render_msghdr(call, ctx, (call.mem or {}).get("msg"), call.args[1])
    return Decoded([ctx.fd_arg(call, call.args[0]), Arg(msg, call.args[1], "struct"),
                    Arg(msg_flags(call.args[2]), call.args[2], "flags")])  # fmt: skip


@decoder("recvmsg")
def decode_recvmsg(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    nin = mem.get("namelen_in")
    if call.error:
        msg = f"{{msg_namelen={nin}}}" if nin is not None else pointer(call.args[1])
    else:
        msg = render_msghdr(call, ctx, mem.get("msg"), call.args[1], nin)
    return Decoded([ctx.fd_arg(call, call.args[0]), Arg(msg, call.args[1], "struct", at_exit=True),
                    Arg(msg_flags(call.args[2]), call.args[2], "flags")])  # fmt: skip
