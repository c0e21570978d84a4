"""NETLINK_ROUTE message payloads, as strace 6.1's netlink_route.c dispatches them: each
RTM_* type to the decoder of its header and attributes (rtnl_*.py).

`{ifi_family=AF_UNSPEC, ifi_type=ARPHRD_LOOPBACK, ...}, [[{nla_len=7, nla_type=IFLA_IFNAME},
"lo"], ...]`: the fixed header, then its attributes (netlink_values.py has the helpers).
"""

from __future__ import annotations

import socket

from tracer.syscalls.xlat import netlink_misc as X

from .netlink_values import FdText, Msg, family_then_attrs
from .rtnl_addr_route import fib_rule_hdr, ifaddrlblmsg, ifaddrmsg, ndmsg, netconfmsg, nhmsg, rtmsg
from .rtnl_link import ifinfomsg
from .rtnl_misc import NDTA, NETNSA, br_port_msg, cachereport, dcbmsg
from .rtnl_stats import ifstatsmsg
from .rtnl_tc import TCA_ACT, tcmsg

# ---- dispatch (netlink_route.c's route_decoders) ---------------------------------------------

_DECODERS = {16: ifinfomsg, 17: ifinfomsg, 18: ifinfomsg, 19: ifinfomsg,
             20: ifaddrmsg, 21: ifaddrmsg, 22: ifaddrmsg, 58: ifaddrmsg, 62: ifaddrmsg,
             24: rtmsg, 25: rtmsg, 26: rtmsg, 28: ndmsg, 29: ndmsg, 30: ndmsg,
             32: fib_rule_hdr, 33: fib_rule_hdr, 34: fib_rule_hdr,
             **dict.fromkeys([36, 37, 38, 40, 41, 42, 44, 45, 46, 100, 101, 102], tcmsg),
             **dict.fromkeys([48, 49, 50], family_then_attrs(
                 "tca_family", X.RTNL_TC_ACTION_ATTRS, "TCA_ACT_???", TCA_ACT)),
             **dict.fromkeys([64, 66, 67], family_then_attrs(
                 "ndtm_family", X.RTNL_NEIGHTBL_ATTRS, "NDTA_???", NDTA)),
             72: ifaddrlblmsg, 73: ifaddrlblmsg, 74: ifaddrlblmsg,
             78: dcbmsg, 79: dcbmsg,
             80: netconfmsg, 81: netconfmsg, 82: netconfmsg,
             84: br_port_msg, 85: br_port_msg, 86: br_port_msg,
             **dict.fromkeys([88, 89, 90], family_then_attrs(
                 "rtgen_family", X.RTNL_NSID_ATTRS, "NETNSA_???", NETNSA)),
             92: ifstatsmsg, 94: ifstatsmsg,
             96: cachereport,
             104: nhmsg, 105: nhmsg, 106: nhmsg}  # fmt: skip


def route_payload(data: bytes, off: int, length: int, mtype: int, fam: str, strsize: int, abbrev: bool,
                  fd_text: FdText = str) -> str | None:  # fmt: skip
    """The payload of NETLINK_ROUTE message type `mtype`, or None if not decoded here."""
    decode = _DECODERS.get(mtype)
    if decode is None:
        return None
    family = data[off]
    if mtype == 30 and family == socket.AF_BRIDGE:  # RTM_GETNEIGH for AF_BRIDGE: an ifinfomsg
        decode = ifinfomsg
    return decode(data, off, length, Msg(strsize, abbrev, family, fd_text=fd_text), fam)
