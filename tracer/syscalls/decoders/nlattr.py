"""Netlink attributes (struct nlattr), as strace 6.1's nlattr.c prints them: the walker
over an attribute array and the value printers every netlink family shares.

Netlink buffers are `Body` objects: bytes that know where they lie in the tracee and how
many of them could be read. strace reads each header and value when it prints it and
prints the address instead when that read fails (a message placed at the end of a mapped
page), so the printers here check `readable` before using bytes past it."""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable

from tracer.syscalls.fmt import STYLE, pointer, quote_buffer, quote_path

from .kstructs import hex_quote, xval
from .sockaddr import inet6_addr_field, inet_addr_field

NLA_HDRLEN = 4


class Body(bytes):
    """Netlink bytes at tracee address `addr` of which the first `readable` could be read.

    An attribute's value is padded with zeros to the length it declares, so that its
    decoder sees that length; a whole captured buffer is not (its length comes with it)."""

    addr: int
    readable: int

    def __new__(cls, data: bytes, addr: int, length: int | None = None) -> Body:
        real = bytes(data[:length])
        obj = super().__new__(cls, real if length is None else real.ljust(length, b"\0"))
        obj.addr = addr
        obj.readable = len(real)
        return obj

    def sub(self, off: int, length: int) -> Body:
        """The `length` bytes at `off`, as an attribute value."""
        real = bytes(self[off : max(off, min(off + length, self.readable))])
        return Body(real, self.addr + off, length)


def can_read(data: bytes, off: int, size: int) -> bool:
    """Whether strace could read `size` bytes at `off` (plain bytes: all were read)."""
    return off + size <= (data.readable if isinstance(data, Body) else len(data))


def address(data: bytes, off: int) -> str:
    """printaddr of the byte at `off`, where a read failed."""
    return pointer(data.addr + off) if isinstance(data, Body) else "..."


def hex_bytes(data: bytes, off: int, length: int, strsize: int) -> str:
    """printstr_ex(QUOTE_FORCE_HEX): up to -s bytes in hex; the address if unreadable."""
    if not can_read(data, off, min(length, strsize + 1)):
        return address(data, off)
    shown = data[off : off + min(length, strsize)]
    return hex_quote(shown) + ("..." if length > strsize else "")


def inet_text(raw: bytes, family: int, strsize: int) -> str:
    """decode_inet_addr without a field name."""
    if family == socket.AF_INET and len(raw) >= 4:
        return inet_addr_field("", raw[:4])[1:]
    if family == socket.AF_INET6 and len(raw) >= 16:
        if STYLE.constants == "abbrev":
            text = quote_path(socket.inet_ntop(socket.AF_INET6, raw[:16]).encode())
            return f"inet_pton(AF_INET6, {text})"
        return inet6_addr_field("", raw[:16])[1:]
    return hex_bytes(raw, 0, len(raw), strsize)


def nla_str_text(raw: bytes, strsize: int) -> str:
    """decode_nla_str: the string without its trailing NUL, `...` when there is none.

    Under -x a NUL is not printable, so the whole string prints in hex with its NUL
    and a `...`, as strace prints it."""
    shown = raw[:strsize]
    mode = STYLE.strings_in_hex
    if mode == "all" or (mode == "non-ascii" and any(c > 0x7E or (c < 0x20 and not 9 <= c <= 13) for c in shown)):  # fmt: skip
        return hex_quote(shown) + ("..." if raw else "")
    if shown.endswith(b"\0"):
        return quote_buffer(shown[:-1], len(shown) - 1, strsize)
    return quote_buffer(shown, len(shown), strsize) + ("..." if raw else "")


def print_array(raw: Body, elem_size: int, elem_text: Callable[[bytes, int], str], strsize: int,
                abbrev: bool) -> str:  # fmt: skip
    """print_array_ex: `len // elem_size` elements, each read as it is printed; a first one
    unreadable prints the address, a later one `... /* address */`; -s of them under abbrev."""
    items: list[str] = []
    for i in range(len(raw) // elem_size):
        off = i * elem_size
        if not can_read(raw, off, elem_size):
            if not i:
                return address(raw, off)
            items.append(f"... /* {address(raw, off)} */")
            break
        if abbrev and i == strsize:
            items.append("...")
            break
        items.append(elem_text(raw[off : off + elem_size], i))
    return "[" + ", ".join(items) + "]"


def byte_array(raw: Body, strsize: int, abbrev: bool) -> str:
    """An array of u8 numbers (NLMSGERR_ATTR_COOKIE)."""
    return print_array(raw, 1, lambda elem, _i: str(elem[0]), strsize, abbrev)


def flag_name(value: int, name: str) -> str:
    """print_xlat: a single named constant in the -X style."""
    if STYLE.constants == "abbrev":
        return name
    return f"{value:#x}" if STYLE.constants == "raw" else f"{value:#x} /* {name} */"


def as_body(data: bytes) -> Body:
    """`data` as a Body: plain bytes were read whole (their address is not known)."""
    return data if isinstance(data, Body) else Body(data, 0)


def decode_nlattr(data: bytes, off: int, length: int, names: dict, unknown: str, decode, strsize: int, abbrev: bool) -> str:  # fmt: skip
    """decode_nlattr: `[{nla_len=8, nla_type=IFA_ADDRESS}, inet_addr(...)]`, an array when several.

    `names` None: the types print as numbers (netfilter's attributes).

    `decode(type, value)` gets each value as a `Body` and returns its text, or None for hex."""
    items: list[str] = []
    is_array = False
    while True:
        if length < NLA_HDRLEN:
            items.append(hex_bytes(data, off, length, strsize))
            break
        if not can_read(data, off, NLA_HDRLEN):
            items.append(f"... /* {address(data, off)} */" if is_array else address(data, off))
            break
        if abbrev and len(items) == strsize:
            items.append("...")
            break
        nla_len, nla_type = struct.unpack_from("<HH", data, off)
        step = (nla_len + 3) & ~3
        nxt = length - step if nla_len >= NLA_HDRLEN and length >= step else 0
        if not is_array and nxt:
            is_array = True
        kind = nla_type & 0x3FFF
        head = "nla_type="
        if nla_type & 0x8000:
            head += flag_name(0x8000, "NLA_F_NESTED") + "|"
        if nla_type & 0x4000:
            head += flag_name(0x4000, "NLA_F_NET_BYTEORDER") + "|"
        type_text = (
            xval(kind, names, unknown) if names is not None else f"{kind:#x}" if kind else "0"
        )
        head = f"{{nla_len={nla_len}, {head}{type_text}}}"
        body_len = min(nla_len, length) - NLA_HDRLEN
        if body_len > 0:
            raw = as_body(data).sub(off + NLA_HDRLEN, body_len)
            text = decode(kind, raw) if decode else None
            if text is None:
                text = hex_bytes(raw, 0, body_len, strsize)
            items.append(f"[{head}, {text}]")
        else:
            items.append(head)
        if not nxt:
            break
        off += step
        length = nxt
    return "[" + ", ".join(items) + "]" if is_array else items[0]
