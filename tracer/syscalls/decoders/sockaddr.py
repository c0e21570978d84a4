"""Rendering `struct sockaddr` as strace does: inet, inet6, unix, netlink, packet, x25,
bluetooth here, the rarer families in sockaddr_families.py."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from tracer.syscalls.fmt import STYLE, pointer, quote_path
from tracer.syscalls.xlat.net import (
    ADDRESS_FAMILIES,
    BDADDR_TYPES,
    ETHERNET_PROTOCOLS,
    HCI_CHANNELS,
    L2CAP_CID_DYN_START,
    L2CAP_CIDS,
    L2CAP_PSM_DYN_START,
    L2CAP_PSM_LE_DYN_END,
    L2CAP_PSM_LE_DYN_START,
    L2CAP_PSMS,
)
from tracer.syscalls.xlat.netlink_link import ARP_HARDWARE_TYPES

from .kstructs import hex_quote, u32, xval
from .sockaddr_ax25 import SOCKADDR_AX25_SIZE, ax25_text

SOCKADDR_MAX = 128  # sizeof(struct sockaddr_storage)
PACKET_TYPES = {
    0: "PACKET_HOST",
    1: "PACKET_BROADCAST",
    2: "PACKET_MULTICAST",
    3: "PACKET_OTHERHOST",
    4: "PACKET_OUTGOING",
    5: "PACKET_LOOPBACK",
    6: "PACKET_USER",
    7: "PACKET_KERNEL",
}
SOCKADDR_LL_SIZE = 20  # sizeof(struct sockaddr_ll)
SOCKADDR_X25_SIZE = 18  # sizeof(struct sockaddr_x25)
SOCKADDR_IPX_SIZE = 16
SIN6_MIN_LEN = 24  # sockaddr_in6 without sin6_scope_id
AF_BLUETOOTH = 31  # not in every Python's socket module (built without bluetooth.h)
# strace tells the Bluetooth address structures apart by the length given, nothing else:
SOCKADDR_HCI_SIZES = (4, 6)  # up to hci_dev; the whole sockaddr_hci (with hci_channel)
SOCKADDR_SCO_SIZE = 8
SOCKADDR_RC_SIZE = 10  # 9 bytes of fields, padded
SOCKADDR_L2_SIZES = (12, 14)  # up to l2_cid; the whole sockaddr_l2 (with l2_bdaddr_type)


def zero_padded_hex(value: int, width: int) -> str:
    """C's `%#0*x`: `0x000001` for a u32 of 1 in width 8, but `00000000` for 0."""
    return f"{value:#0{width}x}" if value else "0" * width


def family_name(family: int) -> str:
    return xval(family, ADDRESS_FAMILIES, "AF_???")


def _field(name: str, raw: bytes, decoded: str) -> str:
    """A network-order field: `htons(80)`; under -X its bytes first, as strace prints
    them (`sin_port="\\x00\\x50"`, with `/* htons(80) */` under verbose)."""
    if STYLE.constants == "abbrev":
        return f"{name}={decoded}"
    text = f"{name}={hex_quote(raw)}"
    return text if STYLE.constants == "raw" else f"{text} /* {decoded} */"


def inet_addr_field(name: str, raw: bytes) -> str:
    """An IPv4 address field (print_inet_addr): `imr_multiaddr=inet_addr("224.0.0.1")`."""
    addr = socket.inet_ntop(socket.AF_INET, raw)
    return _field(name, raw, f"inet_addr({quote_path(addr.encode())})")


def inet6_addr_field(name: str, raw: bytes) -> str:
    """An IPv6 address field: `inet_pton(AF_INET6, "::1", &name)`, or its bytes under -X."""
    addr = socket.inet_ntop(socket.AF_INET6, raw)
    if STYLE.constants == "abbrev":
        return f"inet_pton(AF_INET6, {quote_path(addr.encode())}, &{name})"
    return _field(name, raw, f"inet_pton(AF_INET6, {quote_path(addr.encode())})")


def ifindex_text(index: int) -> str:
    """An interface index (print_ifindex): `if_nametoindex("lo")` while that interface exists."""
    try:
        name = socket.if_indextoname(index) if 0 < index < 1 << 31 else None
    except (OSError, OverflowError, ValueError):
        name = None
    if name is None:
        return str(index)
    text = f"if_nametoindex({quote_path(name.encode())})"
    if STYLE.constants == "abbrev":
        return text
    return str(index) if STYLE.constants == "raw" else f"{index} /* {text} */"


def colon_hex(raw: bytes) -> str:
    """`01:02:03:04:05:06`: a hardware or Bluetooth device address."""
    return ":".join(f"{b:02x}" for b in raw)


def mac_text(raw: bytes) -> str:
    """A hardware address (print_mac_addr): `01:02:03:04:05:06`, its bytes first under -X."""
    text = colon_hex(raw)
    if STYLE.constants == "abbrev":
        return text
    return hex_quote(raw) if STYLE.constants == "raw" else f"{hex_quote(raw)} /* {text} */"


