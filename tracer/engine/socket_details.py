"""strace -yy's socket details, looked up while the tracee is stopped at the call.

`3<TCP:[127.0.0.1:41234->127.0.0.1:5432]>`, `3<UNIX-STREAM:[12->13]>`,
`3<NETLINK:[ROUTE:4021]>`: what strace 6.1 prints (src/socketutils.c), found the way
it finds them, at the same moment (a socket closed by the time a line is written
still shows its endpoints):

- the protocol from the fd's `system.sockprotoname` attribute, then one sock_diag
  query for that protocol (UNIX: the inode exactly; inet and netlink: a dump of
  the protocol's table, searched for the inode);
- a found text is kept by inode, in a 1,024-entry table indexed by the inode's low
  bits, and reused while it stays there: strace's own cache, so a socket that
  connects after its endpoints were first found keeps its first text, as there;
- nothing found: `PROTO:[inode]` for a known protocol, the fd's path otherwise.
"""

from __future__ import annotations

import os
import socket
import struct

from tracer import sock_diag_wire as wire
from tracer.syscalls.xlat.net import NETLINK_PROTOCOLS

CACHE_SIZE = 1024

_NETLINK_REQ = struct.Struct("=BBxxIIII")  # netlink_diag_req
_NETLINK_MSG = struct.Struct("=BBBBIIII8s")  # netlink_diag_msg
NDIAG_PROTO_ALL = 255

# sockprotoname -> (family, protocol), in strace's order (tried in turn when unknown).
_PROTOCOLS: dict[str, tuple[int, int]] = {
    "UNIX": (socket.AF_UNIX, 0),
    "UNIX-STREAM": (socket.AF_UNIX, 0),
    "TCP": (socket.AF_INET, socket.IPPROTO_TCP),
    "UDP": (socket.AF_INET, socket.IPPROTO_UDP),
    "UDPLITE": (socket.AF_INET, 136),
    "DCCP": (socket.AF_INET, 33),
    "SCTP": (socket.AF_INET, 132),
    "L2TP/IP": (socket.AF_INET, 115),
    "PING": (socket.AF_INET, socket.IPPROTO_ICMP),
    "RAW": (socket.AF_INET, socket.IPPROTO_RAW),
    "TCPv6": (socket.AF_INET6, socket.IPPROTO_TCP),
    "UDPv6": (socket.AF_INET6, socket.IPPROTO_UDP),
    "UDPLITEv6": (socket.AF_INET6, 136),
    "DCCPv6": (socket.AF_INET6, 33),
    "SCTPv6": (socket.AF_INET6, 132),
    "L2TP/IPv6": (socket.AF_INET6, 115),
    "PINGv6": (socket.AF_INET6, socket.IPPROTO_ICMP),
    "RAWv6": (socket.AF_INET6, socket.IPPROTO_RAW),
    "NETLINK": (socket.AF_NETLINK, 0),
}


def socket_inode(name: str) -> int:
    """The inode of a `socket:[N]` link, 0 for anything else."""
    if name.startswith("socket:[") and name.endswith("]"):
        digits = name[8:-1]
        if digits.isdigit():
            return int(digits)
    return 0


class SocketDetails:
    def __init__(self) -> None:
        self._cache: list[tuple[int, str] | None] = [None] * CACHE_SIZE
        self.lookups = 0  # sock_diag queries made (cache misses)

    def describe(self, tgid: int, fd: int, name: str) -> str | None:
        """What strace -yy prints in the brackets for `fd`, whose link is `name`; None
        when it is not a socket."""
        inode = socket_inode(name)
        if not inode:
            return None
        hit = self._cache[inode & (CACHE_SIZE - 1)]
        if hit is not None and hit[0] == inode:
            return hit[1]
        try:
            raw = os.getxattr(f"/proc/{tgid}/fd/{fd}", "system.sockprotoname")
            proto = raw.split(b"\0", 1)[0].decode("ascii", "replace")
        except OSError:
            proto = ""
        text = self._lookup(inode, proto)
        if text is not None:
            self._cache[inode & (CACHE_SIZE - 1)] = (inode, text)
            return text
        if proto in _PROTOCOLS:
            return f"{proto}:[{inode}]"
        return name

    def _lookup(self, inode: int, proto: str) -> str | None:
        names = [proto] if proto in _PROTOCOLS else list(_PROTOCOLS)
        try:
            with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, wire.NETLINK_SOCK_DIAG) as s:
                for name in names:
                    self.lookups += 1
                    family, protocol = _PROTOCOLS[name]
                    if family == socket.AF_UNIX:
                        text = _unix(s, inode, name)
                    elif family == socket.AF_NETLINK:
                        text = _netlink(s, inode, name)
                    else:
                        text = _inet(s, inode, name, family, protocol)
                    if text is not None:
                        return text
        except OSError:
            return None
        return None


def _query(s: socket.socket, request: bytes, dump: bool) -> None:
    flags = wire.NLM_F_REQUEST | (wire.NLM_F_DUMP if dump else 0)
    s.send(
        wire.NLMSG.pack(wire.NLMSG.size + len(request), wire.SOCK_DIAG_BY_FAMILY, flags, 0, 0)
        + request
    )


