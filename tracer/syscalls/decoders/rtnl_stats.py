"""NETLINK_ROUTE statistics messages (RTM_NEWSTATS, RTM_GETSTATS): struct if_stats_msg and
its IFLA_STATS_* attributes, as strace 6.1's rtnl_stats.c prints them: link statistics,
bridge and bond extended statistics, offload statistics and per-family (MPLS) statistics.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.xlat import netlink_bridge as B
from tracer.syscalls.xlat import netlink_link as L
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES

from .kstructs import xval
from .netlink_values import (
    Decoder,
    Msg,
    attrs,
    flags_text,
    header_unread,
    hex0,
    hex_value,
    nested,
    partial,
    u64,
    with_attrs,
)
from .nlattr import Body, address, can_read, hex_bytes
from .rtnl_link import link_stats
from .sockaddr import ifindex_text

_stats64 = link_stats("Q", (184, 192, 200))


def struct_then_rest(size: int, fields: Callable[[bytes], str]) -> Decoder:
    """A `size`-byte struct printed by `fields`, then any bytes past it in hex, as strace's
    xstats decoders print them; a shorter value prints in hex."""

    @partial
    def dec(raw: Body, m: Msg) -> str | None:
        if len(raw) < size:
            return None
        if not can_read(raw, 0, size):
            return address(raw, 0)
        text = fields(raw[:size])
        if len(raw) > size:
            text += ", " + hex_bytes(raw, size, len(raw) - size, strsize=m.strsize)
        return text

    return dec


def _u64_fields(names: str) -> Callable[[bytes], str]:
    """`{a=1, b=2}` of consecutive u64 fields."""
    keys = names.split()

    def text(raw: bytes) -> str:
        values = struct.unpack_from(f"<{len(keys)}Q", raw)
        return "{" + ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True)) + "}"

    return text


def _vlan_fields(raw: bytes) -> str:
    """struct bridge_vlan_xstats; pad2 only when set."""
    rx_bytes, rx_packets, tx_bytes, tx_packets, vid, flags, pad2 = struct.unpack("<4QHHI", raw)
    flags_str = flags_text(flags, B.NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???")
    pad = f", pad2={hex0(pad2)}" if pad2 else ""
    return (f"{{rx_bytes={rx_bytes}, rx_packets={rx_packets}, tx_bytes={tx_bytes}, "
            f"tx_packets={tx_packets}, vid={vid}, flags={flags_str}{pad}}}")  # fmt: skip


# struct br_mcast_stats: pairs indexed by direction, and two single counters.
_MCAST_FIELDS = ("igmp_v1queries igmp_v2queries igmp_v3queries igmp_leaves igmp_v1reports "
                 "igmp_v2reports igmp_v3reports igmp_parse_errors: mld_v1queries mld_v2queries "
                 "mld_leaves mld_v1reports mld_v2reports mld_parse_errors: mcast_bytes "
                 "mcast_packets").split()  # fmt: skip
_MCAST_SIZE = sum(8 if name.endswith(":") else 16 for name in _MCAST_FIELDS)


def _mcast_pair(name: str, rx: int, tx: int) -> str:
    names = L.IFSTATS_XSTATS_BRIDGE_MCAST_INDICES
    return (f"{name}=[[{xval(0, names, 'BR_MCAST_DIR_???', '{}')}]={rx}, "
            f"[{xval(1, names, 'BR_MCAST_DIR_???', '{}')}]={tx}]")  # fmt: skip


def _mcast_fields(raw: bytes) -> str:
    """struct br_mcast_stats: `igmp_v1queries=[[BR_MCAST_DIR_RX]=0, [BR_MCAST_DIR_TX]=0]`."""
    parts: list[str] = []
    off = 0
    for name in _MCAST_FIELDS:
        if name.endswith(":"):
            parts.append(f"{name[:-1]}={struct.unpack_from('<Q', raw, off)[0]}")
            off += 8
        else:
            parts.append(_mcast_pair(name, *struct.unpack_from("<QQ", raw, off)))
            off += 16
    return "{" + ", ".join(parts) + "}"


_BRIDGE_XSTATS = {
    1: struct_then_rest(40, _vlan_fields),  # BRIDGE_XSTATS_VLAN
    2: struct_then_rest(_MCAST_SIZE, _mcast_fields),  # BRIDGE_XSTATS_MCAST
    4: struct_then_rest(
        48, _u64_fields("transition_blk transition_fwd rx_bpdu tx_bpdu rx_tcn tx_tcn")
    ),  # fmt: skip
}
_BOND_3AD = nested(L.IFSTATS_XSTATS_BOND_3AD_ATTRS, "BOND_XSTATS_???", dict.fromkeys(range(9), u64))
_LINK_XSTATS = {
    1: nested(L.IFSTATS_XSTATS_BRIDGE_ATTRS, "BRIDGE_XSTATS_???", _BRIDGE_XSTATS),
    2: nested(L.IFSTATS_XSTATS_BOND_ATTRS, "BOND_XSTATS_???", {1: _BOND_3AD}),
}
_link_xstats = nested(L.IFSTATS_XSTATS_TYPE_ATTRS, "LINK_XSTATS_TYPE_???", _LINK_XSTATS)

_MPLS_STATS_LINK = struct_then_rest(72, _u64_fields(
    "rx_packets tx_packets rx_bytes tx_bytes rx_errors tx_errors rx_dropped tx_dropped rx_noroute"
))  # fmt: skip
_AF_STATS = {28: (L.IFSTATS_AF_SPEC_MPLS_ATTRS, "MPLS_STATS_???", {1: _MPLS_STATS_LINK})}  # AF_MPLS


@partial
def _af_one(kind: int, raw: bytes, m: Msg) -> str | None:
    """decode_ifstats_af: one family's statistics inside IFLA_STATS_AF_SPEC."""
    spec = _AF_STATS.get(kind & 0xFF)
    return attrs(raw, m, *spec) if spec else hex_value(raw, m)


IFLA_STATS = {
    1: _stats64,  # IFLA_STATS_LINK_64
    2: _link_xstats,  # IFLA_STATS_LINK_XSTATS
    3: _link_xstats,  # IFLA_STATS_LINK_XSTATS_SLAVE
    4: nested(L.IFSTATS_OFFLOAD_ATTRS, "IFLA_OFFLOAD_XSTATS_???", {1: _stats64}),
    5: partial(lambda raw, m: attrs(raw, m, ADDRESS_FAMILIES, "AF_???", _af_one)),
}


# ---- RTM_NEWSTATS, RTM_GETSTATS: struct if_stats_msg (rtnl_stats.c) --------------------------


def ifstatsmsg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "family", fam)) is not None:
        return short
    pad1, pad2, index, mask = struct.unpack_from("<BHII", data, off + 1)
    pads = (f"pad1={hex0(pad1)}, " if pad1 else "") + (f"pad2={hex0(pad2)}, " if pad2 else "")
    text = (f"{{family={fam}, {pads}ifindex={ifindex_text(index)}, "
            f"filter_mask={flags_text(mask, L.IFSTATS_ATTR_FLAGS, '1<<IFLA_STATS_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, L.IFSTATS_ATTRS, "IFLA_STATS_???", IFLA_STATS)
