"""setsockopt and getsockopt as strace 6.1 prints them (its net.c, print_*sockopt).

Names: the level (`SOL_?? ` for unknown ones: strace's own spelling), then the option
from the level's table, getsockopt and setsockopt having a few names of their own.
Values: the structures strace knows (linger, ucred, ip_mreq, group_req, ipv6_mreq,
packet_mreq, tpacket_req/stats, sock_fprog, icmp_filter), `[int]` for int options, and
anything else as a string of its length (so a timeval or TCP_INFO prints as bytes,
exactly as strace does). getsockopt's value is read at exit, cut to the length the
kernel returned, and its length prints `[in => out]` when the kernel changed it.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import LIMIT_STR_PLUS1, Read, declare_entry, declare_exit
from tracer.syscalls.fmt import STYLE, pointer, quote_buffer
from tracer.syscalls.render import ERRNO_NAMES, Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import net as xn
from tracer.syscalls.xlat import sockopt as xs

from .bpf_filter import (
    BPF_MAXINSNS,
    SOCK_FPROG_SIZE,
    filter_bytes,
    fprog_head,
    render_filter,
    render_sock_fprog,
)
from .kstructs import hex_quote, i32, int_arg, u32, xval
from .sockaddr import (
    SOCKADDR_MAX,
    ifindex_text,
    inet6_addr_field,
    inet_addr_field,
    mac_text,
    render_sockaddr,
)

SOL_IP, SOL_SOCKET, SOL_TCP, SOL_IPV6 = 0, 1, 6, 41
SOL_RAW, SOL_PACKET, SOL_NETLINK = 255, 263, 270
SO_LINGER, SO_PEERCRED, SO_ATTACH_FILTER, SO_ERROR, SO_TXREHASH = 13, 17, 26, 4, 74
SO_ATTACH_REUSEPORT_CBPF = 51
IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP = 35, 36, 42, 45
IPV6_MREQ_OPTIONS = (20, 21, 27, 28)  # IPV6_ADD/DROP_MEMBERSHIP, IPV6_JOIN/LEAVE_ANYCAST
PACKET_ADD_MEMBERSHIP, PACKET_DROP_MEMBERSHIP, PACKET_RX_RING, PACKET_STATISTICS = 1, 2, 5, 6
PACKET_TX_RING = 13
ICMP_FILTER, NETLINK_LIST_MEMBERSHIPS = 1, 9
GROUP_REQ_SIZE = 136  # struct group_req: u32 interface, padding, sockaddr_storage

# SOL_SOCKET options strace prints as `[int]` (its "all known int-like options").
_INT_SOCKET_OPTIONS = frozenset(
    (1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18, 19, 27, 29, 30, 32, 33, 34, 35, 36, 37,
     40, 41, 42, 43, 44, 45, 46, 49, 53, 56, 60, 63, 64, 65, 68, 69, 70, 73, 75)
)  # fmt: skip
_OPTVAL_MIN_READ = 256  # enough for every structure above (group_req is 136 bytes)


def level_text(level: int) -> str:
    return xval(level, xn.SOCKET_LEVELS, "SOL_??")


def option_text(level: int, name: int, getting: bool) -> str:
    """The option's name from the level's tables; a level strace has none for prints the number."""
    tables = xs.OPTIONS_BY_LEVEL.get(level)
    if tables is None:
        return str(name)
    common, get_only, set_only, unknown = tables
    extra = get_only if getting else set_only
    if name in common or name not in extra:
        return xval(name, common, unknown)
    return xval(name, extra, unknown)


# ---- value printers ------------------------------------------------------------------------


def _int(data: bytes | None, addr: int) -> str:
    """printnum_int: `[1]`, the address when 4 bytes cannot be read."""
    if data is None or len(data) < 4:
        return pointer(addr)
    return f"[{i32(data)}]"


def _string(data: bytes | None, length: int, strsize: int, addr: int) -> str:
    """printstrn: the bytes, cut at -s, the address when they cannot be read."""
    if data is None or len(data) < min(length, strsize + 1):
        return pointer(addr)
    return quote_buffer(data, length, strsize)


def _fields_by_len(data: bytes, length: int, fields) -> str:
    """MAYBE_PRINT_FIELD_LEN: the fields the length covers; a cut one in hex."""
    parts = []
    for name, off, size, show in fields:
        if length <= off:
            break
        if length >= off + size:
            parts.append(f"{name}={show(data, off)}")
        else:
            parts.append(f"{name}={hex_quote(data[off:length])}")
    return "{" + ", ".join(parts) + "}"


def _id(data: bytes, off: int) -> str:
    v = u32(data, off)
    return "-1" if v == 0xFFFFFFFF else str(v)


def _d(data: bytes, off: int) -> str:
    return str(i32(data, off))


def _u(data: bytes, off: int) -> str:
    return str(u32(data, off))


_LINGER = (("l_onoff", 0, 4, _d), ("l_linger", 4, 4, _d))
_UCRED = (("pid", 0, 4, _d), ("uid", 4, 4, _id), ("gid", 8, 4, _id))
_TPACKET_STATS = (("tp_packets", 0, 4, _u), ("tp_drops", 4, 4, _u), ("tp_freeze_q_cnt", 8, 4, _u))


def _by_len(data: bytes | None, length: int, size: int, fields, addr: int) -> str:
    length = min(length, size)
    if data is None or len(data) < length:
        return pointer(addr)
    return _fields_by_len(data, length, fields)


def _txrehash(data: bytes | None, length: int, addr: int, at_exit: bool) -> str:
    if length < 4:
        if not at_exit:
            return pointer(addr)
        return (
            hex_quote(data[:length]) if data is not None and len(data) >= length else pointer(addr)
        )
    if data is None or len(data) < 4:
        return pointer(addr)
    return f"[{xval(i32(data), xs.SOCK_TXREHASH_VALUES, 'SOCK_TXREHASH_???', '{}')}]"


def _icmp_filter(data: bytes | None, length: int, addr: int) -> str:
    """A bit set of ICMP types; more than half set prints the complement after `~`."""
    if length <= 0:
        return pointer(addr)
    length = min(length, 4)
    if data is None or len(data) < length:
        return pointer(addr)
    bits = int.from_bytes(data[:length] + b"\xff" * (4 - length), "little")
    prefix = ""
    if bin(bits).count("1") > 16:
        bits = ~bits & 0xFFFFFFFF
        prefix = "~"
    names = [xval(i, xs.ICMP_FILTER_TYPES, "ICMP_???") for i in range(32) if bits >> i & 1]
    return prefix + "[" + " ".join(names) + "]"


def _mreq(data: bytes | None, length: int, addr: int) -> str:
    if length < 8 or data is None or len(data) < 8:
        return pointer(addr)
    return "{" + inet_addr_field("imr_multiaddr", data[0:4]) + ", " + inet_addr_field("imr_interface", data[4:8]) + "}"  # fmt: skip


def _mreq6(data: bytes | None, length: int, addr: int) -> str:
    if length < 20 or data is None or len(data) < 20:
        return pointer(addr)
    return "{" + inet6_addr_field("ipv6mr_multiaddr", data[0:16]) + f", ipv6mr_interface={ifindex_text(u32(data, 16))}}}"  # fmt: skip


def _group_req(data: bytes | None, length: int, addr: int) -> str:
    if length < GROUP_REQ_SIZE or data is None or len(data) < GROUP_REQ_SIZE:
        return pointer(addr)
    group, _ = render_sockaddr(data[8:GROUP_REQ_SIZE], SOCKADDR_MAX, addr + 8)
    return f"{{gr_interface={ifindex_text(u32(data))}, gr_group={group}}}"


def _tpacket_req(data: bytes | None, length: int, addr: int) -> str:
    if length != 16 or data is None or len(data) < 16:
        return pointer(addr)
    f = struct.unpack_from("<4I", data)
    return f"{{tp_block_size={f[0]}, tp_block_nr={f[1]}, tp_frame_size={f[2]}, tp_frame_nr={f[3]}}}"


def _packet_mreq(data: bytes | None, length: int, addr: int) -> str:
    if length != 16 or data is None or len(data) < 16:
        return pointer(addr)
    ifindex, mr_type, alen = struct.unpack_from("<iHH", data)
    mtype = xval(mr_type, xs.PACKET_MR_TYPES, "PACKET_MR_???")
    mac = mac_text(data[8 : 8 + min(alen, 8)])
    return f"{{mr_ifindex={ifindex_text(ifindex & 0xFFFFFFFF)}, mr_type={mtype}, mr_alen={alen}, mr_address={mac}}}"  # fmt: skip


def _error(data: bytes | None, length: int, addr: int) -> str:
    """SO_ERROR: the pending error by name (print_err)."""
    if length < 4:
        return (
            hex_quote(data[:length]) if data is not None and len(data) >= length else pointer(addr)
        )
    if data is None or len(data) < 4:
        return pointer(addr)
    err = u32(data)
    name = ERRNO_NAMES.get(err)
    if name is None or STYLE.constants == "raw":
        return f"[{err}]"
    return f"[{name}]" if STYLE.constants == "abbrev" else f"[{err} /* {name} */]"


def _u32_array(data: bytes | None, count: int, addr: int, limit: int | None) -> str:
    """print_array of unsigned ints, `...` past `limit` elements (-s when abbreviated)."""
    if not count:
        return "[]"
    if data is None or len(data) < 4:
        return pointer(addr)
    items = []
    for i in range(count):
        if limit is not None and i >= limit:
            items.append("...")
            break
        if 4 * i + 4 > len(data):
            items.append(f"... /* {addr + 4 * i:#x} */")
            break
        items.append(str(u32(data, 4 * i)))
    return "[" + ", ".join(items) + "]"


def set_value(level: int, name: int, mem: dict, length: int, addr: int, ctx: RenderContext, call: Syscall) -> str:  # fmt: skip
    """setsockopt's optval (print_setsockopt)."""
    data = mem.get("optval")
    if not addr or not ctx.dereferenced(call):
        return pointer(addr)
    if level == SOL_SOCKET:
        if name == SO_LINGER:
            return pointer(addr) if length < 8 else _by_len(data, 8, 8, _LINGER, addr)
        if name in (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF):
            if length != SOCK_FPROG_SIZE:
                return pointer(addr)
            return render_sock_fprog(data, mem.get("filter"), addr, ctx.abbreviated(call))
        if name == SO_TXREHASH:
            return _txrehash(data, length, addr, at_exit=False)
        if name in _INT_SOCKET_OPTIONS:
            return pointer(addr) if length < 4 else _int(data, addr)
    elif level == SOL_IP:
        if name in (IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP):
            return _mreq(data, length, addr)
        if name in (MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP):
            return _group_req(data, length, addr)
    elif level == SOL_IPV6:
        if name in IPV6_MREQ_OPTIONS:
            return _mreq6(data, length, addr)
        if name in (MCAST_JOIN_GROUP, MCAST_LEAVE_GROUP):
            return _group_req(data, length, addr)
    elif level == SOL_PACKET:
        if name in (PACKET_RX_RING, PACKET_TX_RING):
            return _tpacket_req(data, length, addr)
        if name in (PACKET_ADD_MEMBERSHIP, PACKET_DROP_MEMBERSHIP):
            return _packet_mreq(data, length, addr)
    elif level == SOL_RAW:
        if name == ICMP_FILTER:
            return _icmp_filter(data, length, addr)
    elif level == SOL_NETLINK:
        return pointer(addr) if length < 4 else _int(data, addr)
    if length == 4:
        return _int(data, addr)
    return _string(data, length, ctx.strsize, addr)


