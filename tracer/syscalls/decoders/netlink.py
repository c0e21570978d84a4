"""Netlink messages in socket buffers, as strace 6.1 prints them (its netlink.c, netlink_route.c).

`[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, ...},
{ifa_family=AF_UNSPEC, ...}]`: each message's header, then its payload: NLMSG_DONE's
int, NLMSG_ERROR's error and the message it answers, and for NETLINK_ROUTE the
ifaddrmsg header with its IFA_* attributes (link, route, neighbour and rule messages
in netlink_route.py); other payloads in hex, as strace prints
those it has no decoder for. Which netlink protocol a socket speaks is found while
the tracee is stopped (`capture_family`), since the fd may be closed by render time.
"""

from __future__ import annotations

import os
import socket
import struct

from tracer.syscalls.fmt import STYLE, pointer, quote_buffer, quote_path

from .kstructs import hex_quote, i32, u32, xflags, xval
from .sockaddr import ifindex_text, inet6_addr_field, inet_addr_field

NLMSG_HDRLEN, NLA_HDRLEN = 16, 4
NETLINK_ROUTE = 0
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
_ADDR_ATTRS = {0: "IFA_UNSPEC", 1: "IFA_ADDRESS", 2: "IFA_LOCAL", 3: "IFA_LABEL",
               4: "IFA_BROADCAST", 5: "IFA_ANYCAST", 6: "IFA_CACHEINFO", 7: "IFA_MULTICAST",
               8: "IFA_FLAGS", 9: "IFA_RT_PRIORITY", 10: "IFA_TARGET_NETNSID",
               11: "IFA_PROTO"}  # fmt: skip
_IFA_FLAGS = [(0x1, "IFA_F_SECONDARY"), (0x2, "IFA_F_NODAD"), (0x4, "IFA_F_OPTIMISTIC"),
              (0x8, "IFA_F_DADFAILED"), (0x10, "IFA_F_HOMEADDRESS"), (0x20, "IFA_F_DEPRECATED"),
              (0x40, "IFA_F_TENTATIVE"), (0x80, "IFA_F_PERMANENT"),
              (0x100, "IFA_F_MANAGETEMPADDR"), (0x200, "IFA_F_NOPREFIXROUTE"),
              (0x400, "IFA_F_MCAUTOJOIN"), (0x800, "IFA_F_STABLE_PRIVACY")]  # fmt: skip
_SCOPES = {0: "RT_SCOPE_UNIVERSE", 200: "RT_SCOPE_SITE", 253: "RT_SCOPE_LINK",
           254: "RT_SCOPE_HOST", 255: "RT_SCOPE_NOWHERE"}  # fmt: skip
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
    elif family == 4:  # NETLINK_SOCK_DIAG
        extra = _GET_FLAGS
    return xflags(flags, _FLAGS + extra, "NLM_F_???")


def _header(data: bytes, off: int, family: int) -> str:
    nlen, mtype, flags, seq, pid = _HDR.unpack_from(data, off)
    return (f"{{nlmsg_len={nlen}, nlmsg_type={_type_text(mtype, family)}, "
            f"nlmsg_flags={_flags_text(flags, mtype, family)}, nlmsg_seq={seq}, nlmsg_pid={pid}}}")  # fmt: skip


def _hex_bytes(data: bytes, off: int, length: int, strsize: int) -> str:
    shown = data[off : off + min(length, strsize)]
    return hex_quote(shown) + ("..." if length > strsize else "")


def _inet(raw: bytes, family: int, strsize: int) -> str:
    """decode_inet_addr without a field name."""
    if family == socket.AF_INET and len(raw) >= 4:
        return inet_addr_field("", raw[:4])[1:]
    if family == socket.AF_INET6 and len(raw) >= 16:
        if STYLE.constants == "abbrev":
            text = quote_path(socket.inet_ntop(socket.AF_INET6, raw[:16]).encode())
            return f"inet_pton(AF_INET6, {text})"
        return inet6_addr_field("", raw[:16])[1:]
    return _hex_bytes(raw, 0, len(raw), strsize)


