"""NETLINK_SOCK_DIAG payloads, as strace 6.1 prints them (its netlink_sock_diag.c,
netlink_inet_diag.c, netlink_unix_diag.c, netlink_netlink_diag.c, netlink_packet_diag.c,
netlink_smc_diag.c).

A payload starts with its address family, which picks the request (NLM_F_REQUEST set) or
reply layout: `{udiag_family=AF_UNIX, udiag_type=SOCK_STREAM, ...}`, then the reply's
attributes. A family without a layout, or a payload of the family byte alone, prints as
`{family=AF_UNIX}` (with the rest in hex as `data=`). A header shorter than its layout
prints `...` after the family; one strace cannot read, the address where its read fails.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from tracer.syscalls.fmt import STYLE, makedev, pointer, quote_buffer, quote_path
from tracer.syscalls.xlat import netlink_sock_diag as D
from tracer.syscalls.xlat.net import (
    ADDRESS_FAMILIES,
    ETHERNET_PROTOCOLS,
    IP_PROTOCOLS,
    NETLINK_PROTOCOLS,
    SOCKET_TYPES,
)

from .bpf_filter import render_filter
from .kstructs import hex_quote, xflags, xval
from .netlink_values import (
    Decoder,
    Msg,
    family_and_data,
    flags_text,
    header_unread,
    hex0,
    indexed_array,
    nested,
    nla_str,
    nla_uid,
    partial,
    reads,
    struct_decoder,
    u8,
    u16,
    u32,
    u64,
    with_attrs,
    x32,
    xlat_decoder,
)
from .nlattr import Body, address, can_read, flag_name, hex_bytes, print_array
from .sockaddr import _field, ifindex_text, inet6_addr_field, render_sockaddr, zero_padded_hex

NLM_F_REQUEST = 0x1
TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK = 18, 19
NDIAG_PROTO_ALL = 255
SOCKID_SIZE = 48


# ---- shared fields ---------------------------------------------------------------------------


def _inet_field(name: str, raw: bytes, family: int) -> str:
    """print_inet_addr: an address of `family`, or all of its bytes in hex; under -X the
    hex form shows all of the field's bytes, whatever the family's address size."""
    if family == socket.AF_INET:
        text = quote_path(socket.inet_ntop(socket.AF_INET, raw[:4]).encode())
        return _field(name, raw, f"inet_addr({text})")
    if family == socket.AF_INET6:
        return inet6_addr_field(name, raw[:16])
    return f"{name}={hex_quote(raw)}"


def _port(name: str, raw: bytes) -> str:
    return _field(name, raw, f"htons({int.from_bytes(raw, 'big')})")


def _cookie(raw: bytes) -> str:
    low, high = struct.unpack_from("<II", raw)
    return f"[{low}, {high}]"


def sockid(raw: bytes, family: int) -> str:
    """struct inet_diag_sockid: ports, addresses of `family`, interface and cookie."""
    (index,) = struct.unpack_from("<I", raw, 36)
    return (f"{{{_port('idiag_sport', raw[0:2])}, {_port('idiag_dport', raw[2:4])}, "
            f"{_inet_field('idiag_src', raw[4:20], family)}, "
            f"{_inet_field('idiag_dst', raw[20:36], family)}, "
            f"idiag_if={ifindex_text(index)}, idiag_cookie={_cookie(raw[40:48])}}}")  # fmt: skip


def _verbose_flags(value: int, table: list[tuple[int, str]], unknown: str) -> str:
    """Flags printed `0x3 /* RCV_SHUTDOWN|SEND_SHUTDOWN */` but under -X raw: strace does so
    for constants that are not part of the UAPI."""
    if STYLE.constants == "raw" or not value:
        return hex0(value)
    names, rest = [], value
    for bit, name in table:
        if rest & bit == bit:
            names.append(name)
            rest &= ~bit
    if not names:
        return f"{value:#x} /* {unknown} */"
    return f"{value:#x} /* {'|'.join(names + ([f'{rest:#x}'] if rest else []))} */"


def _verbose_xval(value: int, table: dict[int, str], unknown: str) -> str:
    """PRINT_FIELD_XVAL_VERBOSE: `0x3020000 /* SMC_CLC_DECL_IPSEC */` but under -X raw."""
    if STYLE.constants == "raw":
        return hex0(value)
    return f"{hex0(value)} /* {table.get(value, unknown)} */"


meminfo = indexed_array("I", D.NETLINK_SK_MEMINFO_INDICES, "SK_MEMINFO_???")
ip_proto = xlat_decoder(IP_PROTOCOLS, "IPPROTO_???", 0)


def _array_of(size: int, elem_text: Callable[[bytes, int], str]) -> Decoder:
    """print_array of `size`-byte elements; a value shorter than one prints in hex."""

    @partial
    def dec(raw: Body, m: Msg) -> str | None:
        if len(raw) < size:
            return None
        return print_array(raw, size, elem_text, m.strsize, m.abbrev)

    return dec


# ---- inet diag: struct inet_diag_req(_v2), inet_diag_msg, INET_DIAG_* -----------------------


def _bc_op(raw: bytes) -> str:
    code, yes, no = struct.unpack_from("<BBH", raw)
    return f"{{code={xval(code, D.INET_DIAG_BYTECODES, 'INET_DIAG_BC_???')}, yes={yes}, no={no}}}"


def _hostcond(raw: Body, m: Msg) -> str:
    """struct inet_diag_hostcond, then its address of the family it names."""
    if len(raw) < 8:
        return hex_bytes(raw, 0, len(raw), m.strsize)
    if not can_read(raw, 0, 8):
        return address(raw, 0)
    family, prefix_len, port = struct.unpack_from("<BBxxi", raw)
    text = (f"{{family={xval(family, ADDRESS_FAMILIES, 'AF_???')}, prefix_len={prefix_len}, "
            f"port={port}")  # fmt: skip
    if len(raw) > 8:
        text += ", " + _inet_value("addr", raw.sub(8, len(raw) - 8), family, m)
    return text + "}"


def _inet_value(name: str, raw: Body, family: int, m: Msg) -> str:
    """decode_inet_addr: the address, or the bytes in hex when too short for `family`."""
    size = {socket.AF_INET: 4, socket.AF_INET6: 16}.get(family, 0)
    if not size or len(raw) < size:
        return f"{name}={hex_bytes(raw, 0, len(raw), m.strsize)}"
    if not can_read(raw, 0, size):
        return f"{name}={address(raw, 0)}"
    return _inet_field(name, raw[:size], family)


_BC = {name[len("INET_DIAG_BC_") :]: code for code, name in D.INET_DIAG_BYTECODES.items()}
_BC_OP_CODES = (_BC["S_GE"], _BC["S_LE"], _BC["D_GE"], _BC["D_LE"])


def _bytecode_data(code: int, raw: Body, m: Msg) -> str:
    """The condition after an operation, by its code."""
    if code in (_BC["S_COND"], _BC["D_COND"]):
        return _hostcond(raw, m)
    size = 4 if code == _BC["DEV_COND"] or code in _BC_OP_CODES else 0
    size = 8 if code == _BC["MARK_COND"] else size
    if not size or len(raw) < size:
        return hex_bytes(raw, 0, len(raw), m.strsize)
    if not can_read(raw, 0, size):
        return address(raw, 0)
    if code == _BC["MARK_COND"]:
        mark, mask = struct.unpack_from("<II", raw)
        return f"{{mark={mark}, mask={mask}}}"
    if code == _BC["DEV_COND"]:
        return ifindex_text(int.from_bytes(raw[:4], "little"))
    return _bc_op(raw)


@partial
def _bytecode(raw: Body, m: Msg) -> str | None:
    """INET_DIAG_REQ_BYTECODE: an operation, then its condition."""
    if len(raw) < 4:
        return None
    if not can_read(raw, 0, 4):
        return address(raw, 0)
    text = _bc_op(raw)
    if len(raw) > 4:
        text += ", " + _bytecode_data(raw[0], raw.sub(4, len(raw) - 4), m)
    return text


INET_DIAG_REQ = {1: _bytecode, 3: ip_proto}


def _sockaddr(raw: bytes, _i: int) -> str:
    return render_sockaddr(raw, len(raw), 0)[0]


def _md5sig(raw: bytes, _i: int) -> str:
    """struct tcp_diag_md5sig: its key up to tcpm_keylen bytes."""
    family, prefixlen, keylen = struct.unpack_from("<BBH", raw)
    key = raw[20 : 20 + min(80, keylen)]
    return (f"{{tcpm_family={xval(family, ADDRESS_FAMILIES, 'AF_???')}, "
            f"tcpm_prefixlen={prefixlen}, tcpm_keylen={keylen}, "
            f"{_inet_field('tcpm_addr', raw[4:20], family)}, tcpm_key={hex_quote(key)}}}")  # fmt: skip


_SOCKOPT_BITS = ("recverr is_icsk freebind hdrincl mc_loop transparent mc_all nodefrag "
                 "bind_address_no_port recverr_rfc4884 defer_connect").split()  # fmt: skip


@partial
def _sockopt(raw: Body, m: Msg) -> str | None:
    """INET_DIAG_SOCKOPT: the option bits (only those set unless -v), then any nonzero
    bytes after them."""
    if len(raw) < 2:
        return None
    if not can_read(raw, 0, 2):
        return address(raw, 0)
    bits = int.from_bytes(raw[:2], "little")
    fields = [f"{name}={bits >> i & 1}" for i, name in enumerate(_SOCKOPT_BITS)
              if not m.abbrev or bits >> i & 1]  # fmt: skip
    unused = bits >> 11
    if not m.abbrev or unused:
        fields.append(f"unused={hex0(unused)} /* bits 3..8 */")
    text = "{" + ", ".join(fields) + "}"
    rest = raw[2 : min(len(raw), 4096)]
    if not rest:
        return text
    if not can_read(raw, 0, 2 + len(rest)):
        return f"{text}, ???"
    if any(rest):
        more = "..." if len(rest) > m.strsize else ""
        text += f", /* bytes 2..{1 + len(rest)} */ {hex_quote(rest[: m.strsize])}{more}"
    return text


@reads(1)
def _inet_shutdown(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 1 or len(raw) > 8:
        return None
    return _verbose_flags(raw[0], D.INET_DIAG_SHUTDOWN_FLAGS, "???_SHUTDOWN")


def _xint(raw: bytes, m: Msg) -> str | None:
    """decode_nla_xint: a 1, 2, 4 or 8-byte number in hex."""
    if len(raw) not in (1, 2, 4, 8):
        return None
    return hex0(int.from_bytes(raw, "little"))


_TLS = {
    1: xlat_decoder(D.TLS_INFO_VERSIONS, "TLS_???_VERSION", 2),
    2: xlat_decoder(D.TLS_INFO_CIPHERS, "TLS_CIPHER_???", 2),
    3: xlat_decoder(D.TLS_INFO_CONFIGS, "TLS_CONF_???", 2),
    4: xlat_decoder(D.TLS_INFO_CONFIGS, "TLS_CONF_???", 2),
}
_MPTCP = {1: x32, 2: x32, 3: u32, 4: u64, 5: u32, 6: u32, 7: u16,
          8: xlat_decoder(D.MPTCP_SUBFLOW_FLAGS, "MPTCP_SUBFLOW_FLAG_???", 4, flags=True),
          9: u8, 10: u8}  # fmt: skip
_ULP_INFO = {
    1: nla_str,
    2: nested(D.INET_DIAG_ULP_INFO_TLS_ATTRS, "TLS_INFO_???", _TLS),
    3: nested(D.INET_DIAG_ULP_INFO_MPTCP_ATTRS, "MPTCP_SUBFLOW_ATTR_???", _MPTCP),
}
_BPF_STORAGE = {2: u32, 3: _xint}
_BPF_STORAGES = {1: nested(D.INET_DIAG_BPF_STORAGE_ATTRS, "SK_DIAG_BPF_STORAGE_???", _BPF_STORAGE)}

INET_DIAG = {
    1: struct_decoder("4I", "idiag_rmem idiag_wmem idiag_fmem idiag_tmem"),
    3: struct_decoder("4I", "tcpv_enabled tcpv_rttcnt tcpv_rtt tcpv_minrtt"),
    4: nla_str, 5: u8, 6: u8, 7: meminfo, 8: _inet_shutdown,
    9: struct_decoder("HHIII", "dctcp_enabled dctcp_ce_state dctcp_alpha dctcp_ab_ecn dctcp_ab_tot"),
    10: ip_proto, 11: u8, 12: _array_of(128, _sockaddr), 13: _array_of(128, _sockaddr),
    15: u32,
    16: struct_decoder("5I", "bbr_bw_lo bbr_bw_hi bbr_min_rtt bbr_pacing_gain bbr_cwnd_gain",
                       ("bbr_bw_lo", "bbr_bw_hi")),
    17: u32, 18: _array_of(100, _md5sig),
    19: nested(D.INET_DIAG_ULP_INFO_ATTRS, "INET_ULP_INFO_???", _ULP_INFO),
    20: nested(D.INET_DIAG_BPF_STORAGES_ATTRS, "SK_DIAG_BPF_STORAGE_???", _BPF_STORAGES),
    21: u64, 22: _sockopt,
}  # fmt: skip


def _ext(value: int) -> str:
    return xflags(value, D.INET_DIAG_EXTENDED_FLAGS, "1<<INET_DIAG_???-1")


def _states(value: int) -> str:
    return xflags(value, D.TCP_STATE_FLAGS, "1<<TCP_???")


def _inet_req_compat(raw: bytes) -> str:
    src_len, dst_len, ext = raw[1:4]
    states, dbs = struct.unpack_from("<II", raw, 52)
    return (f"idiag_src_len={src_len}, idiag_dst_len={dst_len}, idiag_ext={_ext(ext)}, "
            f"id={sockid(raw[4:52], raw[0])}, idiag_states={_states(states)}, idiag_dbs={dbs}")  # fmt: skip


def _inet_req_v2(raw: bytes) -> str:
    (states,) = struct.unpack_from("<I", raw, 4)
    return (f"sdiag_protocol={xval(raw[1], IP_PROTOCOLS, 'IPPROTO_???')}, "
            f"idiag_ext={_ext(raw[2])}, idiag_states={_states(states)}, "
            f"id={sockid(raw[8:56], raw[0])}")  # fmt: skip


def _inet_msg(raw: bytes) -> str:
    state, timer, retrans = raw[1:4]
    expires, rqueue, wqueue, uid, inode = struct.unpack_from("<5I", raw, 52)
    return (f"idiag_state={xval(state, D.TCP_STATES, 'TCP_???')}, idiag_timer={timer}, "
            f"idiag_retrans={retrans}, id={sockid(raw[4:52], raw[0])}, "
            f"idiag_expires={expires}, idiag_rqueue={rqueue}, idiag_wqueue={wqueue}, "
            f"idiag_uid={uid}, idiag_inode={inode}")  # fmt: skip


# ---- unix diag: struct unix_diag_req, unix_diag_msg, UNIX_DIAG_* ----------------------------


def _unix_req(raw: bytes) -> str:
    states, ino, show = struct.unpack_from("<III", raw, 4)
    return (f"sdiag_protocol={raw[1]}, udiag_states={_states(states)}, udiag_ino={ino}, "
            f"udiag_show={xflags(show, D.UNIX_DIAG_SHOW, 'UDIAG_SHOW_???')}, "
            f"udiag_cookie={_cookie(raw[16:24])}")  # fmt: skip


def _unix_msg(raw: bytes) -> str:
    (ino,) = struct.unpack_from("<I", raw, 4)
    return (f"udiag_type={xval(raw[1], SOCKET_TYPES, 'SOCK_???')}, "
            f"udiag_state={xval(raw[2], D.TCP_STATES, 'TCP_???')}, udiag_ino={ino}, "
            f"udiag_cookie={_cookie(raw[8:16])}")  # fmt: skip


@reads(8)
def _unix_vfs(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 8:
        return None
    ino, dev = struct.unpack_from("<II", raw)
    return f"{{udiag_vfs_dev={makedev(dev)}, udiag_vfs_ino={ino}}}"


UNIX_DIAG = {
    0: nla_str, 1: _unix_vfs, 2: u32,
    3: _array_of(4, lambda raw, _i: str(int.from_bytes(raw, "little"))),
    4: struct_decoder("II", "udiag_rqueue udiag_wqueue"), 5: meminfo, 6: u8, 7: nla_uid,
}  # fmt: skip


# ---- netlink diag: struct netlink_diag_req, netlink_diag_msg, NETLINK_DIAG_* ----------------


def _netlink_req(raw: bytes) -> str:
    proto = raw[1]
    if proto == NDIAG_PROTO_ALL:
        proto_text = flag_name(proto, "NDIAG_PROTO_ALL")
    else:
        proto_text = xval(proto, NETLINK_PROTOCOLS, "NETLINK_???")
    ino, show = struct.unpack_from("<II", raw, 4)
    return (f"sdiag_protocol={proto_text}, ndiag_ino={ino}, "
            f"ndiag_show={xflags(show, D.NETLINK_DIAG_SHOW, 'NDIAG_SHOW_???')}, "
            f"ndiag_cookie={_cookie(raw[12:20])}")  # fmt: skip


def _netlink_msg(raw: bytes) -> str:
    portid, dst_portid, dst_group, ino = struct.unpack_from("<4I", raw, 4)
    return (f"ndiag_type={xval(raw[1], SOCKET_TYPES, 'SOCK_???')}, "
            f"ndiag_protocol={xval(raw[2], NETLINK_PROTOCOLS, 'NETLINK_???')}, "
            f"ndiag_state={xval(raw[3], D.NETLINK_STATES, 'NETLINK_???')}, "
            f"ndiag_portid={portid}, ndiag_dst_portid={dst_portid}, "
            f"ndiag_dst_group={dst_group}, ndiag_ino={ino}, ndiag_cookie={_cookie(raw[20:28])}")  # fmt: skip


@reads(4)
def _netlink_flags(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 4:
        return None
    return flags_text(int.from_bytes(raw[:4], "little"), D.NETLINK_SOCKET_FLAGS, "NDIAG_FLAG_???")


NETLINK_DIAG = {
    0: meminfo, 1: _array_of(8, lambda raw, _i: zero_padded_hex(int.from_bytes(raw, "little"), 16)),
    2: struct_decoder("4I", "ndr_block_size ndr_block_nr ndr_frame_size ndr_frame_nr"),
    3: struct_decoder("4I", "ndr_block_size ndr_block_nr ndr_frame_size ndr_frame_nr"),
    4: _netlink_flags,
}  # fmt: skip


# ---- packet diag: struct packet_diag_req, packet_diag_msg, PACKET_DIAG_* --------------------


def _packet_req(raw: bytes) -> str:
    ino, show = struct.unpack_from("<II", raw, 4)
    return (f"sdiag_protocol={hex0(raw[1])}, pdiag_ino={ino}, "
            f"pdiag_show={xflags(show, D.PACKET_DIAG_SHOW, 'PACKET_SHOW_???')}, "
            f"pdiag_cookie={_cookie(raw[12:20])}")  # fmt: skip


def _packet_msg(raw: bytes) -> str:
    num, ino = struct.unpack_from("<HI", raw, 2)
    return (f"pdiag_type={xval(raw[1], SOCKET_TYPES, 'SOCK_???')}, "
            f"pdiag_num={xval(num, ETHERNET_PROTOCOLS, 'ETH_P_???')}, pdiag_ino={ino}, "
            f"pdiag_cookie={_cookie(raw[8:16])}")  # fmt: skip


@reads(24)
def _packet_info(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 24:
        return None
    index, version, reserve, thresh, tstamp, flags = struct.unpack_from("<6I", raw)
    return (f"{{pdi_index={ifindex_text(index)}, "
            f"pdi_version={xval(version, D.AF_PACKET_VERSIONS, 'TPACKET_???')}, "
            f"pdi_reserve={reserve}, pdi_copy_thresh={thresh}, pdi_tstamp={tstamp}, "
            f"pdi_flags={xflags(flags, D.PACKET_DIAG_INFO_FLAGS, 'PDI_???')}}}")  # fmt: skip


def _mclist_entry(raw: bytes, _i: int) -> str:
    index, count, mtype, alen = struct.unpack_from("<IIHH", raw)
    return (f"{{pdmc_index={ifindex_text(index)}, pdmc_count={count}, pdmc_type={mtype}, "
            f"pdmc_alen={alen}, pdmc_addr={hex_quote(raw[12 : 12 + min(alen, 32)])}}}")  # fmt: skip


@partial
def _packet_filter(raw: Body, m: Msg) -> str | None:
    """PACKET_DIAG_FILTER: classic BPF instructions, their address unless -v."""
    count = len(raw) // 8
    if not count or count > 0xFFFF:
        return None
    if m.abbrev:
        return pointer(raw.addr)
    return render_filter(bytes(raw[: raw.readable]), count, raw.addr or 1)


PACKET_DIAG = {
    0: _packet_info, 1: _array_of(44, _mclist_entry),
    2: struct_decoder("7I", "pdr_block_size pdr_block_nr pdr_frame_size pdr_frame_nr "
                      "pdr_retire_tmo pdr_sizeof_priv pdr_features"),
    3: struct_decoder("7I", "pdr_block_size pdr_block_nr pdr_frame_size pdr_frame_nr "
                      "pdr_retire_tmo pdr_sizeof_priv pdr_features"),
    4: u32, 5: nla_uid, 6: meminfo, 7: _packet_filter,
}  # fmt: skip


# ---- smc diag: struct smc_diag_req, smc_diag_msg, SMC_DIAG_* --------------------------------


def _smc_req(raw: bytes) -> str:
    ext = xflags(raw[3], D.SMC_DIAG_EXTENDED_FLAGS, "1<<SMC_DIAG_???-1")
    return f"diag_ext={ext}, id={sockid(raw[4:52], socket.AF_INET)}"


def _smc_msg(raw: bytes) -> str:
    state, fallback, shutdown = raw[1:4]
    uid, inode = struct.unpack_from("<IQ", raw, 52)
    return (f"diag_state={xval(state, D.SMC_STATES, 'SMC_???')}, "
            f"diag_fallback={xval(fallback, D.SMC_DIAG_MODE, 'SMC_DIAG_MODE_???')}, "
            f"diag_shutdown={shutdown}, id={sockid(raw[4:52], socket.AF_INET)}, "
            f"diag_uid={uid}, diag_inode={inode}")  # fmt: skip


def _cursor(raw: bytes) -> str:
    reserved, wrap, count = struct.unpack_from("<HHI", raw)
    return f"{{reserved={reserved}, wrap={wrap}, count={count}}}"


@reads(76)
def _smc_conninfo(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 76:
        return None
    sizes = struct.unpack_from("<4I", raw)
    names = "token sndbuf_size rmbe_size peer_rmbe_size".split()
    fields = [f"{n}={v}" for n, v in zip(names, sizes, strict=True)]
    fields += [f"{n}={_cursor(raw[16 + 8 * i :])}"
               for i, n in enumerate("rx_prod rx_cons tx_prod tx_cons".split())]  # fmt: skip
    fields += [f"{n}={zero_padded_hex(raw[48 + i], 2)}" for i, n in enumerate(
        "rx_prod_flags rx_conn_state_flags tx_prod_flags tx_conn_state_flags".split())]  # fmt: skip
    fields += [f"{n}={_cursor(raw[52 + 8 * i :])}"
               for i, n in enumerate("tx_prep tx_sent tx_fin".split())]  # fmt: skip
    return "{" + ", ".join(fields) + "}"


def _cstring(raw: bytes) -> str:
    """A char array up to its first NUL."""
    end = raw.find(b"\0")
    shown = raw if end < 0 else raw[:end]
    return quote_buffer(shown, len(shown), len(shown)) + ("..." if end < 0 else "")


@reads(147)
def _smc_lgrinfo(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 147:
        return None
    link = (f"{{link_id={raw[0]}, ibname={_cstring(raw[1:65])}, ibport={raw[65]}, "
            f"gid={_cstring(raw[66:106])}, peer_gid={_cstring(raw[106:146])}}}")  # fmt: skip
    return f"{{lnk=[{link}], role={xval(raw[146], D.SMC_LINK_GROUP_ROLES, 'SMC_???')}}}"


@reads(8)
def _smc_fallback(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 8:
        return None
    reason, peer = struct.unpack_from("<II", raw)
    return (f"{{reason={_verbose_xval(reason, D.SMC_DECL_CODES, 'SMC_CLC_DECL_???')}, "
            f"peer_diagnosis={_verbose_xval(peer, D.SMC_DECL_CODES, 'SMC_CLC_DECL_???')}}}")  # fmt: skip


@reads(40)
def _smc_dmbinfo(raw: bytes, m: Msg) -> str | None:
    """struct smcd_diag_dmbinfo: the ids and tokens in hex, after the 8-byte aligned gap."""
    if len(raw) < 40:
        return None
    linkid, peer_gid, my_gid, token, peer_token = struct.unpack_from("<I4xQQQQ", raw)
    return (f"{{linkid={linkid}, peer_gid={hex0(peer_gid)}, my_gid={hex0(my_gid)}, "
            f"token={hex0(token)}, peer_token={hex0(peer_token)}}}")  # fmt: skip


SMC_DIAG = {
    1: _smc_conninfo, 2: _smc_lgrinfo,
    3: xlat_decoder(D.SOCK_SHUTDOWN_FLAGS, "???_SHUTDOWN", 1, flags=True),
    4: _smc_dmbinfo,
    5: _smc_fallback,
}  # fmt: skip


# ---- dispatch (netlink_sock_diag.c's diag_decoders) ------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A request or reply header: its family field's name, size and other fields, and
    the attributes after it (replies)."""

    family_field: str
    size: int
    fields: Callable[[bytes], str]
    attr_names: dict[int, str] | None = None
    attr_unknown: str = ""
    attr_decoders: dict[int, Decoder] | None = None


