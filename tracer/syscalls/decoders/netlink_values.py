"""What every netlink message decoder shares, as strace 6.1's nlattr.c and netlink_route.c
shape it: a message's decoding context (`Msg`), attribute arrays walked with a table of
decoders (`attrs`), nlattr.c's value decoders (numbers, strings, flags, addresses, structs
of numbers, indexed arrays) and a fixed header followed by attributes (`with_attrs`).

An attribute decoder takes the payload and a `Msg` (the header fields nested decoders
depend on, -s) and returns its text, or None for the hex string strace falls back to.
Tables map a name to a decoder; attributes without a decoder print in hex. A value that
runs into unreadable memory prints as its address, as strace's failed read does, unless
the decoder reads less of it (`needing`) or walks it itself (`partial`).
"""

from __future__ import annotations

import re
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

from tracer.syscalls.fmt import STYLE, quote_buffer

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
from .sockaddr import ifindex_text, zero_padded_hex

MAX_ADDR_LEN = 32


FdText = Callable[[int], str]


@dataclass
class Msg:
    strsize: int
    abbrev: bool
    family: int = 0
    kind: str = ""
    slave_kind: str = ""
    fd_text: FdText = str  # an fd as -y prints it (`9</dev/full>`)


Decoder = Callable[[bytes, Msg], "str | None"]


def partial(fn):
    """Marks a decoder that reads a partly readable value itself: nested attributes and
    arrays print what strace could read, then where it could not."""
    fn.partial = True
    return fn


def needing(need: Callable[[int, Msg], int]):
    """Marks a decoder that reads `need(length, m)` bytes of its value, not all of them."""

    def mark(fn):
        fn.need = need
        return fn

    return mark


def printstr_need(length: int, m: Msg) -> int:
    """printstr_ex reads up to -s + 1 bytes."""
    return min(length, m.strsize + 1)


def reads(size: int):
    """Marks a decoder of a `size`-byte number: it reads those bytes only, and a shorter
    value prints in hex."""
    return needing(lambda n, m: size if n >= size else printstr_need(n, m))


def call_decoder(fn: Decoder, body: Body, m: Msg) -> str | None:
    """`fn`'s text for `body`, or its address when strace's read of it would fail."""
    if body.readable < len(body) and not getattr(fn, "partial", False):
        need = getattr(fn, "need", None)
        if body.readable < (need(len(body), m) if need else len(body)):
            return address(body, 0)
    return fn(body, m)


def attrs_at(data: bytes, off: int, length: int, m: Msg, names: dict, unknown: str,
              decoders: dict | Decoder) -> str:  # fmt: skip
    """decode_nlattr over `length` bytes at `off`; `decoders` by type, or one decoder
    given every type."""

    def one(kind: int, body: Body) -> str | None:
        if callable(decoders):
            return decoders(kind, body, m)
        fn = decoders.get(kind)
        return call_decoder(fn, body, m) if fn else None

    return decode_nlattr(data, off, length, names, unknown, one, m.strsize, m.abbrev)


def attrs(raw: bytes, m: Msg, names: dict, unknown: str, decoders: dict | Decoder) -> str:
    return attrs_at(raw, 0, len(raw), m, names, unknown, decoders)


def by_name(names: dict[int, str], decoders: dict[str, Decoder]) -> dict[int, Decoder]:
    index = {name: value for value, name in names.items()}
    return {index[name]: fn for name, fn in decoders.items()}


def nested(names: dict, unknown: str, decoders: dict | Decoder) -> Decoder:
    return partial(lambda raw, m: attrs(raw, m, names, unknown, decoders))


# ---- scalar decoders (nlattr.c) --------------------------------------------------------------


def hex0(value: int) -> str:
    """C's %#x: 0 is plain `0`."""
    return f"{value:#x}" if value else "0"


def int_decoder(size: int, signed: bool = False, hexa: bool = False) -> Decoder:
    """decode_nla_u8 ... decode_nla_x32: too short a payload is printed in hex instead."""

    @reads(size)
    def dec(raw: bytes, m: Msg) -> str | None:
        if len(raw) < size:
            return None
        value = int.from_bytes(raw[:size], "little", signed=signed)
        return hex0(value) if hexa else str(value)

    return dec


