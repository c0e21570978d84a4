"""Netlink messages in socket buffers, as strace 6.1 prints them (its netlink.c).

`[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, ...},
{ifa_family=AF_UNSPEC, ...}]`: each message's header (its type and flags named by the
socket's protocol: netlink_types.py), then its payload: NLMSG_DONE's int, NLMSG_ERROR's
error and the message it answers, NETLINK_ROUTE payloads (netlink_route.py),
NETLINK_SOCK_DIAG ones (netlink_sock_diag.py), netfilter's and selinux's (attributes:
nlattr.py); other payloads in hex, as strace prints those it has no decoder for. Which
netlink protocol a socket speaks is found while the tracee is stopped
(`capture_family`), since the fd may be closed by render time.
"""

from __future__ import annotations

import os
import struct

from tracer.syscalls.fmt import STYLE, pointer
from tracer.syscalls.render import ERRNO_NAMES
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES

from .kstructs import i32, u32, xval
from .netlink_kobject_uevent import kobject_uevent
from .netlink_netfilter import netfilter_payload
from .netlink_route import route_payload
from .netlink_selinux import selinux_payload
from .netlink_sock_diag import sock_diag_payload
from .netlink_types import flags_text, type_text
from .netlink_values import FdText, family_and_data
from .nlattr import Body, address, byte_array, can_read, decode_nlattr, hex_bytes, nla_str_text

NLMSG_HDRLEN = 16
NETLINK_ROUTE = 0
NETLINK_SOCK_DIAG = 4
NETLINK_SELINUX = 7
NETLINK_NETFILTER = 12
NETLINK_KOBJECT_UEVENT = 15
NETLINK_KEY = "nl_family"
# strace reads netlink messages whole, not cut at -s: read up to this much of them.
NETLINK_READ_MAX = 64 * 1024  # Syscall.mem: the fd's netlink protocol (-1: unknown)

_NLMSGERR_ATTRS = {0: "NLMSGERR_ATTR_UNUSED", 1: "NLMSGERR_ATTR_MSG", 2: "NLMSGERR_ATTR_OFFS",
                   3: "NLMSGERR_ATTR_COOKIE", 4: "NLMSGERR_ATTR_POLICY",
                   5: "NLMSGERR_ATTR_MISS_TYPE", 6: "NLMSGERR_ATTR_MISS_NEST"}  # fmt: skip
_HDR = struct.Struct("<IHHII")


# ---- the fd's protocol, found while the tracee is stopped -------------------------------------


def capture_family(mem, fd: int) -> int | None:
    """The netlink protocol of socket `fd` (-1 if netlink but unknown), None if not netlink.

    strace asks the socket's "system.sockprotoname" xattr, then its sock_diag details;
    /proc/TID/net/netlink lists the same protocol by inode."""
    tid = getattr(mem, "tid", 0)
    if not tid or fd < 0:
        return None
    path = f"/proc/{tid}/fd/{fd}"
    try:
        if os.getxattr(path, "system.sockprotoname").rstrip(b"\0") != b"NETLINK":
            return None
        inode = os.stat(path).st_ino
        with open(f"/proc/{tid}/net/netlink") as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) >= 10 and int(fields[9]) == inode:
                    return int(fields[1])
    except (OSError, ValueError, StopIteration):
        pass
    return -1


# ---- rendering ---------------------------------------------------------------------------------


def _header(data: bytes, off: int, family: int) -> str:
    nlen, mtype, flags, seq, pid = _HDR.unpack_from(data, off)
    return (f"{{nlmsg_len={nlen}, nlmsg_type={type_text(mtype, family)}, "
            f"nlmsg_flags={flags_text(flags, mtype, family)}, nlmsg_seq={seq}, nlmsg_pid={pid}}}")  # fmt: skip


def _route_payload(data: Body, off: int, length: int, mtype: int, strsize: int, abbrev: bool,
                   fd_text: FdText) -> str:  # fmt: skip
    if not can_read(data, off, 1):  # decode_netlink_route reads the family byte first
        return address(data, off)
    fam = xval(data[off], ADDRESS_FAMILIES, "AF_???")
    text = route_payload(data, off, length, mtype, fam, strsize, abbrev, fd_text)
    return text if text is not None else family_and_data(fam, data, off, length, strsize)


def _errno_text(err: int) -> str:
    name = ERRNO_NAMES.get(-err) if err < 0 else None
    if name is None or STYLE.constants == "raw":
        return str(err)
    return f"-{name}" if STYLE.constants == "abbrev" else f"{err} /* -{name} */"


