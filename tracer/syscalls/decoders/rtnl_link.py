"""NETLINK_ROUTE link messages (RTM_*LINK): struct ifinfomsg and its IFLA_* attributes, as
strace 6.1's rtnl_link.c prints them: link statistics, per-family IFLA_AF_SPEC, link info
by kind, XDP, VF information and ports.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from tracer.syscalls.xlat import netlink_bridge as B
from tracer.syscalls.xlat import netlink_link as L
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES, ETHERNET_PROTOCOLS

from .kstructs import hex_quote, xflags, xval
from .netlink_values import (
    Decoder,
    Msg,
    attrs,
    by_name,
    call_decoder,
    flags_text,
    header_unread,
    hex0,
    hex_value,
    hwaddr,
    ifindex,
    in_addr,
    indexed_array,
    nested,
    nla_fd,
    nla_str,
    nla_uid,
    partial,
    reads,
    s32,
    str0,
    struct_decoder,
    u8,
    u16,
    u32,
    u64,
    with_attrs,
    x32,
    xlat_decoder,
)
from .nlattr import Body, address, can_read
from .rtnl_bridge import BR, BRIDGE, BRPORT
from .sockaddr import ifindex_text, mac_text

# ---- RTM_*LINK: struct ifinfomsg, IFLA_* (rtnl_link.c) ---------------------------------------

_STATS_FIELDS = ("rx_packets tx_packets rx_bytes tx_bytes rx_errors tx_errors rx_dropped "
                 "tx_dropped multicast collisions rx_length_errors rx_over_errors rx_crc_errors "
                 "rx_frame_errors rx_fifo_errors rx_missed_errors tx_aborted_errors "
                 "tx_carrier_errors tx_fifo_errors tx_heartbeat_errors tx_window_errors "
                 "rx_compressed tx_compressed rx_nohandler rx_otherhost_dropped").split()  # fmt: skip


def link_stats(elem: str, sizes: tuple[int, ...]) -> Decoder:
    """rtnl_link_stats(64): the whole struct, or one of the shorter sizes older kernels send."""

    def dec(raw: bytes, m: Msg) -> str | None:
        n = len(raw)
        size = sizes[-1] if n >= sizes[-1] else (n if n in sizes else 0)
        if not size:
            return None
        values = struct.unpack_from(f"<{size // struct.calcsize(elem)}{elem}", raw)
        return (
            "{" + ", ".join(f"{k}={v}" for k, v in zip(_STATS_FIELDS, values, strict=False)) + "}"
        )

    return dec


_ifmap = struct_decoder("QQQHBB", "mem_start mem_end base_addr irq dma port", ("mem_start", "mem_end", "base_addr"))  # fmt: skip

_INET6 = by_name(L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, {
    "IFLA_INET6_FLAGS": xlat_decoder(L.INET6_IF_FLAGS, "IF_???", 4, flags=True),
    "IFLA_INET6_CONF": indexed_array("i", L.INET6_DEVCONF_INDICES, "DEVCONF_???"),
    "IFLA_INET6_STATS": indexed_array("Q", L.SNMP_IP_STATS, "IPSTATS_MIB_???"),
    "IFLA_INET6_CACHEINFO": struct_decoder("4I", "max_reasm_len tstamp reachable_time retrans_time"),
    "IFLA_INET6_ICMP6STATS": indexed_array("Q", L.SNMP_ICMP6_STATS, "ICMP6_MIB_???"),
    "IFLA_INET6_TOKEN": in_addr(socket.AF_INET6, 16),
    "IFLA_INET6_ADDR_GEN_MODE": xlat_decoder(L.IN6_ADDR_GEN_MODE, "IN6_ADDR_GEN_MODE_???", 1),
    "IFLA_INET6_RA_MTU": u32,
})  # fmt: skip
_AF_SPEC = {
    socket.AF_INET: (L.RTNL_IFLA_AF_SPEC_INET_ATTRS, "IFLA_INET_???",
                     {1: indexed_array("i", L.INET_DEVCONF_INDICES, "IPV4_DEVCONF_???")}),
    socket.AF_INET6: (L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, "IFLA_INET6_???", _INET6),
    45: (L.RTNL_IFLA_AF_SPEC_MCTP_ATTRS, "IFLA_MCTP_???", {1: u32}),  # AF_MCTP
}  # fmt: skip


@partial
def _af_one(kind: int, raw: bytes, m: Msg) -> str | None:
    """decode_ifla_af: one family's attributes inside IFLA_AF_SPEC."""
    spec = _AF_SPEC.get(kind & 0xFF)
    if spec is None:
        return hex_value(raw, m)
    return attrs(raw, m, *spec)


