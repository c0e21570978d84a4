"""Netlink messages in socket buffers, as strace 6.1 prints them (its netlink.c, netlink_route.c).

`[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, ...},
{ifa_family=AF_UNSPEC, ...}]`: each message's header, then its payload: NLMSG_DONE's
int, NLMSG_ERROR's error and the message it answers, and NETLINK_ROUTE payloads
(address, link, route, neighbour, rule, netconf and nexthop messages: netlink_route.py;
attributes: nlattr.py); other payloads in hex, as strace prints those it has no
decoder for. Which netlink protocol a socket speaks is found while
the tracee is stopped (`capture_family`), since the fd may be closed by render time.
"""

from __future__ import annotations

import os
import struct

from tracer.syscalls.fmt import STYLE, pointer
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES
from tracer.syscalls.xlat.netlink_sock_diag import NL_SOCK_DIAG_TYPES

from .kstructs import i32, u32, xflags, xval
from .netlink_route import route_payload
from .netlink_sock_diag import sock_diag_payload
from .netlink_values import family_and_data
from .nlattr import Body, address, byte_array, can_read, decode_nlattr, hex_bytes, nla_str_text

NLMSG_HDRLEN = 16
NETLINK_ROUTE = 0
NETLINK_SOCK_DIAG = 4
NETLINK_KEY = "nl_family"
# strace reads netlink messages whole, not cut at -s: read up to this much of them.
NETLINK_READ_MAX = 64 * 1024  # Syscall.mem: the fd's netlink protocol (-1: unknown)

_TYPES = {1: "NLMSG_NOOP", 2: "NLMSG_ERROR", 3: "NLMSG_DONE", 4: "NLMSG_OVERRUN"}
_ROUTE_TYPES = {
    16: "RTM_NEWLINK", 17: "RTM_DELLINK", 18: "RTM_GETLINK", 19: "RTM_SETLINK",
    20: "RTM_NEWADDR", 21: "RTM_DELADDR", 22: "RTM_GETADDR", 24: "RTM_NEWROUTE",
    25: "RTM_DELROUTE", 26: "RTM_GETROUTE", 28: "RTM_NEWNEIGH", 29: "RTM_DELNEIGH",
    30: "RTM_GETNEIGH", 32: "RTM_NEWRULE", 33: "RTM_DELRULE", 34: "RTM_GETRULE",
    36: "RTM_NEWQDISC", 37: "RTM_DELQDISC", 38: "RTM_GETQDISC", 40: "RTM_NEWTCLASS",
    41: "RTM_DELTCLASS", 42: "RTM_GETTCLASS", 44: "RTM_NEWTFILTER", 45: "RTM_DELTFILTER",
    46: "RTM_GETTFILTER", 48: "RTM_NEWACTION", 49: "RTM_DELACTION", 50: "RTM_GETACTION",
    52: "RTM_NEWPREFIX", 58: "RTM_GETMULTICAST", 62: "RTM_GETANYCAST", 64: "RTM_NEWNEIGHTBL",
    66: "RTM_GETNEIGHTBL", 67: "RTM_SETNEIGHTBL", 68: "RTM_NEWNDUSEROPT",
    72: "RTM_NEWADDRLABEL", 73: "RTM_DELADDRLABEL", 74: "RTM_GETADDRLABEL", 78: "RTM_GETDCB",
    79: "RTM_SETDCB", 80: "RTM_NEWNETCONF", 81: "RTM_DELNETCONF", 82: "RTM_GETNETCONF",
    84: "RTM_NEWMDB", 85: "RTM_DELMDB", 86: "RTM_GETMDB", 88: "RTM_NEWNSID", 89: "RTM_DELNSID",
    90: "RTM_GETNSID", 92: "RTM_NEWSTATS", 94: "RTM_GETSTATS", 96: "RTM_NEWCACHEREPORT",
    100: "RTM_NEWCHAIN", 101: "RTM_DELCHAIN", 102: "RTM_GETCHAIN", 104: "RTM_NEWNEXTHOP",
    105: "RTM_DELNEXTHOP", 106: "RTM_GETNEXTHOP", 108: "RTM_NEWLINKPROP",
    109: "RTM_DELLINKPROP", 110: "RTM_GETLINKPROP", 112: "RTM_NEWVLAN", 113: "RTM_DELVLAN",
    114: "RTM_GETVLAN", 116: "RTM_NEWNEXTHOPBUCKET", 117: "RTM_DELNEXTHOPBUCKET",
    118: "RTM_GETNEXTHOPBUCKET",
}  # fmt: skip
_FLAGS = [(0x1, "NLM_F_REQUEST"), (0x2, "NLM_F_MULTI"), (0x4, "NLM_F_ACK"), (0x8, "NLM_F_ECHO"),
          (0x10, "NLM_F_DUMP_INTR"), (0x20, "NLM_F_DUMP_FILTERED")]  # fmt: skip
_GET_FLAGS = [(0x300, "NLM_F_DUMP"), (0x100, "NLM_F_ROOT"), (0x200, "NLM_F_MATCH"),
              (0x400, "NLM_F_ATOMIC")]  # fmt: skip
_NEW_FLAGS = [(0x100, "NLM_F_REPLACE"), (0x200, "NLM_F_EXCL"), (0x400, "NLM_F_CREATE"),
              (0x800, "NLM_F_APPEND")]  # fmt: skip
