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

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_DONE = 3
NLMSG_ERROR = 2

_NLMSG = struct.Struct("=IHHII")
_INET_REQ = struct.Struct("=BBBxI" + "HH16s16sI8s")  # inet_diag_req_v2
_INET_MSG = struct.Struct("=BBBB" + "2s2s16s16sI8s" + "IIIII")  # inet_diag_msg
_UNIX_REQ = struct.Struct("=BBxxIIIII")  # unix_diag_req
_UNIX_MSG = struct.Struct("=BBBxIII")  # unix_diag_msg
_RTA = struct.Struct("=HH")
UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_PEER = 0x04
UNIX_DIAG_NAME = 0
UNIX_DIAG_PEER = 2
_UNIX_NAMES = {1: "UNIX-STREAM", 2: "UNIX", 5: "UNIX-SEQPACKET"}
_INET = (
    (socket.AF_INET, socket.IPPROTO_TCP, "TCP"),
    (socket.AF_INET6, socket.IPPROTO_TCP, "TCPv6"),
    (socket.AF_INET, socket.IPPROTO_UDP, "UDP"),
    (socket.AF_INET6, socket.IPPROTO_UDP, "UDPv6"),
)
REFRESH = 0.005


def _quote(name: bytes) -> str:
    from tracer.syscalls import fmt

    if name.startswith(b"\0"):
        return '"@' + fmt.quote_path(name[1:])[1:]
    return fmt.quote_path(name)


def _addr(family: int, raw: bytes, port: bytes) -> tuple[str, int]:
    p = int.from_bytes(port, "big")
    if family == socket.AF_INET:
        return f"{ipaddress.IPv4Address(raw[:4])}:{p}", p
    return f"[{ipaddress.IPv6Address(raw)}]:{p}", p


def _dump(request: bytes) -> list[bytes]:
    """The payloads of one netlink dump."""
    out: list[bytes] = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG) as s:
        header = _NLMSG.pack(
            _NLMSG.size + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0
        )
        s.send(header + request)
        while True:
            data = s.recv(1 << 16)
            off = 0
            while off + _NLMSG.size <= len(data):
                length, kind, _, _, _ = _NLMSG.unpack_from(data, off)
                if kind in (NLMSG_DONE, NLMSG_ERROR) or length < _NLMSG.size:
                    return out
                out.append(data[off + _NLMSG.size : off + length])
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
        req = _INET_REQ.pack(family, proto, 0, 0xFFFFFFFF, 0, 0, b"", b"", 0, b"")
        for msg in _dump(req):
            if len(msg) < _INET_MSG.size:
                continue
            f = _INET_MSG.unpack_from(msg)
            fam, sport, dport, src, dst, inode = f[0], f[4], f[5], f[6], f[7], f[14]
            if not inode:
                continue
            local, _ = _addr(fam, src, sport)
            peer, port = _addr(fam, dst, dport)
            connected = port != 0 or any(dst)
            self.known[inode] = f"{name}:[{local}->{peer}]" if connected else f"{name}:[{local}]"

    def _unix(self) -> None:
        req = _UNIX_REQ.pack(
            socket.AF_UNIX,
            0,
            0xFFFFFFFF,
            0,
            UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
            0xFFFFFFFF,
            0xFFFFFFFF,
        )
        for msg in _dump(req):
            if len(msg) < _UNIX_MSG.size:
                continue
            _, kind, _, inode, _, _ = _UNIX_MSG.unpack_from(msg)
            path, peer = None, 0
            off = _UNIX_MSG.size
            while off + _RTA.size <= len(msg):
                length, rtype = _RTA.unpack_from(msg, off)
                if length < _RTA.size:
                    break
                value = msg[off + _RTA.size : off + length]
                if rtype == UNIX_DIAG_NAME:
                    path = value
                elif rtype == UNIX_DIAG_PEER and len(value) >= 4:
                    peer = struct.unpack_from("=I", value)[0]
                off += (length + 3) & ~3
            text = f"{inode}->{peer}" if peer else str(inode)
            if path:
                text += "," + _quote(path)
            self.known[inode] = f"{_UNIX_NAMES.get(kind, 'UNIX')}:[{text}]"