@partial
def _af_spec(raw: bytes, m: Msg) -> str | None:
    """IFLA_AF_SPEC: per-family attributes, but a bridge's IFLA_BRIDGE_* directly."""
    if m.family == socket.AF_BRIDGE:
        return attrs(raw, m, B.RTNL_IFLA_AF_SPEC_BRIDGE_ATTRS, "IFLA_BRIDGE_???", BRIDGE)
    return attrs(raw, m, ADDRESS_FAMILIES, "AF_???", _af_one)


@partial
def _protinfo(raw: bytes, m: Msg) -> str | None:
    if m.family == socket.AF_INET6:
        return attrs(raw, m, L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, "IFLA_INET6_???", _INET6)
    if m.family == socket.AF_BRIDGE:
        return attrs(raw, m, L.RTNL_IFLA_BRPORT_ATTRS, "IFLA_BRPORT_???", BRPORT)
    return None


def _ctx_str(raw: bytes) -> str:
    """update_ctx_str: the kind string, if NUL-terminated within 16 bytes."""
    end = raw.find(b"\0")
    return raw[:end].decode("latin-1") if len(raw) < 16 and end >= 0 else ""


def _info_kind(raw: bytes, m: Msg) -> str:
    m.kind = _ctx_str(raw)
    return str0(raw, m)


def _info_slave_kind(raw: bytes, m: Msg) -> str:
    m.slave_kind = _ctx_str(raw)
    return str0(raw, m)


_TUN = by_name(L.RTNL_IFLA_INFO_DATA_TUN_ATTRS, {
    "IFLA_TUN_OWNER": nla_uid, "IFLA_TUN_GROUP": nla_uid,
    "IFLA_TUN_TYPE": xlat_decoder(L.TUN_DEVICE_TYPES, "IFF_???", 1),
    "IFLA_TUN_PI": u8, "IFLA_TUN_VNET_HDR": u8, "IFLA_TUN_PERSIST": u8,
    "IFLA_TUN_MULTI_QUEUE": u8, "IFLA_TUN_NUM_QUEUES": u32,
    "IFLA_TUN_NUM_DISABLED_QUEUES": u32,
})  # fmt: skip


@partial
def _info_data(raw: bytes, m: Msg) -> str | None:
    if m.kind == "tun":
        return attrs(raw, m, L.RTNL_IFLA_INFO_DATA_TUN_ATTRS, "IFLA_TUN_???", _TUN)
    if m.kind == "bridge":
        return attrs(raw, m, B.RTNL_IFLA_INFO_DATA_BRIDGE_ATTRS, "IFLA_BR_???", BR)
    return None


@partial
def _info_slave_data(raw: bytes, m: Msg) -> str | None:
    if m.slave_kind == "bridge":
        return attrs(raw, m, L.RTNL_IFLA_BRPORT_ATTRS, "IFLA_BRPORT_???", BRPORT)
    return None


_CAN_STATS = struct_decoder("6I", "bus_error error_warning error_passive bus_off arbitration_lost restarts")  # fmt: skip
_LINKINFO = by_name(L.RTNL_IFLA_INFO_ATTRS, {
    "IFLA_INFO_KIND": _info_kind, "IFLA_INFO_DATA": _info_data,
    "IFLA_INFO_XSTATS": lambda raw, m: _CAN_STATS(raw, m) if m.kind == "can" else None,
    "IFLA_INFO_SLAVE_KIND": _info_slave_kind, "IFLA_INFO_SLAVE_DATA": _info_slave_data,
})  # fmt: skip


@partial
def _linkinfo(raw: bytes, m: Msg) -> str:
    saved = (m.kind, m.slave_kind)
    m.kind = m.slave_kind = ""
    try:
        return attrs(raw, m, L.RTNL_IFLA_INFO_ATTRS, "IFLA_INFO_???", _LINKINFO)
    finally:
        m.kind, m.slave_kind = saved


def _prop_one(kind: int, raw: bytes, m: Msg) -> str | None:
    return call_decoder(nla_str, raw, m) if kind == 53 else None  # IFLA_ALT_IFNAME


_XDP = by_name(L.RTNL_IFLA_XDP_ATTRS, {
    "IFLA_XDP_FD": nla_fd,
    "IFLA_XDP_ATTACHED": xlat_decoder(L.RTNL_IFLA_XDP_ATTACHED_MODE, "XDP_ATTACHED_???", 1),
    "IFLA_XDP_FLAGS": lambda raw, m: xflags(int.from_bytes(raw[:4], "little"), L.XDP_FLAGS,
                                            "XDP_FLAGS_???") if len(raw) >= 4 else None,
    "IFLA_XDP_PROG_ID": u32, "IFLA_XDP_DRV_PROG_ID": u32, "IFLA_XDP_SKB_PROG_ID": u32,
    "IFLA_XDP_HW_PROG_ID": u32, "IFLA_XDP_EXPECTED_FD": nla_fd,
})  # fmt: skip


