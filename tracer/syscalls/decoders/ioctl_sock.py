"""Socket ioctls (type 0x89): `struct ifreq` setters and getters, `struct ifconf`, ints.

As strace's sock_ioctl: setters show the ifreq at entry; getters show the name (or the
index, SIOCGIFNAME) at entry and the field they got once the call succeeded; the int
requests are read at entry (setters) or exit (getters); the rest show the address.
SIOCGIFCONF's buffer is read at exit through ifc_buf (ioctl_far: socket ioctls are the
Python loop's).
"""

from __future__ import annotations

import struct

from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.xlat.ioctl import IOCTL_NAMES
from tracer.syscalls.xlat.ioctl_requests import REQUESTS
from tracer.syscalls.xlat.netlink_link import ARP_HARDWARE_TYPES, IFFFLAGS

from .arrays import array_items
from .ioctl_arg import NO_ARG, IoctlArg, IoctlText
from .ioctl_far import FAR_READS, FarReads, fetch_upto, snap
from .kstructs import cstring_field, i32, xflags, xval
from .netlink_values import hwaddr_text
from .sockaddr import ifindex_text, render_sockaddr

_CODES = {
    name: code
    for code, name in {**IOCTL_NAMES, **REQUESTS}.items()
    if name and code >> 8 & 0xFF == 0x89
}
_NAMES_BY_CODE = {code: name for name, code in _CODES.items()}
IFREQ_SIZE = 40  # ifr_name[16] and a 24-byte union
IFNAMSIZ = 16
SIOCGIFCONF = _CODES["SIOCGIFCONF"]
IFCONF_MAX = 4096  # 102 entries


def _read_ifconf(mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits):
    """SIOCGIFCONF's buffer, read at exit through ifc_buf: the entries strace looks at
    (-s of them and the one after), at most IFCONF_MAX bytes."""
    if code != SIOCGIFCONF or not arg:
        return []
    head = mem.read(arg, 16)
    if head is None or len(head) < 16:
        return []
    count = (i32(head) & 0xFFFFFFFF) // IFREQ_SIZE
    want = min(count, limits.strsize + 1) * IFREQ_SIZE
    return snap(mem, struct.unpack_from("<Q", head, 8)[0], min(want, IFCONF_MAX))


FAR_READS[0x89] = FarReads(exit=_read_ifconf)


def _codes(*names: str) -> frozenset[int]:
    return frozenset(_CODES[n] for n in names)


_INT_SET = _codes("FIOSETOWN", "SIOCSIFENCAP", "SIOCSPGRP")
_INT_GET = _codes("FIOGETOWN", "SIOCATMARK", "SIOCGIFENCAP", "SIOCGPGRP", "SIOCOUTQNSD")
_BRIDGE_NAME = _codes("SIOCBRADDBR", "SIOCBRDELBR")
_BRIDGE_IF = _codes("SIOCBRADDIF", "SIOCBRDELIF")
_ADDRESS_ONLY = _codes(
    "SIOCADDDLCI", "SIOCADDRT", "SIOCBONDCHANGEACTIVE", "SIOCBONDENSLAVE", "SIOCBONDINFOQUERY",
    "SIOCBONDRELEASE", "SIOCBONDSETHWADDR", "SIOCBONDSLAVEINFOQUERY", "SIOCDARP",
    "SIOCDELDLCI", "SIOCDELRT", "SIOCDIFADDR", "SIOCDRARP", "SIOCETHTOOL", "SIOCGARP",
    "SIOCGHWTSTAMP", "SIOCGIFBR", "SIOCGIFCOUNT", "SIOCGIFMEM", "SIOCGIFPFLAGS", "SIOCGIFVLAN",
    "SIOCGMIIPHY", "SIOCGMIIREG", "SIOCGRARP", "SIOCGSKNS", "SIOCGSTAMP_OLD", "SIOCGSTAMP_NEW",
    "SIOCGSTAMPNS_OLD", "SIOCGSTAMPNS_NEW", "SIOCRTMSG", "SIOCSARP", "SIOCSHWTSTAMP",
    "SIOCSIFBR", "SIOCSIFLINK", "SIOCSIFMEM", "SIOCSIFPFLAGS", "SIOCSIFVLAN", "SIOCSMIIREG",
    "SIOCSRARP", "SIOCWANDEV",
)  # fmt: skip
_SETTERS = _codes(
    "SIOCADDMULTI", "SIOCDELMULTI", "SIOCSIFADDR", "SIOCSIFBRDADDR", "SIOCSIFDSTADDR",
    "SIOCSIFFLAGS", "SIOCSIFHWADDR", "SIOCSIFHWBROADCAST", "SIOCSIFMAP", "SIOCSIFMETRIC",
    "SIOCSIFMTU", "SIOCSIFNAME", "SIOCSIFNETMASK", "SIOCSIFSLAVE", "SIOCSIFTXQLEN",
)  # fmt: skip
_GETTERS = _codes(
    "SIOCGIFADDR", "SIOCGIFBRDADDR", "SIOCGIFDSTADDR", "SIOCGIFFLAGS", "SIOCGIFHWADDR",
    "SIOCGIFINDEX", "SIOCGIFMAP", "SIOCGIFMETRIC", "SIOCGIFMTU", "SIOCGIFNAME",
    "SIOCGIFNETMASK", "SIOCGIFSLAVE", "SIOCGIFTXQLEN",
)  # fmt: skip


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _sockaddr(data: bytes) -> str:
    return render_sockaddr(data[:16], 16, 0)[0]


