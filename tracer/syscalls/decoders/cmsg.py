"""Control messages (`msg_control` of a msghdr): SOL_SOCKET's and SOL_IP's, as strace shows them.

The buffer is read whole up to the socket layer's limit (net.core.optmem_max, as strace
reads it), or not at all: shorter than one header, or not all readable, strace shows
its address. The headers are walked as strace walks them; what is left after the last
one it could show is `... /* address */`, and a buffer cut at the limit ends in `...`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from tracer.events import Syscall
from tracer.syscalls.capture import READ_MAX, MemoryReader
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.render import RenderContext
from tracer.syscalls.xlat.net import CMSG_SOCKET_TYPES, IP_CMSG_TYPES, SOCKET_LEVELS

from .kstructs import i32, i64, u32, u64, xval
from .sockaddr import SOCKADDR_MAX, ifindex_text, inet_addr_field, render_sockaddr

CMSG_HDR = struct.Struct("<QII")  # cmsg_len, cmsg_level, cmsg_type
_SOL_SOCKET, _SOL_IP = 1, 0
_FDS_MAX = 1024  # fds named for -y per call
_optmem_max = 0


def optmem_max() -> int:
    """The kernel's limit on a socket's ancillary data, rounded up to 8 bytes (strace's
    limit on what it reads of msg_control); its default when /proc does not say."""
    global _optmem_max
    if not _optmem_max:
        try:
            with open("/proc/sys/net/core/optmem_max") as f:
                value = int(f.read())
        except (OSError, ValueError):
            value = 0
        _optmem_max = (value + 7) & ~7 if value > 0 else 8 * (2 * 1024 + 512)
    return _optmem_max


def capture_control(mem: MemoryReader, addr: int, length: int) -> bytes | None:
    """The control buffer as strace reads it: min(length, optmem_max) bytes, all or nothing."""
    want = min(length, optmem_max(), READ_MAX)
    if not addr or want < CMSG_HDR.size:
        return None
    data = mem.read(addr, want)
    return data if data is not None and len(data) == want else None


def walk(control: bytes) -> Iterator[tuple[int, int, int, bytes, int]]:
    """(cmsg_len, level, type, data, bytes left after it) for each header strace shows;
    the last `left` is what remains unshown (0 when the walk reached the end)."""
    off, left = 0, len(control)
    while left >= CMSG_HDR.size:
        clen, level, ctype = CMSG_HDR.unpack_from(control, off)
        data = control[off + CMSG_HDR.size : off + min(clen, left)]
        if clen < CMSG_HDR.size:
            yield clen, level, ctype, data, left - CMSG_HDR.size
            return
        step = (clen + 7) & ~7
        if step >= left:
            yield clen, level, ctype, data, 0
            return
        yield clen, level, ctype, data, left - step
        off += step
        left -= step


def scm_rights_fds(control: bytes) -> list[int]:
    """The fds SCM_RIGHTS messages carry (for -y), each once, at most _FDS_MAX."""
    fds: dict[int, None] = {}
    for _clen, level, ctype, data, _left in walk(control):
        if level == _SOL_SOCKET and ctype == 1:
            for (fd,) in struct.iter_unpack("<i", data[: len(data) // 4 * 4]):
                if fd >= 0 and len(fds) < _FDS_MAX:
                    fds[fd] = None
    return list(fds)


def _items(texts: Iterator[str], limit: int | None) -> str:
    out: list[str] = []
    for i, text in enumerate(texts):
        if limit is not None and i >= limit:
            out.append("...")
            break
        out.append(text)
    return "[" + ", ".join(out) + "]"


def _words(data: bytes, fmt: str) -> Iterator[int]:
    size = struct.calcsize(fmt)
    for (v,) in struct.iter_unpack(fmt, data[: len(data) // size * size]):
        yield v


def _timestamp(data: bytes, count: int, sub: str, size_check: int) -> str:
    """One or `count` (sec, frac) pairs of 16 bytes; `???` when the data is shorter."""
    if len(data) < size_check:
        return "???"
    pairs = [f"{{tv_sec={i64(data, 16 * i)}, {sub}={u64(data, 16 * i + 8)}}}" for i in range(count)]
    return pairs[0] if count == 1 else "[" + ", ".join(pairs) + "]"


def _socket_data(call: Syscall, ctx: RenderContext, ctype: int, data: bytes) -> str | None:
    """cmsg_data of a SOL_SOCKET message, or None when strace shows none."""
    limit = ctx.strsize if ctx.abbreviated(call) else None
    n = len(data)
    if ctype == 1 and n >= 4:  # SCM_RIGHTS
        return _items((ctx.fd(call, fd) for fd in _words(data, "<i")), limit)
    if ctype == 2 and n >= 12:  # SCM_CREDENTIALS
        uid, gid = u32(data, 4), u32(data, 8)
        ids = ["-1" if v == 0xFFFFFFFF else str(v) for v in (uid, gid)]
        return f"{{pid={i32(data)}, uid={ids[0]}, gid={ids[1]}}}"
    if ctype == 3 and n >= 1:  # SCM_SECURITY
        return quote_buffer(data, n, n)
    if n >= 1:
        if ctype in (29, 63):  # SO_TIMESTAMP_OLD / _NEW
            return _timestamp(data, 1, "tv_usec", 16)
        if ctype in (35, 64):  # SO_TIMESTAMPNS_OLD / _NEW
            return _timestamp(data, 1, "tv_nsec", 16)
        if ctype in (37, 65):  # SO_TIMESTAMPING_OLD / _NEW
            return _timestamp(data, 3, "tv_nsec", 48)
    return None


def _ip_data(call: Syscall, ctx: RenderContext, ctype: int, data: bytes) -> str | None:
    """cmsg_data of a SOL_IP message, or None when strace shows none."""
    limit = ctx.strsize if ctx.abbreviated(call) else None
    n = len(data)
    if ctype == 8 and n >= 12:  # IP_PKTINFO
        return (
            f"{{ipi_ifindex={ifindex_text(i32(data))}, "
            f"{inet_addr_field('ipi_spec_dst', data[4:8])}, "
            f"{inet_addr_field('ipi_addr', data[8:12])}}}"
        )
    if ctype in (2, 23) and n >= 4:  # IP_TTL, IP_CHECKSUM
        return _items((str(v) for v in _words(data, "<I")), limit)
    if ctype in (1, 6, 7) and n >= 1:  # IP_TOS, IP_RECVOPTS, IP_RETOPTS
        return _items((f"{b:#x}" if b else "0" for b in data), limit)
    if ctype == 11 and n >= 32:  # IP_RECVERR: struct sock_extended_err and the offender
        errno_, origin, type_, code, _pad, info, edata = struct.unpack_from("<IBBBBII", data)
        offender = render_sockaddr(data[16:32], 16, 0)[0]
        return (
            f"{{ee_errno={errno_}, ee_origin={origin}, ee_type={type_}, ee_code={code}, "
            f"ee_info={info}, ee_data={edata}, offender={offender}}}"
        )
    if ctype == 20 and n >= 16:  # IP_ORIGDSTADDR
        return render_sockaddr(data, min(n, SOCKADDR_MAX), 0)[0]
    if ctype == 3 and n >= 1:  # SCM_SECURITY
        return quote_buffer(data, n, n)
    return None


def render_control(call: Syscall, ctx: RenderContext, control: bytes | None, addr: int,
                   length: int) -> str:  # fmt: skip
    """msg_control's value: the messages, or the address when the buffer was not read."""
    if control is None:
        return pointer(addr)
    items = []
    left = 0
    for clen, level, ctype, data, rest in walk(control):
        left = rest
        text = f"{{cmsg_len={clen}, cmsg_level={xval(level, SOCKET_LEVELS, 'SOL_???')}"
        if level == _SOL_SOCKET:
            value = _socket_data(call, ctx, ctype, data)
            text += f", cmsg_type={xval(ctype, CMSG_SOCKET_TYPES, 'SCM_???')}"
        elif level == _SOL_IP:
            value = _ip_data(call, ctx, ctype, data)
            text += f", cmsg_type={xval(ctype, IP_CMSG_TYPES, 'IP_???')}"
        else:
            value = None
            text += f", cmsg_type={ctype:#x}" if ctype else ", cmsg_type=0"
        items.append(text + (f", cmsg_data={value}}}" if value is not None else "}"))
    if left:
        items.append(f"... /* {pointer(addr + len(control) - left)} */")
    elif len(control) < length:
        items.append("...")
    return "[" + ", ".join(items) + "]"