# ---- IFLA_VFINFO_LIST, IFLA_VF_PORTS, IFLA_PORT_SELF (rtnl_link.c) ----------------------------


def _vf_struct(fmt: str, fields: str, show: Callable[[str, object], str] | None = None) -> Decoder:  # fmt: skip
    """A struct ifla_vf_*: `{vf=1, ...}`; `show(name, value)` prints a field not a number."""
    layout = struct.Struct("<" + fmt)
    names = fields.split()

    @reads(layout.size)
    def dec(raw: bytes, m: Msg) -> str | None:
        if len(raw) < layout.size:
            return None
        values = layout.unpack_from(raw)
        text = (show(n, v) if show else None for n, v in zip(names, values, strict=True))
        parts = [t or f"{n}={v}" for t, n, v in zip(text, names, values, strict=True)]
        return "{" + ", ".join(parts) + "}"

    return dec


def _vf_field(name: str, value: object) -> str | None:
    if name in ("mac", "broadcast"):
        return f"{name}={mac_text(value)}"
    if name == "link_state":
        return f"link_state={xval(value, L.RTNL_IFLA_VF_LINK_STATES, 'IFLA_VF_LINK_STATE_???')}"
    if name == "vlan_proto":
        proto = int.from_bytes(value.to_bytes(2, "little"), "big")
        return f"vlan_proto=htons({xval(proto, ETHERNET_PROTOCOLS, 'ETH_P_???', '{:#x}' if proto else '{}')})"  # fmt: skip
    if name == "guid":
        return f"guid={hex0(value)}"
    return None


@partial
def _vf_guid(raw: Body, m: Msg) -> str | None:
    """struct ifla_vf_guid: 12 bytes packed or 16 with the guid aligned."""
    if len(raw) not in (12, 16):
        return None
    if not can_read(raw, 0, len(raw)):
        return address(raw, 0)
    vf, guid = struct.unpack_from("<I4xQ" if len(raw) == 16 else "<IQ", raw)
    return f"{{vf={vf}, guid={hex0(guid)}}}"


_VF_INFO = by_name(L.RTNL_IFLA_VF_INFO_ATTRS, {
    "IFLA_VF_MAC": _vf_struct("I32s", "vf mac", _vf_field),
    "IFLA_VF_VLAN": _vf_struct("III", "vf vlan qos"),
    "IFLA_VF_TX_RATE": _vf_struct("II", "vf rate"),
    "IFLA_VF_SPOOFCHK": _vf_struct("II", "vf setting"),
    "IFLA_VF_LINK_STATE": _vf_struct("II", "vf link_state", _vf_field),
    "IFLA_VF_RATE": _vf_struct("III", "vf min_tx_rate max_tx_rate"),
    "IFLA_VF_RSS_QUERY_EN": _vf_struct("II", "vf setting"),
    "IFLA_VF_STATS": nested(L.RTNL_IFLA_VF_STATS_ATTRS, "IFLA_VF_STATS_???",
                             {i: u64 for i in (0, 1, 2, 3, 4, 5, 7, 8)}),
    "IFLA_VF_TRUST": _vf_struct("II", "vf setting"),
    "IFLA_VF_IB_NODE_GUID": _vf_guid, "IFLA_VF_IB_PORT_GUID": _vf_guid,
    "IFLA_VF_VLAN_LIST": nested(L.RTNL_IFLA_VF_VLAN_LIST_ATTRS, "IFLA_VF_VLAN_INFO_???",
                                 {1: _vf_struct("IIIH2x", "vf vlan qos vlan_proto", _vf_field)}),
    "IFLA_VF_BROADCAST": _vf_struct("32s", "broadcast", _vf_field),
})  # fmt: skip


def _port_vsi(raw: bytes, m: Msg) -> str | None:
    """struct ifla_port_vsi, its padding only when set."""
    if len(raw) < 8:
        return None
    pad = f", pad={hex_quote(raw[5:8])}" if any(raw[5:8]) else ""
    return (f"{{vsi_mgr_id={raw[0]}, vsi_type_id={hex_quote(raw[1:4])}, "
            f"vsi_type_version={raw[4]}{pad}}}")  # fmt: skip


_PORT = {1: u32, 2: nla_str, 3: reads(8)(_port_vsi), 6: u8, 7: u16}
_port = nested(L.RTNL_IFLA_PORT_ATTRS, "IFLA_VF_PORT_???", _PORT)


