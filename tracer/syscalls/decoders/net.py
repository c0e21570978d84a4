"""Socket calls: socket, socketpair, bind/connect/accept, names, listen/shutdown, sendto/recvfrom.

Message calls (sendmsg/recvmsg/...) live in `msghdr.py`, socket options in `sockopt.py`.
"""

from __future__ import annotations

import socket
import struct

from tracer.events import Syscall
from tracer.syscalls.capture import (
    LIMIT_DATA,
    CaptureLimits,
    FdsIn,
    MemoryReader,
    Read,
    SocketHandoff,
    declare_entry,
    declare_exit,
    fd_args,
    on_entry,
)
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import net as x

from .kstructs import complete, i32, int_arg, xflags, xval
from .netlink import (
    NETLINK_KEY,
    NETLINK_READ_MAX,
    NETLINK_ROUTE,
    capture_family,
    render_netlink,
)
from .netlink_fds import route_message_fds
from .sockaddr import SOCKADDR_MAX, family_name, render_sockaddr
from .sockaddr_families import xdp_umem_fd

# ---- rendering helpers shared with msghdr.py ---------------------------------------------------


def msg_flags(value: int) -> str:
    return xflags(value & 0xFFFFFFFF, x.MSG_FLAGS, "MSG_???")


def socket_type(value: int) -> str:
    """The type, then its flags, each styled by -X on its own as strace prints them:
    `0x1 /* SOCK_STREAM */|0x80800 /* SOCK_CLOEXEC|SOCK_NONBLOCK */`."""
    value &= 0xFFFFFFFF
    base = value & x.SOCK_TYPE_MASK
    if base not in x.SOCKET_TYPES:  # strace then prints the whole word as flags
        return xflags(value, x.SOCKET_TYPE_FLAGS, "SOCK_???")
    text = xval(base, x.SOCKET_TYPES, "SOCK_???")
    rest = value & ~x.SOCK_TYPE_MASK
    if rest:
        text += "|" + xflags(rest, x.SOCKET_TYPE_FLAGS, "SOCK_???")
    return text


# socket()'s protocol tables by family: (table, name for unknown values).
_PROTOCOLS_BY_FAMILY: dict[int, tuple[dict[int, str], str]] = {
    socket.AF_INET: (x.IP_PROTOCOLS, "IPPROTO_???"),
    socket.AF_INET6: (x.IP_PROTOCOLS, "IPPROTO_???"),
    socket.AF_NETLINK: (x.NETLINK_PROTOCOLS, "NETLINK_???"),
    23: (x.CAN_PROTOCOLS, "IRDAPROTO_???"),  # AF_IRDA, strace looks it up in the CAN table
    29: (x.CAN_PROTOCOLS, "CAN_???"),  # AF_CAN
    31: (x.BLUETOOTH_PROTOCOLS, "BTPROTO_???"),  # AF_BLUETOOTH
    33: (x.ADDRESS_FAMILIES, "AF_???"),  # AF_RXRPC
    34: (x.ISDN_PROTOCOLS, "ISDN_P_???"),  # AF_ISDN
    35: (x.PHONET_PROTOCOLS, "PN_PROTO_???"),  # AF_PHONET
    37: (x.CAIF_PROTOCOLS, "CAIFPROTO_???"),  # AF_CAIF
    39: (x.NFC_PROTOCOLS, "NFC_SOCKPROTO_???"),  # AF_NFC
    41: (x.KCM_PROTOCOLS, "KCMPROTO_???"),  # AF_KCM
    43: (x.SMC_PROTOCOLS, "SMCPROTO_???"),  # AF_SMC
}


def socket_protocol(family: int, proto: int) -> str:
    """socket()'s protocol: named by the family's table; `family` and `proto` are the
    whole register words, as strace switches on them (an unknown family: in decimal)."""
    family &= 0xFFFFFFFFFFFFFFFF
    proto &= 0xFFFFFFFFFFFFFFFF
    if family == socket.AF_PACKET:
        eth = socket.ntohs(proto & 0xFFFF)
        return f"htons({xval(eth, x.ETHERNET_PROTOCOLS, 'ETH_P_???')})"
    known = _PROTOCOLS_BY_FAMILY.get(family)
    if known is None:
        return str(proto)
    return xval(proto, *known)


