"""NETLINK_GENERIC message types: the kernel numbers generic netlink families when they
register, so, as strace 6.1 does, their names are asked of the kernel once (a
CTRL_CMD_GETFAMILY dump on a NETLINK_GENERIC socket of our own) and kept. When the query
fails, types print as numbers (`0x10 /* GENERIC_FAMILY_??? */`).
"""

from __future__ import annotations

import functools
import socket
import struct
from collections.abc import Iterator

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_NEWFAMILY, CTRL_CMD_GETFAMILY = 1, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
_HDR = struct.Struct("<IHHII")
_GENL_HDR_LEN = 4
_TIMEOUT = 1.0


@functools.cache
def generic_families() -> dict[int, str]:
    """Family id -> name, from the kernel; empty if it could not be asked."""
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC) as sock:
            sock.settimeout(_TIMEOUT)
            return _ask(sock)
    except OSError:
        return {}


def _ask(sock: socket.socket) -> dict[int, str]:
    request = _HDR.pack(_HDR.size + _GENL_HDR_LEN, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
    sock.send(request + bytes([CTRL_CMD_GETFAMILY, 0, 0, 0]))
    families: dict[int, str] = {}
    while True:
        data = sock.recv(65536)
        if not data:
            return families
        for mtype, payload in _messages(data):
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                return families
            if mtype == GENL_ID_CTRL:
                families.update(_family_pairs(payload))


def _messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    off = 0
    while off + _HDR.size <= len(data):
        length, mtype = struct.unpack_from("<IH", data, off)
        if length < _HDR.size:
            return
        yield mtype, data[off + _HDR.size : off + length]
        off += (length + 3) & ~3


def _family_pairs(payload: bytes) -> Iterator[tuple[int, str]]:
    """A CTRL_CMD_NEWFAMILY answer's (id, name) pairs: each name with the id that follows
    or precedes it, as strace pairs them."""
    if len(payload) < _GENL_HDR_LEN or payload[0] != CTRL_CMD_NEWFAMILY or payload[1] != 2:
        return
    name: str | None = None
    ident: int | None = None
    off = _GENL_HDR_LEN
    while off + 4 <= len(payload):
        length, kind = struct.unpack_from("<HH", payload, off)
        if length < 4 or off + length > len(payload):
            return
        value = payload[off + 4 : off + length]
        if kind == CTRL_ATTR_FAMILY_NAME and name is None:
            name = value.split(b"\0", 1)[0].decode("latin-1")
        elif kind == CTRL_ATTR_FAMILY_ID and ident is None and len(value) == 2:
            ident = struct.unpack("<H", value)[0]
        if name is not None and ident is not None:
            yield ident, name
            name = ident = None
        off += (length + 3) & ~3