def _nla_str(raw: bytes, strsize: int) -> str:
    """decode_nla_str: the string without its trailing NUL, `...` when there is none.

    Under -x a NUL is not printable, so the whole string prints in hex with its NUL
    and a `...`, as strace prints it."""
    shown = raw[:strsize]
    mode = STYLE.strings_in_hex
    if mode == "all" or (mode == "non-ascii" and any(c > 0x7E or (c < 0x20 and not 9 <= c <= 13) for c in shown)):  # fmt: skip
        return hex_quote(shown) + ("..." if raw else "")
    if shown.endswith(b"\0"):
        return quote_buffer(shown[:-1], len(shown) - 1, strsize)
    return quote_buffer(shown, len(shown), strsize) + ("..." if raw else "")


def _addr_attr(kind: int, raw: bytes, ifa_family: int, strsize: int) -> str | None:
    if kind in (1, 2, 4, 5, 7):
        return _inet(raw, ifa_family, strsize)
    if kind == 3:
        return _nla_str(raw, strsize)
    if kind == 6 and len(raw) >= 16:
        p, v, c, t = struct.unpack_from("<4I", raw)
        return f"{{ifa_prefered={p}, ifa_valid={v}, cstamp={c}, tstamp={t}}}"
    if kind == 8 and len(raw) >= 4:
        return xflags(u32(raw), _IFA_FLAGS, "IFA_F_???")
    if kind == 9 and len(raw) >= 4:
        return str(u32(raw))
    if kind == 10 and len(raw) >= 4:
        return str(i32(raw))
    return None


def _flag_name(value: int, name: str) -> str:
    """print_xlat: a single named constant in the -X style."""
    if STYLE.constants == "abbrev":
        return name
    return f"{value:#x}" if STYLE.constants == "raw" else f"{value:#x} /* {name} */"


def _attrs(data: bytes, off: int, length: int, names: dict, unknown: str, decode, strsize: int, abbrev: bool) -> str:  # fmt: skip
    """decode_nlattr: `[{nla_len=8, nla_type=IFA_ADDRESS}, inet_addr(...)]`, an array when several."""
    items: list[str] = []
    is_array = False
    while True:
        if length < NLA_HDRLEN:
            items.append(_hex_bytes(data, off, length, strsize))
            break
        if off + NLA_HDRLEN > len(data):
            items.append("..." if is_array else "")
            break
        if abbrev and len(items) == strsize:
            items.append("...")
            break
        nla_len, nla_type = struct.unpack_from("<HH", data, off)
        step = (nla_len + 3) & ~3
        nxt = length - step if nla_len >= NLA_HDRLEN and length >= step else 0
        if not is_array and nxt:
            is_array = True
        kind = nla_type & 0x3FFF
        head = "nla_type="
        if nla_type & 0x8000:
            head += _flag_name(0x8000, "NLA_F_NESTED") + "|"
        if nla_type & 0x4000:
            head += _flag_name(0x4000, "NLA_F_NET_BYTEORDER") + "|"
        head = f"{{nla_len={nla_len}, {head}{xval(kind, names, unknown)}}}"
        body_len = min(nla_len, length) - NLA_HDRLEN
        if body_len > 0:
            raw = data[off + NLA_HDRLEN : off + NLA_HDRLEN + body_len]
            text = decode(kind, raw) if decode else None
            if text is None:
                text = _hex_bytes(raw, 0, body_len, strsize)
            items.append(f"[{head}, {text}]")
        else:
            items.append(head)
        if not nxt:
            break
        off += step
        length = nxt
    return "[" + ", ".join(items) + "]" if is_array else items[0]


