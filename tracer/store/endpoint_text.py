"""Socket endpoints as words a search finds: `127.0.0.1:53`, `[::1]:80`, `/run/x.sock`.

A call's sockaddr is captured as raw bytes and rendered as a struct, which the search
text leaves out (struct bytes are noise); its endpoint, short, is what users type
("which call talks to 10.0.0.5:5432"), for the list's filter and for steering filters.
"""

from __future__ import annotations

import socket
import struct

_PORT = struct.Struct("!H")


def sockaddr_endpoint(data: bytes | None) -> str | None:
    """The endpoint a captured sockaddr names, as the files pane shows it; None when
    it names none (too short, another family, an unnamed UNIX socket)."""
    if not data or len(data) < 4:
        return None
    family = int.from_bytes(data[:2], "little")
    if family == socket.AF_INET and len(data) >= 8:
        return f"{socket.inet_ntop(socket.AF_INET, data[4:8])}:{_PORT.unpack_from(data, 2)[0]}"
    if family == socket.AF_INET6 and len(data) >= 24:
        addr = socket.inet_ntop(socket.AF_INET6, data[8:24])
        return f"[{addr}]:{_PORT.unpack_from(data, 2)[0]}"
    if family == socket.AF_UNIX and len(data) > 2:
        path = data[2:]
        if path[:1] == b"\0":  # abstract: `@name`, as strace and ss print it
            return "@" + path[1:].rstrip(b"\0").decode("utf-8", "surrogateescape")
        path = path.split(b"\0", 1)[0]
        return path.decode("utf-8", "surrogateescape") or None
    return None