def _nlmsgerr(data: Body, off: int, length: int, flags: int, family: int, strsize: int, abbrev: bool,
              fd_text: FdText) -> str:  # fmt: skip
    """decode_nlmsgerr: the error, the message it answers, then any NLMSGERR_ATTR_*."""
    if length < 20:
        return hex_bytes(data, off, length, strsize)
    if not can_read(data, off, 20):
        return address(data, off)
    inner_len = max(16, u32(data, off + 4))
    payload = min(length - 4, 16 if flags & 0x100 else inner_len)
    msg = _message(data, off + 4, payload, family, strsize, abbrev, fd_text)
    text = f"{{error={_errno_text(i32(data, off))}, msg={msg}}}"
    if length - 4 > payload:
        attrs = decode_nlattr(data, off + 4 + payload, length - 4 - payload, _NLMSGERR_ATTRS,
                              "NLMSGERR_ATTR_???", _nlmsgerr_attr(strsize, abbrev), strsize, abbrev)  # fmt: skip
        return f"[{text}, {attrs}]"
    return text


def _nlmsgerr_attr(strsize: int, abbrev: bool):
    """NLMSGERR_ATTR_MSG, _OFFS and _COOKIE (a byte array) values."""

    def decode(kind: int, raw: Body) -> str | None:
        if kind == 1:
            return nla_str_text(raw, strsize) if can_read(raw, 0, min(len(raw), strsize + 1)) else address(raw, 0)  # fmt: skip
        if kind == 2 and len(raw) >= 4:
            return str(u32(raw, 0)) if can_read(raw, 0, 4) else address(raw, 0)
        if kind == 3:
            return byte_array(raw, strsize, abbrev)
        return None

    return decode


def _payload(data: Body, off: int, length: int, mtype: int, flags: int, family: int, strsize: int, abbrev: bool,
             fd_text: FdText) -> str:  # fmt: skip
    if mtype == 2:  # NLMSG_ERROR
        return _nlmsgerr(data, off, length, flags, family, strsize, abbrev, fd_text)
    if family == NETLINK_ROUTE and mtype >= 16:
        return _route_payload(data, off, length, mtype, strsize, abbrev, fd_text)
    if family == NETLINK_SOCK_DIAG and mtype >= 16:
        return sock_diag_payload(data, off, length, mtype, flags, strsize, abbrev)
    if family == NETLINK_NETFILTER and mtype >= 16:
        return netfilter_payload(data, off, length, mtype, strsize, abbrev)
    if family == NETLINK_SELINUX and mtype >= 16:
        text = selinux_payload(data, off, length, mtype, strsize)
        if text is not None:
            return text
    if mtype == 3 and length == 4:  # NLMSG_DONE
        return str(i32(data, off)) if can_read(data, off, 4) else address(data, off)
    return hex_bytes(data, off, length, strsize)


def _message(data: Body, off: int, length: int, family: int, strsize: int, abbrev: bool,
             fd_text: FdText) -> str:  # fmt: skip
    nlen, mtype, flags, _seq, _pid = _HDR.unpack_from(data, off)
    head = _header(data, off, family)
    body = min(nlen, length)
    if body <= NLMSG_HDRLEN:
        return head
    payload = _payload(data, off + NLMSG_HDRLEN, body - NLMSG_HDRLEN, mtype, flags, family,
                       strsize, abbrev, fd_text)  # fmt: skip
    return f"[{head}, {payload}]"


def render_netlink(data: bytes | None, length: int, family: int, strsize: int, abbrev: bool, addr: int,
                   fd_text: FdText = str) -> str:  # fmt: skip
    """decode_netlink: the messages in `length` bytes at `addr` (`data` their readable bytes);
    `fd_text` prints an fd an attribute names (with its path under -y)."""
    if data is None and length:
        return pointer(addr)
    if family == NETLINK_KOBJECT_UEVENT:  # not netlink messages: libudev's or the kernel's
        return kobject_uevent(Body(data or b"", addr), length, strsize)
    try:
        return _messages(Body(data or b"", addr), length, family, strsize, abbrev, fd_text)
    except (struct.error, IndexError):  # a decoder read past the readable bytes: a bug
        return pointer(addr)


def _messages(data: Body, length: int, family: int, strsize: int, abbrev: bool, fd_text: FdText) -> str:  # fmt: skip
    items: list[str] = []
    is_array = False
    off = 0
    while True:
        if length < NLMSG_HDRLEN:
            items.append(hex_bytes(data, off, length, strsize))
            break
        if not can_read(data, off, NLMSG_HDRLEN):
            items.append(f"... /* {address(data, off)} */" if is_array else address(data, off))
            break
        if abbrev and len(items) == strsize:
            items.append("...")
            break
        nlen = u32(data, off)
        step = (nlen + 3) & ~3
        nxt = length - step if nlen >= NLMSG_HDRLEN and length >= step else 0
        if not is_array and nxt:
            is_array = True
        items.append(_message(data, off, length, family, strsize, abbrev, fd_text))
        if not nxt:
            break
        off += step
        length = nxt
    return "[" + ", ".join(items) + "]" if is_array else items[0]