def _route_payload(data: bytes, off: int, length: int, mtype: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    family = data[off]
    fam = xval(family, _ADDR_FAMILIES(), "AF_???")
    if mtype in (20, 21, 22):  # ifaddrmsg
        if length < 8:
            return f"{{ifa_family={fam}, ...}}"
        prefixlen, flags, scope, index = struct.unpack_from("<BBBI", data, off + 1)
        text = (f"{{ifa_family={fam}, ifa_prefixlen={prefixlen}, "
                f"ifa_flags={xflags(flags, _IFA_FLAGS, 'IFA_F_???')}, "
                f"ifa_scope={_scope(scope)}, "
                f"ifa_index={ifindex_text(index)}}}")  # fmt: skip
        if length > 8:
            attrs = _attrs(data, off + 8, length - 8, _ADDR_ATTRS, "IFA_???",
                           lambda k, r: _addr_attr(k, r, family, strsize), strsize, abbrev)  # fmt: skip
            return f"{text}, {attrs}"
        return text
    from .netlink_route import route_payload

    text = route_payload(data, off, length, mtype, fam, strsize, abbrev)
    if text is not None:
        return text
    return _family_only(fam, data, off, length, strsize)


def _scope(scope: int) -> str:
    """printxval without a default: an unknown scope is its number alone."""
    if scope in _SCOPES:
        return xval(scope, _SCOPES, "")
    return f"{scope:#x}" if scope else "0"


def _family_only(fam: str, data: bytes, off: int, length: int, strsize: int) -> str:
    """decode_family: the family, then the rest in hex."""
    text = f"{{family={fam}"
    if length > 1:
        text += ", data=" + _hex_bytes(data, off + 1, length - 1, strsize)
    return text + "}"


def _ADDR_FAMILIES() -> dict[int, str]:
    from tracer.syscalls.xlat.net import ADDRESS_FAMILIES

    return ADDRESS_FAMILIES


def _payload(data: bytes, off: int, length: int, mtype: int, flags: int, family: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    if mtype == 2:  # NLMSG_ERROR
        if length < 20:
            return _hex_bytes(data, off, length, strsize)
        err = i32(data, off)
        from tracer.syscalls.render import ERRNO_NAMES

        name = ERRNO_NAMES.get(-err) if err < 0 else None
        if name is None or STYLE.constants == "raw":
            etext = str(err)
        else:
            etext = f"-{name}" if STYLE.constants == "abbrev" else f"{err} /* -{name} */"
        inner_len = max(16, u32(data, off + 4))
        payload = min(length - 4, 16 if flags & 0x100 else inner_len)
        msg = _message(data, off + 4, payload, family, strsize, abbrev)
        text = f"{{error={etext}, msg={msg}}}"
        if length - 4 > payload:
            attrs = _attrs(data, off + 4 + payload, length - 4 - payload, _NLMSGERR_ATTRS,
                           "NLMSGERR_ATTR_???", None, strsize, abbrev)  # fmt: skip
            return f"[{text}, {attrs}]"
        return text
    if family == NETLINK_ROUTE and mtype >= 16:
        return _route_payload(data, off, length, mtype, strsize, abbrev)
    if mtype == 3 and length == 4:  # NLMSG_DONE
        return str(i32(data, off))
    return _hex_bytes(data, off, length, strsize)


def _message(data: bytes, off: int, length: int, family: int, strsize: int, abbrev: bool) -> str:
    nlen, mtype, flags, _seq, _pid = _HDR.unpack_from(data, off)
    head = _header(data, off, family)
    body = min(nlen, length)
    if body <= NLMSG_HDRLEN:
        return head
    return f"[{head}, {_payload(data, off + NLMSG_HDRLEN, body - NLMSG_HDRLEN, mtype, flags, family, strsize, abbrev)}]"  # fmt: skip


def render_netlink(data: bytes | None, length: int, family: int, strsize: int, abbrev: bool, addr: int) -> str:  # fmt: skip
    """decode_netlink: the messages in `length` bytes at `addr` (`data` their captured bytes)."""
    if data is None:
        return pointer(addr)
    try:
        return _messages(data, length, family, strsize, abbrev, addr)
    except (struct.error, IndexError):  # captured bytes ran out mid-message
        return pointer(addr)


def _messages(data: bytes, length: int, family: int, strsize: int, abbrev: bool, addr: int) -> str:
    if length < NLMSG_HDRLEN:
        return _hex_bytes(data, 0, length, strsize)
    if len(data) < min(length, NLMSG_HDRLEN):
        return pointer(addr)
    items: list[str] = []
    is_array = False
    off = 0
    while True:
        if length < NLMSG_HDRLEN:
            items.append(_hex_bytes(data, off, length, strsize))
            break
        if off + NLMSG_HDRLEN > len(data):
            items.append(f"... /* {addr + off:#x} */")
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
