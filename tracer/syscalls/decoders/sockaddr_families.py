"""The less common socket address families, as strace 6.1 prints them: AF_RXRPC,
AF_IEEE802154, AF_ALG, AF_NFC, AF_VSOCK, AF_QIPCRTR, AF_XDP and AF_MCTP.

Each decoder gets the address's bytes (at least its structure's size) and a function
that names an fd (AF_XDP's shared umem fd, under -y), and returns the fields after
`sa_family=`. They register in `sockaddr.FAMILIES`, which `render_sockaddr` consults.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping

from tracer.syscalls.fmt import STYLE, quote_path
from tracer.syscalls.xlat import sockaddr_families as x
from tracer.syscalls.xlat.net import SOCKET_TYPES

from .kstructs import hex_quote, xflags, xval
from .sockaddr import FAMILIES, _inet, _inet6, family_name, ifindex_text, mac_text

FdText = Callable[[int], str]


def _hex(value: int) -> str:
    return f"{value:#x}" if value else "0"


def _noted(value: int, table: Mapping[int, str], unknown: str = "") -> str:
    """A number strace always prints in hex, its name (or `unknown`) in a comment but
    under -X raw: `0x9c4 /* YFS_FS_SERVICE */`, `0xfffe /* IEEE802154_ADDR_UNDEF */`."""
    name = table.get(value) or unknown
    if STYLE.constants == "raw" or not name:
        return _hex(value)
    return f"{_hex(value)} /* {name} */"


def _named_or_hex(value: int, table: Mapping[int, str]) -> str:
    """A known value as a constant (-X styles apply), any other in plain hex."""
    return xval(value, table, "") if value in table else _hex(value)


def _cstr_field(raw: bytes) -> str:
    """A char array: up to its NUL, or all but its last byte and `...` without one."""
    end = raw.find(b"\0")
    if end >= 0:
        return quote_path(raw[:end])
    return quote_path(raw[:-1]) + "..."


def _rxrpc(data: bytes, fd_text: FdText) -> str:
    service, kind, tlen = struct.unpack_from("<HHH", data, 2)
    transport = data[8:36]
    family = struct.unpack_from("<H", transport)[0]
    shown = transport[2 : min(tlen, len(transport))]  # after the family, as long as said
    if family == 2 and tlen >= 16:  # AF_INET
        inner = f"sin={{sin_family={family_name(family)}, {_inet(transport[:16])[0]}}}"
    elif family == 10 and tlen >= 24:  # AF_INET6
        inner = (
            f"sin6={{sin6_family={family_name(family)}, {_inet6(transport[: min(tlen, 28)])[0]}}}"
        )
    elif family in (2, 10):
        prefix = "sin" if family == 2 else "sin6"
        inner = f"{prefix}={{{prefix}_family={family_name(family)}, {quote_path(shown)}}}"
    else:
        inner = f"family={family_name(family)}" + (f", {quote_path(shown)}" if shown else "")
    return (
        f"srx_service={_noted(service, x.RXRPC_SERVICES, '???_SERVICE')}, "
        f"transport_type={xval(kind, SOCKET_TYPES, 'SOCK_???')}, "
        f"transport_len={tlen}, transport={{{inner}}}"
    )


def _ieee802154(data: bytes, fd_text: FdText) -> str:
    kind, pan, short = struct.unpack_from("<iHH", data, 4)
    kind &= 0xFFFFFFFF
    fields = [
        f"addr_type={_noted(kind, x.IEEE802154_ADDR_TYPES, 'IEEE802154_ADDR_???')}",
        f"pan_id={_noted(pan, x.IEEE802154_PAN_IDS)}",
    ]
    if kind == x.IEEE802154_ADDR_SHORT:
        fields.append(f"short_addr={_noted(short, x.IEEE802154_SHORT_ADDRS)}")
    elif kind != x.IEEE802154_ADDR_NONE:
        fields.append(f"hwaddr={mac_text(data[10:18])}")
    return "addr={" + ", ".join(fields) + "}"


def _alg_flags(value: int) -> str:
    """salg_feat, salg_mask: hex, the flags they hold in a comment."""
    if not value or STYLE.constants == "raw":
        return _hex(value)
    names = [name for bit, name in x.CRYPTO_ALG_FLAGS if value & bit]
    rest = value & ~sum(bit for bit, _ in x.CRYPTO_ALG_FLAGS)
    if not names:
        return f"{value:#x} /* CRYPTO_ALG_??? */"
    return f"{value:#x} /* {'|'.join(names + ([f'{rest:#x}'] if rest else []))} */"


_ALG_NAME_MAX = 64


def _alg(data: bytes, fd_text: FdText) -> str:
    feat, mask = struct.unpack_from("<II", data, 16)
    name = data[24 : 24 + _ALG_NAME_MAX]
    return (
        f"salg_type={_cstr_field(data[2:16])}, salg_feat={_alg_flags(feat)}, "
        f"salg_mask={_alg_flags(mask)}, salg_name={_cstr_field(name)}"
    )


_NFC_SIZE = 16
_NFC_LLCP_SIZE = 96
_NFC_SERVICE_NAME = 63


def _nfc(data: bytes, fd_text: FdText) -> str:
    dev, target, proto = struct.unpack_from("<III", data, 4)
    text = (
        f"dev_idx={ifindex_text(dev)}, target_idx={_hex(target)}, "
        f"nfc_protocol={xval(proto, x.NFC_PROTOCOLS, 'NFC_PROTO_???')}"
    )
    if len(data) >= _NFC_LLCP_SIZE:  # struct sockaddr_nfc_llcp
        dsap, ssap = data[16], data[17]
        name_len = struct.unpack_from("<Q", data, 88)[0]
        name = data[18 : 18 + min(name_len, _NFC_SERVICE_NAME)]
        text += (
            f", dsap={_noted(dsap, x.NFC_LLCP_SAPS)}, ssap={_noted(ssap, x.NFC_LLCP_SAPS)}"
            f", service_name={quote_path(name)}, service_name_len={name_len}"
        )
    elif len(data) > _NFC_SIZE:
        text += ", ..."
    return text


def _vsock(data: bytes, fd_text: FdText) -> str:
    reserved, port, cid, flags = struct.unpack_from("<HIIB", data, 2)
    fields = [f"svm_reserved1={reserved:#x}"] if reserved else []
    fields += [
        f"svm_cid={_named_or_hex(cid, x.VMADDR_CIDS)}",
        f"svm_port={_named_or_hex(port, x.VMADDR_PORTS)}",
        f"svm_flags={xflags(flags, x.VMADDR_FLAGS, 'VMADDR_FLAG_???')}",
    ]
    zero = data[13:16]
    if any(zero):
        fields.append(f"svm_zero={hex_quote(zero)}")
    return ", ".join(fields)


def _qrtr(data: bytes, fd_text: FdText) -> str:
    node, port = struct.unpack_from("<II", data, 4)
    return (
        f"sq_node={_named_or_hex(node, x.QRTR_NODES)}, sq_port={_named_or_hex(port, x.QRTR_PORTS)}"
    )


def _xdp(data: bytes, fd_text: FdText) -> str:
    flags, ifindex, queue, umem_fd = struct.unpack_from("<HIII", data, 2)
    text = (
        f"sxdp_flags={xflags(flags, x.XDP_FLAGS, 'XDP_???')}, "
        f"sxdp_ifindex={ifindex_text(ifindex)}, sxdp_queue_id={queue}"
    )
    if flags & x.XDP_SHARED_UMEM:
        fd = umem_fd - (1 << 32) if umem_fd & 0x80000000 else umem_fd
        text += f", sxdp_shared_umem_fd={fd_text(fd)}"
    elif umem_fd:
        text += f", sxdp_shared_umem_fd={umem_fd:#x}"
    return text


def xdp_umem_fd(data: bytes | None) -> int | None:
    """The fd an AF_XDP address shares its umem with, if it says it does."""
    if data is None or len(data) < 16 or struct.unpack_from("<H", data)[0] != 44:
        return None
    flags, fd = struct.unpack_from("<H8xi", data, 2)
    return fd if flags & x.XDP_SHARED_UMEM and fd >= 0 else None


def _mctp(data: bytes, fd_text: FdText) -> str:
    pad0, network, addr, kind, tag, pad1 = struct.unpack_from("<HIBBBB", data, 2)
    fields = [f"__smctp_pad0={pad0:#x}"] if pad0 else []
    fields += [
        f"smctp_network={_named_or_hex(network, x.MCTP_NETS)}",
        f"smctp_addr={{s_addr={_named_or_hex(addr, x.MCTP_ADDRS)}}}",
        f"smctp_type={_hex(kind)}",
        f"smctp_tag={_hex(tag)}",
    ]
    if pad1:
        fields.append(f"__smctp_pad1={pad1:#x}")
    return ", ".join(fields)


# family: (the size its structure needs, its decoder); AF_ALG's name may be short.
FAMILIES.update(
    {
        33: (36, _rxrpc),
        36: (20, _ieee802154),
        38: (25, _alg),
        39: (_NFC_SIZE, _nfc),
        40: (16, _vsock),
        42: (12, _qrtr),
        44: (16, _xdp),
        45: (12, _mctp),
    }
)
