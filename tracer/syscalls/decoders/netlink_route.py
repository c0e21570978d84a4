"""NETLINK_ROUTE address, link, route, neighbour, rule, netconf and nexthop messages, as
strace 6.1 prints them (its rtnl_addr.c, rtnl_link.c, rtnl_route.c, rtnl_neigh.c,
rtnl_rule.c, rtnl_netconf.c, rtnl_nh.c).

`{ifi_family=AF_UNSPEC, ifi_type=ARPHRD_LOOPBACK, ...}, [[{nla_len=7, nla_type=IFLA_IFNAME},
"lo"], ...]`: the fixed header, then its attributes. An attribute decoder takes the
payload and a `_Msg` (the header fields nested decoders depend on, -s) and returns its
text, or None for the hex string strace falls back to. Tables map a name to a decoder;
attributes beyond strace's decoder tables, or without a decoder, print in hex. A value
that runs into unreadable memory prints as its address, as strace's failed read does,
unless the decoder reads less of it (`_needing`) or walks it itself (`_partial`).
"""

from __future__ import annotations

import re
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from tracer.syscalls.fmt import STYLE, quote_buffer
from tracer.syscalls.xlat import netlink_bridge as B
from tracer.syscalls.xlat import netlink_link as L
from tracer.syscalls.xlat import netlink_misc as X
from tracer.syscalls.xlat import netlink_route as R
from tracer.syscalls.xlat.net import ADDRESS_FAMILIES, ETHERNET_PROTOCOLS, IP_PROTOCOLS

from .kstructs import hex_quote, xflags, xval
from .nlattr import (
    Body,
    address,
    can_read,
    decode_nlattr,
    hex_bytes,
    inet_text,
    nla_str_text,
    print_array,
)
from .sockaddr import _field, ifindex_text, inet6_addr_field, inet_addr_field, mac_text

NLA_HDRLEN = 4
MAX_ADDR_LEN = 32


@dataclass
class _Msg:
    strsize: int
    abbrev: bool
    family: int = 0
    kind: str = ""
    slave_kind: str = ""


Decoder = Callable[[bytes, _Msg], "str | None"]


def _partial(fn):
    """Marks a decoder that reads a partly readable value itself: nested attributes and
    arrays print what strace could read, then where it could not."""
    fn.partial = True
    return fn


def _needing(need: Callable[[int, _Msg], int]):
    """Marks a decoder that reads `need(length, m)` bytes of its value, not all of them."""

    def mark(fn):
        fn.need = need
        return fn

    return mark


def _printstr_need(length: int, m: _Msg) -> int:
    """printstr_ex reads up to -s + 1 bytes."""
    return min(length, m.strsize + 1)


def _reads(size: int):
    """Marks a decoder of a `size`-byte number: it reads those bytes only, and a shorter
    value prints in hex."""
    return _needing(lambda n, m: size if n >= size else _printstr_need(n, m))


def _call(fn: Decoder, body: Body, m: _Msg) -> str | None:
    """`fn`'s text for `body`, or its address when strace's read of it would fail."""
    if body.readable < len(body) and not getattr(fn, "partial", False):
        need = getattr(fn, "need", None)
        if body.readable < (need(len(body), m) if need else len(body)):
            return address(body, 0)
    return fn(body, m)


def _attrs_at(data: bytes, off: int, length: int, m: _Msg, names: dict, unknown: str,
              decoders: dict | Decoder) -> str:  # fmt: skip
    """decode_nlattr over `length` bytes at `off`; `decoders` by type, or one decoder
    given every type."""

    def one(kind: int, body: Body) -> str | None:
        if callable(decoders):
            return decoders(kind, body, m)
        fn = decoders.get(kind)
        return _call(fn, body, m) if fn else None

    return decode_nlattr(data, off, length, names, unknown, one, m.strsize, m.abbrev)


def _attrs(raw: bytes, m: _Msg, names: dict, unknown: str, decoders: dict | Decoder) -> str:
    return _attrs_at(raw, 0, len(raw), m, names, unknown, decoders)


def _by_name(names: dict[int, str], decoders: dict[str, Decoder]) -> dict[int, Decoder]:
    index = {name: value for value, name in names.items()}
    return {index[name]: fn for name, fn in decoders.items()}


def _nested(names: dict, unknown: str, decoders: dict | Decoder) -> Decoder:
    return _partial(lambda raw, m: _attrs(raw, m, names, unknown, decoders))


# ---- scalar decoders (nlattr.c) --------------------------------------------------------------


def _hex0(value: int) -> str:
    """C's %#x: 0 is plain `0`."""
    return f"{value:#x}" if value else "0"


def _int(size: int, signed: bool = False, hexa: bool = False) -> Decoder:
    """decode_nla_u8 ... decode_nla_x32: too short a payload is printed in hex instead."""

    @_reads(size)
    def dec(raw: bytes, m: _Msg) -> str | None:
        if len(raw) < size:
            return None
        value = int.from_bytes(raw[:size], "little", signed=signed)
        return _hex0(value) if hexa else str(value)

    return dec


u8, u16, u32, u64, s32 = _int(1), _int(2), _int(4), _int(8), _int(4, True)
x16, x32 = _int(2, hexa=True), _int(4, hexa=True)


@_needing(_printstr_need)
def nla_str(raw: bytes, m: _Msg) -> str | None:
    return nla_str_text(raw, m.strsize)


@_needing(_printstr_need)
def _str0(raw: bytes, m: _Msg) -> str:
    """printstr_ex(QUOTE_0_TERMINATED): up to the first NUL, `...` if none is seen."""
    shown = raw[: m.strsize]
    end = shown.find(b"\0")
    if end >= 0:
        return quote_buffer(shown[:end], end, m.strsize)
    text = quote_buffer(shown, len(shown), m.strsize)
    return text if len(raw) > m.strsize and raw[m.strsize] == 0 else text + "..."


@_reads(4)
def ifindex(raw: bytes, m: _Msg) -> str | None:
    return ifindex_text(int.from_bytes(raw[:4], "little")) if len(raw) >= 4 else None


@_reads(4)
def _fd(raw: bytes, m: _Msg) -> str | None:
    return str(int.from_bytes(raw[:4], "little", signed=True)) if len(raw) >= 4 else None


