"""NETLINK_ROUTE address, route, neighbour, rule, netconf, nexthop and address label
messages, as strace 6.1 prints them (its rtnl_addr.c, rtnl_route.c, rtnl_neigh.c,
rtnl_rule.c, rtnl_netconf.c, rtnl_nh.c, rtnl_addrlabel.c): each fixed header, then its
attributes.
"""

from __future__ import annotations

import socket
import struct

from tracer.syscalls.xlat import netlink_misc as X
from tracer.syscalls.xlat import netlink_route as R
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES, IP_PROTOCOLS

from .kstructs import xflags, xval
from .netlink_values import (
    Msg,
    attrs,
    by_name,
    clock_t,
    flags_text,
    header_unread,
    hex0,
    hex_value,
    hwaddr_nofamily,
    ifindex,
    msg_addr,
    nested,
    nla_str,
    partial,
    reads,
    s32,
    struct_decoder,
    u8,
    u16,
    u32,
    u64,
    with_attrs,
    xlat_decoder,
    xval_nodflt,
)
from .nlattr import Body, print_array
from .sockaddr import ifindex_text, inet6_addr_field, inet_addr_field

# ---- RTM_*ADDR: struct ifaddrmsg, IFA_* (rtnl_addr.c) -----------------------------------------


def _ifa_cacheinfo(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 16:
        return None
    p, v, c, t = struct.unpack_from("<4I", raw)
    return f"{{ifa_prefered={p}, ifa_valid={v}, cstamp={c}, tstamp={t}}}"


@reads(4)
def _ifa_flags(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xflags(int.from_bytes(raw[:4], "little"), R.IFADDR_FLAGS, "IFA_F_???")


IFA = {1: msg_addr, 2: msg_addr, 3: nla_str, 4: msg_addr, 5: msg_addr, 6: _ifa_cacheinfo,
       7: msg_addr, 8: _ifa_flags, 9: u32, 10: s32}  # fmt: skip


def ifaddrmsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 8, "ifa_family", fam)) is not None:
        return short
    prefixlen, flags, scope, index = struct.unpack_from("<BBBI", data, off + 1)
    text = (f"{{ifa_family={fam}, ifa_prefixlen={prefixlen}, "
            f"ifa_flags={xflags(flags, R.IFADDR_FLAGS, 'IFA_F_???')}, "
            f"ifa_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"ifa_index={ifindex_text(index)}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 8, m, R.RTNL_ADDR_ATTRS, "IFA_???", IFA)


# ---- RTM_*ROUTE: struct rtmsg, RTA_* (rtnl_route.c) ------------------------------------------