@reads(4)
def _event(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xval(int.from_bytes(raw[:4], "little"), L.RTNL_IFLA_EVENTS, "IFLA_EVENT_???")


IFLA = by_name(L.RTNL_LINK_ATTRS, {
    "IFLA_ADDRESS": hwaddr, "IFLA_BROADCAST": hwaddr, "IFLA_IFNAME": nla_str,
    "IFLA_MTU": u32, "IFLA_LINK": u32, "IFLA_QDISC": nla_str,
    "IFLA_STATS": link_stats("I", (92, 96)), "IFLA_MASTER": u32, "IFLA_PROTINFO": _protinfo,
    "IFLA_TXQLEN": u32, "IFLA_MAP": lambda raw, m: _ifmap(raw[:28], m) if len(raw) >= 28 else None,
    "IFLA_WEIGHT": u32, "IFLA_OPERSTATE": u8, "IFLA_LINKMODE": u8, "IFLA_LINKINFO": _linkinfo,
    "IFLA_NET_NS_PID": u32, "IFLA_IFALIAS": nla_str, "IFLA_NUM_VF": u32,
    "IFLA_VFINFO_LIST": nested(L.RTNL_IFLA_VFINFO_LIST_ATTRS, "IFLA_VF_INFO_???",
                                {1: nested(L.RTNL_IFLA_VF_INFO_ATTRS, "IFLA_VF_???", _VF_INFO)}),
    "IFLA_VF_PORTS": nested(L.RTNL_IFLA_VF_PORT_ATTRS, "IFLA_VF_PORT_???", {1: _port}),
    "IFLA_PORT_SELF": _port,
    "IFLA_STATS64": link_stats("Q", (184, 192, 200)),
    "IFLA_AF_SPEC": _af_spec, "IFLA_GROUP": u32, "IFLA_NET_NS_FD": nla_fd,
    "IFLA_EXT_MASK": xlat_decoder(L.RTNL_IFLA_EXT_FILTER_FLAGS, "RTEXT_FILTER_???", 4, flags=True),
    "IFLA_PROMISCUITY": u32, "IFLA_NUM_TX_QUEUES": u32, "IFLA_NUM_RX_QUEUES": u32,
    "IFLA_CARRIER": u8, "IFLA_CARRIER_CHANGES": u32, "IFLA_LINK_NETNSID": s32,
    "IFLA_PHYS_PORT_NAME": nla_str, "IFLA_PROTO_DOWN": u8, "IFLA_GSO_MAX_SEGS": u32,
    "IFLA_GSO_MAX_SIZE": u32, "IFLA_XDP": nested(L.RTNL_IFLA_XDP_ATTRS, "IFLA_XDP_???", _XDP),
    "IFLA_EVENT": _event, "IFLA_NEW_NETNSID": s32, "IFLA_IF_NETNSID": s32,
    "IFLA_CARRIER_UP_COUNT": u32, "IFLA_CARRIER_DOWN_COUNT": u32, "IFLA_NEW_IFINDEX": ifindex,
    "IFLA_MIN_MTU": u32, "IFLA_MAX_MTU": u32,
    "IFLA_PROP_LIST": nested(L.RTNL_LINK_ATTRS, "IFLA_???", _prop_one),
    "IFLA_ALT_IFNAME": nla_str, "IFLA_PERM_ADDRESS": hwaddr,
    "IFLA_PROTO_DOWN_REASON": nested(L.RTNL_IFLA_PROTO_DOWN_REASON_ATTRS,
                                      "IFLA_PROTO_DOWN_REASON_???", {1: x32, 2: x32}),
    "IFLA_PARENT_DEV_NAME": nla_str, "IFLA_PARENT_DEV_BUS_NAME": nla_str,
    "IFLA_GRO_MAX_SIZE": u32, "IFLA_TSO_MAX_SIZE": u32, "IFLA_TSO_MAX_SEGS": u32,
    "IFLA_ALLMULTI": u32,
})  # fmt: skip


def ifinfomsg(data: bytes, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 16, "ifi_family", fam)) is not None:
        return short
    ifi_type, index, flags, change = struct.unpack_from("<HiII", data, off + 2)
    text = (f"{{ifi_family={fam}, ifi_type={xval(ifi_type, L.ARP_HARDWARE_TYPES, 'ARPHRD_???')}, "
            f"ifi_index={ifindex_text(index & 0xFFFFFFFF)}, "
            f"ifi_flags={flags_text(flags, L.IFFFLAGS, 'IFF_???')}, ifi_change={hex0(change)}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 16, m, L.RTNL_LINK_ATTRS, "IFLA_???", IFLA)