@_reads(4)
def _uid(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 4:
        return None
    uid = int.from_bytes(raw[:4], "little")
    return "-1" if uid == 0xFFFFFFFF else str(uid)


def _uint(raw: bytes, size: int) -> int | None:
    """umoven_to_uint64: 1, 2, 4 or 8 bytes, little-endian."""
    if len(raw) not in (1, 2, 4, 8):
        return None
    return int.from_bytes(raw[:size], "little")


def flags_text(value: int, table: list[tuple[int, str]], unknown: str) -> str:
    """printflags: a table entry for 0 names a zero value."""
    if value == 0:
        zero = next((name for bit, name in table if bit == 0), None)
        if zero is not None and STYLE.constants != "raw":
            return zero if STYLE.constants == "abbrev" else f"0 /* {zero} */"
    return xflags(value, table, unknown)


def _xlat(table, unknown: str, size: int, flags: bool = False) -> Decoder:
    """decode_nla_xval / decode_nla_flags: at most 8 bytes, the first `size` of them."""

    @_needing(lambda n, m: (size or n) if size <= n <= 8 else _printstr_need(n, m))
    def dec(raw: bytes, m: _Msg) -> str | None:
        if len(raw) > 8 or len(raw) < size:
            return None
        value = int.from_bytes(raw[: size or len(raw)], "little")
        return flags_text(value, table, unknown) if flags else xval(value, table, unknown)

    return dec


def xval_nodflt(value: int, table: dict[int, str]) -> str:
    """printxval with no default: an unknown value is its number alone."""
    return xval(value, table, "") if value in table else _hex0(value)


def _clock_t(raw: bytes, m: _Msg) -> str | None:
    if len(raw) > 8:
        return None
    value = int.from_bytes(raw, "little")
    if STYLE.constants == "raw" or not value:
        return str(value)
    return f"{value} /* {value // 100}.{value % 100:02d} s */"


# strace's print_mac.c: how many bytes of a hardware address each ARPHRD type shows.
_HWADDR_SIZES = {0: 7, 1: 6, 3: 7, 6: 6, 7: 1, 15: 2, 24: 16, 27: 8, 32: 20, 256: 0, 270: 5,
                 271: 0, 280: 0, 290: 1, 512: 0, 518: 0, 519: 0, 768: 4, 769: 16, 772: 6,
                 773: 1, 774: 6, 776: 4, 777: 0, 778: 4, 779: 0, 780: 6, 783: 4, 801: 6,
                 802: 6, 803: 6, 804: 8, 805: 8, 820: 1, 821: 1, 822: 0, 823: 16, 824: 0,
                 825: 8, 826: 0}  # fmt: skip


def hwaddr_text(raw: bytes, devtype: int) -> str | None:
    """print_hwaddr: its bytes under -X, `01:02:...` (as many as the device type has)."""
    if len(raw) > MAX_ADDR_LEN:
        return None
    shown = raw[: _HWADDR_SIZES.get(devtype, 255)] if devtype >= 0 else raw
    mac = ":".join(f"{b:02x}" for b in shown)
    if STYLE.constants == "abbrev":
        return mac
    if STYLE.constants == "raw":
        return hex_quote(raw)
    return f"{hex_quote(raw)} /* {mac} */"


def _hwaddr(raw: bytes, m: _Msg) -> str | None:
    """IFLA_ADDRESS: strace 6.1 sizes it by ifi_family taken for an ARPHRD_* type (so an
    AF_BRIDGE message's address shows 1 byte, ARPHRD_ARCNET's size)."""
    return hwaddr_text(raw, m.family)


def _hwaddr_nofamily(raw: bytes, m: _Msg) -> str | None:
    return hwaddr_text(raw, -1)


def _hex(raw: bytes, m: _Msg) -> str:
    """printstr_ex(QUOTE_FORCE_HEX): the bytes in hex, -s of them."""
    return hex_bytes(raw, 0, len(raw), m.strsize)


def _inet_of(family: int, raw: bytes, m: _Msg) -> str:
    size = {socket.AF_INET: 4, socket.AF_INET6: 16}.get(family, 0)
    if not size or len(raw) < size:
        return _hex(raw, m)
    return inet_text(raw, family, m.strsize)


def _msg_addr(raw: bytes, m: _Msg) -> str:
    """decode_inet_addr in the message's family (RTA_DST, NDA_DST, FRA_SRC, ...)."""
    return _inet_of(m.family, raw, m)


def _in_addr(family: int, size: int) -> Decoder:
    """decode_nla_in_addr, decode_nla_in6_addr."""
    return _reads(size)(lambda raw, m: _inet_of(family, raw, m) if len(raw) >= size else None)


def _struct(fmt: str, fields: str, hex_fields: tuple[str, ...] = (), padded: tuple[str, ...] = ()) -> Decoder:  # fmt: skip
    """A fixed struct of numbers: `{a=1, b=2}`, the fields in `hex_fields` in hex, those in
    `padded` in hex padded to their size (PRINT_FIELD_0X: `0x0000ff`)."""
    layout = struct.Struct("<" + fmt)
    names = fields.split()
    codes = [c for n, c in re.findall(r"(\d*)([a-zA-Z])", fmt) for _ in range(int(n or 1))]
    widths = {n: 2 * struct.calcsize(c) for n, c in zip(names, codes, strict=True)}

    def field(name: str, value: int) -> str:
        if name in padded:
            return f"{name}={value:#0{widths[name]}x}"
        return f"{name}={_hex0(value) if name in hex_fields else value}"

    @_reads(layout.size)
    def dec(raw: bytes, m: _Msg) -> str | None:
        if len(raw) < layout.size:
            return None
        values = layout.unpack_from(raw)
        return "{" + ", ".join(field(n, v) for n, v in zip(names, values, strict=True)) + "}"

    return dec


def _array(elem: str, table: dict[int, str], unknown: str) -> Decoder:
    """print_array_ex with indices: `[[NAME]=1, ...]`, -s elements at most."""
    size = struct.calcsize(elem)

    def text(raw: bytes, i: int) -> str:
        return f"[{xval(i, table, unknown, '{}')}]={struct.unpack('<' + elem, raw)[0]}"

    @_partial
    def dec(raw: Body, m: _Msg) -> str | None:
        if not len(raw) // size:
            return None
        return print_array(raw, size, text, m.strsize, m.abbrev)

    return dec


# ---- bridges: IFLA_BR_*, IFLA_BRPORT_*, IFLA_BRIDGE_* (rtnl_link.c) ---------------------------


def _bridge_id(raw: bytes, m: _Msg) -> str | None:
    """struct ifla_bridge_id: `{prio=[128, 0], addr=02:00:00:00:00:01}`."""
    if len(raw) < 8:
        return None
    return f"{{prio=[{raw[0]}, {raw[1]}], addr={mac_text(raw[2:8])}}}"


@_needing(lambda n, m: 2 if 2 <= n <= 8 else _printstr_need(n, m))
def _ether_proto(raw: bytes, m: _Msg) -> str | None:
    if len(raw) > 8 or len(raw) < 2:
        return None
    return f"htons({xval(int.from_bytes(raw[:2], 'big'), ETHERNET_PROTOCOLS, 'ETHER_P_???')})"


def _boolopt(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 8:
        return None
    val, mask = struct.unpack_from("<II", raw)
    table, unknown = B.RTNL_IFLA_BR_BOOLOPT_FLAGS, "1<<BR_BOOLOPT_???"
    return f"{{optval={xflags(val, table, unknown)}, optmask={xflags(mask, table, unknown)}}}"


def _vlan_info(raw: bytes, m: _Msg) -> str | None:
    """struct bridge_vlan_info, then any bytes after it in hex."""
    if len(raw) < 4:
        return None
    flags, vid = struct.unpack_from("<HH", raw)
    text = f"{{flags={xflags(flags, B.NL_BRIDGE_VLAN_FLAGS, 'BRIDGE_VLAN_INFO_???')}, vid={vid}}}"
    return text + (", " + _hex(raw[4:], m) if len(raw) > 4 else "")


_QUERIER = {1: _in_addr(socket.AF_INET, 4), 2: ifindex, 3: _clock_t,
            5: _in_addr(socket.AF_INET6, 16), 6: ifindex, 7: _clock_t}  # fmt: skip
_u8s = dict.fromkeys
_BR = _by_name(B.RTNL_IFLA_INFO_DATA_BRIDGE_ATTRS, {
    **_u8s(["IFLA_BR_VLAN_FILTERING", "IFLA_BR_TOPOLOGY_CHANGE",
            "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", "IFLA_BR_MCAST_ROUTER", "IFLA_BR_MCAST_SNOOPING",
            "IFLA_BR_MCAST_QUERY_USE_IFADDR", "IFLA_BR_MCAST_QUERIER",
            "IFLA_BR_NF_CALL_IPTABLES", "IFLA_BR_NF_CALL_IP6TABLES", "IFLA_BR_NF_CALL_ARPTABLES",
            "IFLA_BR_VLAN_STATS_ENABLED", "IFLA_BR_MCAST_STATS_ENABLED",
            "IFLA_BR_MCAST_IGMP_VERSION", "IFLA_BR_MCAST_MLD_VERSION",
            "IFLA_BR_VLAN_STATS_PER_PORT"], u8),
    **_u8s(["IFLA_BR_FORWARD_DELAY", "IFLA_BR_HELLO_TIME", "IFLA_BR_MAX_AGE",
            "IFLA_BR_AGEING_TIME", "IFLA_BR_HELLO_TIMER", "IFLA_BR_TCN_TIMER",
            "IFLA_BR_TOPOLOGY_CHANGE_TIMER", "IFLA_BR_GC_TIMER", "IFLA_BR_MCAST_LAST_MEMBER_INTVL",
            "IFLA_BR_MCAST_MEMBERSHIP_INTVL", "IFLA_BR_MCAST_QUERIER_INTVL",
            "IFLA_BR_MCAST_QUERY_INTVL", "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL",
            "IFLA_BR_MCAST_STARTUP_QUERY_INTVL"], _clock_t),
    **_u8s(["IFLA_BR_STP_STATE", "IFLA_BR_ROOT_PATH_COST", "IFLA_BR_MCAST_HASH_ELASTICITY",
            "IFLA_BR_MCAST_HASH_MAX", "IFLA_BR_MCAST_LAST_MEMBER_CNT",
            "IFLA_BR_MCAST_STARTUP_QUERY_CNT"], u32),
    **_u8s(["IFLA_BR_PRIORITY", "IFLA_BR_ROOT_PORT", "IFLA_BR_VLAN_DEFAULT_PVID"], u16),
    "IFLA_BR_VLAN_PROTOCOL": _ether_proto, "IFLA_BR_GROUP_FWD_MASK": x16,
    "IFLA_BR_ROOT_ID": _bridge_id, "IFLA_BR_BRIDGE_ID": _bridge_id,
    "IFLA_BR_GROUP_ADDR": _hwaddr_nofamily, "IFLA_BR_MULTI_BOOLOPT": _boolopt,
    "IFLA_BR_MCAST_QUERIER_STATE": _nested(B.RTNL_IFLA_BR_MCAST_QUERIER_ATTRS,
                                           "BRIDGE_QUERIER_???", _QUERIER),
})  # fmt: skip
_BRPORT = _by_name(L.RTNL_IFLA_BRPORT_ATTRS, {
    **_u8s(["IFLA_BRPORT_STATE", "IFLA_BRPORT_MODE", "IFLA_BRPORT_GUARD", "IFLA_BRPORT_PROTECT",
            "IFLA_BRPORT_FAST_LEAVE", "IFLA_BRPORT_LEARNING", "IFLA_BRPORT_UNICAST_FLOOD",
            "IFLA_BRPORT_PROXYARP", "IFLA_BRPORT_LEARNING_SYNC", "IFLA_BRPORT_PROXYARP_WIFI",
            "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", "IFLA_BRPORT_CONFIG_PENDING",
            "IFLA_BRPORT_MULTICAST_ROUTER", "IFLA_BRPORT_MCAST_FLOOD",
            "IFLA_BRPORT_MCAST_TO_UCAST", "IFLA_BRPORT_VLAN_TUNNEL", "IFLA_BRPORT_BCAST_FLOOD",
            "IFLA_BRPORT_NEIGH_SUPPRESS", "IFLA_BRPORT_ISOLATED", "IFLA_BRPORT_MRP_RING_OPEN",
            "IFLA_BRPORT_MRP_IN_OPEN", "IFLA_BRPORT_LOCKED"], u8),
    **_u8s(["IFLA_BRPORT_PRIORITY", "IFLA_BRPORT_DESIGNATED_PORT", "IFLA_BRPORT_DESIGNATED_COST",
            "IFLA_BRPORT_ID", "IFLA_BRPORT_NO"], u16),
    **_u8s(["IFLA_BRPORT_MESSAGE_AGE_TIMER", "IFLA_BRPORT_FORWARD_DELAY_TIMER",
            "IFLA_BRPORT_HOLD_TIMER"], _clock_t),
    **_u8s(["IFLA_BRPORT_COST", "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT",
            "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT"], u32),
    "IFLA_BRPORT_ROOT_ID": _bridge_id, "IFLA_BRPORT_BRIDGE_ID": _bridge_id,
    "IFLA_BRPORT_GROUP_FWD_MASK": x16, "IFLA_BRPORT_BACKUP_PORT": ifindex,
})  # fmt: skip
_BRIDGE = _by_name(B.RTNL_IFLA_AF_SPEC_BRIDGE_ATTRS, {
    "IFLA_BRIDGE_FLAGS": _xlat(B.RTNL_IFLA_BRIDGE_FLAGS, "BRIDGE_FLAGS_???", 2, flags=True),
    "IFLA_BRIDGE_MODE": _xlat(B.RTNL_IFLA_BRIDGE_MODES, "BRIDGE_MODE_???", 2),
    "IFLA_BRIDGE_VLAN_INFO": _vlan_info,
    "IFLA_BRIDGE_VLAN_TUNNEL_INFO": _nested(
        B.RTNL_IFLA_AF_SPEC_BRIDGE_VLAN_TUNNEL_INFO_ATTRS, "IFLA_BRIDGE_VLAN_TUNNEL_???",
        {1: u32, 2: u16, 3: _xlat(B.NL_BRIDGE_VLAN_FLAGS, "BRIDGE_VLAN_INFO_???", 2, flags=True)}),
})  # fmt: skip


# ---- RTM_*LINK: struct ifinfomsg, IFLA_* (rtnl_link.c) ---------------------------------------

_STATS_FIELDS = ("rx_packets tx_packets rx_bytes tx_bytes rx_errors tx_errors rx_dropped "
                 "tx_dropped multicast collisions rx_length_errors rx_over_errors rx_crc_errors "
                 "rx_frame_errors rx_fifo_errors rx_missed_errors tx_aborted_errors "
                 "tx_carrier_errors tx_fifo_errors tx_heartbeat_errors tx_window_errors "
                 "rx_compressed tx_compressed rx_nohandler rx_otherhost_dropped").split()  # fmt: skip


def _link_stats(elem: str, sizes: tuple[int, ...]) -> Decoder:
    """rtnl_link_stats(64): the whole struct, or one of the shorter sizes older kernels send."""

    def dec(raw: bytes, m: _Msg) -> str | None:
        n = len(raw)
        size = sizes[-1] if n >= sizes[-1] else (n if n in sizes else 0)
        if not size:
            return None
        values = struct.unpack_from(f"<{size // struct.calcsize(elem)}{elem}", raw)
        return (
            "{" + ", ".join(f"{k}={v}" for k, v in zip(_STATS_FIELDS, values, strict=False)) + "}"
        )

    return dec


_ifmap = _struct("QQQHBB", "mem_start mem_end base_addr irq dma port", ("mem_start", "mem_end", "base_addr"))  # fmt: skip

_INET6 = _by_name(L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, {
    "IFLA_INET6_FLAGS": _xlat(L.INET6_IF_FLAGS, "IF_???", 4, flags=True),
    "IFLA_INET6_CONF": _array("i", L.INET6_DEVCONF_INDICES, "DEVCONF_???"),
    "IFLA_INET6_STATS": _array("Q", L.SNMP_IP_STATS, "IPSTATS_MIB_???"),
    "IFLA_INET6_CACHEINFO": _struct("4I", "max_reasm_len tstamp reachable_time retrans_time"),
    "IFLA_INET6_ICMP6STATS": _array("Q", L.SNMP_ICMP6_STATS, "ICMP6_MIB_???"),
    "IFLA_INET6_TOKEN": _in_addr(socket.AF_INET6, 16),
    "IFLA_INET6_ADDR_GEN_MODE": _xlat(L.IN6_ADDR_GEN_MODE, "IN6_ADDR_GEN_MODE_???", 1),
    "IFLA_INET6_RA_MTU": u32,
})  # fmt: skip
_AF_SPEC = {
    socket.AF_INET: (L.RTNL_IFLA_AF_SPEC_INET_ATTRS, "IFLA_INET_???",
                     {1: _array("i", L.INET_DEVCONF_INDICES, "IPV4_DEVCONF_???")}),
    socket.AF_INET6: (L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, "IFLA_INET6_???", _INET6),
    45: (L.RTNL_IFLA_AF_SPEC_MCTP_ATTRS, "IFLA_MCTP_???", {1: u32}),  # AF_MCTP
}  # fmt: skip


@_partial
def _af_one(kind: int, raw: bytes, m: _Msg) -> str | None:
    """decode_ifla_af: one family's attributes inside IFLA_AF_SPEC."""
    spec = _AF_SPEC.get(kind & 0xFF)
    if spec is None:
        return _hex(raw, m)
    return _attrs(raw, m, *spec)


@_partial
def _af_spec(raw: bytes, m: _Msg) -> str | None:
    """IFLA_AF_SPEC: per-family attributes, but a bridge's IFLA_BRIDGE_* directly."""
    if m.family == socket.AF_BRIDGE:
        return _attrs(raw, m, B.RTNL_IFLA_AF_SPEC_BRIDGE_ATTRS, "IFLA_BRIDGE_???", _BRIDGE)
    return _attrs(raw, m, ADDRESS_FAMILIES, "AF_???", _af_one)


@_partial
def _protinfo(raw: bytes, m: _Msg) -> str | None:
    if m.family == socket.AF_INET6:
        return _attrs(raw, m, L.RTNL_IFLA_AF_SPEC_INET6_ATTRS, "IFLA_INET6_???", _INET6)
    if m.family == socket.AF_BRIDGE:
        return _attrs(raw, m, L.RTNL_IFLA_BRPORT_ATTRS, "IFLA_BRPORT_???", _BRPORT)
    return None


def _ctx_str(raw: bytes) -> str:
    """update_ctx_str: the kind string, if NUL-terminated within 16 bytes."""
    end = raw.find(b"\0")
    return raw[:end].decode("latin-1") if len(raw) < 16 and end >= 0 else ""


def _info_kind(raw: bytes, m: _Msg) -> str:
    m.kind = _ctx_str(raw)
    return _str0(raw, m)


def _info_slave_kind(raw: bytes, m: _Msg) -> str:
    m.slave_kind = _ctx_str(raw)
    return _str0(raw, m)


_TUN = _by_name(L.RTNL_IFLA_INFO_DATA_TUN_ATTRS, {
    "IFLA_TUN_OWNER": _uid, "IFLA_TUN_GROUP": _uid,
    "IFLA_TUN_TYPE": _xlat(L.TUN_DEVICE_TYPES, "IFF_???", 1),
    "IFLA_TUN_PI": u8, "IFLA_TUN_VNET_HDR": u8, "IFLA_TUN_PERSIST": u8,
    "IFLA_TUN_MULTI_QUEUE": u8, "IFLA_TUN_NUM_QUEUES": u32,
    "IFLA_TUN_NUM_DISABLED_QUEUES": u32,
})  # fmt: skip


@_partial
def _info_data(raw: bytes, m: _Msg) -> str | None:
    if m.kind == "tun":
        return _attrs(raw, m, L.RTNL_IFLA_INFO_DATA_TUN_ATTRS, "IFLA_TUN_???", _TUN)
    if m.kind == "bridge":
        return _attrs(raw, m, B.RTNL_IFLA_INFO_DATA_BRIDGE_ATTRS, "IFLA_BR_???", _BR)
    return None


@_partial
def _info_slave_data(raw: bytes, m: _Msg) -> str | None:
    if m.slave_kind == "bridge":
        return _attrs(raw, m, L.RTNL_IFLA_BRPORT_ATTRS, "IFLA_BRPORT_???", _BRPORT)
    return None


_CAN_STATS = _struct("6I", "bus_error error_warning error_passive bus_off arbitration_lost restarts")  # fmt: skip
_LINKINFO = _by_name(L.RTNL_IFLA_INFO_ATTRS, {
    "IFLA_INFO_KIND": _info_kind, "IFLA_INFO_DATA": _info_data,
    "IFLA_INFO_XSTATS": lambda raw, m: _CAN_STATS(raw, m) if m.kind == "can" else None,
    "IFLA_INFO_SLAVE_KIND": _info_slave_kind, "IFLA_INFO_SLAVE_DATA": _info_slave_data,
})  # fmt: skip


@_partial
def _linkinfo(raw: bytes, m: _Msg) -> str:
    saved = (m.kind, m.slave_kind)
    m.kind = m.slave_kind = ""
    try:
        return _attrs(raw, m, L.RTNL_IFLA_INFO_ATTRS, "IFLA_INFO_???", _LINKINFO)
    finally:
        m.kind, m.slave_kind = saved


def _prop_one(kind: int, raw: bytes, m: _Msg) -> str | None:
    return _call(nla_str, raw, m) if kind == 53 else None  # IFLA_ALT_IFNAME


_XDP = _by_name(L.RTNL_IFLA_XDP_ATTRS, {
    "IFLA_XDP_FD": _fd,
    "IFLA_XDP_ATTACHED": _xlat(L.RTNL_IFLA_XDP_ATTACHED_MODE, "XDP_ATTACHED_???", 1),
    "IFLA_XDP_FLAGS": lambda raw, m: xflags(int.from_bytes(raw[:4], "little"), L.XDP_FLAGS,
                                            "XDP_FLAGS_???") if len(raw) >= 4 else None,
    "IFLA_XDP_PROG_ID": u32, "IFLA_XDP_DRV_PROG_ID": u32, "IFLA_XDP_SKB_PROG_ID": u32,
    "IFLA_XDP_HW_PROG_ID": u32, "IFLA_XDP_EXPECTED_FD": _fd,
})  # fmt: skip


@_reads(4)
# ---- IFLA_VFINFO_LIST, IFLA_VF_PORTS, IFLA_PORT_SELF (rtnl_link.c) ----------------------------


def _vf_struct(fmt: str, fields: str, show: Callable[[str, object], str] | None = None) -> Decoder:  # fmt: skip
    """A struct ifla_vf_*: `{vf=1, ...}`; `show(name, value)` prints a field not a number."""
    layout = struct.Struct("<" + fmt)
    names = fields.split()

    @_reads(layout.size)
    def dec(raw: bytes, m: _Msg) -> str | None:
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
        return f"guid={_hex0(value)}"
    return None


@_partial
def _vf_guid(raw: Body, m: _Msg) -> str | None:
    """struct ifla_vf_guid: 12 bytes packed or 16 with the guid aligned."""
    if len(raw) not in (12, 16):
        return None
    if not can_read(raw, 0, len(raw)):
        return address(raw, 0)
    vf, guid = struct.unpack_from("<I4xQ" if len(raw) == 16 else "<IQ", raw)
    return f"{{vf={vf}, guid={_hex0(guid)}}}"


_VF_INFO = _by_name(L.RTNL_IFLA_VF_INFO_ATTRS, {
    "IFLA_VF_MAC": _vf_struct("I32s", "vf mac", _vf_field),
    "IFLA_VF_VLAN": _vf_struct("III", "vf vlan qos"),
    "IFLA_VF_TX_RATE": _vf_struct("II", "vf rate"),
    "IFLA_VF_SPOOFCHK": _vf_struct("II", "vf setting"),
    "IFLA_VF_LINK_STATE": _vf_struct("II", "vf link_state", _vf_field),
    "IFLA_VF_RATE": _vf_struct("III", "vf min_tx_rate max_tx_rate"),
    "IFLA_VF_RSS_QUERY_EN": _vf_struct("II", "vf setting"),
    "IFLA_VF_STATS": _nested(L.RTNL_IFLA_VF_STATS_ATTRS, "IFLA_VF_STATS_???",
                             {i: u64 for i in (0, 1, 2, 3, 4, 5, 7, 8)}),
    "IFLA_VF_TRUST": _vf_struct("II", "vf setting"),
    "IFLA_VF_IB_NODE_GUID": _vf_guid, "IFLA_VF_IB_PORT_GUID": _vf_guid,
    "IFLA_VF_VLAN_LIST": _nested(L.RTNL_IFLA_VF_VLAN_LIST_ATTRS, "IFLA_VF_VLAN_INFO_???",
                                 {1: _vf_struct("IIIH2x", "vf vlan qos vlan_proto", _vf_field)}),
    "IFLA_VF_BROADCAST": _vf_struct("32s", "broadcast", _vf_field),
})  # fmt: skip


def _port_vsi(raw: bytes, m: _Msg) -> str | None:
    """struct ifla_port_vsi, its padding only when set."""
    if len(raw) < 8:
        return None
    pad = f", pad={hex_quote(raw[5:8])}" if any(raw[5:8]) else ""
    return (f"{{vsi_mgr_id={raw[0]}, vsi_type_id={hex_quote(raw[1:4])}, "
            f"vsi_type_version={raw[4]}{pad}}}")  # fmt: skip


_PORT = {1: u32, 2: nla_str, 3: _reads(8)(_port_vsi), 6: u8, 7: u16}
_port = _nested(L.RTNL_IFLA_PORT_ATTRS, "IFLA_VF_PORT_???", _PORT)


@_reads(4)
def _event(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xval(int.from_bytes(raw[:4], "little"), L.RTNL_IFLA_EVENTS, "IFLA_EVENT_???")


IFLA = _by_name(L.RTNL_LINK_ATTRS, {
    "IFLA_ADDRESS": _hwaddr, "IFLA_BROADCAST": _hwaddr, "IFLA_IFNAME": nla_str,
    "IFLA_MTU": u32, "IFLA_LINK": u32, "IFLA_QDISC": nla_str,
    "IFLA_STATS": _link_stats("I", (92, 96)), "IFLA_MASTER": u32, "IFLA_PROTINFO": _protinfo,
    "IFLA_TXQLEN": u32, "IFLA_MAP": lambda raw, m: _ifmap(raw[:28], m) if len(raw) >= 28 else None,
    "IFLA_WEIGHT": u32, "IFLA_OPERSTATE": u8, "IFLA_LINKMODE": u8, "IFLA_LINKINFO": _linkinfo,
    "IFLA_NET_NS_PID": u32, "IFLA_IFALIAS": nla_str, "IFLA_NUM_VF": u32,
    "IFLA_VFINFO_LIST": _nested(L.RTNL_IFLA_VFINFO_LIST_ATTRS, "IFLA_VF_INFO_???",
                                {1: _nested(L.RTNL_IFLA_VF_INFO_ATTRS, "IFLA_VF_???", _VF_INFO)}),
    "IFLA_VF_PORTS": _nested(L.RTNL_IFLA_VF_PORT_ATTRS, "IFLA_VF_PORT_???", {1: _port}),
    "IFLA_PORT_SELF": _port,
    "IFLA_STATS64": _link_stats("Q", (184, 192, 200)),
    "IFLA_AF_SPEC": _af_spec, "IFLA_GROUP": u32, "IFLA_NET_NS_FD": _fd,
    "IFLA_EXT_MASK": _xlat(L.RTNL_IFLA_EXT_FILTER_FLAGS, "RTEXT_FILTER_???", 4, flags=True),
    "IFLA_PROMISCUITY": u32, "IFLA_NUM_TX_QUEUES": u32, "IFLA_NUM_RX_QUEUES": u32,
    "IFLA_CARRIER": u8, "IFLA_CARRIER_CHANGES": u32, "IFLA_LINK_NETNSID": s32,
    "IFLA_PHYS_PORT_NAME": nla_str, "IFLA_PROTO_DOWN": u8, "IFLA_GSO_MAX_SEGS": u32,
    "IFLA_GSO_MAX_SIZE": u32, "IFLA_XDP": _nested(L.RTNL_IFLA_XDP_ATTRS, "IFLA_XDP_???", _XDP),
    "IFLA_EVENT": _event, "IFLA_NEW_NETNSID": s32, "IFLA_IF_NETNSID": s32,
    "IFLA_CARRIER_UP_COUNT": u32, "IFLA_CARRIER_DOWN_COUNT": u32, "IFLA_NEW_IFINDEX": ifindex,
    "IFLA_MIN_MTU": u32, "IFLA_MAX_MTU": u32,
    "IFLA_PROP_LIST": _nested(L.RTNL_LINK_ATTRS, "IFLA_???", _prop_one),
    "IFLA_ALT_IFNAME": nla_str, "IFLA_PERM_ADDRESS": _hwaddr,
    "IFLA_PROTO_DOWN_REASON": _nested(L.RTNL_IFLA_PROTO_DOWN_REASON_ATTRS,
                                      "IFLA_PROTO_DOWN_REASON_???", {1: x32, 2: x32}),
    "IFLA_PARENT_DEV_NAME": nla_str, "IFLA_PARENT_DEV_BUS_NAME": nla_str,
    "IFLA_GRO_MAX_SIZE": u32, "IFLA_TSO_MAX_SIZE": u32, "IFLA_TSO_MAX_SEGS": u32,
    "IFLA_ALLMULTI": u32,
})  # fmt: skip


def _ifinfomsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 16, "ifi_family", fam)) is not None:
        return short
    ifi_type, index, flags, change = struct.unpack_from("<HiII", data, off + 2)
    text = (f"{{ifi_family={fam}, ifi_type={xval(ifi_type, L.ARP_HARDWARE_TYPES, 'ARPHRD_???')}, "
            f"ifi_index={ifindex_text(index & 0xFFFFFFFF)}, "
            f"ifi_flags={flags_text(flags, L.IFFFLAGS, 'IFF_???')}, ifi_change={_hex0(change)}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 16, m, L.RTNL_LINK_ATTRS, "IFLA_???", IFLA)


def _header_unread(data: bytes, off: int, length: int, size: int, field: str, fam: str) -> str | None:  # fmt: skip
    """A `size`-byte header that `length` cannot hold (`{ifi_family=AF_INET, ...}`) or that
    strace cannot read past its family byte (`{ifi_family=AF_INET, 0x7f...}`); else None."""
    if length < size:
        return f"{{{field}={fam}, ...}}"
    if not can_read(data, off + 1, size - 1):
        return f"{{{field}={fam}, {address(data, off + 1)}}}"
    return None


def _with_attrs(text: str, data: bytes, off: int, length: int, hdr: int, m: _Msg,
                names: dict, unknown: str, decoders: dict) -> str:  # fmt: skip
    """A message's fixed header `text`, then the attributes after its `hdr` bytes."""
    if length > hdr:
        attrs = _attrs_at(data, off + hdr, length - hdr, m, names, unknown, decoders)
        return f"{text}, {attrs}"
    return text


# ---- RTM_NEWSTATS, RTM_GETSTATS: struct if_stats_msg, IFLA_STATS_* (rtnl_stats.c) ------------
# Only IFLA_STATS_LINK_64 is decoded yet; the nested xstats, offload and per-family
# statistics print in hex where strace decodes them.

IFLA_STATS = {1: _link_stats("Q", (184, 192, 200))}


def _ifstatsmsg(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 12, "family", fam)) is not None:
        return short
    pad1, pad2, index, mask = struct.unpack_from("<BHII", data, off + 1)
    pads = (f"pad1={_hex0(pad1)}, " if pad1 else "") + (f"pad2={_hex0(pad2)}, " if pad2 else "")
    text = (f"{{family={fam}, {pads}ifindex={ifindex_text(index)}, "
            f"filter_mask={flags_text(mask, L.IFSTATS_ATTR_FLAGS, '1<<IFLA_STATS_???')}}}")  # fmt: skip
    return _with_attrs(
        text, data, off, length, 12, m, L.IFSTATS_ATTRS, "IFLA_STATS_???", IFLA_STATS
    )


# ---- RTM_*ADDR: struct ifaddrmsg, IFA_* (rtnl_addr.c) -----------------------------------------


def _ifa_cacheinfo(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 16:
        return None
    p, v, c, t = struct.unpack_from("<4I", raw)
    return f"{{ifa_prefered={p}, ifa_valid={v}, cstamp={c}, tstamp={t}}}"


@_reads(4)
def _ifa_flags(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xflags(int.from_bytes(raw[:4], "little"), R.IFADDR_FLAGS, "IFA_F_???")


IFA = {1: _msg_addr, 2: _msg_addr, 3: nla_str, 4: _msg_addr, 5: _msg_addr, 6: _ifa_cacheinfo,
       7: _msg_addr, 8: _ifa_flags, 9: u32, 10: s32}  # fmt: skip


def _ifaddrmsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 8, "ifa_family", fam)) is not None:
        return short
    prefixlen, flags, scope, index = struct.unpack_from("<BBBI", data, off + 1)
    text = (f"{{ifa_family={fam}, ifa_prefixlen={prefixlen}, "
            f"ifa_flags={xflags(flags, R.IFADDR_FLAGS, 'IFA_F_???')}, "
            f"ifa_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"ifa_index={ifindex_text(index)}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 8, m, R.RTNL_ADDR_ATTRS, "IFA_???", IFA)


# ---- RTM_*ROUTE: struct rtmsg, RTA_* (rtnl_route.c) ------------------------------------------


@_reads(4)
def _rt_class(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 4:
        return None
    return xval_nodflt(int.from_bytes(raw[:4], "little"), R.ROUTING_TABLE_IDS)


@_reads(1)
def _rt_proto(raw: bytes, m: _Msg) -> str | None:
    return xval(raw[0], R.ROUTING_PROTOCOLS, "RTPROT_???") if raw else None


_METRICS = {i: u32 for i in range(1, 16)} | {16: nla_str}  # RTAX_LOCK..RTAX_QUICKACK, CC_ALGO


def _rtvia(raw: bytes, m: _Msg) -> str | None:
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
            text += ", rtvia_addr=" + _hex(rest, m)
    return text + "}"


def _multipath(raw: bytes, m: _Msg) -> str | None:
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
            attrs = _attrs(raw.sub(cur + 8, rtnh_len - 8), m, R.RTNL_ROUTE_ATTRS, "RTA_???", RTA)
            text = f"[{text}, {attrs}]"
        items.append(text)
        step = (rtnh_len + 3) & ~3
        if step >= left:
            break
        cur += step
        left -= step
    return "[" + ", ".join(items) + "]" if is_array else items[0]


@_reads(2)
def _lwt_type(raw: bytes, m: _Msg) -> str | None:
    if len(raw) < 2:
        return None
    return xval(int.from_bytes(raw[:2], "little"), R.LWTUNNEL_ENCAP_TYPES, "LWTUNNEL_ENCAP_???")


RTA = _by_name(R.RTNL_ROUTE_ATTRS, {
    "RTA_DST": _msg_addr, "RTA_SRC": _msg_addr, "RTA_IIF": ifindex, "RTA_OIF": ifindex,
    "RTA_GATEWAY": _msg_addr, "RTA_PRIORITY": u32, "RTA_PREFSRC": _msg_addr,
    "RTA_METRICS": _nested(R.RTNL_RTA_METRICS_ATTRS, "RTAX_???", _METRICS),
    "RTA_MULTIPATH": _multipath, "RTA_PROTOINFO": u32, "RTA_FLOW": u32,
    "RTA_CACHEINFO": _struct("8I", "rta_clntref rta_lastuse rta_expires rta_error "
                             "rta_used rta_id rta_ts rta_tsage", ("rta_id",)),
    "RTA_MP_ALGO": u32, "RTA_TABLE": _rt_class, "RTA_MARK": u32,
    "RTA_MFC_STATS": _struct("QQQ", "mfcs_packets mfcs_bytes mfcs_wrong_if"),
    "RTA_VIA": _rtvia, "RTA_NEWDST": _msg_addr, "RTA_PREF": u8,
    "RTA_ENCAP_TYPE": _lwt_type, "RTA_EXPIRES": u64, "RTA_UID": u32,
    "RTA_TTL_PROPAGATE": u8, "RTA_IP_PROTO": u8, "RTA_SPORT": u16, "RTA_DPORT": u16,
})  # fmt: skip


def _rtmsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 12, "rtm_family", fam)) is not None:
        return short
    dst, src, tos, table, proto, scope, rtype, flags = struct.unpack_from("<BBBBBBBI", data, off + 1)  # fmt: skip
    text = (f"{{rtm_family={fam}, rtm_dst_len={dst}, rtm_src_len={src}, "
            f"rtm_tos={xflags(tos, R.IP_TYPE_OF_SERVICES, 'IPTOS_TOS_???')}, "
            f"rtm_table={xval_nodflt(table, R.ROUTING_TABLE_IDS)}, "
            f"rtm_protocol={xval(proto, R.ROUTING_PROTOCOLS, 'RTPROT_???')}, "
            f"rtm_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"rtm_type={xval(rtype, R.ROUTING_TYPES, 'RTN_???')}, "
            f"rtm_flags={xflags(flags, R.ROUTING_FLAGS, 'RTM_F_???')}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 12, m, R.RTNL_ROUTE_ATTRS, "RTA_???", RTA)


# ---- RTM_*NEIGH: struct ndmsg, NDA_* (rtnl_neigh.c) ------------------------------------------


@_reads(2)
def _be16(raw: bytes, m: _Msg) -> str | None:
    return f"htons({int.from_bytes(raw[:2], 'big')})" if len(raw) >= 2 else None


NDA = _by_name(R.RTNL_NEIGH_ATTRS, {
    "NDA_DST": _msg_addr, "NDA_LLADDR": _hwaddr_nofamily,
    "NDA_CACHEINFO": _struct("4I", "ndm_confirmed ndm_used ndm_updated ndm_refcnt"),
    "NDA_PROBES": u32, "NDA_VLAN": u16, "NDA_PORT": _be16, "NDA_VNI": u32,
    "NDA_IFINDEX": ifindex, "NDA_MASTER": ifindex, "NDA_LINK_NETNSID": u32,
    "NDA_SRC_VNI": u32, "NDA_PROTOCOL": _xlat(IP_PROTOCOLS, "IPPROTO_???", 0), "NDA_NH_ID": u32,
    "NDA_FDB_EXT_ATTRS": _nested(R.RTNL_NEIGH_FDB_EXT_ATTRS, "NFEA_???",
                                 {1: _xlat(R.FDB_NOTIFY_FLAGS, "FDB_NOTIFY_???", 1, flags=True)}),
    "NDA_FLAGS_EXT": _xlat(R.NEIGHBOR_CACHE_ENTRY_EXT_FLAGS, "NTF_EXT_???", 4, flags=True),
    "NDA_NDM_STATE_MASK": _xlat(R.NEIGHBOR_CACHE_ENTRY_STATES, "NUD_???", 2, flags=True),
    "NDA_NDM_FLAGS_MASK": _xlat(R.NEIGHBOR_CACHE_ENTRY_FLAGS, "NTF_???", 1, flags=True),
})  # fmt: skip


def _ndmsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 12, "ndm_family", fam)) is not None:
        return short
    index, state, flags, ntype = struct.unpack_from("<iHBB", data, off + 4)
    text = (f"{{ndm_family={fam}, ndm_ifindex={ifindex_text(index & 0xFFFFFFFF)}, "
            f"ndm_state={flags_text(state, R.NEIGHBOR_CACHE_ENTRY_STATES, 'NUD_???')}, "
            f"ndm_flags={flags_text(flags, R.NEIGHBOR_CACHE_ENTRY_FLAGS, 'NTF_???')}, "
            f"ndm_type={xval(ntype, R.ROUTING_TYPES, 'RTN_???')}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 12, m, R.RTNL_NEIGH_ATTRS, "NDA_???", NDA)


# ---- RTM_*RULE: struct fib_rule_hdr, FRA_* (rtnl_rule.c) -------------------------------------


@_reads(8)
def _be64(raw: bytes, m: _Msg) -> str | None:
    return f"htobe64({int.from_bytes(raw[:8], 'big')})" if len(raw) >= 8 else None


_RANGE = _struct("II", "start end")
_PORT_RANGE = _struct("HH", "start end")
FRA = _by_name(R.RTNL_RULE_ATTRS, {
    "FRA_DST": _msg_addr, "FRA_SRC": _msg_addr, "FRA_IIFNAME": nla_str, "FRA_GOTO": u32,
    "FRA_PRIORITY": u32, "FRA_FWMARK": u32, "FRA_FLOW": u32, "FRA_TUN_ID": _be64,
    "FRA_SUPPRESS_IFGROUP": u32, "FRA_SUPPRESS_PREFIXLEN": u32, "FRA_TABLE": _rt_class,
    "FRA_FWMASK": u32, "FRA_OIFNAME": nla_str, "FRA_L3MDEV": u8, "FRA_UID_RANGE": _RANGE,
    "FRA_PROTOCOL": _rt_proto, "FRA_IP_PROTO": _xlat(IP_PROTOCOLS, "IPPROTO_???", 0),
    "FRA_SPORT_RANGE": _PORT_RANGE, "FRA_DPORT_RANGE": _PORT_RANGE,
})  # fmt: skip


def _fib_rule_hdr(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 12, "family", fam)) is not None:
        return short
    dst, src, tos, table, _r1, _r2, action, flags = struct.unpack_from("<BBBBBBBI", data, off + 1)  # fmt: skip
    text = (f"{{family={fam}, dst_len={dst}, src_len={src}, "
            f"tos={xflags(tos, R.IP_TYPE_OF_SERVICES, 'IPTOS_TOS_???')}, "
            f"table={xval(table, R.ROUTING_TABLE_IDS, 'RT_TABLE_???')}, "
            f"action={xval(action, R.FIB_RULE_ACTIONS, 'FR_ACT_???')}, "
            f"flags={xflags(flags, R.FIB_RULE_FLAGS, 'FIB_RULE_???')}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 12, m, R.RTNL_RULE_ATTRS, "FRA_???", FRA)


# ---- RTM_*NETCONF: struct netconfmsg, NETCONFA_* (rtnl_netconf.c) ---------------------------

NETCONFA = {1: ifindex} | dict.fromkeys(range(2, 9), s32)  # NETCONFA_FORWARDING..BC_FORWARDING


def _netconfmsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    text = f"{{ncm_family={fam}}}"
    return _with_attrs(
        text, data, off, length, 4, m, R.RTNL_NETCONF_ATTRS, "NETCONFA_???", NETCONFA
    )


# ---- RTM_*NEXTHOP: struct nhmsg, NHA_* (rtnl_nh.c) -------------------------------------------


def _nh_group(raw: bytes, i: int) -> str:
    """struct nexthop_grp, its reserved fields only when set."""
    nh_id, weight, resvd1, resvd2 = struct.unpack("<IBBH", raw)
    text = f"{{id={nh_id}, weight={weight}"
    text += f", resvd1={_hex0(resvd1)}" if resvd1 else ""
    text += f", resvd2={_hex0(resvd2)}" if resvd2 else ""
    return text + "}"


@_partial
def _nh_groups(raw: Body, m: _Msg) -> str | None:
    """NHA_GROUP: an array of struct nexthop_grp."""
    if not len(raw) // 8:
        return None
    return print_array(raw, 8, _nh_group, m.strsize, m.abbrev)


NHA = _by_name(R.RTNL_NEXTHOP_ATTRS, {
    "NHA_ID": u32, "NHA_GROUP": _nh_groups,
    "NHA_GROUP_TYPE": _xlat(R.RTNL_NEXTHOP_GRP_TYPES, "NEXTHOP_GRP_TYPE_???", 2),
    "NHA_BLACKHOLE": u32, "NHA_OIF": ifindex, "NHA_GATEWAY": _msg_addr,
    "NHA_ENCAP_TYPE": _lwt_type, "NHA_GROUPS": u32, "NHA_MASTER": ifindex, "NHA_FDB": u32,
    "NHA_RES_GROUP": _nested(R.RTNL_NHA_RES_GROUP_ATTRS, "NHA_RES_GROUP_???",
                             {1: u16, 2: _clock_t, 3: _clock_t, 4: _clock_t}),
    "NHA_RES_BUCKET": _nested(R.RTNL_NHA_RES_BUCKET_ATTRS, "NHA_RES_BUCKET_???",
                              {1: u16, 2: _clock_t, 3: u32}),
})  # fmt: skip


def _nhmsg(data: bytes, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 8, "nh_family", fam)) is not None:
        return short
    scope, proto, resvd, flags = struct.unpack_from("<BBBI", data, off + 1)
    text = (f"{{nh_family={fam}, nh_scope={xval_nodflt(scope, R.ROUTING_SCOPES)}, "
            f"nh_protocol={xval(proto, R.ROUTING_PROTOCOLS, 'RTPROT_???')}, "
            + (f"resvd={_hex0(resvd)}, " if resvd else "")
            + f"nh_flags={xflags(flags, R.ROUTE_NEXTHOP_FLAGS, 'RTNH_F_???')}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 8, m, R.RTNL_NEXTHOP_ATTRS, "NHA_???", NHA)


# ---- messages with the family alone: ndtmsg, rtgenmsg (nsid, cache reports), tcamsg ---------


def _family_then_attrs(field: str, names: dict, unknown: str, decoders: dict):
    """A header that is its family byte (`{ndtm_family=AF_INET}`), then attributes."""

    def dec(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
        return _with_attrs(f"{{{field}={fam}}}", data, off, length, 4, m, names, unknown, decoders)

    return dec


def _ndt_stats(raw: bytes, m: _Msg) -> str | None:
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


_NDTPA = _by_name(X.RTNL_NEIGHTBL_PARMS_ATTRS, {
    "NDTPA_IFINDEX": ifindex,
    **_u8s(["NDTPA_REFCNT", "NDTPA_QUEUE_LEN", "NDTPA_APP_PROBES", "NDTPA_UCAST_PROBES",
            "NDTPA_MCAST_PROBES", "NDTPA_PROXY_QLEN", "NDTPA_QUEUE_LENBYTES",
            "NDTPA_MCAST_REPROBES"], u32),
    **_u8s(["NDTPA_REACHABLE_TIME", "NDTPA_BASE_REACHABLE_TIME", "NDTPA_RETRANS_TIME",
            "NDTPA_GC_STALETIME", "NDTPA_DELAY_PROBE_TIME", "NDTPA_ANYCAST_DELAY",
            "NDTPA_PROXY_DELAY", "NDTPA_LOCKTIME", "NDTPA_INTERVAL_PROBE_TIME_MS"], u64),
})  # fmt: skip
NDTA = _by_name(X.RTNL_NEIGHTBL_ATTRS, {
    "NDTA_NAME": nla_str, "NDTA_THRESH1": u32, "NDTA_THRESH2": u32, "NDTA_THRESH3": u32,
    "NDTA_CONFIG": _struct("HHIIIIIII", "ndtc_key_len ndtc_entry_size ndtc_entries "
                           "ndtc_last_flush ndtc_last_rand ndtc_hash_rnd ndtc_hash_mask "
                           "ndtc_hash_chain_gc ndtc_proxy_qlen", padded=("ndtc_hash_mask",)),
    "NDTA_PARMS": _nested(X.RTNL_NEIGHTBL_PARMS_ATTRS, "NDTPA_???", _NDTPA),
    "NDTA_STATS": _partial(_ndt_stats), "NDTA_GC_INTERVAL": u64,
})  # fmt: skip
NETNSA = {1: s32, 2: u32, 3: _fd, 4: s32, 5: s32}  # NETNSA_NSID .. NETNSA_CURRENT_NSID

_CREPORT = {
    128: (X.RTNL_IPMRA_CREPORT_ATTR, "IPMRA_CREPORT_???",
          {1: _xlat(X.RTNL_IPMRA_MSG_TYPES, "IGMPMSG_???", 1), 2: u32,
           3: _in_addr(socket.AF_INET, 4), 4: _in_addr(socket.AF_INET, 4), 6: u32}),
    129: (X.RTNL_IP6MRA_CREPORT_ATTR, "IP6MRA_CREPORT_???",
          {1: _xlat(X.RTNL_IP6MRA_MSG_TYPES, "MRT6MSG_???", 1), 2: u32,
           3: _in_addr(socket.AF_INET6, 16), 4: _in_addr(socket.AF_INET6, 16)}),
}  # fmt: skip
_RTGEN_FAMILIES = {**ADDRESS_FAMILIES, **X.RTNL_FAMILY}


def _cachereport(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    """RTM_NEWCACHEREPORT: the rtgenmsg, then IPMRA_* or IP6MRA_* attributes, or hex."""
    text = f"{{rtgen_family={xval(m.family, _RTGEN_FAMILIES, 'RTNL_FAMILY_???')}}}"
    if length <= 4:
        return text
    spec = _CREPORT.get(m.family)
    if spec is None:
        return f"{text}, {hex_bytes(data, off + 4, length - 4, m.strsize)}"
    return _with_attrs(text, data, off, length, 4, m, *spec)


# ---- RTM_*ADDRLABEL: struct ifaddrlblmsg, IFAL_* (rtnl_addrlabel.c) ---------------------------

IFAL = {1: _msg_addr, 2: u32}


def _ifaddrlblmsg(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 12, "ifal_family", fam)) is not None:
        return short
    prefixlen, flags, index, seq = struct.unpack_from("<BBII", data, off + 2)
    text = (f"{{ifal_family={fam}, ifal_prefixlen={prefixlen}, ifal_flags={flags}, "
            f"ifal_index={ifindex_text(index)}, ifal_seq={seq}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 12, m, X.RTNL_ADDRLABEL_ATTRS, "IFAL_???", IFAL)


# ---- RTM_GETDCB, RTM_SETDCB: struct dcbmsg, DCB_ATTR_* undecoded (rtnl_dcb.c) ------------------


def _dcbmsg(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 4, "dcb_family", fam)) is not None:
        return short
    text = f"{{dcb_family={fam}, cmd={xval(data[off + 1], X.DCB_COMMANDS, 'DCB_CMD_???')}}}"
    return _with_attrs(text, data, off, length, 4, m, X.RTNL_DCB_ATTRS, "DCB_ATTR_???", {})


# ---- RTM_*MDB: struct br_port_msg, MDBA_* (rtnl_mdb.c) ----------------------------------------


def _value_then_attrs(value: Callable[[Body, _Msg], str | None], size: int, names: dict,
                      unknown: str, decoders: dict) -> Decoder:  # fmt: skip
    """A `size`-byte value, then attributes after it: `if_nametoindex("lo"), [{...}]`."""

    @_partial
    def dec(raw: Body, m: _Msg) -> str | None:
        if len(raw) < size:
            return None
        text = value(raw, m) if can_read(raw, 0, size) else address(raw, 0)
        start = (size + 3) & ~3
        if len(raw) > start:
            text += ", " + _attrs_at(raw, start, len(raw) - start, m, names, unknown, decoders)
        return text

    return dec


def _mdb_entry(raw: bytes, m: _Msg) -> str:
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


_MDB_ENTRY = {1: _value_then_attrs(_mdb_entry, 28, X.RTNL_MDBA_MDB_EATTR_ATTRS,
                                   "MDBA_MDB_EATTR_???", {1: _clock_t})}  # fmt: skip
_ROUTER_PORT = {1: _value_then_attrs(
    lambda raw, m: ifindex_text(int.from_bytes(raw[:4], "little")), 4,
    X.RTNL_MDBA_ROUTER_PATTR_ATTRS, "MDBA_ROUTER_PATTR_???",
    {1: _clock_t, 2: _reads(1)(lambda raw, m: xval(raw[0], X.MULTICAST_ROUTER_TYPES,
                                                  "MDB_RTR_TYPE_???")),
     3: _clock_t, 4: _clock_t})}  # fmt: skip
MDBA = {
    1: _nested(X.RTNL_MDBA_MDB_ATTRS, "MDBA_MDB_???",
               {1: _nested(X.RTNL_MDBA_MDB_ENTRY_ATTRS, "MDBA_MDB_ENTRY_???", _MDB_ENTRY)}),
    2: _nested(X.RTNL_MDBA_ROUTER_ATTRS, "MDBA_ROUTER_???", _ROUTER_PORT),
}  # fmt: skip


def _br_port_msg(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 8, "family", fam)) is not None:
        return short
    text = f"{{family={fam}, ifindex={ifindex_text(struct.unpack_from('<I', data, off + 4)[0])}}}"
    return _with_attrs(text, data, off, length, 8, m, X.RTNL_MDB_ATTRS, "MDBA_???", MDBA)


# ---- traffic control: struct tcmsg and TCA_*, struct tcamsg and TCA_ACT_* (rtnl_tc*.c) -------

_TCA_STATS = _by_name(X.RTNL_TCA_STATS_ATTRS, {
    "TCA_STATS_BASIC": _struct("QI", "bytes packets"),
    "TCA_STATS_RATE_EST": _struct("II", "bps pps"),
    "TCA_STATS_QUEUE": _struct("5I", "qlen backlog drops requeues overlimits"),
    "TCA_STATS_RATE_EST64": _struct("QQ", "bps pps"),
    "TCA_STATS_BASIC_HW": _struct("QI", "bytes packets"),
    "TCA_STATS_PKT64": u64,
})  # fmt: skip
_tc_stats = _nested(X.RTNL_TCA_STATS_ATTRS, "TCA_STATS_???", _TCA_STATS)


@_partial
def _stab_data(raw: Body, m: _Msg) -> str | None:
    if not len(raw) // 2:
        return None
    return print_array(raw, 2, lambda elem, _i: str(int.from_bytes(elem, "little")), m.strsize,
                       m.abbrev)  # fmt: skip


TCA = _by_name(X.RTNL_TC_ATTRS, {
    "TCA_KIND": nla_str,
    "TCA_STATS": _struct("Q7I", "bytes packets drops overlimits bps pps qlen backlog"),
    "TCA_RATE": _struct("bB", "interval ewma_log"), "TCA_FCNT": u32, "TCA_STATS2": _tc_stats,
    "TCA_STAB": _nested(X.RTNL_TCA_STAB_ATTRS, "TCA_STAB_???", {
        1: _struct("BBhiIIII", "cell_log size_log cell_align overhead linklayer mpu mtu tsize"),
        2: _stab_data}),
    "TCA_CHAIN": u32, "TCA_HW_OFFLOAD": u8, "TCA_INGRESS_BLOCK": u32, "TCA_EGRESS_BLOCK": u32,
    "TCA_DUMP_FLAGS": u32,
})  # fmt: skip
_HW_STATS = _xlat(X.RTNL_TCA_ACT_HW_STATS, "TCA_ACT_HW_STATS_???", 4, flags=True)
TCA_ACT = _by_name(X.RTNL_TC_ACTION_ATTRS, {
    "TCA_ACT_KIND": nla_str, "TCA_ACT_INDEX": u32, "TCA_ACT_STATS": _tc_stats,
    "TCA_ACT_FLAGS": _xlat(X.RTNL_TCA_ACT_FLAGS, "TCA_ACT_FLAGS_???", 4, flags=True),
    "TCA_ACT_HW_STATS": _HW_STATS, "TCA_ACT_USED_HW_STATS": _HW_STATS,
    "TCA_ACT_IN_HW_COUNT": u32,
})  # fmt: skip


def _tcmsg(data: Body, off: int, length: int, m: _Msg, fam: str) -> str:
    if (short := _header_unread(data, off, length, 20, "tcm_family", fam)) is not None:
        return short
    index, handle, parent, info = struct.unpack_from("<iIII", data, off + 4)
    text = (f"{{tcm_family={fam}, tcm_ifindex={ifindex_text(index & 0xFFFFFFFF)}, "
            f"tcm_handle={handle}, tcm_parent={parent}, tcm_info={info}}}")  # fmt: skip
    return _with_attrs(text, data, off, length, 20, m, X.RTNL_TC_ATTRS, "TCA_???", TCA)


# ---- dispatch (netlink_route.c's route_decoders) ---------------------------------------------

_DECODERS = {16: _ifinfomsg, 17: _ifinfomsg, 18: _ifinfomsg, 19: _ifinfomsg,
             20: _ifaddrmsg, 21: _ifaddrmsg, 22: _ifaddrmsg, 58: _ifaddrmsg, 62: _ifaddrmsg,
             24: _rtmsg, 25: _rtmsg, 26: _rtmsg, 28: _ndmsg, 29: _ndmsg, 30: _ndmsg,
             32: _fib_rule_hdr, 33: _fib_rule_hdr, 34: _fib_rule_hdr,
             **dict.fromkeys([36, 37, 38, 40, 41, 42, 44, 45, 46, 100, 101, 102], _tcmsg),
             **dict.fromkeys([48, 49, 50], _family_then_attrs(
                 "tca_family", X.RTNL_TC_ACTION_ATTRS, "TCA_ACT_???", TCA_ACT)),
             **dict.fromkeys([64, 66, 67], _family_then_attrs(
                 "ndtm_family", X.RTNL_NEIGHTBL_ATTRS, "NDTA_???", NDTA)),
             72: _ifaddrlblmsg, 73: _ifaddrlblmsg, 74: _ifaddrlblmsg,
             78: _dcbmsg, 79: _dcbmsg,
             80: _netconfmsg, 81: _netconfmsg, 82: _netconfmsg,
             84: _br_port_msg, 85: _br_port_msg, 86: _br_port_msg,
             **dict.fromkeys([88, 89, 90], _family_then_attrs(
                 "rtgen_family", X.RTNL_NSID_ATTRS, "NETNSA_???", NETNSA)),
             92: _ifstatsmsg, 94: _ifstatsmsg,
             96: _cachereport,
             104: _nhmsg, 105: _nhmsg, 106: _nhmsg}  # fmt: skip


def route_payload(data: bytes, off: int, length: int, mtype: int, fam: str, strsize: int, abbrev: bool) -> str | None:  # fmt: skip
    """The payload of NETLINK_ROUTE message type `mtype`, or None if not decoded here."""
    decode = _DECODERS.get(mtype)
    if decode is None:
        return None
    family = data[off]
    if mtype == 30 and family == socket.AF_BRIDGE:  # RTM_GETNEIGH for AF_BRIDGE: an ifinfomsg
        decode = _ifinfomsg
    return decode(data, off, length, _Msg(strsize, abbrev, family), fam)
