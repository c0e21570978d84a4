"""NETLINK_KOBJECT_UEVENT buffers, as strace 6.1's netlink_kobject_uevent.c prints them:
a libudev monitor message's header (struct udev_monitor_netlink_header, its hashes and
magic in network order) then its properties as a string; a kernel uevent, or anything
else, as a plain string."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import pointer, quote_buffer

from .nlattr import Body, can_read

HEADER_SIZE = 40
LIBUDEV_PREFIX = b"libudev\0"


def _string(data: Body, off: int, length: int, strsize: int) -> str:
    """printstrn: up to -s bytes of the `length` at `off`; the address if unreadable."""
    shown = min(length, strsize)
    if not can_read(data, off, shown):
        return pointer(data.addr + off)
    return quote_buffer(bytes(data[off : off + shown]), length, strsize)


def _htonl(value: int) -> str:
    """A network-order word as strace prints it: `htonl(0xfeedcafe)`, C's %#x."""
    return f"htonl({value:#x})" if value else "htonl(0)"


def _header(raw: bytes) -> str:
    magic = int.from_bytes(raw[8:12], "big")
    size, props_off, props_len = struct.unpack_from("<III", raw, 12)
    hashes = struct.unpack_from(">IIII", raw, 24)
    names = "filter_subsystem_hash filter_devtype_hash filter_tag_bloom_hi filter_tag_bloom_lo"
    fields = [f"{n}={_htonl(v)}" for n, v in zip(names.split(), hashes, strict=True)]
    return (
        f'{{prefix="libudev", magic={_htonl(magic)}, header_size={size}, '
        f"properties_off={props_off}, properties_len={props_len}, {', '.join(fields)}}}"
    )


def kobject_uevent(data: Body, length: int, strsize: int) -> str:
    """decode_netlink_kobject_uevent: `[{prefix="libudev", ...}, "properties"]`."""
    if length < HEADER_SIZE or not can_read(data, 0, HEADER_SIZE):
        return _string(data, 0, length, strsize)
    if bytes(data[:8]) != LIBUDEV_PREFIX:
        return _string(data, 0, length, strsize)
    text = _header(bytes(data[:HEADER_SIZE]))
    if length == HEADER_SIZE:
        return text
    return f"[{text}, {_string(data, HEADER_SIZE, length - HEADER_SIZE, strsize)}]"
