"""Netlink attributes (struct nlattr), as strace 6.1's nlattr.c prints them: the walker
over an attribute array and the value printers every netlink family shares."""

from __future__ import annotations

import socket
import struct

from tracer.syscalls.fmt import STYLE, quote_buffer, quote_path

from .kstructs import hex_quote, xval
from .sockaddr import inet6_addr_field, inet_addr_field

NLA_HDRLEN = 4


def hex_bytes(data: bytes, off: int, length: int, strsize: int) -> str:
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


def flag_name(value: int, name: str) -> str:
    """print_xlat: a single named constant in the -X style."""
    if STYLE.constants == "abbrev":
        return name
    return f"{value:#x}" if STYLE.constants == "raw" else f"{value:#x} /* {name} */"


def decode_nlattr(data: bytes, off: int, length: int, names: dict, unknown: str, decode, strsize: int, abbrev: bool) -> str:  # fmt: skip
    """decode_nlattr: `[{nla_len=8, nla_type=IFA_ADDRESS}, inet_addr(...)]`, an array when several."""
    items: list[str] = []
    is_array = False
    while True:
        if length < NLA_HDRLEN:
            items.append(hex_bytes(data, off, length, strsize))
            break
        if off + NLA_HDRLEN > len(data):
            items.append("..." if is_array else "")
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
        head = f"{{nla_len={nla_len}, {head}{xval(kind, names, unknown)}}}"
        body_len = min(nla_len, length) - NLA_HDRLEN
        if body_len > 0:
            raw = data[off + NLA_HDRLEN : off + NLA_HDRLEN + body_len]
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
