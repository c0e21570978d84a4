"""Bridge attributes of NETLINK_ROUTE link messages, as strace 6.1's rtnl_link.c prints
them: a bridge's IFLA_BR_* (IFLA_INFO_DATA), a bridge port's IFLA_BRPORT_* (IFLA_PROTINFO,
IFLA_INFO_SLAVE_DATA) and AF_BRIDGE's IFLA_BRIDGE_* (IFLA_AF_SPEC).
"""

from __future__ import annotations

import socket
import struct

from tracer.syscalls.xlat import netlink_bridge as B
from tracer.syscalls.xlat import netlink_link as L
from tracer.syscalls.xlat.net import ETHERNET_PROTOCOLS

from .kstructs import xflags, xval
from .netlink_values import (
    Msg,
    by_name,
    clock_t,
    hex_value,
    hwaddr_nofamily,
    ifindex,
    in_addr,
    needing,
    nested,
    printstr_need,
    u8,
    u16,
    u32,
    x16,
    xlat_decoder,
)
from .sockaddr import mac_text

# ---- bridges: IFLA_BR_*, IFLA_BRPORT_*, IFLA_BRIDGE_* (rtnl_link.c) ---------------------------


def _bridge_id(raw: bytes, m: Msg) -> str | None:
    """struct ifla_bridge_id: `{prio=[128, 0], addr=02:00:00:00:00:01}`."""
    if len(raw) < 8:
        return None
    return f"{{prio=[{raw[0]}, {raw[1]}], addr={mac_text(raw[2:8])}}}"


@needing(lambda n, m: 2 if 2 <= n <= 8 else printstr_need(n, m))
def _ether_proto(raw: bytes, m: Msg) -> str | None:
    if len(raw) > 8 or len(raw) < 2:
        return None
    return f"htons({xval(int.from_bytes(raw[:2], 'big'), ETHERNET_PROTOCOLS, 'ETHER_P_???')})"