def socklen_text(len_in: int | None, len_out: int | None, addr: int) -> str:
    """`[16]`, or `[128 => 16]` when the kernel changed the length."""
    if len_in is None:
        return pointer(addr)
    if len_out is None or len_out == len_in:
        return f"[{len_in}]"
    return f"[{len_in} => {len_out}]"


def _read_socklen(mem: MemoryReader, addr: int) -> int | None:
    data = complete(mem.read(addr, 4), 4) if addr else None
    return i32(data) if data is not None else None


_INT_PAIR = struct.Struct("<ii")

# ---- socket, socketpair ------------------------------------------------------------------------


@decoder("socket")
def decode_socket(call: Syscall, ctx: RenderContext) -> Decoded:
    fam = to_int(call.args[0])
    proto = to_int(call.args[2])
    return Decoded(
        [
            Arg(family_name(call.args[0] & 0xFFFFFFFFFFFFFFFF), call.args[0], "flags", fam),
            Arg(socket_type(call.args[1]), call.args[1], "flags"),
            Arg(socket_protocol(call.args[0], call.args[2]), call.args[2], "flags", proto),
        ],
        ret_fd=True,
    )


# The two new sockets, which appear only in memory: -y names them (FdsIn at exit).
declare_exit(
    "socketpair",
    Read("pair", 3, 8, exact=True, null_skip=True, bad_skip=True, convert=_INT_PAIR.unpack),
    FdsIn(3, -1, 4, count=2),
)


@decoder("socketpair")
def decode_socketpair(call: Syscall, ctx: RenderContext) -> Decoded:
    fam = to_int(call.args[0])
    pair = (call.mem or {}).get("pair")
    if pair is not None and not call.error:
        text = f"[{ctx.fd(call, pair[0])}, {ctx.fd(call, pair[1])}]"
    else:
        text = pointer(call.args[3])
    return Decoded(
        [
            Arg(family_name(call.args[0] & 0xFFFFFFFFFFFFFFFF), call.args[0], "flags", fam),
            Arg(socket_type(call.args[1]), call.args[1], "flags"),
            Arg(str(call.args[2] & 0xFFFFFFFFFFFFFFFF), call.args[2], "flags"),  # in decimal
            Arg(text, call.args[3], "struct", pair, at_exit=True),
        ]
    )


# ---- bind, connect: input address --------------------------------------------------------------


@on_entry("bind", "connect")
def _capture_sockaddr_in(mem: MemoryReader, args, limits: CaptureLimits):
    n = to_int(args[2])
    if not args[1] or n <= 0:
        return None
    data = mem.read(args[1], min(n, SOCKADDR_MAX))
    got: dict = {"sockaddr": data}
    fd = xdp_umem_fd(data)
    if fd is not None:  # named under -y as strace names it
        got["_fds"] = [fd]
    return got


@decoder("bind", "connect")
def decode_bind(call: Syscall, ctx: RenderContext) -> Decoded:
    n = to_int(call.args[2])
    text, value = render_sockaddr(
        (call.mem or {}).get("sockaddr"), n, call.args[1], lambda fd: ctx.fd(call, fd)
    )
    return Decoded([ctx.fd_arg(call, call.args[0]), Arg(text, call.args[1], "struct", value),
                    int_arg(call.args[2])])  # fmt: skip


# ---- accept, getsockname, getpeername: output address ------------------------------------------


# accept, accept4, getsockname and getpeername as data, so that the C core takes them
# whole: the address is read as long as the length the kernel wrote back (`size_ptr`),
# at most a sockaddr_storage, and kept exactly that long (the explorer takes an
# endpoint from it); recvfrom's address is read the same way.
def _socklen(data: bytes) -> int:
    return i32(data)


def _len_read(key: str, pos: int) -> Read:
    return Read(key, pos, size=4, null_skip=True, exact=True, convert=_socklen)


