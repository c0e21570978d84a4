"""The fds NETLINK_ROUTE messages name in attributes (IFLA_NET_NS_FD, IFLA_XDP's
IFLA_XDP_FD and IFLA_XDP_EXPECTED_FD, NETNSA_FD), found while the tracee is stopped so
that -y can print what they refer to (`9</dev/full>`), as strace 6.1's decode_nla_fd does:
by render time the fd may be closed or reused. Only the attributes strace decodes as fds
are looked at, in the messages whose decoders it gives them to.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

NLMSG_HDRLEN = 16
NLA_HDRLEN = 4
_IFINFOMSG_LEN = 16
_RTGENMSG_LEN = 4
_AF_BRIDGE = 7
_RTM_GETNEIGH = 30

# Attribute type -> None (its value is an fd) or the fd attributes nested in it.
_Tree = dict[int, "_Tree | None"]
_LINK_FDS: _Tree = {28: None, 43: {1: None, 8: None}}  # IFLA_NET_NS_FD, IFLA_XDP{FD, EXPECTED_FD}
_NSID_FDS: _Tree = {3: None}  # NETNSA_FD
# Message type -> header size and the fd attributes after it (RTM_*LINK, RTM_*NSID).
_MESSAGES = {**dict.fromkeys((16, 17, 18, 19), (_IFINFOMSG_LEN, _LINK_FDS)),
             **dict.fromkeys((88, 89, 90), (_RTGENMSG_LEN, _NSID_FDS))}  # fmt: skip


def route_message_fds(data: bytes) -> list[int]:
    """The fds named in the NETLINK_ROUTE messages of `data`, in order, without repeats."""
    found: list[int] = []
    for mtype, body in _messages(data):
        spec = _MESSAGES.get(mtype)
        if spec is None and mtype == _RTM_GETNEIGH and body[:1] == bytes([_AF_BRIDGE]):
            spec = (_IFINFOMSG_LEN, _LINK_FDS)  # decoded as an ifinfomsg
        if spec is not None and len(body) >= spec[0]:
            found.extend(fd for fd in _attr_fds(body[(spec[0] + 3) & ~3 :], spec[1]) if fd not in found)  # fmt: skip
    return found


def _messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Each message's type and payload, as far as the headers hold together."""
    off = 0
    while off + NLMSG_HDRLEN <= len(data):
        length, mtype = struct.unpack_from("<IH", data, off)
        if length < NLMSG_HDRLEN:
            return
        yield mtype, data[off + NLMSG_HDRLEN : off + length]
        off += (length + 3) & ~3


def _attr_fds(data: bytes, tree: _Tree) -> Iterator[int]:
    off = 0
    while off + NLA_HDRLEN <= len(data):
        length, kind = struct.unpack_from("<HH", data, off)
        if length < NLA_HDRLEN:
            return
        value = data[off + NLA_HDRLEN : off + length]
        kind &= 0x3FFF
        if kind in tree:
            sub = tree[kind]
            if sub is not None:
                yield from _attr_fds(value, sub)
            elif len(value) >= 4 and (fd := struct.unpack_from("<i", value)[0]) >= 0:
                yield fd
        off += (length + 3) & ~3