_INET_REQ_COMPAT = Layout("idiag_family", 60, _inet_req_compat, D.INET_DIAG_REQ_ATTRS,
                          "INET_DIAG_REQ_???", INET_DIAG_REQ)  # fmt: skip
_INET_REQ_V2 = Layout("sdiag_family", 56, _inet_req_v2, D.INET_DIAG_REQ_ATTRS,
                      "INET_DIAG_REQ_???", INET_DIAG_REQ)  # fmt: skip
_INET_MSG = Layout("idiag_family", 72, _inet_msg, D.INET_DIAG_ATTRS, "INET_DIAG_???", INET_DIAG)
AF_SMC = 43
_REQUESTS = {
    socket.AF_UNIX: Layout("sdiag_family", 24, _unix_req),
    socket.AF_NETLINK: Layout("sdiag_family", 20, _netlink_req),
    socket.AF_PACKET: Layout("sdiag_family", 20, _packet_req),
    AF_SMC: Layout("diag_family", 52, _smc_req),
}
_REPLIES = {
    socket.AF_UNIX: Layout("udiag_family", 16, _unix_msg, D.UNIX_DIAG_ATTRS, "UNIX_DIAG_???",
                           UNIX_DIAG),
    socket.AF_INET: _INET_MSG, socket.AF_INET6: _INET_MSG,
    socket.AF_NETLINK: Layout("ndiag_family", 28, _netlink_msg, D.NETLINK_DIAG_ATTRS,
                              "NETLINK_DIAG_???", NETLINK_DIAG),
    socket.AF_PACKET: Layout("pdiag_family", 16, _packet_msg, D.PACKET_DIAG_ATTRS,
                             "PACKET_DIAG_???", PACKET_DIAG),
    AF_SMC: Layout("diag_family", 64, _smc_msg, D.SMC_DIAG_ATTRS, "SMC_DIAG_???", SMC_DIAG),
}  # fmt: skip


