"""NETLINK_SELINUX payloads, as strace 6.1's netlink_selinux.c prints them: the enforcing
mode and policy load notices; other types are not decoded (None)."""

from __future__ import annotations

import struct

from .nlattr import Body, address, can_read, hex_bytes

SELNL_MSG_SETENFORCE, SELNL_MSG_POLICYLOAD = 0x10, 0x11
_FIELDS = {SELNL_MSG_SETENFORCE: ("val", "<i"), SELNL_MSG_POLICYLOAD: ("seqno", "<I")}


def selinux_payload(data: Body, off: int, length: int, mtype: int, strsize: int) -> str | None:
    """`{val=1}` (struct selnl_msg_setenforce) or `{seqno=2}` (selnl_msg_policyload)."""
    spec = _FIELDS.get(mtype)
    if spec is None:
        return None
    name, fmt = spec
    if length < 4:
        return hex_bytes(data, off, length, strsize)
    if not can_read(data, off, 4):
        return address(data, off)
    return f"{{{name}={struct.unpack_from(fmt, data, off)[0]}}}"