@reads(4)
def _rt_class(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xval_nodflt(int.from_bytes(raw[:4], "little"), R.ROUTING_TABLE_IDS)


@reads(1)
def _rt_proto(raw: bytes, m: Msg) -> str | None:
    return xval(raw[0], R.ROUTING_PROTOCOLS, "RTPROT_???") if raw else None


_METRICS = {i: u32 for i in range(1, 16)} | {16: nla_str}  # RTAX_LOCK..RTAX_QUICKACK, CC_ALGO


def _rtvia(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 2:
        return None
    family = int.from_bytes(raw[:2], "little")
    text = "{rtvia_family=" + xval(family, ADDRESS_FAMILIES, "AF_???")
    rest = raw[2:]
    if rest:
        size = {socket.AF_INET: 4, socket.AF_INET6: 16}.get(family, 0)
        if size and len(rest) >= size:
            field = inet_addr_field if family == socket.AF_INET else inet6_addr_field
            text += ", " + field("rtvia_addr", rest[:size])
        else:
            text += ", rtvia_addr=" + hex_value(rest, m)
    return text + "}"


def _multipath(raw: bytes, m: Msg) -> str | None:
    """RTA_MULTIPATH: struct rtnexthop, each followed by its RTA_* attributes."""
    if len(raw) < 8:
        return None
    items, cur, left = [], 0, len(raw)
    is_array = False
    while cur + 8 <= len(raw):
        nh_len, nh_flags, hops, index = struct.unpack_from("<HBBi", raw, cur)
        rtnh_len = min(left, nh_len)
        if cur == 0 and nh_len < len(raw):
            is_array = True
        text = (f"{{rtnh_len={nh_len}, rtnh_flags={xflags(nh_flags, R.ROUTE_NEXTHOP_FLAGS, 'RTNH_F_???')}, "
                f"rtnh_hops={hops}, rtnh_ifindex={ifindex_text(index & 0xFFFFFFFF)}}}")  # fmt: skip
        if rtnh_len > 8:
            nested_attrs = attrs(
                raw.sub(cur + 8, rtnh_len - 8), m, R.RTNL_ROUTE_ATTRS, "RTA_???", RTA
            )
            text = f"[{text}, {nested_attrs}]"
        items.append(text)
        step = (rtnh_len + 3) & ~3
        if step >= left:
            break
        cur += step
        left -= step
    return "[" + ", ".join(items) + "]" if is_array else items[0]


@reads(2)
def _lwt_type(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 2:
        return None
    return xval(int.from_bytes(raw[:2], "little"), R.LWTUNNEL_ENCAP_TYPES, "LWTUNNEL_ENCAP_???")


RTA = by_name(R.RTNL_ROUTE_ATTRS, {
    "RTA_DST": msg_addr, "RTA_SRC": msg_addr, "RTA_IIF": ifindex, "RTA_OIF": ifindex,
    "RTA_GATEWAY": msg_addr, "RTA_PRIORITY": u32, "RTA_PREFSRC": msg_addr,
    "RTA_METRICS": nested(R.RTNL_RTA_METRICS_ATTRS, "RTAX_???", _METRICS),
    "RTA_MULTIPATH": _multipath, "RTA_PROTOINFO": u32, "RTA_FLOW": u32,
    "RTA_CACHEINFO": struct_decoder("8I", "rta_clntref rta_lastuse rta_expires rta_error "
                             "rta_used rta_id rta_ts rta_tsage", ("rta_id",)),
    "RTA_MP_ALGO": u32, "RTA_TABLE": _rt_class, "RTA_MARK": u32,
    "RTA_MFC_STATS": struct_decoder("QQQ", "mfcs_packets mfcs_bytes mfcs_wrong_if"),
    "RTA_VIA": _rtvia, "RTA_NEWDST": msg_addr, "RTA_PREF": u8,
    "RTA_ENCAP_TYPE": _lwt_type, "RTA_EXPIRES": u64, "RTA_UID": u32,
    "RTA_TTL_PROPAGATE": u8, "RTA_IP_PROTO": u8, "RTA_SPORT": u16, "RTA_DPORT": u16,
})  # fmt: skip


def rtmsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "rtm_family", fam)) is not None:
        return short
    dst, src, tos, table, proto, scope, rtype, flags = struct.unpack_from("<BBBBBBBI", data, off + 1)  # fmt: skip
    text = (f"{{rtm_family={fam}, rtm_dst_len={dst}, rtm_src_len={src}, "
            f"rtm_tos={xflags(tos, R.IP_TYPE_OF_SERVICES, 'IPTOS_TOS_???')}, "
            f"rtm_table={xval_nodflt(table, R.ROUTING_TABLE_IDS)}, "
            f"rtm_protocol={xval(proto, R.ROUTING_PROTOCOLS, 'RTPROT_???')}, "
            f"rtm_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"rtm_type={xval(rtype, R.ROUTING_TYPES, 'RTN_???')}, "
            f"rtm_flags={xflags(flags, R.ROUTING_FLAGS, 'RTM_F_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, R.RTNL_ROUTE_ATTRS, "RTA_???", RTA)


# ---- RTM_*NEIGH: struct ndmsg, NDA_* (rtnl_neigh.c) ------------------------------------------


@reads(2)
def _be16(raw: bytes, m: Msg) -> str | None:
    return f"htons({int.from_bytes(raw[:2], 'big')})" if len(raw) >= 2 else None


NDA = by_name(R.RTNL_NEIGH_ATTRS, {
    "NDA_DST": msg_addr, "NDA_LLADDR": hwaddr_nofamily,
    "NDA_CACHEINFO": struct_decoder("4I", "ndm_confirmed ndm_used ndm_updated ndm_refcnt"),
    "NDA_PROBES": u32, "NDA_VLAN": u16, "NDA_PORT": _be16, "NDA_VNI": u32,
    "NDA_IFINDEX": ifindex, "NDA_MASTER": ifindex, "NDA_LINK_NETNSID": u32,
    "NDA_SRC_VNI": u32, "NDA_PROTOCOL": xlat_decoder(IP_PROTOCOLS, "IPPROTO_???", 0), "NDA_NH_ID": u32,
    "NDA_FDB_EXT_ATTRS": nested(R.RTNL_NEIGH_FDB_EXT_ATTRS, "NFEA_???",
                                 {1: xlat_decoder(R.FDB_NOTIFY_FLAGS, "FDB_NOTIFY_???", 1, flags=True)}),
    "NDA_FLAGS_EXT": xlat_decoder(R.NEIGHBOR_CACHE_ENTRY_EXT_FLAGS, "NTF_EXT_???", 4, flags=True),
    "NDA_NDM_STATE_MASK": xlat_decoder(R.NEIGHBOR_CACHE_ENTRY_STATES, "NUD_???", 2, flags=True),
    "NDA_NDM_FLAGS_MASK": xlat_decoder(R.NEIGHBOR_CACHE_ENTRY_FLAGS, "NTF_???", 1, flags=True),
})  # fmt: skip


def ndmsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "ndm_family", fam)) is not None:
        return short
    index, state, flags, ntype = struct.unpack_from("<iHBB", data, off + 4)
    text = (f"{{ndm_family={fam}, ndm_ifindex={ifindex_text(index & 0xFFFFFFFF)}, "
            f"ndm_state={flags_text(state, R.NEIGHBOR_CACHE_ENTRY_STATES, 'NUD_???')}, "
            f"ndm_flags={flags_text(flags, R.NEIGHBOR_CACHE_ENTRY_FLAGS, 'NTF_???')}, "
            f"ndm_type={xval(ntype, R.ROUTING_TYPES, 'RTN_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, R.RTNL_NEIGH_ATTRS, "NDA_???", NDA)


# ---- RTM_*RULE: struct fib_rule_hdr, FRA_* (rtnl_rule.c) -------------------------------------


@reads(8)
def _be64(raw: bytes, m: Msg) -> str | None:
    return f"htobe64({int.from_bytes(raw[:8], 'big')})" if len(raw) >= 8 else None


_RANGE = struct_decoder("II", "start end")
_PORT_RANGE = struct_decoder("HH", "start end")
FRA = by_name(R.RTNL_RULE_ATTRS, {
    "FRA_DST": msg_addr, "FRA_SRC": msg_addr, "FRA_IIFNAME": nla_str, "FRA_GOTO": u32,
    "FRA_PRIORITY": u32, "FRA_FWMARK": u32, "FRA_FLOW": u32, "FRA_TUN_ID": _be64,
    "FRA_SUPPRESS_IFGROUP": u32, "FRA_SUPPRESS_PREFIXLEN": u32, "FRA_TABLE": _rt_class,
    "FRA_FWMASK": u32, "FRA_OIFNAME": nla_str, "FRA_L3MDEV": u8, "FRA_UID_RANGE": _RANGE,
    "FRA_PROTOCOL": _rt_proto, "FRA_IP_PROTO": xlat_decoder(IP_PROTOCOLS, "IPPROTO_???", 0),
    "FRA_SPORT_RANGE": _PORT_RANGE, "FRA_DPORT_RANGE": _PORT_RANGE,
})  # fmt: skip


def fib_rule_hdr(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "family", fam)) is not None:
        return short
    dst, src, tos, table, _r1, _r2, action, flags = struct.unpack_from("<BBBBBBBI", data, off + 1)  # fmt: skip
    text = (f"{{family={fam}, dst_len={dst}, src_len={src}, "
            f"tos={xflags(tos, R.IP_TYPE_OF_SERVICES, 'IPTOS_TOS_???')}, "
            f"table={xval(table, R.ROUTING_TABLE_IDS, 'RT_TABLE_???')}, "
            f"action={xval(action, R.FIB_RULE_ACTIONS, 'FR_ACT_???')}, "
            f"flags={xflags(flags, R.FIB_RULE_FLAGS, 'FIB_RULE_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, R.RTNL_RULE_ATTRS, "FRA_???", FRA)


# ---- RTM_*NETCONF: struct netconfmsg, NETCONFA_* (rtnl_netconf.c) ---------------------------

NETCONFA = {1: ifindex} | dict.fromkeys(range(2, 9), s32)  # NETCONFA_FORWARDING..BC_FORWARDING


def netconfmsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    text = f"{{ncm_family={fam}}}"
    return with_attrs(text, data, off, length, 4, m, R.RTNL_NETCONF_ATTRS, "NETCONFA_???", NETCONFA)


# ---- RTM_*NEXTHOP: struct nhmsg, NHA_* (rtnl_nh.c) -------------------------------------------


def _nh_group(raw: bytes, i: int) -> str:
    """struct nexthop_grp, its reserved fields only when set."""
    nh_id, weight, resvd1, resvd2 = struct.unpack("<IBBH", raw)
    text = f"{{id={nh_id}, weight={weight}"
    text += f", resvd1={hex0(resvd1)}" if resvd1 else ""
    text += f", resvd2={hex0(resvd2)}" if resvd2 else ""
    return text + "}"


@partial
def _nh_groups(raw: Body, m: Msg) -> str | None:
    """NHA_GROUP: an array of struct nexthop_grp."""
    if not len(raw) // 8:
        return None
    return print_array(raw, 8, _nh_group, m.strsize, m.abbrev)


NHA = by_name(R.RTNL_NEXTHOP_ATTRS, {
    "NHA_ID": u32, "NHA_GROUP": _nh_groups,
    "NHA_GROUP_TYPE": xlat_decoder(R.RTNL_NEXTHOP_GRP_TYPES, "NEXTHOP_GRP_TYPE_???", 2),
    "NHA_BLACKHOLE": u32, "NHA_OIF": ifindex, "NHA_GATEWAY": msg_addr,
    "NHA_ENCAP_TYPE": _lwt_type, "NHA_GROUPS": u32, "NHA_MASTER": ifindex, "NHA_FDB": u32,
    "NHA_RES_GROUP": nested(R.RTNL_NHA_RES_GROUP_ATTRS, "NHA_RES_GROUP_???",
                             {1: u16, 2: clock_t, 3: clock_t, 4: clock_t}),
    "NHA_RES_BUCKET": nested(R.RTNL_NHA_RES_BUCKET_ATTRS, "NHA_RES_BUCKET_???",
                              {1: u16, 2: clock_t, 3: u32}),
})  # fmt: skip


def nhmsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 8, "nh_family", fam)) is not None:
        return short
    scope, proto, resvd, flags = struct.unpack_from("<BBBI", data, off + 1)
    text = (f"{{nh_family={fam}, nh_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"nh_protocol={xval(proto, R.ROUTING_PROTOCOLS, 'RTPROT_???')}, "
            + (f"resvd={hex0(resvd)}, " if resvd else "")
            + f"nh_flags={xflags(flags, R.ROUTE_NEXTHOP_FLAGS, 'RTNH_F_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 8, m, R.RTNL_NEXTHOP_ATTRS, "NHA_???", NHA)


# ---- RTM_*ADDRLABEL: struct ifaddrlblmsg, IFAL_* (rtnl_addrlabel.c) ---------------------------

IFAL = {1: msg_addr, 2: u32}


def ifaddrlblmsg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "ifal_family", fam)) is not None:
        return short
    prefixlen, flags, index, seq = struct.unpack_from("<BBII", data, off + 2)
    text = (f"{{ifal_family={fam}, ifal_prefixlen={prefixlen}, ifal_flags={flags}, "
            f"ifal_index={ifindex_text(index)}, ifal_seq={seq}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, X.RTNL_ADDRLABEL_ATTRS, "IFAL_???", IFAL)