def _layout(family: int, mtype: int, flags: int) -> Layout | None:
    if not flags & NLM_F_REQUEST:
        return _REPLIES.get(family)
    if family in (socket.AF_INET, socket.AF_INET6):
        return _INET_REQ_COMPAT if mtype in (TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK) else _INET_REQ_V2
    return _REQUESTS.get(family)


def _decode(layout: Layout, data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    short = header_unread(data, off, length, layout.size, layout.family_field, fam)
    if short is not None:
        return short
    text = f"{{{layout.family_field}={fam}, {layout.fields(data[off : off + layout.size])}}}"
    if layout.attr_names is None:
        return text
    return with_attrs(text, data, off, length, (layout.size + 3) & ~3, m, layout.attr_names,
                      layout.attr_unknown, layout.attr_decoders)  # fmt: skip


def sock_diag_payload(data: Body, off: int, length: int, mtype: int, flags: int, strsize: int,
                      abbrev: bool) -> str:  # fmt: skip
    """decode_netlink_sock_diag: the payload of a SOCK_DIAG_BY_FAMILY (or older) message."""
    if not can_read(data, off, 1):
        return address(data, off)
    family = data[off]
    fam = xval(family, ADDRESS_FAMILIES, "AF_???")
    layout = _layout(family, mtype, flags) if length > 1 else None
    if layout is None:
        return family_and_data(fam, data, off, length, strsize)
    return _decode(layout, data, off, length, Msg(strsize, abbrev, family), fam)
