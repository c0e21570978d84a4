"""A netlink message header's type and flags, named as strace 6.1's netlink.c names them:
control messages (below NLMSG_MIN_TYPE) alike on every socket, the others by the socket's
protocol: `RTM_GETLINK`, `AUDIT_GET`, `XFRM_MSG_NEWSA`, generic netlink's families as
the kernel names them (`nlctrl`: netlink_genl.py), and netfilter's subsystem and
message pair `NFNL_SUBSYS_NFTABLES<<8|NFT_MSG_NEWTABLE`. The flags past NLM_F_ECHO are
named by what the message type does: a request for new objects, their deletion or a get.
"""

from __future__ import annotations

from tracer.syscalls.xlat import netlink_types as T
from tracer.syscalls.xlat.netlink_sock_diag import NL_SOCK_DIAG_TYPES

from .kstructs import xflags, xval
from .netlink_genl import NETLINK_GENERIC, generic_families

NLMSG_MIN_TYPE = 16
NLMSG_ERROR = 2
NETLINK_ROUTE, NETLINK_SELINUX, NETLINK_SOCK_DIAG, NETLINK_XFRM = 0, 7, 4, 6
NETLINK_AUDIT, NETLINK_NETFILTER, NETLINK_CRYPTO = 9, 12, 21
RTM_DELACTION = 49

# Protocols whose types are a plain table: the table and the name of an unknown one.
_TYPE_TABLES = {
    NETLINK_ROUTE: (T.NL_ROUTE_TYPES, "RTM_???"),
    NETLINK_SOCK_DIAG: (NL_SOCK_DIAG_TYPES, "SOCK_DIAG_???"),
    NETLINK_AUDIT: (T.NL_AUDIT_TYPES, "AUDIT_???"),
    NETLINK_CRYPTO: (T.NL_CRYPTO_TYPES, "CRYPTO_MSG_???"),
    NETLINK_SELINUX: (T.NL_SELINUX_TYPES, "SELNL_MSG_???"),
    NETLINK_XFRM: (T.NL_XFRM_TYPES, "XFRM_MSG_???"),
}
# Netfilter subsystems' message types, by subsystem id.
_NF_MSG_TYPES = {
    1: (T.NF_CTNETLINK_MSG_TYPES, "IPCTNL_MSG_CT_???"),
    2: (T.NF_CTNETLINK_EXP_MSG_TYPES, "IPCTNL_MSG_EXP_???"),
    3: (T.NF_QUEUE_MSG_TYPES, "NFQNL_MSG_???"),
    4: (T.NF_ULOG_MSG_TYPES, "NFULNL_MSG_???"),
    5: (T.NF_OSF_MSG_TYPES, "OSF_MSG_???"),
    6: (T.NF_IPSET_MSG_TYPES, "IPSET_CMD_???"),
    7: (T.NF_ACCT_MSG_TYPES, "NFNL_MSG_ACCT_???"),
    8: (T.NF_CTTIMEOUT_MSG_TYPES, "IPCTNL_MSG_TIMEOUT_???"),
    9: (T.NF_CTHELPER_MSG_TYPES, "NFNL_MSG_CTHELPER_???"),
    10: (T.NF_NFTABLES_MSG_TYPES, "NFT_MSG_???"),
    11: (T.NF_NFT_COMPAT_MSG_TYPES, "NFNL_MSG_COMPAT_???"),
    12: (T.NF_HOOK_MSG_TYPES, "NFT_MSG_HOOK_???"),
}


def _netfilter_type(mtype: int) -> str:
    """`NFNL_SUBSYS_CTNETLINK<<8|IPCTNL_MSG_CT_NEW`; the batch control types by name."""
    if mtype in T.NL_NETFILTER_MSG_TYPES:
        return xval(mtype, T.NL_NETFILTER_MSG_TYPES, "")
    subsys, msg = mtype >> 8, mtype & 0xFF
    subsys_text = xval(subsys, T.NL_NETFILTER_SUBSYS_IDS, "NFNL_SUBSYS_???")
    spec = _NF_MSG_TYPES.get(subsys)
    msg_text = xval(msg, *spec) if spec else f"{msg:#x}"
    return f"{subsys_text}<<8|{msg_text}"


def type_text(mtype: int, family: int | None) -> str:
    """nlmsg_type: a control message's name, or one of the socket protocol's types."""
    if mtype >= NLMSG_MIN_TYPE:
        if family == NETLINK_NETFILTER:
            return _netfilter_type(mtype)
        if family == NETLINK_GENERIC:
            return xval(mtype, generic_families(), "GENERIC_FAMILY_???")
        if family in _TYPE_TABLES:
            return xval(mtype, *_TYPE_TABLES[family])
    return xval(mtype, T.NETLINK_TYPES, "NLMSG_???")