u8, u16, u32, u64, s32 = (
    int_decoder(1),
    int_decoder(2),
    int_decoder(4),
    int_decoder(8),
    int_decoder(4, True),
)
x16, x32 = int_decoder(2, hexa=True), int_decoder(4, hexa=True)


@needing(printstr_need)
def nla_str(raw: bytes, m: Msg) -> str | None:
    return nla_str_text(raw, m.strsize)


@needing(printstr_need)
def str0(raw: bytes, m: Msg) -> str:
    """printstr_ex(QUOTE_0_TERMINATED): up to the first NUL, `...` if none is seen."""
    shown = raw[: m.strsize]
    end = shown.find(b"\0")
    if end >= 0:
        return quote_buffer(shown[:end], end, m.strsize)
    text = quote_buffer(shown, len(shown), m.strsize)
    return text if len(raw) > m.strsize and raw[m.strsize] == 0 else text + "..."


@reads(4)
def ifindex(raw: bytes, m: Msg) -> str | None:
    return ifindex_text(int.from_bytes(raw[:4], "little")) if len(raw) >= 4 else None


@reads(4)
def nla_fd(raw: bytes, m: Msg) -> str | None:
    return m.fd_text(int.from_bytes(raw[:4], "little", signed=True)) if len(raw) >= 4 else None


@reads(4)
def nla_uid(raw: bytes, m: Msg) -> str | None:
    if len(raw) < 4:
        return None
    uid = int.from_bytes(raw[:4], "little")
    return "-1" if uid == 0xFFFFFFFF else str(uid)


def flags_text(value: int, table: list[tuple[int, str]], unknown: str) -> str:
    """printflags: a table entry for 0 names a zero value."""
    if value == 0:
        zero = next((name for bit, name in table if bit == 0), None)
        if zero is not None and STYLE.constants != "raw":
            return zero if STYLE.constants == "abbrev" else f"0 /* {zero} */"
    return xflags(value, table, unknown)


def xlat_decoder(table, unknown: str, size: int, flags: bool = False) -> Decoder:
    """decode_nla_xval / decode_nla_flags: at most 8 bytes, the first `size` of them."""

    @needing(lambda n, m: (size or n) if size <= n <= 8 else printstr_need(n, m))
    def dec(raw: bytes, m: Msg) -> str | None:
        if len(raw) > 8 or len(raw) < size:
            return None
        value = int.from_bytes(raw[: size or len(raw)], "little")
        return flags_text(value, table, unknown) if flags else xval(value, table, unknown)

    return dec


def xval_nodflt(value: int, table: dict[int, str]) -> str:
    """printxval with no default: an unknown value is its number alone."""
    return xval(value, table, "") if value in table else hex0(value)


def clock_t(raw: bytes, m: Msg) -> str | None:
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


def hwaddr(raw: bytes, m: Msg) -> str | None:
    """IFLA_ADDRESS: strace 6.1 sizes it by ifi_family taken for an ARPHRD_* type (so an
    AF_BRIDGE message's address shows 1 byte, ARPHRD_ARCNET's size)."""
    return hwaddr_text(raw, m.family)


def hwaddr_nofamily(raw: bytes, m: Msg) -> str | None:
    return hwaddr_text(raw, -1)


def hex_value(raw: bytes, m: Msg) -> str:
    """printstr_ex(QUOTE_FORCE_HEX): the bytes in hex, -s of them."""
    return hex_bytes(raw, 0, len(raw), m.strsize)


def inet_of(family: int, raw: bytes, m: Msg) -> str:
    size = {socket.AF_INET: 4, socket.AF_INET6: 16}.get(family, 0)
    if not size or len(raw) < size:
        return hex_value(raw, m)
    return inet_text(raw, family, m.strsize)


def msg_addr(raw: bytes, m: Msg) -> str:
    """decode_inet_addr in the message's family (RTA_DST, NDA_DST, FRA_SRC, ...)."""
    return inet_of(m.family, raw, m)


