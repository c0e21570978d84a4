"""Endpoints of a live process's sockets, from /proc/PID/net: for fds that predate the trace.

An attached process's sockets were made before we looked, so no traced bind,
connect or accept names them; `/proc/PID/fd` gives only `socket:[inode]`. The
kernel's socket tables, read from the process's own network namespace, map
that inode to its addresses (what `ss -p` shows).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

_TCP_LISTEN = "0A"
_UNIX_TYPES = {"0001": "SOCK_STREAM", "0002": "SOCK_DGRAM", "0005": "SOCK_SEQPACKET"}


@dataclass(slots=True)
class SocketInfo:
    description: str  # `socket(AF_INET, SOCK_STREAM)`, as the socket() call would be shown
    local: str | None  # `127.0.0.1:8080`, `/run/x.sock`
    peer: str | None


def _inet(hex_addr: str) -> str:
    addr, port = hex_addr.split(":")
    raw = bytes.fromhex(addr)
    if len(raw) == 4:
        return f"{ipaddress.IPv4Address(raw[::-1])}:{int(port, 16)}"
    # IPv6: four 32-bit words, each in host (little-endian) order.
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return f"[{ipaddress.IPv6Address(words)}]:{int(port, 16)}"


def _read_lines(path: str) -> list[str]:
    try:
        with open(path) as f:
            return f.read().splitlines()[1:]
    except OSError:
        return []


def socket_table(pid: int) -> dict[int, SocketInfo]:
    """Inode -> endpoints for every TCP, UDP and Unix socket in `pid`'s network namespace."""
    out: dict[int, SocketInfo] = {}
    for proto, family, kind in (
        ("tcp", "AF_INET", "SOCK_STREAM"),
        ("tcp6", "AF_INET6", "SOCK_STREAM"),
        ("udp", "AF_INET", "SOCK_DGRAM"),
        ("udp6", "AF_INET6", "SOCK_DGRAM"),
    ):
        for line in _read_lines(f"/proc/{pid}/net/{proto}"):
            f = line.split()
            if len(f) < 10 or not f[9].isdigit():
                continue
            try:
                local, remote = _inet(f[1]), _inet(f[2])
            except ValueError:
                continue
            unconnected = f[3] == _TCP_LISTEN or remote.endswith(":0")
            out[int(f[9])] = SocketInfo(
                f"socket({family}, {kind})", local, None if unconnected else remote
            )
    for line in _read_lines(f"/proc/{pid}/net/unix"):
        f = line.split()
        if len(f) < 7 or not f[6].isdigit():
            continue
        kind = _UNIX_TYPES.get(f[4], "SOCK_STREAM")
        path = f[7] if len(f) > 7 else None
        out[int(f[6])] = SocketInfo(f"socket(AF_UNIX, {kind})", path, None)
    return out


def socket_inode(path: str) -> int | None:
    """The inode of a `socket:[123]` fd name, None for anything else."""
    if path.startswith("socket:[") and path.endswith("]") and path[8:-1].isdigit():
        return int(path[8:-1])
    return None