# What a message type asks for, by its name, where the protocol's types do not say it by
# their numbers (NETLINK_ROUTE's do).
_NEW, _DELETE, _GET = T.NETLINK_NEW_FLAGS, T.NETLINK_DELETE_FLAGS, T.NETLINK_GET_FLAGS
_NFT_OBJECTS = ("TABLE", "CHAIN", "RULE", "SET", "SETELEM", "OBJ", "FLOWTABLE")
_FLAGS_BY_NAME = {
    **dict.fromkeys(["CRYPTO_MSG_NEWALG"], _NEW),
    **dict.fromkeys(["CRYPTO_MSG_DELALG", "CRYPTO_MSG_DELRNG"], _DELETE),
    **dict.fromkeys(["CRYPTO_MSG_GETALG"], _GET),
    **dict.fromkeys(["XFRM_MSG_NEWSA", "XFRM_MSG_NEWPOLICY", "XFRM_MSG_NEWAE",
                     "XFRM_MSG_NEWSADINFO", "XFRM_MSG_NEWSPDINFO"], _NEW),
    **dict.fromkeys(["XFRM_MSG_DELSA", "XFRM_MSG_DELPOLICY"], _DELETE),
    **dict.fromkeys(["XFRM_MSG_GETSA", "XFRM_MSG_GETPOLICY", "XFRM_MSG_GETAE",
                     "XFRM_MSG_GETSADINFO", "XFRM_MSG_GETSPDINFO"], _GET),
    **dict.fromkeys(["IPCTNL_MSG_CT_NEW", "IPCTNL_MSG_EXP_NEW", "NFNL_MSG_ACCT_NEW",
                     "IPCTNL_MSG_TIMEOUT_NEW", "NFNL_MSG_CTHELPER_NEW", "NFT_MSG_NEWGEN",
                     *(f"NFT_MSG_NEW{o}" for o in _NFT_OBJECTS)], _NEW),
    **dict.fromkeys(["IPCTNL_MSG_CT_GET", "IPCTNL_MSG_CT_GET_CTRZERO",
                     "IPCTNL_MSG_CT_GET_STATS_CPU", "IPCTNL_MSG_CT_GET_STATS",
                     "IPCTNL_MSG_CT_GET_DYING", "IPCTNL_MSG_CT_GET_UNCONFIRMED",
                     "IPCTNL_MSG_EXP_GET", "IPCTNL_MSG_EXP_GET_STATS_CPU", "NFNL_MSG_ACCT_GET",
                     "NFNL_MSG_ACCT_GET_CTRZERO", "IPCTNL_MSG_TIMEOUT_GET",
                     "NFNL_MSG_CTHELPER_GET", "NFT_MSG_GETGEN", "NFT_MSG_GETOBJ_RESET",
                     "NFNL_MSG_COMPAT_GET", "NFNL_MSG_HOOK_GET",
                     *(f"NFT_MSG_GET{o}" for o in _NFT_OBJECTS)], _GET),
    **dict.fromkeys(["IPCTNL_MSG_CT_DELETE", "IPCTNL_MSG_EXP_DELETE", "NFNL_MSG_ACCT_DEL",
                     "IPCTNL_MSG_TIMEOUT_DELETE", "NFNL_MSG_CTHELPER_DEL",
                     *(f"NFT_MSG_DEL{o}" for o in _NFT_OBJECTS)], _DELETE),
}  # fmt: skip


def _type_name(mtype: int, family: int | None) -> str | None:
    if family == NETLINK_NETFILTER:
        spec = _NF_MSG_TYPES.get(mtype >> 8)
        return spec[0].get(mtype & 0xFF) if spec else None
    table = _TYPE_TABLES.get(family)
    return table[0].get(mtype) if table else None


def _extra_flags(mtype: int, family: int | None) -> list[tuple[int, str]]:
    if mtype < NLMSG_MIN_TYPE:
        return T.NETLINK_ACK_FLAGS if mtype == NLMSG_ERROR else []
    if family == NETLINK_ROUTE:
        if mtype == RTM_DELACTION:  # takes NLM_F_ROOT flags
            return _GET
        return (_NEW, _DELETE, _GET, [])[mtype & 3]
    if family == NETLINK_SOCK_DIAG:
        return _GET
    return _FLAGS_BY_NAME.get(_type_name(mtype, family) or "", [])


def flags_text(flags: int, mtype: int, family: int | None) -> str:
    """nlmsg_flags: the common NLM_F_* flags and those of what the message type does."""
    return xflags(flags, T.NETLINK_FLAGS + _extra_flags(mtype, family), "NLM_F_???")