_ADDRESS_OUT = ("accept", "accept4", "getsockname", "getpeername")
declare_entry(_ADDRESS_OUT, _len_read("addrlen_in", 2))
declare_entry("recvfrom", _len_read("addrlen_in", 5))
declare_exit(
    _ADDRESS_OUT,
    _len_read("addrlen_out", 2),
    # a length <= 0 gives b"", as mem.read did (0 printed no address either way)
    Read("sockaddr", 1, size_ptr=2, cap=SOCKADDR_MAX, null_skip=True),
)


def sockaddr_out_args(call: Syscall, addr_i: int, len_i: int) -> list[Arg]:
    """The (addr, addrlen) pair of accept/getsockname/recvfrom, printed at exit."""
    mem = call.mem or {}
    addr, lenp = call.args[addr_i], call.args[len_i]
    len_in = mem.get("addrlen_in")
    ok = call.ret is not None and not call.error
    len_out = mem.get("addrlen_out") if ok else None
    value = None
    if not addr:
        addr_text = "NULL"
    elif not ok or not lenp or not len_out:
        addr_text = pointer(addr)
    else:
        addr_text, value = render_sockaddr(
            mem.get("sockaddr"), min(len_out, len_in or len_out), addr
        )
    if not lenp:
        len_text = "NULL"
    elif not addr:  # strace reads no length for no address: the pointer, as it is
        len_text = pointer(lenp)
    else:
        len_text = socklen_text(len_in, len_out, lenp)
    return [Arg(addr_text, addr, "struct", value, at_exit=True),
            Arg(len_text, lenp, "struct", len_out, at_exit=True)]  # fmt: skip


@decoder("accept")
def decode_accept(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), *sockaddr_out_args(call, 1, 2)], ret_fd=True)


@decoder("getsockname", "getpeername")
def decode_getsockname(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), *sockaddr_out_args(call, 1, 2)])


@decoder("accept4")
def decode_accept4(call: Syscall, ctx: RenderContext) -> Decoded:
    flags = xflags(call.args[3] & 0xFFFFFFFF, x.SOCKET_TYPE_FLAGS, "SOCK_???")
    return Decoded(
        [
            ctx.fd_arg(call, call.args[0]),
            *sockaddr_out_args(call, 1, 2),
            Arg(flags, call.args[3], "flags"),
        ],  # fmt: skip
        ret_fd=True,
    )


# ---- listen, shutdown ---------------------------------------------------------------------------


@decoder("listen")
def decode_listen(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ctx.fd_arg(call, call.args[0]), int_arg(call.args[1])])


@decoder("shutdown")
def decode_shutdown(call: Syscall, ctx: RenderContext) -> Decoded:
    how = to_int(call.args[1])
    return Decoded([ctx.fd_arg(call, call.args[0]),
                    Arg(xval(how, x.SHUTDOWN_MODES, "SHUT_???"), call.args[1], "flags", how)])  # fmt: skip


# ---- sendto, recvfrom ---------------------------------------------------------------------------


