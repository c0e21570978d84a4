"""NETLINK_ROUTE neighbour table, namespace id, multicast cache report, DCB and multicast
database messages, as strace 6.1 prints them (its rtnl_neightbl.c, rtnl_nsid.c,
rtnl_cachereport.c, rtnl_dcb.c, rtnl_mdb.c).
"""

from __future__ import annotations

import socket
import struct

from tracer.syscalls.xlat import netlink_misc as X
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES

from .kstructs import hex_quote, xval
from .netlink_values import (
    Msg,
    by_name,
    clock_t,
    flags_text,
    header_unread,
    ifindex,
    in_addr,
    nested,
    nla_fd,
    nla_str,
    partial,
    reads,
    s32,
    struct_decoder,
    u32,
    u64,
    value_then_attrs,
    with_attrs,
    xlat_decoder,
)
from .nlattr import Body, address, can_read, hex_bytes
from .sockaddr import _field, ifindex_text, inet6_addr_field

# ---- messages with the family alone: ndtmsg, rtgenmsg (nsid, cache reports), tcamsg ---------


def _ndt_stats(raw: bytes, m: Msg) -> str | None:
    """struct ndt_stats, without ndts_table_fulls from older kernels."""
    size = 88 if len(raw) >= 88 else (80 if len(raw) == 80 else 0)
    if not size:
        return None
    if not can_read(raw, 0, size):
        return address(raw, 0)
    names = ("ndts_allocs ndts_destroys ndts_hash_grows ndts_res_failed ndts_lookups ndts_hits "
             "ndts_rcv_probes_mcast ndts_rcv_probes_ucast ndts_periodic_gc_runs "
             "ndts_forced_gc_runs ndts_table_fulls").split()  # fmt: skip
    values = struct.unpack_from(f"<{size // 8}Q", raw)
    return "{" + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=False)) + "}"


_each = dict.fromkeys
_NDTPA = by_name(X.RTNL_NEIGHTBL_PARMS_ATTRS, {
    "NDTPA_IFINDEX": ifindex,
    **_each(["NDTPA_REFCNT", "NDTPA_QUEUE_LEN", "NDTPA_APP_PROBES", "NDTPA_UCAST_PROBES",
            "NDTPA_MCAST_PROBES", "NDTPA_PROXY_QLEN", "NDTPA_QUEUE_LENBYTES",
            "NDTPA_MCAST_REPROBES"], u32),
    **_each(["NDTPA_REACHABLE_TIME", "NDTPA_BASE_REACHABLE_TIME", "NDTPA_RETRANS_TIME",
            "NDTPA_GC_STALETIME", "NDTPA_DELAY_PROBE_TIME", "NDTPA_ANYCAST_DELAY",
            "NDTPA_PROXY_DELAY", "NDTPA_LOCKTIME", "NDTPA_INTERVAL_PROBE_TIME_MS"], u64),
})  # fmt: skip
NDTA = by_name(X.RTNL_NEIGHTBL_ATTRS, {
    "NDTA_NAME": nla_str, "NDTA_THRESH1": u32, "NDTA_THRESH2": u32, "NDTA_THRESH3": u32,
    "NDTA_CONFIG": struct_decoder("HHIIIIIII", "ndtc_key_len ndtc_entry_size ndtc_entries "
                           "ndtc_last_flush ndtc_last_rand ndtc_hash_rnd ndtc_hash_mask "
                           "ndtc_hash_chain_gc ndtc_proxy_qlen", padded=("ndtc_hash_mask",)),
    "NDTA_PARMS": nested(X.RTNL_NEIGHTBL_PARMS_ATTRS, "NDTPA_???", _NDTPA),
    "NDTA_STATS": partial(_ndt_stats), "NDTA_GC_INTERVAL": u64,
})  # fmt: skip
NETNSA = {1: s32, 2: u32, 3: nla_fd, 4: s32, 5: s32}  # NETNSA_NSID .. NETNSA_CURRENT_NSID