def _boolopt(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 8:
        return None
    val, mask = struct.unpack_from("<II", raw)
    table, unknown = B.RTNL_IFLA_BR_BOOLOPT_FLAGS, "1<<BR_BOOLOPT_???"
    return f"{{optval={xflags(val, table, unknown)}, optmask={xflags(mask, table, unknown)}}}"


def _vlan_info(raw: bytes, m: Msg) -> str | None:
    """struct bridge_vlan_info, then any bytes after it in hex."""
    if len(raw) < 4:
        return None
    flags, vid = struct.unpack_from("<HH", raw)
    text = f"{{flags={xflags(flags, B.NL_BRIDGE_VLAN_FLAGS, 'BRIDGE_VLAN_INFO_???')}, vid={vid}}}"
    return text + (", " + hex_value(raw[4:], m) if len(raw) > 4 else "")


_QUERIER = {1: in_addr(socket.AF_INET, 4), 2: ifindex, 3: clock_t,
            5: in_addr(socket.AF_INET6, 16), 6: ifindex, 7: clock_t}  # fmt: skip
_each = dict.fromkeys
BR = by_name(B.RTNL_IFLA_INFO_DATA_BRIDGE_ATTRS, {
    **_each(["IFLA_BR_VLAN_FILTERING", "IFLA_BR_TOPOLOGY_CHANGE",
            "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", "IFLA_BR_MCAST_ROUTER", "IFLA_BR_MCAST_SNOOPING",
            "IFLA_BR_MCAST_QUERY_USE_IFADDR", "IFLA_BR_MCAST_QUERIER",
            "IFLA_BR_NF_CALL_IPTABLES", "IFLA_BR_NF_CALL_IP6TABLES", "IFLA_BR_NF_CALL_ARPTABLES",
            "IFLA_BR_VLAN_STATS_ENABLED", "IFLA_BR_MCAST_STATS_ENABLED",
            "IFLA_BR_MCAST_IGMP_VERSION", "IFLA_BR_MCAST_MLD_VERSION",
            "IFLA_BR_VLAN_STATS_PER_PORT"], u8),
    **_each(["IFLA_BR_FORWARD_DELAY", "IFLA_BR_HELLO_TIME", "IFLA_BR_MAX_AGE",
            "IFLA_BR_AGEING_TIME", "IFLA_BR_HELLO_TIMER", "IFLA_BR_TCN_TIMER",
            "IFLA_BR_TOPOLOGY_CHANGE_TIMER", "IFLA_BR_GC_TIMER", "IFLA_BR_MCAST_LAST_MEMBER_INTVL",
            "IFLA_BR_MCAST_MEMBERSHIP_INTVL", "IFLA_BR_MCAST_QUERIER_INTVL",
            "IFLA_BR_MCAST_QUERY_INTVL", "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL",
            "IFLA_BR_MCAST_STARTUP_QUERY_INTVL"], clock_t),
    **_each(["IFLA_BR_STP_STATE", "IFLA_BR_ROOT_PATH_COST", "IFLA_BR_MCAST_HASH_ELASTICITY",
            "IFLA_BR_MCAST_HASH_MAX", "IFLA_BR_MCAST_LAST_MEMBER_CNT",
            "IFLA_BR_MCAST_STARTUP_QUERY_CNT"], u32),
    **_each(["IFLA_BR_PRIORITY", "IFLA_BR_ROOT_PORT", "IFLA_BR_VLAN_DEFAULT_PVID"], u16),
    "IFLA_BR_VLAN_PROTOCOL": _ether_proto, "IFLA_BR_GROUP_FWD_MASK": x16,
    "IFLA_BR_ROOT_ID": _bridge_id, "IFLA_BR_BRIDGE_ID": _bridge_id,
    "IFLA_BR_GROUP_ADDR": hwaddr_nofamily, "IFLA_BR_MULTI_BOOLOPT": _boolopt,
    "IFLA_BR_MCAST_QUERIER_STATE": nested(B.RTNL_IFLA_BR_MCAST_QUERIER_ATTRS,
                                           "BRIDGE_QUERIER_???", _QUERIER),
})  # fmt: skip
BRPORT = by_name(L.RTNL_IFLA_BRPORT_ATTRS, {
    **_each(["IFLA_BRPORT_STATE", "IFLA_BRPORT_MODE", "IFLA_BRPORT_GUARD", "IFLA_BRPORT_PROTECT",
            "IFLA_BRPORT_FAST_LEAVE", "IFLA_BRPORT_LEARNING", "IFLA_BRPORT_UNICAST_FLOOD",
            "IFLA_BRPORT_PROXYARP", "IFLA_BRPORT_LEARNING_SYNC", "IFLA_BRPORT_PROXYARP_WIFI",
            "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", "IFLA_BRPORT_CONFIG_PENDING",
            "IFLA_BRPORT_MULTICAST_ROUTER", "IFLA_BRPORT_MCAST_FLOOD",
            "IFLA_BRPORT_MCAST_TO_UCAST", "IFLA_BRPORT_VLAN_TUNNEL", "IFLA_BRPORT_BCAST_FLOOD",
            "IFLA_BRPORT_NEIGH_SUPPRESS", "IFLA_BRPORT_ISOLATED", "IFLA_BRPORT_MRP_RING_OPEN",
            "IFLA_BRPORT_MRP_IN_OPEN", "IFLA_BRPORT_LOCKED"], u8),
    **_each(["IFLA_BRPORT_PRIORITY", "IFLA_BRPORT_DESIGNATED_PORT", "IFLA_BRPORT_DESIGNATED_COST",
            "IFLA_BRPORT_ID", "IFLA_BRPORT_NO"], u16),
    **_each(["IFLA_BRPORT_MESSAGE_AGE_TIMER", "IFLA_BRPORT_FORWARD_DELAY_TIMER",
            "IFLA_BRPORT_HOLD_TIMER"], clock_t),
    **_each(["IFLA_BRPORT_COST", "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT",
            "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT"], u32),
    "IFLA_BRPORT_ROOT_ID": _bridge_id, "IFLA_BRPORT_BRIDGE_ID": _bridge_id,
    "IFLA_BRPORT_GROUP_FWD_MASK": x16, "IFLA_BRPORT_BACKUP_PORT": ifindex,
})  # fmt: skip
BRIDGE = by_name(B.RTNL_IFLA_AF_SPEC_BRIDGE_ATTRS, {
    "IFLA_BRIDGE_FLAGS": xlat_decoder(B.RTNL_IFLA_BRIDGE_FLAGS, "BRIDGE_FLAGS_???", 2, flags=True),
    "IFLA_BRIDGE_MODE": xlat_decoder(B.RTNL_IFLA_BRIDGE_MODES, "BRIDGE_MODE_???", 2),
    "IFLA_BRIDGE_VLAN_INFO": _vlan_info,
    "IFLA_BRIDGE_VLAN_TUNNEL_INFO": nested(
        B.RTNL_IFLA_AF_SPEC_BRIDGE_VLAN_TUNNEL_INFO_ATTRS, "IFLA_BRIDGE_VLAN_TUNNEL_???",
        {1: u32, 2: u16, 3: xlat_decoder(B.NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???", 2, flags=True)}),
})  # fmt: skip