def get_value(level: int, name: int, mem: dict, ulen: int, rlen: int, addr: int, ctx: RenderContext, call: Syscall) -> str:  # fmt: skip
    """getsockopt's optval at exit (print_getsockopt), `rlen` being what the kernel returned."""
    if ulen <= 0 or rlen <= 0:
        return pointer(addr)
    data = mem.get("optval")
    if not addr or not ctx.dereferenced(call):
        return pointer(addr)
    if level == SOL_SOCKET:
        if name == SO_LINGER:
            return _by_len(data, rlen, 8, _LINGER, addr)
        if name == SO_PEERCRED:
            return _by_len(data, rlen, 12, _UCRED, addr)
        if name == SO_ATTACH_FILTER:  # SO_GET_FILTER: rlen counts instructions
            if rlen > 0xFFFF or ctx.abbreviated(call):
                return pointer(addr)
            return render_filter(data, rlen, addr)
        if name == SO_ERROR:
            return _error(data, rlen, addr)
        if name == SO_TXREHASH:
            return _txrehash(data, rlen, addr, at_exit=True)
        if name in _INT_SOCKET_OPTIONS:
            if rlen >= 4:
                return _int(data, addr)
            return (
                hex_quote(data[:rlen]) if data is not None and len(data) >= rlen else pointer(addr)
            )
    elif level == SOL_PACKET:
        if name == PACKET_STATISTICS:
            return _by_len(data, rlen, 12, _TPACKET_STATS, addr)
    elif level == SOL_RAW:
        if name == ICMP_FILTER:
            return _icmp_filter(data, rlen, addr)
    elif level == SOL_NETLINK:
        if name == NETLINK_LIST_MEMBERSHIPS:
            limit = ctx.strsize if ctx.abbreviated(call) else None
            return _u32_array(data, min(ulen, rlen) // 4, addr, limit)
        return _int(data, addr)
    if rlen == 4:
        return _int(data, addr)
    return _string(data, rlen, ctx.strsize, addr)


# ---- captures --------------------------------------------------------------------------------
#
# As data (capture.Read), so the C core takes both calls whole. The value is read for
# min(optlen, max(256, -s + 1)) bytes: 256 and -s + 1 are two reads (the longer one is
# kept, see `_value`), the second only when optlen says more than 255. getsockopt's
# length is the one the kernel wrote back, known only once read: its value is read for
# the whole 256 / -s + 1 and cut to that length by the decoder (`_value`), which gives
# the bytes the old read of that length gave (a read stops at the same unmapped page).
# A socket filter's instructions (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF, and
# getsockopt's SO_GET_FILTER) are read for the most instructions strace shows and cut
# to their count in the same way.

_U64 = 0xFFFFFFFFFFFFFFFF
_FILTER_READ = filter_bytes(BPF_MAXINSNS + 1)
_SET_FILTERS = (2, 0xFFFFFFFF, (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF))


def _i32_value(data: bytes) -> int | None:
    return i32(data)


declare_entry(
    "setsockopt",
    # A negative optlen: nothing read (the decoder shows the address).
    Read("optval", 3, size_arg=4, cap=_OPTVAL_MIN_READ, null_skip=True, nonpos_empty=False,
         when=(4, 0x80000000, (0,))),
    Read("optval_long", 3, size_arg=4, cap=LIMIT_STR_PLUS1, null_skip=True,
         nonpos_empty=False, when=(4, 0xFFFFFF00, ())),
    # struct sock_fprog's filter pointer (offset 8) and the instructions it points to.
    Read("filter", 3, size=_FILTER_READ, deref=8, null_skip=True, when=_SET_FILTERS),
)  # fmt: skip
declare_entry("getsockopt", Read("optlen_in", 4, size=4, null_skip=True, exact=True, convert=_i32_value))  # fmt: skip
_OPTLEN_SET = (4, _U64, ())  # read the value only when there is a length to cut it to
declare_exit(
    "getsockopt",
    Read("optlen_out", 4, size=4, null_skip=True, exact=True, convert=_i32_value),
    Read("optval", 3, size=_OPTVAL_MIN_READ, null_skip=True, when=_OPTLEN_SET),
    Read("optval_long", 3, size=LIMIT_STR_PLUS1, null_skip=True, when=_OPTLEN_SET),
    Read("filter", 3, size=_FILTER_READ, null_skip=True, when=(2, 0xFFFFFFFF, (SO_ATTACH_FILTER,))),
)  # fmt: skip


def _value(mem: dict, length: int) -> bytes | None:
    """The value's bytes as a read of min(length, max(256, -s + 1)) bytes gives them."""
    if length <= 0:
        return None
    data = mem.get("optval")
    longer = mem.get("optval_long")
    if data is None or (longer is not None and len(longer) > len(data)):
        data = longer
    return None if data is None else data[:length]


def _set_mem(mem: dict, level: int, name: int, length: int) -> dict:
    """setsockopt's captures as the decoders read them: the value cut to optlen, the
    filter's instructions to the count its sock_fprog says."""
    data = _value(mem, length)
    out: dict = {} if data is None else {"optval": data}
    fprog = fprog_head(data)
    if (
        level == SOL_SOCKET
        and name in (SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF)
        and length == SOCK_FPROG_SIZE
        and fprog is not None
        and fprog[0]
        and fprog[1]
    ):
        insns = mem.get("filter")
        out["filter"] = None if insns is None else insns[: filter_bytes(fprog[0])]
    return out


def _get_mem(mem: dict, level: int, name: int, rlen: int | None) -> dict:
    """getsockopt's value cut to the length the kernel returned (SO_GET_FILTER: a count
    of instructions)."""
    if rlen is None or rlen <= 0:
        return {}
    if level == SOL_SOCKET and name == SO_ATTACH_FILTER:
        data = mem.get("filter")
        data = None if data is None else data[: filter_bytes(rlen)]
    else:
        data = _value(mem, rlen)
    return {} if data is None else {"optval": data}


# ---- decoders --------------------------------------------------------------------------------


def _head(call: Syscall, ctx: RenderContext, getting: bool) -> list[Arg]:
    level, name = call.args[1] & 0xFFFFFFFF, call.args[2] & 0xFFFFFFFF
    return [
        ctx.fd_arg(call, call.args[0]),
        Arg(level_text(level), call.args[1], "flags", level),
        Arg(option_text(level, name, getting), call.args[2], "flags", name),
    ]


@decoder("setsockopt")
def decode_setsockopt(call: Syscall, ctx: RenderContext) -> Decoded:
    level, name, n = call.args[1] & 0xFFFFFFFF, call.args[2] & 0xFFFFFFFF, to_int(call.args[4])
    mem = _set_mem(call.mem or {}, level, name, n)
    value = set_value(level, name, mem, n, call.args[3], ctx, call)
    return Decoded([*_head(call, ctx, False), Arg(value, call.args[3], "struct"), int_arg(call.args[4])])  # fmt: skip


@decoder("getsockopt")
def decode_getsockopt(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    level, name = call.args[1] & 0xFFFFFFFF, call.args[2] & 0xFFFFFFFF
    optval, optlen = call.args[3], call.args[4]
    ulen = mem.get("optlen_in")
    if not ctx.dereferenced(call) or not optlen or ulen is None:
        # strace gives up at entry: both pointers as addresses.
        value, len_text = pointer(optval), pointer(optlen)
    else:
        ok = call.ret is not None and not call.error
        rlen = mem.get("optlen_out") if ok else None
        if rlen is None:
            value, len_text = pointer(optval), f"[{ulen}]"
        else:
            got = _get_mem(mem, level, name, rlen)
            value = get_value(level, name, got, ulen, rlen, optval, ctx, call)
            len_text = f"[{rlen}]" if rlen == ulen else f"[{ulen} => {rlen}]"
    return Decoded(
        [
            *_head(call, ctx, True),
            Arg(value, optval, "struct", at_exit=True),
            Arg(len_text, optlen, "struct", ulen, at_exit=True),
        ]
    )
