"""The kernel's sock_diag netlink messages (linux/sock_diag.h, inet_diag.h, unix_diag.h):
constants and struct layouts shared by the two readers of socket tables, the engine's
strace -yy lookup (`engine/socket_details.py`) and the app's socket model
(`model/sock_diag.py`)."""

from __future__ import annotations

import struct

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