def _inet(data: bytes) -> tuple[str, str]:
    port = struct.unpack_from(">H", data, 2)[0]
    addr = socket.inet_ntop(socket.AF_INET, data[4:8])
    text = (
        _field("sin_port", data[2:4], f"htons({port})")
        + ", "
        + inet_addr_field("sin_addr", data[4:8])
    )
    return text, f"{addr}:{port}"


def _inet6(data: bytes) -> tuple[str, str]:
    port = struct.unpack_from(">H", data, 2)[0]
    flow = struct.unpack_from(">I", data, 4)[0]
    addr = socket.inet_ntop(socket.AF_INET6, data[8:24])
    text = ", ".join(
        (
            _field("sin6_port", data[2:4], f"htons({port})"),
            _field("sin6_flowinfo", data[4:8], f"htonl({flow})"),
            inet6_addr_field("sin6_addr", data[8:24]),
        )
    )
    if len(data) >= 28:
        scope = u32(data, 24)
        # link-local addresses, unicast (fe80::/10) and multicast (ffx2::): an interface
        link_local = data[8] == 0xFE and data[9] & 0xC0 == 0x80
        link_local = link_local or (data[8] == 0xFF and data[9] & 0x0F == 0x02)
        text += f", sin6_scope_id={ifindex_text(scope) if link_local else scope}"
    return text, f"[{addr}]:{port}"


def _unix(data: bytes, addrlen: int) -> tuple[str, str]:
    path = data[2 : min(addrlen, 110)]
    if not path:
        return "", ""
    if path[0] == 0:
        abstract = path[1:]
        return "sun_path=@" + quote_path(abstract), "@" + abstract.decode(errors="replace")
    nul = path.find(b"\0")
    if nul >= 0:
        path = path[:nul]
    return "sun_path=" + quote_path(path), path.decode(errors="replace")


def _ipx(data: bytes) -> str:
    """struct sockaddr_ipx: port and network in network order, the node's bytes."""
    port, network = struct.unpack_from(">HI", data, 2)
    node = ", ".join(zero_padded_hex(b, 2) for b in data[8:14])
    text = (
        f"{_field('sipx_port', data[2:4], f'htons({port})')}, "
        f"sipx_network=htonl({network:#x}), sipx_node=[{node}], "
        f"sipx_type={zero_padded_hex(data[14], 2)}"
    )
    return text + (f", sipx_zero={data[15]:#x}" if data[15] else "")


def _netlink(data: bytes) -> tuple[str, str]:
    pad, pid, groups = struct.unpack_from("<HII", data, 2)
    text = f"nl_pid={pid}, nl_groups={zero_padded_hex(groups, 8)}"
    if pad:
        text = f"nl_pad={pad:#x}, {text}"
    return text, f"netlink:{pid}"


def _packet(data: bytes, addrlen: int) -> str:
    """struct sockaddr_ll: the protocol in network order, then the link-level fields."""
    protocol = struct.unpack_from(">H", data, 2)[0]
    ifindex, hatype, pkttype, halen = struct.unpack_from("<IHBB", data, 4)
    name = ETHERNET_PROTOCOLS.get(protocol)
    proto = f"htons({name or f'{protocol:#x} /* ETH_P_??? */'})"
    if STYLE.constants == "abbrev":
        proto_text = f"sll_protocol={proto}"
    elif STYLE.constants == "raw":
        proto_text = f"sll_protocol={hex_quote(data[2:4])}"
    else:
        proto_text = f"sll_protocol={hex_quote(data[2:4])} /* {proto} */"
    fields = [
        proto_text,
        f"sll_ifindex={ifindex_text(ifindex)}",
        f"sll_hatype={xval(hatype, ARP_HARDWARE_TYPES, 'ARPHRD_???')}",
        f"sll_pkttype={xval(pkttype, PACKET_TYPES, 'PACKET_???')}",
        f"sll_halen={halen}",
    ]
    if halen:
        shown = addrlen - 12  # sll_addr's bytes inside the address given
        items: list[str] = []
        for i in range(halen):
            if i >= shown:
                items.append("...")
                break
            byte = data[12 + i] if 12 + i < len(data) else 0
            items.append(zero_padded_hex(byte, 2))
        fields.append(f"sll_addr=[{', '.join(items)}]")
    return ", ".join(fields)


def _x25(data: bytes) -> str:
    """struct sockaddr_x25: x25_addr, a NUL-terminated char[16]."""
    addr = data[2:17]
    nul = addr.find(b"\0")
    text = quote_path(addr[:nul]) if nul >= 0 else quote_path(addr) + "..."
    return f"sx25_addr={{x25_addr={text}}}"


