"""NETLINK_ROUTE statistics messages (RTM_NEWSTATS, RTM_GETSTATS): struct if_stats_msg and
its IFLA_STATS_* attributes, as strace 6.1's rtnl_stats.c prints them.
"""

from __future__ import annotations

import struct

from tracer.syscalls.xlat import netlink_link as L

from .netlink_values import Msg, flags_text, header_unread, hex0, with_attrs
from .nlattr import Body
from .rtnl_link import link_stats
from .sockaddr import ifindex_text

# ---- RTM_NEWSTATS, RTM_GETSTATS: struct if_stats_msg, IFLA_STATS_* (rtnl_stats.c) ------------
# Only IFLA_STATS_LINK_64 is decoded yet; the nested xstats, offload and per-family
# statistics print in hex where strace decodes them.

IFLA_STATS = {1: link_stats("Q", (184, 192, 200))}


def ifstatsmsg(data: Body, off: int, length: int, m: Msg, fam: str) -> str:
    if (short := header_unread(data, off, length, 12, "family", fam)) is not None:
        return short
    pad1, pad2, index, mask = struct.unpack_from("<BHII", data, off + 1)
    pads = (f"pad1={hex0(pad1)}, " if pad1 else "") + (f"pad2={hex0(pad2)}, " if pad2 else "")
    text = (f"{{family={fam}, {pads}ifindex={ifindex_text(index)}, "
            f"filter_mask={flags_text(mask, L.IFSTATS_ATTR_FLAGS, '1<<IFLA_STATS_???')}}}")  # fmt: skip
    return with_attrs(text, data, off, length, 12, m, L.IFSTATS_ATTRS, "IFLA_STATS_???", IFLA_STATS)