def _hwaddr(data: bytes) -> str:
    family = struct.unpack_from("<H", data)[0]
    mac = hwaddr_text(data[2:16], family)
    return f"{{sa_family={xval(family, ARP_HARDWARE_TYPES, 'ARPHRD_???')}, sa_data={mac}}}"


def _ifmap(data: bytes) -> str:
    start, end, base, irq, dma, port = struct.unpack_from("<QQHBBB", data)
    values = (("mem_start", start), ("mem_end", end), ("base_addr", base), ("irq", irq),
              ("dma", dma), ("port", port))  # fmt: skip
    return "{" + ", ".join(f"{k}={_hex(v)}" for k, v in values) + "}"


def _ifreq_field(code: int, ifr: bytes) -> str | None:
    """The union member the request is about (strace's print_ifreq), as `name=value`."""
    u = ifr[IFNAMSIZ:]
    name = _NAMES_BY_CODE.get(code, "")
    for suffix, field in (("ADDR", "ifr_addr"), ("DSTADDR", "ifr_dstaddr"),
                          ("BRDADDR", "ifr_broadaddr"), ("NETMASK", "ifr_netmask")):  # fmt: skip
        if name in (f"SIOCSIF{suffix}", f"SIOCGIF{suffix}"):
            return f"{field}={_sockaddr(u)}"
    if name in ("SIOCADDMULTI", "SIOCDELMULTI", "SIOCGIFHWADDR", "SIOCSIFHWADDR",
                "SIOCSIFHWBROADCAST"):  # fmt: skip
        return f"ifr_hwaddr={_hwaddr(u)}"
    if name in ("SIOCSIFFLAGS", "SIOCGIFFLAGS"):
        return f"ifr_flags={xflags(struct.unpack_from('<H', u)[0], IFFFLAGS, 'IFF_???')}"
    ints = {"SIOCGIFINDEX": "ifr_ifindex", "SIOCSIFMETRIC": "ifr_metric",
            "SIOCGIFMETRIC": "ifr_metric", "SIOCSIFMTU": "ifr_mtu", "SIOCGIFMTU": "ifr_mtu",
            "SIOCSIFTXQLEN": "ifr_qlen", "SIOCGIFTXQLEN": "ifr_qlen"}  # fmt: skip
    if name in ints:
        return f"{ints[name]}={i32(u)}"
    strings = {"SIOCSIFSLAVE": "ifr_slave", "SIOCGIFSLAVE": "ifr_slave",
               "SIOCSIFNAME": "ifr_newname"}  # fmt: skip
    if name in strings:
        return f"{strings[name]}={cstring_field(u[:IFNAMSIZ])}"
    if name == "SIOCGIFNAME":
        return f"ifr_name={cstring_field(ifr[:IFNAMSIZ])}"
    if name in ("SIOCSIFMAP", "SIOCGIFMAP"):
        return f"ifr_map={_ifmap(u)}"
    return None


