"""NETLINK_ROUTE traffic control messages, as strace 6.1's rtnl_tc.c and rtnl_tc_action.c
print them: struct tcmsg with TCA_* (qdiscs, classes, filters, chains) and struct tcamsg
with TCA_ACT_* (actions).
"""

from __future__ import annotations

import struct

from tracer.syscalls.xlat import netlink_misc as X

from .netlink_values import (
    Msg,
    by_name,
    header_unread,
    nested,
    nla_str,
    partial,
    struct_decoder,
    u8,
    u32,
    u64,
    with_attrs,
    xlat_decoder,
)
from .nlattr import Body, print_array
from .sockaddr import ifindex_text

# ---- traffic control: struct tcmsg and TCA_*, struct tcamsg and TCA_ACT_* (rtnl_tc*.c) -------

_TCA_STATS = by_name(X.RTNL_TCA_STATS_ATTRS, {
    "TCA_STATS_BASIC": struct_decoder("QI", "bytes packets"),
    "TCA_STATS_RATE_EST": struct_decoder("II", "bps pps"),
    "TCA_STATS_QUEUE": struct_decoder("5I", "qlen backlog drops requeues overlimits"),
    "TCA_STATS_RATE_EST64": struct_decoder("QQ", "bps pps"),
    "TCA_STATS_BASIC_HW": struct_decoder("QI", "bytes packets"),
    "TCA_STATS_PKT64": u64,
})  # fmt: skip
_tc_stats = nested(X.RTNL_TCA_STATS_ATTRS, "TCA_STATS_???", _TCA_STATS)


@partial
def _stab_data(raw: Body, m: Msg) -> str | None:
    if not len(raw) // 2:
        return None
    return print_array(raw, 2, lambda elem, _i: str(int.from_bytes(elem, "little")), m.strsize,
                       m.abbrev)  # fmt: skip


TCA = by_name(X.RTNL_TC_ATTRS, {
    "TCA_KIND": nla_str,
    "TCA_STATS": struct_decoder("Q7I", "bytes packets drops overlimits bps pps qlen backlog"),
    "TCA_RATE": struct_decoder("bB", "interval ewma_log"), "TCA_FCNT": u32, "TCA_STATS2": _tc_stats,
    "TCA_STAB": nested(X.RTNL_TCA_STAB_ATTRS, "TCA_STAB_???", {
        1: struct_decoder("BBhiIIII", "cell_log size_log cell_align overhead linklayer mpu mtu tsize"),
        2: _stab_data}),
    "TCA_CHAIN": u32, "TCA_HW_OFFLOAD": u8, "TCA_INGRESS_BLOCK": u32, "TCA_EGRESS_BLOCK": u32,
    "TCA_DUMP_FLAGS": u32,
})  # fmt: skip
_HW_STATS = xlat_decoder(X.RTNL_TCA_ACT_HW_STATS, "TCA_ACT_HW_STATS_???", 4, flags=True)
TCA_ACT = by_name(X.RTNL_TC_ACTION_ATTRS, {
    "TCA_ACT_KIND": nla_str, "TCA_ACT_INDEX": u32, "TCA_ACT_STATS": _tc_stats,
    "TCA_ACT_FLAGS": xlat_decoder(X.RTNL_TCA_ACT_FLAGS, "TCA_ACT_FLAGS_???", 4, flags=True),
    "TCA_ACT_HW_STATS": _HW_STATS, "TCA_ACT_USED_HW_STATS": _HW_STATS,
    "TCA_ACT_IN_HW_COUNT": u32,
})  # fmt: skip


def tcmsg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 20, "tcm_family", fam)) is not None:
        return short
    index, handle, parent, info = struct.unpack_from("<iIII", data, off + 4)
    text = (f"{{tcm_family={fam}, tcm_ifindex={ifindex_text(index & 0xFFFFFFFF)}, "
            f"tcm_handle={handle}, tcm_parent={parent}, tcm_info={info}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 20, m, X.RTNL_TC_ATTRS, "TCA_???", TCA)
