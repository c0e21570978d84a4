"""The kernel's sock_diag netlink messages (linux/sock_diag.h, inet_diag.h, unix_diag.h):
constants and struct layouts shared by the two readers of socket tables, the engine's
strace -yy lookup (`engine/socket_details.py`) and the app's socket model
(`model/sock_diag.py`), and the text both give a UNIX socket, as strace -yy prints it."""

from __future__ import annotations

import struct

from tracer.syscalls import fmt

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3

NLMSG = struct.Struct("=IHHII")  # nlmsghdr
INET_REQ = struct.Struct("=BBBxI" + "HH16s16sI8s")  # inet_diag_req_v2
INET_MSG = struct.Struct("=BBBB" + "2s2s16s16sI8s" + "IIIII")  # inet_diag_msg
UNIX_REQ = struct.Struct("=BBxxIIIII")  # unix_diag_req
UNIX_MSG = struct.Struct("=BBBxIII")  # unix_diag_msg
RTA = struct.Struct("=HH")  # rtattr
UDIAG_SHOW_NAME = 0x01
UDIAG_SHOW_PEER = 0x04
UNIX_DIAG_NAME = 0
UNIX_DIAG_PEER = 2
UNIX_PATH_MAX = 108  # sizeof(sun_path): strace keeps no more of a UNIX_DIAG_NAME
SOCK_STREAM = 1


def unix_protocol(kind: int) -> str:
    """The kernel's protocol name for a UNIX socket type (its sockprotoname): streams
    are `UNIX-STREAM`; datagram and seqpacket sockets share `UNIX`."""
    return "UNIX-STREAM" if kind == SOCK_STREAM else "UNIX"


def unix_name_text(name: bytes) -> str:
    """A UNIX socket's name in -yy: `"/run/x.sock"`, or `@"name"` for an abstract one.
    strace reads it up to the first NUL (the kernel reports a path's terminating NUL;
    an abstract name may hold more) and quotes it as any string."""
    name = name[:UNIX_PATH_MAX]
    if name.startswith(b"\0"):
        return "@" + fmt.quote_path(name[1:].split(b"\0", 1)[0])
    return fmt.quote_path(name.split(b"\0", 1)[0])


def unix_endpoint(protocol: str, inode: int, peer: int, name: bytes | None) -> str | None:
    """`UNIX-STREAM:[12->13,"/run/x.sock"]`: the socket, its peer, its (or its listening
    socket's) name; None when the kernel knows neither peer nor name, where strace
    falls back to `PROTOCOL:[inode]`."""
    if not peer and not name:
        return None
    text = f"{protocol}:[{inode}"
    if peer:
        text += f"->{peer}"
    if name:
        text += "," + unix_name_text(name)
    return text + "]"