def _l2cap_number(
    value: int, names: dict[int, str], dynamic: list[tuple[int, int]], unknown: str
) -> str:
    """An L2CAP PSM or CID (little-endian on the wire): `htobs(L2CAP_PSM_SDP)`, or an offset
    into a dynamic range, `htobs(L2CAP_CID_DYN_START+5)`; under -X the number first."""
    name = names.get(value)
    base = next((lo for lo, hi in dynamic if lo <= value <= hi), None)
    if name is not None:
        symbol = name
    elif base is not None:
        symbol = f"{xval(base, names, '')}+{value - base}"
    else:
        symbol = unknown
    number = f"{value:#x}" if value else "0"
    style = STYLE.constants
    if style == "raw":
        inner = number
    elif style == "abbrev" and (name is not None or base is not None):
        inner = symbol
    else:
        inner = f"{number} /* {symbol} */"
    return f"htobs({inner})"


def _l2_psm(value: int) -> str:
    dynamic = [(L2CAP_PSM_LE_DYN_START, L2CAP_PSM_LE_DYN_END), (L2CAP_PSM_DYN_START, 0xFFFF)]
    return _l2cap_number(value, L2CAP_PSMS, dynamic, "L2CAP_PSM_???")


def _l2_cid(value: int) -> str:
    return _l2cap_number(value, L2CAP_CIDS, [(L2CAP_CID_DYN_START, 0xFFFF)], "L2CAP_CID_???")


def _bluetooth(data: bytes) -> tuple[str, str | None]:
    """sockaddr_hci, _sco, _rc or _l2, chosen by length as strace does; other lengths
    print as raw sa_data. The short value is the device address, where there is one."""
    size = len(data)
    if size in SOCKADDR_HCI_SIZES:
        text = f"hci_dev=htobs({struct.unpack_from('<H', data, 2)[0]})"
        if size == SOCKADDR_HCI_SIZES[1]:
            channel = struct.unpack_from("<H", data, 4)[0]
            text += f", hci_channel={xval(channel, HCI_CHANNELS, 'HCI_CHANNEL_???')}"
        return text, None
    if size == SOCKADDR_SCO_SIZE:
        return f"sco_bdaddr={mac_text(data[2:8])}", colon_hex(data[2:8])
    if size == SOCKADDR_RC_SIZE:
        return f"rc_bdaddr={mac_text(data[2:8])}, rc_channel={data[8]}", colon_hex(data[2:8])
    if size in SOCKADDR_L2_SIZES:
        psm, bdaddr, cid = struct.unpack_from("<H6sH", data, 2)
        fields = [
            f"l2_psm={_l2_psm(psm)}",
            f"l2_bdaddr={mac_text(bdaddr)}",
            f"l2_cid={_l2_cid(cid)}",
        ]
        if size == SOCKADDR_L2_SIZES[1]:
            fields.append(f"l2_bdaddr_type={xval(data[12], BDADDR_TYPES, 'BDADDR_???')}")
        return ", ".join(fields), colon_hex(bdaddr)
    return "sa_data=" + quote_path(data[2:]), None


# Further families (sockaddr_families.py): family -> (the size its structure needs,
# fn(data, fd_text) -> the fields' text).
FAMILIES: dict[int, tuple[int, Callable[[bytes, Callable[[int], str]], str]]] = {}


def render_sockaddr(
    data: bytes | None, addrlen: int, addr: int, fd_text: Callable[[int], str] = str
) -> tuple[str, str | None]:
    """(text, short value for filtering); the address in hex when nothing usable was read
    (strace reads the address whole, up to a sockaddr_storage, or shows where it is).
    `fd_text` names an fd inside the address (-y)."""
    if data is None or addrlen < 2 or len(data) < min(addrlen, SOCKADDR_MAX):
        return pointer(addr), None
    data = data[: min(addrlen, SOCKADDR_MAX)]
    family = struct.unpack_from("<H", data)[0]
    head = f"{{sa_family={family_name(family)}"
    body, value = "", None
    if family == socket.AF_INET and len(data) >= 16:
        body, value = _inet(data)
    elif family == socket.AF_INET6 and len(data) >= SIN6_MIN_LEN:
        body, value = _inet6(data)
    elif family == socket.AF_UNIX:
        body, value = _unix(data, addrlen)
    elif family == socket.AF_NETLINK and len(data) >= 12:
        body, value = _netlink(data)
    elif family == socket.AF_IPX and len(data) >= SOCKADDR_IPX_SIZE:
        body = _ipx(data)
    elif family == socket.AF_AX25 and len(data) >= SOCKADDR_AX25_SIZE:
        body = ax25_text(data, addrlen)
    elif family == socket.AF_PACKET and len(data) >= SOCKADDR_LL_SIZE:
        body = _packet(data, addrlen)
    elif family == socket.AF_X25 and len(data) >= SOCKADDR_X25_SIZE:
        body = _x25(data)
    elif family == AF_BLUETOOTH and len(data) > 2:
        body, value = _bluetooth(data)
    elif family in FAMILIES and len(data) >= FAMILIES[family][0]:
        body = FAMILIES[family][1](data, fd_text)
    elif len(data) > 2:
        body = "sa_data=" + quote_path(data[2:])
    return (head + (", " + body if body else "") + "}"), value


# The rarer families register themselves in FAMILIES: imported here, so that every
# decoder rendering addresses has them, not only those whose family imports net.
from . import sockaddr_families  # noqa: E402, F401