def _sendto_netlink(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    """A netlink socket's message: its protocol, the message up to 64 KiB (strace decodes
    it whole), and under -y the fds a route message names."""
    family = capture_family(mem, to_int(args[0]))
    if family is None:
        return None
    got: dict = {NETLINK_KEY: family}
    n = args[2] & 0xFFFFFFFFFFFFFFFF
    if args[1] and n > limits.data_limit:
        got["buf"] = mem.read(args[1], min(n, NETLINK_READ_MAX))
    if family == NETLINK_ROUTE and limits.fd_paths:
        buf = got["buf"] if "buf" in got else (mem.read(args[1], min(n, limits.data_limit)) if args[1] and n else None)  # fmt: skip
        fds = route_message_fds(buf or b"")
        if fds:
            got["_fds"] = fds
    return got


# As data, so the C core takes sendto and recvfrom whole, but on a netlink socket.
declare_entry(
    "sendto",
    Read("buf", 1, size_arg=2, cap=LIMIT_DATA, null_skip=True),  # 0 bytes: "" as strace
    # a socklen_t: nothing for a negative one
    Read("sockaddr", 4, size_arg=5, cap=SOCKADDR_MAX, null_skip=True, nonpos_empty=False,
         when=(5, 0x80000000, (0,))),
    SocketHandoff(0, b"NETLINK", _sendto_netlink),
)  # fmt: skip


def socket_buffer(call: Syscall, ctx: RenderContext, data: bytes | None, length: int, addr: int) -> str:  # fmt: skip
    """decode_sockbuf: netlink messages on a netlink socket (when dereferenced), else the bytes."""
    family = (call.mem or {}).get(NETLINK_KEY)
    if family is not None and ctx.dereferenced(call) and addr:
        return render_netlink(data, length, family, ctx.strsize, ctx.abbreviated(call), addr,
                              lambda fd: ctx.fd(call, fd))  # fmt: skip
    return quote_buffer(data, length, ctx.strsize, addr)


@decoder("sendto")
def decode_sendto(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    n = call.args[2] & 0xFFFFFFFFFFFFFFFF
    buf = socket_buffer(call, ctx, mem.get("buf"), n, call.args[1])
    if call.args[4]:
        addr_text, value = render_sockaddr(mem.get("sockaddr"), to_int(call.args[5]), call.args[4])
    else:
        addr_text, value = "NULL", None
    return Decoded(
        [
            ctx.fd_arg(call, call.args[0]),
            Arg(buf, call.args[1], "buf", mem.get("buf")),
            Arg(str(n), call.args[2], "int", n),
            Arg(msg_flags(call.args[3]), call.args[3], "flags"),
            Arg(addr_text, call.args[4], "struct", value),
            int_arg(call.args[5]),
        ]
    )


def _recvfrom_netlink(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    """A netlink socket's message: its protocol and the message up to 64 KiB."""
    family = capture_family(mem, to_int(args[0]))
    if family is None:
        return None
    got: dict = {NETLINK_KEY: family}
    n = _received(ret, args[2])
    if args[1] and n > limits.data_limit:
        got["buf"] = mem.read(args[1], min(n, NETLINK_READ_MAX))
    return got


# The data the call returned (with MSG_TRUNC the return value may pass the buffer's
# size: the decoder keeps the buffer's worth), the address as accept's is read.
declare_exit(
    "recvfrom",
    _len_read("addrlen_out", 5),
    Read("sockaddr", 4, size_ptr=5, cap=SOCKADDR_MAX, null_skip=True),
    Read("buf", 1, size_ret=True, cap=LIMIT_DATA, null_skip=True),
    SocketHandoff(0, b"NETLINK", _recvfrom_netlink),
)


def _received(ret: int, size: int) -> int:
    """The bytes a receive wrote to its buffer: with MSG_TRUNC it returns the datagram's
    whole length, which may be more than the buffer holds."""
    return min(ret, size & 0xFFFFFFFFFFFFFFFF)


@decoder("recvfrom")
def decode_recvfrom(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    ok = call.ret is not None and not call.error
    data = mem.get("buf")
    if ok:
        n = _received(call.ret, call.args[2])
        if data:
            data = data[:n]  # the read took the return value's worth (MSG_TRUNC: more)
        buf = socket_buffer(call, ctx, b"" if "buf" not in mem else data, n, call.args[1])
    else:
        buf = pointer(call.args[1])
    return Decoded(
        [
            ctx.fd_arg(call, call.args[0]),
            Arg(buf, call.args[1], "buf", data, at_exit=True),
            Arg(str(call.args[2] & 0xFFFFFFFFFFFFFFFF), call.args[2], "int"),
            Arg(msg_flags(call.args[3]), call.args[3], "flags"),
            *sockaddr_out_args(call, 4, 5),
        ]
    )


fd_args((0,), "bind", "connect", "accept", "accept4", "getsockname", "getpeername", "listen",
        "shutdown", "sendto", "recvfrom", "setsockopt", "getsockopt", "sendmsg", "recvmsg",
        "sendmmsg", "recvmmsg")  # fmt: skip