def _find(s: socket.socket, inode: int, parse) -> str | None:
    """Read responses until `parse` (payload, inode) answers: a text, or False to stop.
    As strace's receive_responses: only the first read blocks (the kernel queues a
    dump's next part as the previous one is read); an NLMSG_DONE or error ends it.
    A part whose bytes do not hold the inode at all is skipped unparsed: a dump of a
    busy table (thousands of TIME_WAIT sockets) is mostly such parts."""
    flags = 0
    needle = struct.pack("=I", inode)
    while True:
        try:
            data = s.recv(1 << 16, flags)
        except BlockingIOError:
            return None
        flags = socket.MSG_DONTWAIT
        if not data:
            return None
        if needle not in data:
            continue  # after the dump's end the next read finds nothing (EAGAIN)
        off = 0
        while off + wire.NLMSG.size <= len(data):
            length, kind, _, _, _ = wire.NLMSG.unpack_from(data, off)
            if (
                length < wire.NLMSG.size
                or off + length > len(data)
                or kind != wire.SOCK_DIAG_BY_FAMILY
            ):
                _drain(s)
                return None
            got = parse(data[off + wire.NLMSG.size : off + length], inode)
            if got is False:
                _drain(s)
                return None
            if got is not None:
                _drain(s)
                return got
            off += (length + 3) & ~3


def _drain(s: socket.socket) -> None:
    """Drop the rest of a dump, so the next query on this socket reads its own answer."""
    while True:
        try:
            data = s.recv(1 << 16, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        if not data:
            return
        off = 0
        while off + wire.NLMSG.size <= len(data):
            length, kind, _, _, _ = wire.NLMSG.unpack_from(data, off)
            if kind in (2, 3) or length < wire.NLMSG.size:  # NLMSG_ERROR, NLMSG_DONE
                return
            off += (length + 3) & ~3


def _inet(s: socket.socket, inode: int, name: str, family: int, protocol: int) -> str | None:
    _query(s, wire.INET_REQ.pack(family, protocol, 0, 0xFFFFFFFF, 0, 0, b"", b"", 0, b""), True)

    def parse(msg: bytes, inode: int):
        if len(msg) < wire.INET_MSG.size:
            return False
        f = wire.INET_MSG.unpack_from(msg)
        if f[14] != inode:
            return None
        fam = f[0]
        if fam == socket.AF_INET:
            size, ob, cb = 4, "", ""
        elif fam == socket.AF_INET6:
            size, ob, cb = 16, "[", "]"
        else:
            return False
        sport, dport = int.from_bytes(f[4], "big"), int.from_bytes(f[5], "big")
        src = socket.inet_ntop(fam, f[6][:size])
        if dport or any(f[7][:size]):
            dst = socket.inet_ntop(fam, f[7][:size])
            return f"{name}:[{ob}{src}{cb}:{sport}->{ob}{dst}{cb}:{dport}]"
        return f"{name}:[{ob}{src}{cb}:{sport}]"

    return _find(s, inode, parse)


def _unix(s: socket.socket, inode: int, name: str) -> str | None:
    show = wire.UDIAG_SHOW_NAME | wire.UDIAG_SHOW_PEER
    req = wire.UNIX_REQ.pack(socket.AF_UNIX, 0, 0xFFFFFFFF, inode, show, 0xFFFFFFFF, 0xFFFFFFFF)
    _query(s, req, False)

    def parse(msg: bytes, inode: int):
        if len(msg) < wire.UNIX_MSG.size:
            return False
        family, _, _, ino, _, _ = wire.UNIX_MSG.unpack_from(msg)
        if ino != inode:
            return None
        if family != socket.AF_UNIX:
            return False
        path, peer = None, 0
        off = wire.UNIX_MSG.size
        while off + wire.RTA.size <= len(msg):
            length, rtype = wire.RTA.unpack_from(msg, off)
            if length < wire.RTA.size or off + length > len(msg):
                break
            value = msg[off + wire.RTA.size : off + length]
            if rtype == wire.UNIX_DIAG_NAME and path is None and value:
                path = value
            elif rtype == wire.UNIX_DIAG_PEER and len(value) >= 4:
                peer = struct.unpack_from("=I", value)[0]
            off += (length + 3) & ~3
        text = wire.unix_endpoint(name, inode, peer, path)
        return False if text is None else text

    return _find(s, inode, parse)


def _netlink(s: socket.socket, inode: int, name: str) -> str | None:
    _query(s, _NETLINK_REQ.pack(socket.AF_NETLINK, NDIAG_PROTO_ALL, 0, 0, 0, 0), True)

    def parse(msg: bytes, inode: int):
        if len(msg) < _NETLINK_MSG.size:
            return False
        family, _, protocol, _, portid, _, _, ino, _ = _NETLINK_MSG.unpack_from(msg)
        if ino != inode:
            return None
        if family != socket.AF_NETLINK:
            return False
        proto = NETLINK_PROTOCOLS.get(protocol)
        if proto is not None:
            return f"{name}:[{proto.removeprefix('NETLINK_')}:{portid}]"
        return f"{name}:[{protocol}]"

    return _find(s, inode, parse)