def in_addr(family: int, size: int) -> Decoder:
    """decode_nla_in_addr, decode_nla_in6_addr."""
    return reads(size)(lambda raw, m: inet_of(family, raw, m) if len(raw) >= size else None)


def struct_decoder(fmt: str, fields: str, hex_fields: tuple[str, ...] = (), padded: tuple[str, ...] = ()) -> Decoder:  # fmt: skip
    """A fixed struct of numbers: `{a=1, b=2}`, the fields in `hex_fields` in hex, those in
    `padded` in hex padded to their size (PRINT_FIELD_0X: `0x0000ff`, zero `00000000`)."""
    layout = struct.Struct("<" + fmt)
    names = fields.split()
    codes = [c for n, c in re.findall(r"(\d*)([a-zA-Z])", fmt) for _ in range(int(n or 1))]
    widths = {n: 2 * struct.calcsize(c) for n, c in zip(names, codes, strict=True)}

    def field(name: str, value: int) -> str:
        if name in padded:
            return f"{name}={zero_padded_hex(value, widths[name])}"
        return f"{name}={hex0(value) if name in hex_fields else value}"

    @reads(layout.size)
    def dec(raw: bytes, m: Msg) -> str | None:
        if len(raw) < layout.size:
            return None
        values = layout.unpack_from(raw)
        return "{" + ", ".join(field(n, v) for n, v in zip(names, values, strict=True)) + "}"

    return dec


def indexed_array(elem: str, table: dict[int, str], unknown: str) -> Decoder:
    """print_array_ex with indices: `[[NAME]=1, ...]`, -s elements at most."""
    size = struct.calcsize(elem)

    def text(raw: bytes, i: int) -> str:
        return f"[{xval(i, table, unknown, '{}')}]={struct.unpack('<' + elem, raw)[0]}"

    @partial
    def dec(raw: Body, m: Msg) -> str | None:
        if not len(raw) // size:
            return None
        return print_array(raw, size, text, m.strsize, m.abbrev)

    return dec


def family_and_data(fam: str, data: bytes, off: int, length: int, strsize: int) -> str:
    """decode_family: a payload strace has no layout for, its family then the rest in hex."""
    text = f"{{family={fam}"
    if length > 1:
        text += ", data=" + hex_bytes(data, off + 1, length - 1, strsize)
    return text + "}"


def header_unread(data: bytes, off: int, length: int, size: int, field: str, fam: str) -> str | None:  # fmt: skip
    """A `size`-byte header that `length` cannot hold (`{ifi_family=AF_INET, ...}`) or that
    strace cannot read past its family byte (`{ifi_family=AF_INET, 0x7f...}`); else None."""
    if length < size:
        return f"{{{field}={fam}, ...}}"
    if not can_read(data, off + 1, size - 1):
        return f"{{{field}={fam}, {address(data, off + 1)}}}"
    return None


def with_attrs(text: str, data: bytes, off: int, length: int, hdr: int, m: Msg,
                names: dict, unknown: str, decoders: dict) -> str:  # fmt: skip
    """A message's fixed header `text`, then the attributes after its `hdr` bytes."""
    if length > hdr:
        attrs = attrs_at(data, off + hdr, length - hdr, m, names, unknown, decoders)
        return f"{text}, {attrs}"
    return text


def family_then_attrs(field: str, names: dict, unknown: str, decoders: dict):
    """A header that is its family byte (`{ndtm_family=AF_INET}`), then attributes."""

    def dec(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
        return with_attrs(f"{{{field}={fam}}}", data, off, length, 4, m, names, unknown, decoders)

    return dec


def value_then_attrs(value: Callable[[Body, Msg], str | None], size: int, names: dict,
                      unknown: str, decoders: dict) -> Decoder:  # fmt: skip
    """A `size`-byte value, then attributes after it: `if_nametoindex("lo"), [{...}]`."""

    @partial
    def dec(raw: Body, m: Msg) -> str | None:
        if len(raw) < size:
            return None
        text = value(raw, m) if can_read(raw, 0, size) else address(raw, 0)
        start = (size + 3) & ~3
        if len(raw) > start:
            text += ", " + attrs_at(raw, start, len(raw) - start, m, names, unknown, decoders)
        return text

    return dec
