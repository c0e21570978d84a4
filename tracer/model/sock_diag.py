"""Socket endpoints by inode from the kernel's sock_diag netlink interface, as strace
-yy prints them: `TCP:[127.0.0.1:41234->127.0.0.1:5432]`, `UNIX-STREAM:[12->13,"x.sock"]`.

Reads the tables of the caller's network namespace (the tracee's, unless it made
its own). One dump per family and protocol answers every inode alive at that moment;
an inode seen once keeps its text, and unknown ones trigger at most one new dump per
`REFRESH` seconds.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time

from tracer import sock_diag_wire as wire

_INET = (
    (socket.AF_INET, socket.IPPROTO_TCP, "TCP"),
    (socket.AF_INET6, socket.IPPROTO_TCP, "TCPv6"),
    (socket.AF_INET, socket.IPPROTO_UDP, "UDP"),
    (socket.AF_INET6, socket.IPPROTO_UDP, "UDPv6"),
)
REFRESH = 0.005


def _addr(family: int, raw: bytes, port: bytes) -> tuple[str, int]:
    p = int.from_bytes(port, "big")
    if family == socket.AF_INET:
        return f"{ipaddress.IPv4Address(raw[:4])}:{p}", p
    return f"[{ipaddress.IPv6Address(raw)}]:{p}", p


def _dump(request: bytes) -> list[bytes]:
    """The payloads of one netlink dump."""
    out: list[bytes] = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, wire.NETLINK_SOCK_DIAG) as s:
        header = wire.NLMSG.pack(
            wire.NLMSG.size + len(request),
            wire.SOCK_DIAG_BY_FAMILY,
            wire.NLM_F_REQUEST | wire.NLM_F_DUMP,
            1,
            0,
        )
        s.send(header + request)
        while True:
            data = s.recv(1 << 16)
            off = 0
            while off + wire.NLMSG.size <= len(data):
                length, kind, _, _, _ = wire.NLMSG.unpack_from(data, off)
                if kind in (wire.NLMSG_DONE, wire.NLMSG_ERROR) or length < wire.NLMSG.size:
                    return out
                out.append(data[off + wire.NLMSG.size : off + length])
                off += (length + 3) & ~3


class SocketEndpoints:
    def __init__(self) -> None:
        self.known: dict[int, str] = {}
        self._dumped_at = 0.0

    def describe(self, pid: int, inode: int) -> str | None:
        text = self.known.get(inode)
        if text is None and time.monotonic() - self._dumped_at > REFRESH:
            self.refresh()
            text = self.known.get(inode)
        return text

    def refresh(self) -> None:
        self._dumped_at = time.monotonic()
        try:
            for family, proto, name in _INET:
                self._inet(family, proto, name)
            self._unix()
        except OSError:
            pass

    def _inet(self, family: int, proto: int, name: str) -> None:
        req = wire.INET_REQ.pack(family, proto, 0, 0xFFFFFFFF, 0, 0, b"", b"", 0, b"")
        for msg in _dump(req):
            if len(msg) < wire.INET_MSG.size:
                continue
            f = wire.INET_MSG.unpack_from(msg)
            fam, sport, dport, src, dst, inode = f[0], f[4], f[5], f[6], f[7], f[14]
            if not inode:
                continue
            local, _ = _addr(fam, src, sport)
            peer, port = _addr(fam, dst, dport)
            connected = port != 0 or any(dst)
            self.known[inode] = f"{name}:[{local}->{peer}]" if connected else f"{name}:[{local}]"

    def _unix(self) -> None:
        req = wire.UNIX_REQ.pack(
            socket.AF_UNIX,
            0,
            0xFFFFFFFF,
            0,
            wire.UDIAG_SHOW_NAME | wire.UDIAG_SHOW_PEER,
            0xFFFFFFFF,
            0xFFFFFFFF,
        )
        for msg in _dump(req):
            if len(msg) < wire.UNIX_MSG.size:
                continue
            _, kind, _, inode, _, _ = wire.UNIX_MSG.unpack_from(msg)
            path, peer = None, 0
            off = wire.UNIX_MSG.size
            while off + wire.RTA.size <= len(msg):
                length, rtype = wire.RTA.unpack_from(msg, off)
                if length < wire.RTA.size:
                    break
                value = msg[off + wire.RTA.size : off + length]
                if rtype == wire.UNIX_DIAG_NAME and path is None and value:
                    path = value
                elif rtype == wire.UNIX_DIAG_PEER and len(value) >= 4:
                    peer = struct.unpack_from("=I", value)[0]
                off += (length + 3) & ~3
            protocol = wire.unix_protocol(kind)
            text = wire.unix_endpoint(protocol, inode, peer, path)
            self.known[inode] = text or f"{protocol}:[{inode}]"