_DELETE_FLAGS = [(0x100, "NLM_F_NONREC"), (0x200, "NLM_F_BULK")]
_ACK_FLAGS = [(0x100, "NLM_F_CAPPED"), (0x200, "NLM_F_ACK_TLVS")]
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


def _type_text(mtype: int, family: int) -> str:
    if mtype >= 16 and family == NETLINK_ROUTE:
        return xval(mtype, _ROUTE_TYPES, "RTM_???")
    if mtype >= 16 and family == NETLINK_SOCK_DIAG:
        return xval(mtype, NL_SOCK_DIAG_TYPES, "SOCK_DIAG_???")
    if mtype >= 16 and family not in (-1, None) and family < 22:
        # Families with type tables this decoder lacks: strace names them; we cannot yet.
        return xval(mtype, {}, "NLMSG_???")
    return xval(mtype, _TYPES, "NLMSG_???")


def _flags_text(flags: int, mtype: int, family: int) -> str:
    extra: list[tuple[int, str]] = []
    if mtype < 16:
        if mtype == 2:
            extra = _ACK_FLAGS
    elif family == NETLINK_ROUTE:
        if mtype == 49:  # RTM_DELACTION takes NLM_F_ROOT flags
            extra = _GET_FLAGS
        else:
            extra = (_NEW_FLAGS, _DELETE_FLAGS, _GET_FLAGS, [])[mtype & 3]
    elif family == NETLINK_SOCK_DIAG:
        extra = _GET_FLAGS
    return xflags(flags, _FLAGS + extra, "NLM_F_???")


def _header(data: bytes, off: int, family: int) -> str:
    nlen, mtype, flags, seq, pid = _HDR.unpack_from(data, off)
    return (f"{{nlmsg_len={nlen}, nlmsg_type={_type_text(mtype, family)}, "
            f"nlmsg_flags={_flags_text(flags, mtype, family)}, nlmsg_seq={seq}, nlmsg_pid={pid}}}")  # fmt: skip


def _route_payload(data: Body, off: int, length: int, mtype: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    if not can_read(data, off, 1):  # decode_netlink_route reads the family byte first
        return address(data, off)
    fam = xval(data[off], ADDRESS_FAMILIES, "AF_???")
    text = route_payload(data, off, length, mtype, fam, strsize, abbrev)
    return text if text is not None else family_and_data(fam, data, off, length, strsize)


def _errno_text(err: int) -> str:
    from tracer.syscalls.render import ERRNO_NAMES

    name = ERRNO_NAMES.get(-err) if err < 0 else None
    if name is None or STYLE.constants == "raw":
        return str(err)
    return f"-{name}" if STYLE.constants == "abbrev" else f"{err} /* -{name} */"


def _nlmsgerr(data: Body, off: int, length: int, flags: int, family: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    """decode_nlmsgerr: the error, the message it answers, then any NLMSGERR_ATTR_*."""
    if length < 20:
        return hex_bytes(data, off, length, strsize)
    if not can_read(data, off, 20):
        return address(data, off)
    inner_len = max(16, u32(data, off + 4))
    payload = min(length - 4, 16 if flags & 0x100 else inner_len)
    msg = _message(data, off + 4, payload, family, strsize, abbrev)
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


def _payload(data: Body, off: int, length: int, mtype: int, flags: int, family: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    if mtype == 2:  # NLMSG_ERROR
        return _nlmsgerr(data, off, length, flags, family, strsize, abbrev)
    if family == NETLINK_ROUTE and mtype >= 16:
        return _route_payload(data, off, length, mtype, strsize, abbrev)
    if family == NETLINK_SOCK_DIAG and mtype >= 16:
        return sock_diag_payload(data, off, length, mtype, flags, strsize, abbrev)
    if mtype == 3 and length == 4:  # NLMSG_DONE
        return str(i32(data, off)) if can_read(data, off, 4) else address(data, off)
    return hex_bytes(data, off, length, strsize)


def _message(data: Body, off: int, length: int, family: int, strsize: int, abbrev: bool) -> str:
    nlen, mtype, flags, _seq, _pid = _HDR.unpack_from(data, off)
    head = _header(data, off, family)
    body = min(nlen, length)
    if body <= NLMSG_HDRLEN:
        return head
    return f"[{head}, {_payload(data, off + NLMSG_HDRLEN, body - NLMSG_HDRLEN, mtype, flags, family, strsize, abbrev)}]"  # fmt: skip


def render_netlink(data: bytes | None, length: int, family: int, strsize: int, abbrev: bool, addr: int) -> str:  # fmt: skip
    """decode_netlink: the messages in `length` bytes at `addr` (`data` their readable bytes)."""
    if data is None and length:
        return pointer(addr)
    try:
        return _messages(Body(data or b"", addr), length, family, strsize, abbrev)
    except (struct.error, IndexError):  # a decoder read past the readable bytes: a bug
        return pointer(addr)


def _messages(data: Body, length: int, family: int, strsize: int, abbrev: bool) -> str:
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
        items.append(_message(data, off, length, family, strsize, abbrev))
        if not nxt:
            break
        off += step
        length = nxt
    return "[" + ", ".join(items) + "]" if is_array else items[0]