def _bridge_name(a: IoctlArg) -> str:
    """printstr_ex(arg, IFNAMSIZ, QUOTE_0_TERMINATED): at most min(16, -s) bytes."""
    if not a.arg:
        return "NULL"
    size = min(IFNAMSIZ, a.strsize)
    data = a.entry or b""
    nul = data.find(b"\0", 0, size)
    if nul >= 0:
        return quote_buffer(data[:nul], nul, nul)
    if len(data) < size:
        return a.addr
    return quote_buffer(data[:size], size, size) + "..."


def _ifc_len(n: int) -> str:
    count = (n & 0xFFFFFFFF) // IFREQ_SIZE
    if n > 0 and count * IFREQ_SIZE == n:
        return f"{n} /* {count} * sizeof(struct ifreq) */"
    return str(n)


def _ifconf(a: IoctlArg) -> str:
    ent = a.entry_struct(16)
    if ent is None:
        return a.addr
    in_len, in_buf = i32(ent), struct.unpack_from("<Q", ent, 8)[0]
    text = "{ifc_len=" + (_ifc_len(in_len) if in_buf else "")
    if not a.finished:
        return text
    back = a.exit_struct(16)
    if back is None:  # strace could not read it back: what entry knew
        if not in_buf:
            text += _ifc_len(in_len)
        return text + f", ifc_buf={pointer(in_buf)}}}"
    out_len, out_buf = i32(back), struct.unpack_from("<Q", back, 8)[0]
    if in_buf and in_len != out_len:
        text += " => "
    if not in_buf or in_len != out_len:
        text += _ifc_len(out_len)
    if not in_buf:
        text += f", ifc_buf={pointer(in_buf)}"
        if out_buf != in_buf:
            text += f" => {pointer(out_buf)}"
        return text + "}"
    count = (out_len & 0xFFFFFFFF) // IFREQ_SIZE
    limit = a.strsize if a.abbrev else count

    def item(data: bytes, off: int) -> str:
        ifr = data[off : off + IFREQ_SIZE]
        name = cstring_field(ifr[:IFNAMSIZ])
        return f"{{ifr_name={name}, ifr_addr={_sockaddr(ifr[IFNAMSIZ:])}}}"

    buffer = fetch_upto(a.far_out, out_buf, count * IFREQ_SIZE)
    items = array_items(buffer, out_buf, count, IFREQ_SIZE, item, limit)
    return text + f", ifc_buf={items}}}"


def sock_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c == SIOCGIFCONF:
        return IoctlText(_ifconf(a))
    if c in _BRIDGE_NAME:
        return IoctlText(_bridge_name(a))
    if c in _INT_SET:
        return IoctlText(a.num_in())
    if c in _INT_GET:
        text = a.num_out()
        return IoctlText(text if text is not None else NO_ARG, at_exit=True)
    if c in _BRIDGE_IF:
        return IoctlText(
            a.show_in(IFREQ_SIZE, lambda d: f"{{ifr_ifindex={ifindex_text(i32(d, IFNAMSIZ))}}}")
        )
    if c in _SETTERS:
        return IoctlText(
            a.show_in(
                IFREQ_SIZE,
                lambda d: f"{{ifr_name={cstring_field(d[:IFNAMSIZ])}, {_ifreq_field(c, d)}}}",
            )
        )
    if c in _GETTERS:
        ent = a.entry_struct(IFREQ_SIZE)
        if ent is None:
            return IoctlText(a.addr)
        if c == _CODES["SIOCGIFNAME"]:
            text = f"{{ifr_ifindex={i32(ent, IFNAMSIZ)}"
        else:
            text = f"{{ifr_name={cstring_field(ent[:IFNAMSIZ])}"
        back = a.exit_struct(IFREQ_SIZE) if a.finished else None
        if back is not None:
            text += f", {_ifreq_field(c, back)}"
        return IoctlText(text + "}")
    if c in _ADDRESS_ONLY:
        return IoctlText(a.addr)
    return None
