"""Socket endpoints for the files pane: strace's sockaddr text made short (`127.0.0.1:8080`).

The fd model keeps the sockaddr as rendered (`{sa_family=AF_INET, sin_port=htons(8080),
sin_addr=inet_addr("127.0.0.1")}`); a 30-cell column needs the address and port only.
"""

from __future__ import annotations

import re

_INET = re.compile(r'sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]*)"\)')
_INET6 = re.compile(r'sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]*)"')
_UNIX = re.compile(r"sun_path=(@?)\"((?:[^\"\\]|\\.)*)\"")
_NETLINK = re.compile(r"nl_pid=(\d+)")
_SOCKET_CALL = re.compile(r"socket\((AF_[A-Z0-9]+), ([A-Z_|]+)")


def short_endpoint(text: str) -> str:
    """`127.0.0.1:80`, `[::1]:80`, `/run/x.sock`, `@abstract`, `netlink:0`; else the text."""
    if m := _INET.search(text):
        return f"{m.group(2)}:{m.group(1)}"
    if m := _INET6.search(text):
        return f"[{m.group(2)}]:{m.group(1)}"
    if m := _UNIX.search(text):
        return m.group(1) + m.group(2)
    if "AF_UNIX" in text:
        return "unix (unnamed)"
    if m := _NETLINK.search(text):
        return f"netlink:{m.group(1)}"
    return text


def socket_label(path: str) -> str:
    """`tcp`, `udp`, `unix`, ... from a socket fd's path when socket() made it; else the path."""
    m = _SOCKET_CALL.match(path)
    if not m:
        return path
    family, kind = m.group(1), m.group(2)
    if family in ("AF_INET", "AF_INET6"):
        v6 = "6" if family == "AF_INET6" else ""
        if "SOCK_STREAM" in kind:
            return "tcp" + v6
        if "SOCK_DGRAM" in kind:
            return "udp" + v6
        return "raw" + v6
    if family == "AF_UNIX":
        return "unix " + ("stream" if "SOCK_STREAM" in kind else kind.split("|")[0][5:].lower())
    return family[3:].lower()


def socket_target(path: str, local: str | None, peer: str | None, accepted: bool) -> str:
    """What the files pane shows for a socket: endpoints first (they are what one looks for)."""
    label = socket_label(path)
    here = short_endpoint(local) if local else None
    there = short_endpoint(peer) if peer else None
    if there and here:
        ends = f"{here} -> {there}"
    elif there:
        ends = f"from {there}" if accepted else f"to {there}"
    elif here:
        ends = f"on {here}"
    else:
        return label
    return f"{ends}  {label}"