_CREPORT = {
    128: (X.RTNL_IPMRA_CREPORT_ATTR, "IPMRA_CREPORT_???",
          {1: xlat_decoder(X.RTNL_IPMRA_MSG_TYPES, "IGMPMSG_???", 1), 2: u32,
           3: in_addr(socket.AF_INET, 4), 4: in_addr(socket.AF_INET, 4), 6: u32}),
    129: (X.RTNL_IP6MRA_CREPORT_ATTR, "IP6MRA_CREPORT_???",
          {1: xlat_decoder(X.RTNL_IP6MRA_MSG_TYPES, "MRT6MSG_???", 1), 2: u32,
           3: in_addr(socket.AF_INET6, 16), 4: in_addr(socket.AF_INET6, 16)}),
}  # fmt: skip
_RTGEN_FAMILIES = {**ADDRESS_FAMILIES, **X.RTNL_FAMILY}


def cachereport(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    """RTM_NEWCACHEREPORT: the rtgenmsg, then IPMRA_* or IP6MRA_* attributes, or hex."""
    text = f"{{rtgen_family={xval(m.family, _RTGEN_FAMILIES, 'RTNL_FAMILY_???')}}}"
    if length <= 4:
        return text
    spec = _CREPORT.get(m.family)
    if spec is None:
        return f"{text}, {hex_bytes(data, off + 4, length - 4, m.strsize)}"
    return with_attrs(text, data, off, length, 4, m, *spec)


# ---- RTM_GETDCB, RTM_SETDCB: struct dcbmsg, DCB_ATTR_* undecoded (rtnl_dcb.c) ------------------


def dcbmsg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 4, "dcb_family", fam)) is not None:
        return short
    text = f"{{dcb_family={fam}, cmd={xval(data[off + 1], X.DCB_COMMANDS, 'DCB_CMD_???')}}}"
    return with_attrs(text, data, off, length, 4, m, X.RTNL_DCB_ATTRS, "DCB_ATTR_???", {})


# ---- RTM_*MDB: struct br_port_msg, MDBA_* (rtnl_mdb.c) ----------------------------------------


def _mdb_entry(raw: bytes, m: Msg) -> str:
    """struct br_mdb_entry: the group address by its protocol."""
    index, state, flags, vid = struct.unpack_from("<IBBH", raw)
    group, proto = raw[8:24], int.from_bytes(raw[24:26], "big")
    if proto == socket.AF_INET:
        addr = _field("u", group, f'inet_addr("{socket.inet_ntop(socket.AF_INET, group[:4])}")')
    elif proto == socket.AF_INET6:
        addr = inet6_addr_field("u", group)
    else:
        addr = f"u={hex_quote(group)}"
    return (f"{{ifindex={ifindex_text(index)}, state={xval(state, X.MDB_STATES, 'MDB_???')}, "
            f"flags={flags_text(flags, X.MDB_FLAGS, 'MDB_FLAGS_???')}, vid={vid}, "
            f"addr={{{addr}, proto=htons({xval(proto, ADDRESS_FAMILIES, 'AF_???')})}}}}")  # fmt: skip


_MDB_ENTRY = {1: value_then_attrs(_mdb_entry, 28, X.RTNL_MDBA_MDB_EATTR_ATTRS,
                                   "MDBA_MDB_EATTR_???", {1: clock_t})}  # fmt: skip
_ROUTER_PORT = {1: value_then_attrs(
    lambda raw, m: ifindex_text(int.from_bytes(raw[:4], "little")), 4,
    X.RTNL_MDBA_ROUTER_PATTR_ATTRS, "MDBA_ROUTER_PATTR_???",
    {1: clock_t, 2: reads(1)(lambda raw, m: xval(raw[0], X.MULTICAST_ROUTER_TYPES,
                                                  "MDB_RTR_TYPE_???")),
     3: clock_t, 4: clock_t})}  # fmt: skip
MDBA = {
    1: nested(X.RTNL_MDBA_MDB_ATTRS, "MDBA_MDB_???",
               {1: nested(X.RTNL_MDBA_MDB_ENTRY_ATTRS, "MDBA_MDB_ENTRY_???", _MDB_ENTRY)}),
    2: nested(X.RTNL_MDBA_ROUTER_ATTRS, "MDBA_ROUTER_???", _ROUTER_PORT),
}  # fmt: skip


def br_port_msg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 8, "family", fam)) is not None:
        return short
    text = f"{{family={fam}, ifindex={ifindex_text(struct.unpack_from('<I', data, off + 4)[0])}}}"
    return with_attrs(text, data, off, length, 8, m, X.RTNL_MDB_ATTRS, "MDBA_???", MDBA)
