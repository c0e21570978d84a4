"""NETLINK_NETFILTER payloads, as strace 6.1's netlink_netfilter.c prints them: struct
nfgenmsg, then the attributes (their types as numbers) or, after a batch control message,
the rest in hex."""

from __future__ import annotations

import struct

from tracer.syscalls.xlat.net import ADDRESS_FAMILIES
from tracer.syscalls.xlat.netlink_types import NETFILTER_VERSIONS

from .kstructs import xval
from .nlattr import Body, address, can_read, decode_nlattr, flag_name, hex_bytes

NFGENMSG_SIZE = 4
NFNL_SUBSYS_NFTABLES = 10
NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 16, 17
NLMSG_MIN_TYPE = 16


def _res_id(raw: bytes, subsys: int) -> str:
    """res_id, network order, but nftables once sent it in host order: strace names both."""
    host = int.from_bytes(raw, "little")
    net = int.from_bytes(raw, "big")
    if subsys == NFNL_SUBSYS_NFTABLES and net == NFNL_SUBSYS_NFTABLES:
        return flag_name(host, "htons(NFNL_SUBSYS_NFTABLES)")
    if subsys == NFNL_SUBSYS_NFTABLES and host == NFNL_SUBSYS_NFTABLES:
        return flag_name(host, "NFNL_SUBSYS_NFTABLES")
    return f"htons({net})"


def netfilter_payload(data: Body, off: int, length: int, mtype: int, strsize: int, abbrev: bool) -> str:  # fmt: skip
    """decode_netlink_netfilter: the nfgenmsg and what follows it."""
    if length < NFGENMSG_SIZE:
        return hex_bytes(data, off, length, strsize)
    if not can_read(data, off, NFGENMSG_SIZE):
        return address(data, off)
    family, version = struct.unpack_from("<BB", data, off)
    text = (f"{{nfgen_family={xval(family, ADDRESS_FAMILIES, 'AF_???')}, "
            f"version={xval(version, NETFILTER_VERSIONS, 'NFNETLINK_???')}, "
            f"res_id={_res_id(data[off + 2 : off + 4], mtype >> 8)}}}")  # fmt: skip
    if length <= NFGENMSG_SIZE:
        return text
    rest, size = off + NFGENMSG_SIZE, length - NFGENMSG_SIZE
    if NFNL_MSG_BATCH_BEGIN <= mtype <= NFNL_MSG_BATCH_END or mtype < NLMSG_MIN_TYPE:
        return f"{text}, {hex_bytes(data, rest, size, strsize)}"
    return f"{text}, {decode_nlattr(data, rest, size, None, '', None, strsize, abbrev)}"
