"""Netlink messages print as strace 6.1 prints them: on a NETLINK_ROUTE socket, the
RTM_GETADDR dump glibc's getaddrinfo sends (sendto) and its replies (recvmsg, recv) with
their ifaddrmsg headers and IFA_* attributes, NLMSG_DONE, an NLMSG_ERROR answer, a buffer
shorter than a header and an unknown type, under -v, -s and -X; link, route, neighbour
and rule messages (ifinfomsg, rtmsg, ndmsg, fib_rule_hdr and their nested attributes),
crafted by a C program and as iproute2's `ip` exchanges them. strace itself is the
oracle: both tracers run the same program with the same options."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import run_tracetui, strip_pid
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize(
    "options",
    [[], ["-v"], ["-s", "8"], ["-X", "raw"], ["-X", "verbose"]],
    ids=["default", "v", "short-strings", "raw", "verbose"],
)
def test_route_messages_print_as_strace_does(tmp_path, options):
    lines = compare_with_strace(tmp_path, "netlink", ["-f", *options])
    assert any(line.startswith("recvmsg(") and "nlmsg_len=" in line for line in lines)
    assert any(line.startswith("recvfrom(") and "error=" in line for line in lines)


# Link (with tun, bridge and bridge port attributes), route, neighbour, rule, nexthop and
# netconf messages with the attributes strace decodes, sent without NLM_F_REQUEST so that the kernel
# ignores them.
NL_HELPERS = r"""
#define _GNU_SOURCE
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/nexthop.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[8192] __attribute__((aligned(4)));
static int len;

static void start(int type, const void *hdr, int hlen)
{
        memset(buf, 0, sizeof buf);
        struct nlmsghdr *nh = (struct nlmsghdr *)buf;
        nh->nlmsg_type = type;
        nh->nlmsg_seq = 1;
        memcpy(buf + NLMSG_HDRLEN, hdr, hlen);
        len = NLMSG_HDRLEN + NLMSG_ALIGN(hlen);
}

static int attr(int type, const void *data, int dlen)
{
        struct nlattr *a = (struct nlattr *)(buf + len);
        int at = len;
        a->nla_type = type;
        a->nla_len = NLA_HDRLEN + dlen;
        if (data)
                memcpy(buf + len + NLA_HDRLEN, data, dlen);
        len += NLA_ALIGN(a->nla_len);
        return at;
}

static int nest(int type) { return attr(type | NLA_F_NESTED, NULL, 0); }
static void end(int at) { ((struct nlattr *)(buf + at))->nla_len = len - at; }
static void u8a(int type, uint8_t v) { attr(type, &v, 1); }
static void u16a(int type, uint16_t v) { attr(type, &v, 2); }
static void u32a(int type, uint32_t v) { attr(type, &v, 4); }
static void stra(int type, const char *s) { attr(type, s, strlen(s) + 1); }

static void send_it(int fd)
{
        ((struct nlmsghdr *)buf)->nlmsg_len = len;
        sendto(fd, buf, len, MSG_DONTWAIT, NULL, 0);
}

"""
NLROUTE_C = (
    NL_HELPERS
    + r"""
int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl); /* unbound, its protocol is not listed */

        /* RTM_NEWLINK: an ifinfomsg with the attributes ip prints. */
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_type = ARPHRD_ETHER, .ifi_index = 1,
                                .ifi_flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | 0x100000,
                                .ifi_change = 0xffffffff};
        start(RTM_NEWLINK, &ifi, sizeof ifi);
        stra(IFLA_IFNAME, "tun7");
        uint8_t mac[6] = {2, 0xfc, 0, 0x12, 0x34, 0x56}, bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        attr(IFLA_ADDRESS, mac, 6);
        attr(IFLA_BROADCAST, bcast, 6);
        u32a(IFLA_MTU, 1500);
        u8a(IFLA_OPERSTATE, 6);
        stra(IFLA_QDISC, "fq_codel");
        struct rtnl_link_stats st = {.rx_packets = 1, .tx_packets = 2, .rx_bytes = 300, .rx_nohandler = 9};
        attr(IFLA_STATS, &st, sizeof st);
        struct rtnl_link_stats64 st64 = {.rx_packets = 1ULL << 40, .tx_bytes = 5, .collisions = 7};
        attr(IFLA_STATS64, &st64, sizeof st64);
        attr(IFLA_STATS64, &st64, 23 * 8); /* an older kernel's size */
        struct rtnl_link_ifmap map = {.mem_start = 0xd000, .mem_end = 0xdfff, .irq = 11, .dma = 3};
        attr(IFLA_MAP, &map, sizeof map);
        int li = nest(IFLA_LINKINFO);
        stra(IFLA_INFO_KIND, "tun");
        int data = nest(IFLA_INFO_DATA);
        u8a(IFLA_TUN_TYPE, 1);
        u32a(IFLA_TUN_OWNER, 1000);
        u32a(IFLA_TUN_GROUP, 0xffffffff);
        u8a(IFLA_TUN_PI, 1);
        u32a(IFLA_TUN_NUM_QUEUES, 1);
        end(data);
        end(li);
        int af = nest(IFLA_AF_SPEC);
        int inet = nest(AF_INET);
        int32_t conf[4] = {1, 0, 0, 1};
        attr(IFLA_INET_CONF, conf, sizeof conf);
        end(inet);
        int inet6 = nest(AF_INET6);
        u32a(IFLA_INET6_FLAGS, 0x80000010);
        struct in6_addr tok;
        inet_pton(AF_INET6, "::1:2", &tok);
        attr(IFLA_INET6_TOKEN, &tok, sizeof tok);
        u8a(IFLA_INET6_ADDR_GEN_MODE, 3);
        struct ifla_cacheinfo ci = {1280, 99, 30000, 1000};
        attr(IFLA_INET6_CACHEINFO, &ci, sizeof ci);
        uint64_t stats6[3] = {3, 1, 7};
        attr(IFLA_INET6_STATS, stats6, sizeof stats6);
        end(inet6);
        end(af);
        u32a(IFLA_EXT_MASK, RTEXT_FILTER_VF | 0x800);
        u32a(IFLA_EVENT, 2);
        int xdp = nest(IFLA_XDP);
        u8a(IFLA_XDP_ATTACHED, 1);
        u32a(IFLA_XDP_FLAGS, 2);
        u32a(IFLA_XDP_PROG_ID, 42);
        end(xdp);
        int pl = nest(IFLA_PROP_LIST);
        stra(IFLA_ALT_IFNAME, "alt-name");
        end(pl);
        u32a(IFLA_NEW_IFINDEX, 1);
        u8a(0x43, 1); /* unknown to strace 6.1 */
        send_it(fd);

        /* A bridge port's RTM_GETNEIGH: an ifinfomsg too; a short one. */
        struct ifinfomsg br = {.ifi_family = AF_BRIDGE};
        start(RTM_GETNEIGH, &br, sizeof br);
        send_it(fd);
        start(RTM_DELLINK, &br, 8);
        len = NLMSG_HDRLEN + 8;
        send_it(fd);

        /* RTM_NEWROUTE: an IPv4 route with metrics, cache info and a multipath. */
        struct rtmsg rt = {.rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_tos = 0x10,
                           .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                           .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST,
                           .rtm_flags = RTM_F_NOTIFY | RTM_F_CLONED};
        start(RTM_NEWROUTE, &rt, sizeof rt);
        struct in_addr a4;
        inet_pton(AF_INET, "198.51.100.0", &a4);
        attr(RTA_DST, &a4, 4);
        inet_pton(AF_INET, "192.0.2.1", &a4);
        attr(RTA_GATEWAY, &a4, 4);
        attr(RTA_PREFSRC, &a4, 4);
        u32a(RTA_OIF, 1);
        u32a(RTA_IIF, 99999);
        u32a(RTA_PRIORITY, 100);
        u32a(RTA_TABLE, 1000);
        u32a(RTA_MARK, 7);
        u8a(RTA_PREF, 3);
        u16a(RTA_ENCAP_TYPE, 2);
        int mx = nest(RTA_METRICS);
        u32a(RTAX_MTU, 1400);
        u32a(RTAX_HOPLIMIT, 64);
        stra(RTAX_CC_ALGO, "cubic");
        end(mx);
        struct rta_cacheinfo rci = {.rta_clntref = 1, .rta_lastuse = 2, .rta_expires = 3,
                                    .rta_error = 4, .rta_used = 5, .rta_id = 0x60, .rta_ts = 7};
        attr(RTA_CACHEINFO, &rci, sizeof rci);
        int mp = attr(RTA_MULTIPATH, NULL, 0);
        for (int i = 0; i < 2; i++) {
                struct rtnexthop *nh = (struct rtnexthop *)(buf + len);
                nh->rtnh_flags = i ? RTNH_F_ONLINK : 0;
                nh->rtnh_hops = i;
                nh->rtnh_ifindex = 1;
                int at = len;
                len += RTNH_ALIGN(sizeof *nh);
                attr(RTA_GATEWAY, &a4, 4);
                nh->rtnh_len = len - at;
        }
        end(mp);
        send_it(fd);

        /* An IPv6 route asked for, with a via and a table with no name. */
        struct rtmsg rt6 = {.rtm_family = AF_INET6, .rtm_dst_len = 128, .rtm_table = 100,
                            .rtm_protocol = 200, .rtm_scope = 100, .rtm_type = 42, .rtm_flags = 0x10000};
        start(RTM_GETROUTE, &rt6, sizeof rt6);
        struct in6_addr a6;
        inet_pton(AF_INET6, "2001:db8::1", &a6);
        attr(RTA_DST, &a6, 16);
        attr(RTA_SRC, &a6, 8); /* too short for an address */
        struct { uint16_t family; uint8_t addr[16]; } via = {AF_INET6};
        memcpy(via.addr, &a6, 16);
        attr(RTA_VIA, &via, 18);
        u32a(RTA_TABLE, RT_TABLE_LOCAL);
        uint64_t expires = 12345;
        attr(RTA_EXPIRES, &expires, 8);
        send_it(fd);
        start(RTM_DELROUTE, &rt6, 6);
        len = NLMSG_HDRLEN + 6;
        send_it(fd);

        /* RTM_NEWNEIGH: an IPv4 and an IPv6 neighbour. */
        struct ndmsg nd = {.ndm_family = AF_INET, .ndm_ifindex = 1,
                           .ndm_state = NUD_REACHABLE | NUD_PERMANENT, .ndm_flags = NTF_ROUTER,
                           .ndm_type = RTN_UNICAST};
        start(RTM_NEWNEIGH, &nd, sizeof nd);
        inet_pton(AF_INET, "192.0.2.7", &a4);
        attr(NDA_DST, &a4, 4);
        attr(NDA_LLADDR, mac, 6);
        struct nda_cacheinfo nci = {10, 20, 30, 1};
        attr(NDA_CACHEINFO, &nci, sizeof nci);
        u32a(NDA_PROBES, 3);
        u16a(NDA_PORT, htons(4789));
        u32a(NDA_IFINDEX, 1);
        u8a(NDA_PROTOCOL, 6);
        send_it(fd);
        struct ndmsg nd6 = {.ndm_family = AF_INET6, .ndm_state = NUD_NONE, .ndm_type = 99};
        start(RTM_GETNEIGH, &nd6, sizeof nd6);
        inet_pton(AF_INET6, "fe80::1", &a6);
        attr(NDA_DST, &a6, 16);
        u16a(NDA_NDM_STATE_MASK, NUD_FAILED);
        u8a(NDA_NDM_FLAGS_MASK, 0);
        send_it(fd);

        /* RTM_NEWRULE: a fib_rule_hdr with its FRA_* attributes. */
        struct fib_rule_hdr fr = {.family = AF_INET, .src_len = 8, .table = RT_TABLE_MAIN,
                                  .action = FR_ACT_TO_TBL, .flags = FIB_RULE_INVERT};
        start(RTM_NEWRULE, &fr, sizeof fr);
        inet_pton(AF_INET, "10.0.0.0", &a4);
        attr(FRA_SRC, &a4, 4);
        u32a(FRA_PRIORITY, 32766);
        u32a(FRA_TABLE, 254);
        stra(FRA_IIFNAME, "lo");
        u8a(FRA_PROTOCOL, RTPROT_KERNEL);
        struct fib_rule_uid_range ur = {1000, 2000};
        attr(FRA_UID_RANGE, &ur, sizeof ur);
        struct fib_rule_port_range pr = {80, 443};
        attr(FRA_DPORT_RANGE, &pr, sizeof pr);
        uint64_t tun_id = htobe64(77);
        attr(FRA_TUN_ID, &tun_id, 8);
        send_it(fd);

        /* A bridge and its port: IFLA_BR_*, IFLA_BRPORT_* and IFLA_BRIDGE_* attributes. */
        struct ifinfomsg brl = {.ifi_family = AF_UNSPEC, .ifi_type = ARPHRD_TUNNEL, .ifi_index = 1};
        start(RTM_NEWLINK, &brl, sizeof brl);
        attr(IFLA_ADDRESS, mac, 6); /* a tunnel's address has 4 bytes */
        li = nest(IFLA_LINKINFO);
        stra(IFLA_INFO_KIND, "bridge");
        data = nest(IFLA_INFO_DATA);
        u32a(IFLA_BR_FORWARD_DELAY, 1499);
        u32a(IFLA_BR_STP_STATE, 1);
        u16a(IFLA_BR_PRIORITY, 32768);
        u16a(IFLA_BR_VLAN_PROTOCOL, htons(0x8100));
        u16a(IFLA_BR_GROUP_FWD_MASK, 0x8);
        uint8_t bid[8] = {0x80, 0, 2, 0xfc, 0, 0, 0, 1};
        attr(IFLA_BR_BRIDGE_ID, bid, 8);
        attr(IFLA_BR_GROUP_ADDR, mac, 6);
        uint64_t timer = 12345;
        attr(IFLA_BR_GC_TIMER, &timer, 8);
        struct br_boolopt_multi bom = {.optval = 1, .optmask = 0x9};
        attr(IFLA_BR_MULTI_BOOLOPT, &bom, sizeof bom);
        int qs = nest(IFLA_BR_MCAST_QUERIER_STATE);
        attr(BRIDGE_QUERIER_IP_ADDRESS, &a4, 4);
        u32a(BRIDGE_QUERIER_IP_PORT, 1);
        attr(BRIDGE_QUERIER_IP_OTHER_TIMER, &timer, 8);
        end(qs);
        end(data);
        stra(IFLA_INFO_SLAVE_KIND, "bridge");
        data = nest(IFLA_INFO_SLAVE_DATA);
        u8a(IFLA_BRPORT_STATE, 3);
        u16a(IFLA_BRPORT_PRIORITY, 32);
        end(data);
        end(li);
        li = nest(IFLA_LINKINFO);
        stra(IFLA_INFO_KIND, "can");
        uint32_t can_stats[6] = {1, 2, 3, 4, 5, 6};
        attr(IFLA_INFO_XSTATS, can_stats, sizeof can_stats);
        end(li);
        send_it(fd);
        br.ifi_index = 1;
        start(RTM_NEWLINK, &br, sizeof br);
        attr(IFLA_ADDRESS, mac, 6); /* strace sizes it by ifi_family, as ARPHRD_ARCNET */
        int pi = nest(IFLA_PROTINFO);
        u8a(IFLA_BRPORT_STATE, 3);
        u32a(IFLA_BRPORT_COST, 100);
        attr(IFLA_BRPORT_ROOT_ID, bid, 8);
        attr(IFLA_BRPORT_MESSAGE_AGE_TIMER, &timer, 8);
        u16a(IFLA_BRPORT_GROUP_FWD_MASK, 0);
        u32a(IFLA_BRPORT_BACKUP_PORT, 1);
        end(pi);
        af = nest(IFLA_AF_SPEC);
        u16a(IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF);
        u16a(IFLA_BRIDGE_MODE, BRIDGE_MODE_VEPA);
        struct bridge_vlan_info bvi = {BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED, 1};
        attr(IFLA_BRIDGE_VLAN_INFO, &bvi, sizeof bvi);
        uint8_t bvi2[6] = {0, 0, 10, 0, 0xaa, 0xbb};
        attr(IFLA_BRIDGE_VLAN_INFO, bvi2, 6);
        int vt = nest(IFLA_BRIDGE_VLAN_TUNNEL_INFO);
        u32a(IFLA_BRIDGE_VLAN_TUNNEL_ID, 1000);
        u16a(IFLA_BRIDGE_VLAN_TUNNEL_VID, 10);
        u16a(IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, BRIDGE_VLAN_INFO_RANGE_BEGIN);
        end(vt);
        end(af);
        send_it(fd);
        /* RTM_NEWNEXTHOP and RTM_NEWNETCONF. */
        struct nhmsg nhm = {.nh_family = AF_INET, .nh_scope = RT_SCOPE_LINK,
                            .nh_protocol = RTPROT_STATIC, .resvd = 1, .nh_flags = RTNH_F_ONLINK};
        start(RTM_NEWNEXTHOP, &nhm, sizeof nhm);
        u32a(NHA_ID, 5);
        struct nexthop_grp grp[2] = {{.id = 1, .weight = 2}, {.id = 3, .resvd1 = 4}};
        attr(NHA_GROUP, grp, sizeof grp);
        u16a(NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES);
        u32a(NHA_OIF, 1);
        attr(NHA_GATEWAY, &a4, 4);
        int rg = nest(NHA_RES_GROUP);
        u16a(NHA_RES_GROUP_BUCKETS, 8);
        attr(NHA_RES_GROUP_IDLE_TIMER, &timer, 8);
        end(rg);
        send_it(fd);
        struct netconfmsg ncm = {.ncm_family = AF_INET6};
        start(RTM_NEWNETCONF, &ncm, sizeof ncm);
        u32a(NETCONFA_IFINDEX, 1);
        u32a(NETCONFA_FORWARDING, 1);
        u32a(NETCONFA_INPUT, 0xffffffff);
        send_it(fd);
        close(fd);
        return 0;
}
"""
)


@pytest.mark.parametrize(
    "options",
    [["-s", "64"], ["-x", "-X", "raw", "-s", "8"], ["-X", "verbose", "-s", "8"]],
    ids=["default", "hex-raw-short", "verbose-short"],
)
def test_link_route_neigh_rule_messages_print_as_strace_does(tmp_path, options):
    # compare_with_strace compiles `<program>.c`: an absolute path names this one.
    (tmp_path / "nlroute.c").write_text(NLROUTE_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlroute"), ["-f", *options])
    text = "\n".join(lines)
    fields = ["ifi_type=", "rtm_table=", "ndm_state=", "action=", "rx_nohandler=",
              "ndm_confirmed=", "start=1000", "bus_error=", "prio=[128, 0]", "vid=",
              "nh_scope=", "ncm_family="]  # fmt: skip
    if "8" not in options:  # -s 8 shows the first 8 attributes only
        fields += ["rtnh_len=", "max_reasm_len=", "rta_clntref=", "rtvia_family="]
    for decoded in fields:  # struct fields, which print in every -X style
        assert decoded in text, decoded


# Neighbour table, namespace id, multicast database, traffic control, address label and
# multicast cache report, DCB and statistics messages, and a link's VF and port
# attributes, sent without NLM_F_REQUEST.
NLROUTE_MORE_C = (
    NL_HELPERS
    + r"""
#include <linux/if_addrlabel.h>
#include <linux/dcbnl.h>
#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/net_namespace.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>

/* linux/mroute.h's, which clashes with netinet/in.h */
enum { IPMRA_CREPORT_MSGTYPE = 1, IPMRA_CREPORT_VIF_ID, IPMRA_CREPORT_SRC_ADDR };
#define IGMPMSG_NOCACHE 1

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl);

        struct ndtmsg ndt = {.ndtm_family = AF_INET};
        start(RTM_NEWNEIGHTBL, &ndt, sizeof ndt);
        stra(NDTA_NAME, "arp_cache");
        u32a(NDTA_THRESH1, 128);
        struct ndt_config cfg = {.ndtc_key_len = 4, .ndtc_entry_size = 32, .ndtc_hash_mask = 0xff};
        attr(NDTA_CONFIG, &cfg, sizeof cfg);
        cfg.ndtc_hash_mask = 0; /* PRINT_FIELD_0X: 00000000, not 0x000000 */
        attr(NDTA_CONFIG, &cfg, sizeof cfg);
        int parms = nest(NDTA_PARMS);
        u32a(NDTPA_IFINDEX, 1);
        uint64_t ms = 30000;
        attr(NDTPA_REACHABLE_TIME, &ms, 8);
        end(parms);
        struct ndt_stats nst = {.ndts_allocs = 5, .ndts_lookups = 1ULL << 33, .ndts_table_fulls = 2};
        attr(NDTA_STATS, &nst, sizeof nst);
        attr(NDTA_STATS, &nst, 80); /* an older kernel's */
        send_it(fd);

        struct rtgenmsg gen = {.rtgen_family = AF_UNSPEC};
        start(RTM_NEWNSID, &gen, sizeof gen);
        u32a(NETNSA_NSID, 0xffffffff);
        u32a(NETNSA_PID, 1);
        send_it(fd);

        struct br_port_msg bpm = {.family = AF_BRIDGE, .ifindex = 1};
        start(RTM_NEWMDB, &bpm, sizeof bpm);
        int mdb = nest(MDBA_MDB);
        int ent = nest(MDBA_MDB_ENTRY);
        struct br_mdb_entry e = {.ifindex = 1, .state = MDB_PERMANENT, .flags = MDB_FLAGS_OFFLOAD,
                                 .vid = 10, .addr.proto = htons(ETH_P_IP)};
        e.addr.proto = htons(AF_INET);
        inet_pton(AF_INET, "239.1.2.3", &e.addr.u.ip4);
        attr(MDBA_MDB_ENTRY_INFO, &e, sizeof e);
        end(ent);
        end(mdb);
        int rtr = nest(MDBA_ROUTER);
        int port = len;
        u32a(MDBA_ROUTER_PORT, 1);
        u8a(MDBA_ROUTER_PATTR_TYPE, MDB_RTR_TYPE_PERM);
        ((struct nlattr *)(buf + port))->nla_len = len - port;
        end(rtr);
        send_it(fd);

        struct tcmsg tc = {.tcm_family = AF_UNSPEC, .tcm_ifindex = 1, .tcm_handle = 0x10000,
                           .tcm_parent = 0xffffffff};
        start(RTM_NEWQDISC, &tc, sizeof tc);
        stra(TCA_KIND, "fq_codel");
        struct tc_stats ts = {.bytes = 1000, .packets = 10, .drops = 1, .qlen = 2};
        attr(TCA_STATS, &ts, sizeof ts);
        int st2 = nest(TCA_STATS2);
        struct gnet_stats_basic gb = {.bytes = 1000, .packets = 10};
        attr(TCA_STATS_BASIC, &gb, sizeof gb);
        struct gnet_stats_queue gq = {.qlen = 1, .drops = 3};
        attr(TCA_STATS_QUEUE, &gq, sizeof gq);
        end(st2);
        int stab = nest(TCA_STAB);
        struct tc_sizespec ss = {.cell_log = 3, .cell_align = -1, .overhead = -4, .mtu = 1500};
        attr(TCA_STAB_BASE, &ss, sizeof ss);
        uint16_t cells[3] = {1, 2, 3};
        attr(TCA_STAB_DATA, cells, sizeof cells);
        end(stab);
        u32a(TCA_CHAIN, 0);
        send_it(fd);
        start(RTM_GETTFILTER, &tc, 8); /* too short a tcmsg */
        len = NLMSG_HDRLEN + 8;
        send_it(fd);

        struct tcamsg tca = {.tca_family = AF_UNSPEC};
        start(RTM_GETACTION, &tca, sizeof tca);
        stra(TCA_ACT_KIND, "gact");
        u32a(TCA_ACT_INDEX, 7);
        u32a(TCA_ACT_FLAGS, TCA_ACT_FLAGS_NO_PERCPU_STATS | 0x100);
        send_it(fd);

        struct ifaddrlblmsg lbl = {.ifal_family = AF_INET6, .ifal_prefixlen = 64, .ifal_index = 1};
        start(RTM_NEWADDRLABEL, &lbl, sizeof lbl);
        struct in6_addr a6;
        inet_pton(AF_INET6, "2001:db8::", &a6);
        attr(IFAL_ADDRESS, &a6, 16);
        u32a(IFAL_LABEL, 5);
        send_it(fd);

        /* A link's VF information and port attributes. */
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
        start(RTM_NEWLINK, &ifi, sizeof ifi);
        int vfl = nest(IFLA_VFINFO_LIST);
        int vfi = nest(IFLA_VF_INFO);
        struct ifla_vf_mac vm = {.vf = 1, .mac = {2, 0, 0, 0, 0, 9}};
        attr(IFLA_VF_MAC, &vm, sizeof vm);
        struct ifla_vf_link_state vls = {.vf = 1, .link_state = IFLA_VF_LINK_STATE_ENABLE};
        attr(IFLA_VF_LINK_STATE, &vls, sizeof vls);
        int vst = nest(IFLA_VF_STATS);
        uint64_t pk = 42;
        attr(IFLA_VF_STATS_RX_PACKETS, &pk, 8);
        end(vst);
        int vvl = nest(IFLA_VF_VLAN_LIST);
        struct ifla_vf_vlan_info vvi = {.vf = 1, .vlan = 100, .vlan_proto = htons(ETH_P_8021Q)};
        attr(IFLA_VF_VLAN_INFO, &vvi, sizeof vvi);
        end(vvl);
        end(vfi);
        end(vfl);
        int ps = nest(IFLA_PORT_SELF);
        u32a(IFLA_PORT_VF, 3);
        stra(IFLA_PORT_PROFILE, "prof");
        u16a(IFLA_PORT_RESPONSE, 1);
        end(ps);
        send_it(fd);

        struct dcbmsg dcb = {.dcb_family = AF_UNSPEC, .cmd = DCB_CMD_GSTATE};
        start(RTM_GETDCB, &dcb, sizeof dcb);
        stra(DCB_ATTR_IFNAME, "lo");
        send_it(fd);
        struct if_stats_msg ism = {.ifindex = 1, .filter_mask = 1 << IFLA_STATS_LINK_64 | 1 << 9};
        start(RTM_GETSTATS, &ism, sizeof ism);
        struct rtnl_link_stats64 s64 = {.rx_packets = 3, .rx_otherhost_dropped = 1};
        attr(IFLA_STATS_LINK_64, &s64, sizeof s64);
        send_it(fd);

        struct rtgenmsg mr = {.rtgen_family = RTNL_FAMILY_IPMR};
        start(RTM_NEWCACHEREPORT, &mr, sizeof mr);
        u8a(IPMRA_CREPORT_MSGTYPE, IGMPMSG_NOCACHE);
        u32a(IPMRA_CREPORT_VIF_ID, 2);
        struct in_addr a4;
        inet_pton(AF_INET, "10.0.0.1", &a4);
        attr(IPMRA_CREPORT_SRC_ADDR, &a4, 4);
        send_it(fd);
        close(fd);
        return 0;
}
"""
)


@pytest.mark.parametrize(
    "options", [["-s", "64"], ["-X", "verbose", "-s", "8"]], ids=["default", "verbose-short"]
)
def test_neightbl_nsid_mdb_tc_addrlabel_cachereport_dcb_stats_messages_print_as_strace_does(
    tmp_path, options
):
    (tmp_path / "nlroute_more.c").write_text(NLROUTE_MORE_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlroute_more"), ["-f", *options])
    text = "\n".join(lines)
    for decoded in ["ndtm_family=", "ndtc_key_len=4", "ndts_table_fulls=2", "rtgen_family=",
                    "vid=10", "tcm_handle=65536", "cell_align=-1", "ifal_prefixlen=64",
                    "link_state=", "vlan_proto=", "IFLA_PORT_VF", "dcb_family=", "filter_mask=",
                    "ndtc_hash_mask=00000000"]:  # fmt: skip
        assert decoded in text, decoded


# Statistics messages with their nested attributes: bridge and bond extended statistics
# (each struct also with bytes past it, and too short), offload and MPLS statistics.
NLSTATS_C = (
    NL_HELPERS
    + r"""
#include <linux/if_bonding.h>
#include <linux/mpls.h>

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl);
        struct if_stats_msg ism = {.ifindex = 1, .filter_mask = 0x3e};
        start(RTM_GETSTATS, &ism, sizeof ism);
        int xs = nest(IFLA_STATS_LINK_XSTATS);
        int br = nest(LINK_XSTATS_TYPE_BRIDGE);
        struct bridge_vlan_xstats vx = {.rx_bytes = 1, .tx_packets = 1ULL << 63, .vid = 10,
                                        .flags = BRIDGE_VLAN_INFO_PVID | 0x8000, .pad2 = 7};
        attr(BRIDGE_XSTATS_VLAN, &vx, sizeof vx);
        char more[sizeof vx + 5];
        memset(more, 0xab, sizeof more);
        memcpy(more, &vx, sizeof vx);
        attr(BRIDGE_XSTATS_VLAN, more, sizeof more);
        attr(BRIDGE_XSTATS_VLAN, &vx, sizeof vx - 1);
        struct br_mcast_stats mc = {.igmp_v1queries = {1, 2}, .igmp_parse_errors = 3,
                                    .mcast_packets = {4, 5}};
        attr(BRIDGE_XSTATS_MCAST, &mc, sizeof mc);
        struct bridge_stp_xstats stp = {.transition_blk = 1, .tx_tcn = 6};
        attr(BRIDGE_XSTATS_STP, &stp, sizeof stp);
        u32a(BRIDGE_XSTATS_PAD, 9);
        end(br);
        int bond = nest(LINK_XSTATS_TYPE_BOND);
        int ad = nest(BOND_XSTATS_3AD);
        uint64_t n = 42;
        attr(BOND_3AD_STAT_LACPDU_RX, &n, 8);
        attr(BOND_3AD_STAT_MARKER_UNKNOWN_RX, &n, 8);
        attr(BOND_3AD_STAT_PAD, &n, 8);
        end(ad);
        end(bond);
        u32a(7, 1); /* LINK_XSTATS_TYPE_??? */
        end(xs);
        int slave = nest(IFLA_STATS_LINK_XSTATS_SLAVE);
        int sbr = nest(LINK_XSTATS_TYPE_BRIDGE);
        attr(BRIDGE_XSTATS_STP, &stp, sizeof stp);
        end(sbr);
        end(slave);
        int off = nest(IFLA_STATS_LINK_OFFLOAD_XSTATS);
        struct rtnl_link_stats64 s64 = {.rx_packets = 3, .rx_nohandler = 1};
        attr(IFLA_OFFLOAD_XSTATS_CPU_HIT, &s64, sizeof s64);
        u32a(IFLA_OFFLOAD_XSTATS_CPU_HIT + 1, 2);
        end(off);
        int afs = nest(IFLA_STATS_AF_SPEC);
        int mpls = nest(AF_MPLS);
        struct mpls_link_stats ml = {.rx_packets = 8, .rx_noroute = 9};
        attr(MPLS_STATS_LINK, &ml, sizeof ml);
        end(mpls);
        int inet = nest(AF_INET);
        u32a(1, 5);
        end(inet);
        end(afs);
        send_it(fd);
        close(fd);
        return 0;
}
"""
)


@pytest.mark.parametrize(
    "options",
    [["-s", "64"], ["-X", "verbose", "-s", "16"], ["-X", "raw", "-s", "4"]],
    ids=["default", "verbose", "raw-short"],
)
def test_stats_messages_nested_statistics_print_as_strace_does(tmp_path, options):
    (tmp_path / "nlstats.c").write_text(NLSTATS_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlstats"), ["-f", *options])
    text = "\n".join(lines)
    decoded = ["tx_packets=9223372036854775808", "pad2=0x7", "igmp_parse_errors=3", "tx_tcn=6"]
    if "4" not in options:  # -s 4 shows the first 4 attributes only
        decoded += ["rx_noroute=9"]
    for field in decoded:
        assert field in text, field


# Attributes whose values are fds (IFLA_NET_NS_FD, IFLA_XDP_FD, IFLA_XDP_EXPECTED_FD,
# NETNSA_FD), sent by sendto and sendmsg; the file is closed and another opened under its
# number right after, so under -y its path must have been looked up while the call was made.
NLFDS_C = (
    NL_HELPERS
    + r"""
#include <fcntl.h>
#include <linux/net_namespace.h>
#include <sys/uio.h>

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl);
        int full = open("/dev/full", O_RDONLY);
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
        start(RTM_NEWLINK, &ifi, sizeof ifi);
        u32a(IFLA_NET_NS_FD, full);
        int xdp = nest(IFLA_XDP);
        u32a(IFLA_XDP_FD, 1000); /* not open */
        u32a(IFLA_XDP_EXPECTED_FD, full);
        u32a(IFLA_XDP_FD, -1);
        end(xdp);
        send_it(fd);
        struct rtgenmsg gen = {.rtgen_family = AF_UNSPEC};
        start(RTM_NEWNSID, &gen, sizeof gen);
        u32a(NETNSA_FD, full);
        ((struct nlmsghdr *)buf)->nlmsg_len = len;
        struct iovec iov = {.iov_base = buf, .iov_len = len};
        struct msghdr mh = {.msg_name = &nl, .msg_namelen = sizeof nl, .msg_iov = &iov,
                            .msg_iovlen = 1};
        sendmsg(fd, &mh, MSG_DONTWAIT);
        close(full);
        open("/dev/null", O_RDONLY);
        close(fd);
        return 0;
}
"""
)


def test_fd_attributes_print_their_paths_under_y_as_strace_does(tmp_path):
    (tmp_path / "nlfds.c").write_text(NLFDS_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlfds"), ["-f", "-y"])
    text = "\n".join(lines)
    assert "IFLA_XDP_EXPECTED_FD}, 4</dev/full>]" in text
    assert "NETNSA_FD}, 4</dev/full>]" in text
    assert "IFLA_XDP_FD}, 1000]" in text


# Generic netlink: the family dump request strace itself sends, the start of the kernel's
# answer, and a type no family has.
NLGENERIC_C = r"""
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
        write(-1, "start", 5);
        getpid(); /* the port id the kernel answers to */
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl);
        struct {
                struct nlmsghdr nlh;
                struct genlmsghdr gnlh;
        } req = {.nlh = {.nlmsg_len = sizeof req, .nlmsg_type = GENL_ID_CTRL,
                         .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
                 .gnlh = {.cmd = CTRL_CMD_GETFAMILY}};
        sendto(fd, &req, sizeof req, 0, NULL, 0);
        char answer[64] __attribute__((aligned(4)));
        recv(fd, answer, sizeof answer, MSG_TRUNC);
        req.nlh.nlmsg_type = 0xfff0;
        req.nlh.nlmsg_flags = NLM_F_REQUEST;
        sendto(fd, &req, sizeof req, MSG_DONTWAIT, NULL, 0);
        close(fd);
        return 0;
}
"""


@pytest.mark.parametrize("options", [[], ["-X", "verbose"]], ids=["default", "verbose"])
def test_generic_netlink_types_are_named_by_the_kernel_as_strace_does(tmp_path, options):
    (tmp_path / "nlgeneric.c").write_text(NLGENERIC_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlgeneric"), ["-f", *options])
    text = "\n".join(lines)
    assert "nlctrl" in text
    assert "0xfff0 /* GENERIC_FAMILY_??? */" in text


def test_generic_netlink_types_print_as_numbers_when_the_kernel_cannot_be_asked(monkeypatch):
    from tracer.syscalls.decoders import netlink_genl
    from tracer.syscalls.decoders.netlink_types import type_text

    def refuse(*args, **kwargs):
        raise PermissionError("no netlink here")

    netlink_genl.generic_families.cache_clear()
    monkeypatch.setattr(netlink_genl.socket, "socket", refuse)
    try:
        assert type_text(0x10, netlink_genl.NETLINK_GENERIC) == "0x10 /* GENERIC_FAMILY_??? */"
    finally:
        netlink_genl.generic_families.cache_clear()


IP_COMMANDS = "ip -s -s link show lo; ip -4 route show table all; ip -6 route show table local; ip neigh show dev lo; ip -4 rule; ip netconf show dev lo"  # noqa: E501
_IP_VOLATILE = (
    (re.compile(r"nlmsg_(seq|pid)=-?\d+"), r"nlmsg_\1=N"),
    (re.compile(r"\b((?:rx|tx)_\w+|multicast|collisions)=\d+"), r"\1=N"),  # lo's counters
    (re.compile(r"\]=\d+"), "]=N"),  # per-family counters (IFLA_INET6_STATS, ...)
    (re.compile(r"\b(ndm_\w+|rta_\w+|cstamp|tstamp|ifa_prefered|ifa_valid)=\d+"), r"\1=N"),
    (re.compile(r"(\) +)(?==)"), ") "),
)


def _ip_trace(runner: str, out) -> list[str]:
    args = ["-f", "-e", "trace=sendmsg,recvmsg,sendto,recvfrom", "-s", "300", "-o", str(out)]
    command = ["sh", "-c", IP_COMMANDS]
    if runner == "strace":
        subprocess.run(["strace", *args, *command], capture_output=True, timeout=60, check=False)
    else:
        run_tracetui("--no-ui", *args, "--", *command)
    lines = []
    for line in out.read_text().splitlines():
        line = strip_pid(re.sub(r"^\d+ +", "", line))
        if line.startswith(("+++", "---")):
            continue
        for pattern, repl in _IP_VOLATILE:
            line = pattern.sub(repl, line)
        lines.append(line)
    return lines


@pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2's ip is not installed")
def test_ip_link_route_neigh_dumps_print_as_strace_does(tmp_path):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    expected = _ip_trace("strace", tmp_path / "strace.txt")
    got = _ip_trace("tracetui", tmp_path / "tracetui.txt")
    assert any("ifi_type=ARPHRD_LOOPBACK" in line for line in expected)
    assert any("RTM_NEWROUTE" in line and "RTA_TABLE" in line for line in expected)
    assert got == expected


# Messages placed at the end of a mapped page, the page after it unmapped: strace reads
# each header and value as it prints it and prints the address where a read fails. The
# page is mapped at a fixed low address, so that the addresses stay unmasked.
UNREADABLE_C = r"""
#define _GNU_SOURCE
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static char *page_end;

/* The first `readable` bytes of `src`, copied to the end of the mapped page. */
static void *at_end(const void *src, size_t readable)
{
        char *p = page_end - readable;
        memcpy(p, src, readable);
        return p;
}

struct msg {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
        char attrs[64];
};

static size_t attr(char *at, int type, const void *data, int dlen)
{
        struct nlattr *a = (struct nlattr *)at;
        a->nla_type = type;
        a->nla_len = NLA_HDRLEN + dlen;
        if (data)
                memcpy(at + NLA_HDRLEN, data, dlen);
        return NLA_ALIGN(a->nla_len);
}

static void send_cut(int fd, struct msg *m, size_t len, size_t readable)
{
        m->nh.nlmsg_len = len;
        sendto(fd, at_end(m, readable), len, MSG_DONTWAIT, NULL, 0);
}

int main(void)
{
        char *map = mmap((void *)0x7000000, 8192, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (map == MAP_FAILED)
                return 1;
        munmap(map + 4096, 4096);
        page_end = map + 4096;
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl); /* unbound, its protocol is not listed */
        struct msg m;
        size_t hdr = NLMSG_HDRLEN + sizeof m.ifi, n;
        memset(&m, 0, sizeof m);
        m.nh.nlmsg_type = RTM_GETLINK;
        m.nh.nlmsg_flags = NLM_F_REQUEST;
        m.ifi.ifi_index = 1;

        /* The payload's first byte, then the rest of the ifinfomsg, unreadable. */
        send_cut(fd, &m, hdr, NLMSG_HDRLEN);
        send_cut(fd, &m, hdr, NLMSG_HDRLEN + 4);
        /* A u32 and a string value cut short, and a whole attribute header. */
        uint32_t mtu = 1500;
        n = attr(m.attrs, IFLA_MTU, &mtu, 4);
        send_cut(fd, &m, hdr + n, hdr + n - 1);
        n = attr(m.attrs, IFLA_IFNAME, "eth-long-name", 14);
        send_cut(fd, &m, hdr + n, hdr + 8);
        n = attr(m.attrs, IFLA_MTU, &mtu, 4);
        n += attr(m.attrs + n, IFLA_MTU, &mtu, 4);
        send_cut(fd, &m, hdr + n, hdr + 10);
        send_cut(fd, &m, hdr + n, hdr);
        /* Nested attributes and an array of numbers cut inside. */
        size_t af = attr(m.attrs, IFLA_AF_SPEC, NULL, 0);
        size_t inet6 = attr(m.attrs + af, AF_INET6, NULL, 0);
        int32_t conf[4] = {1, 2, 3, 4};
        size_t c = attr(m.attrs + af + inet6, IFLA_INET6_CONF, conf, sizeof conf);
        ((struct nlattr *)m.attrs)->nla_len = af + inet6 + c;
        ((struct nlattr *)(m.attrs + af))->nla_len = inet6 + c;
        n = af + inet6 + c;
        send_cut(fd, &m, hdr + n, hdr + n - 6);
        send_cut(fd, &m, hdr + n, hdr + af + inet6 + 2);
        /* Two messages, the second one's header unreadable; an error's cookie cut. */
        struct nlmsghdr two[2] = {{.nlmsg_len = 16, .nlmsg_type = NLMSG_NOOP},
                                  {.nlmsg_len = 16, .nlmsg_type = NLMSG_DONE}};
        sendto(fd, at_end(two, 20), 32, MSG_DONTWAIT, NULL, 0);
        struct {
                struct nlmsghdr nh;
                struct nlmsgerr err;
                struct nlattr cookie;
                uint8_t bytes[4];
        } e = {{.nlmsg_len = sizeof e, .nlmsg_type = NLMSG_ERROR, .nlmsg_flags = NLM_F_CAPPED},
               {.error = -13, .msg = {.nlmsg_len = 16}}, {.nla_len = 8, .nla_type = 3}, {1, 2, 3, 4}};
        sendto(fd, at_end(&e, sizeof e - 2), sizeof e, MSG_DONTWAIT, NULL, 0);
        sendto(fd, at_end(&e, 18), sizeof e, MSG_DONTWAIT, NULL, 0);
        close(fd);
        return 0;
}
"""


def test_messages_running_into_unmapped_memory_print_addresses_as_strace_does(tmp_path):
    (tmp_path / "nlcut.c").write_text(UNREADABLE_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlcut"), ["-f"])
    text = "\n".join(lines)
    assert "nlmsg_pid=0}, 0x7001000]" in text  # the payload's family byte
    assert "{ifi_family=AF_UNSPEC, 0x7000ffd}" in text  # the ifinfomsg past it
    assert "nla_type=IFLA_MTU}, 0x7000ffd]" in text
    assert "[DEVCONF_HOPLIMIT]=2, ... /* 0x7000ffe */]" in text
    assert "[1, 2, ... /* 0x7001000 */]" in text


# Audit, xfrm, selinux and netfilter messages: their types and flags are named by the
# socket's protocol; selinux notices and netfilter's nfgenmsg and attributes decoded.
# Sent without NLM_F_REQUEST (the kernel ignores them) but where its answer is harmless.
OTHER_PROTOCOLS_C = (
    NL_HELPERS
    + r"""
#include <linux/audit.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/selinux_netlink.h>
#include <linux/xfrm.h>

static int open_bound(int protocol)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl); /* listed in /proc/net/netlink */
        return fd;
}

static void send_typed(int fd, int type, int flags, const void *hdr, int hlen)
{
        start(type, hdr, hlen);
        ((struct nlmsghdr *)buf)->nlmsg_flags = flags;
        send_it(fd);
}

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = open_bound(NETLINK_AUDIT);
        send_typed(fd, AUDIT_GET, NLM_F_REQUEST, NULL, 0);
        send_typed(fd, 0x7ff, 0, NULL, 0);
        close(fd);

        fd = open_bound(NETLINK_XFRM);
        send_typed(fd, XFRM_MSG_NEWSA, NLM_F_REPLACE | NLM_F_CREATE, NULL, 0);
        send_typed(fd, XFRM_MSG_GETPOLICY, NLM_F_DUMP, NULL, 0);
        send_typed(fd, XFRM_MSG_DELSA, NLM_F_ECHO | NLM_F_NONREC, NULL, 0);
        send_typed(fd, XFRM_MSG_ALLOCSPI, 0x100, NULL, 0);
        close(fd);

        fd = open_bound(NETLINK_SELINUX);
        struct selnl_msg_setenforce enforce = {.val = -1};
        send_typed(fd, SELNL_MSG_SETENFORCE, NLM_F_REQUEST, &enforce, sizeof enforce);
        struct selnl_msg_policyload load = {.seqno = 7};
        send_typed(fd, SELNL_MSG_POLICYLOAD, NLM_F_REQUEST, &load, sizeof load);
        send_typed(fd, SELNL_MSG_POLICYLOAD, NLM_F_REQUEST, &load, 2);
        close(fd);

        fd = open_bound(NETLINK_NETFILTER);
        struct nfgenmsg nf = {.nfgen_family = AF_INET, .version = NFNETLINK_V0,
                              .res_id = htons(NFNL_SUBSYS_NFTABLES)};
        send_typed(fd, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE, NLM_F_CREATE, &nf, sizeof nf);
        stra(NFTA_TABLE_NAME, "filter");
        send_it(fd);
        nf.res_id = NFNL_SUBSYS_NFTABLES;
        send_typed(fd, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, NLM_F_DUMP, &nf, sizeof nf);
        nf.res_id = htons(1234);
        send_typed(fd, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE, NLM_F_NONREC, &nf, sizeof nf);
        send_typed(fd, NFNL_MSG_BATCH_BEGIN, 0, &nf, sizeof nf);
        u32a(1, 5);
        send_it(fd);
        send_typed(fd, 0x7f << 8 | 0x42, 0, &nf, 2);
        close(fd);
        return 0;
}
"""
)


@pytest.mark.parametrize(
    "options", [["-s", "64"], ["-X", "verbose"], ["-X", "raw"]], ids=["default", "verbose", "raw"]
)
def test_audit_xfrm_selinux_netfilter_messages_print_as_strace_does(tmp_path, options):
    (tmp_path / "nlother.c").write_text(OTHER_PROTOCOLS_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "nlother"), ["-f", *options])
    text = "\n".join(lines)
    for decoded in ["{val=-1}", "{seqno=7}", "nfgen_family=", "res_id=", "nla_len=11"]:
        assert decoded in text, decoded
    if "raw" not in options:
        for name in ["AUDIT_GET", "XFRM_MSG_NEWSA", "NFT_MSG_NEWTABLE", "IPCTNL_MSG_CT_DELETE"]:
            assert name in text, name


# A libudev monitor message (header then properties) and a kernel uevent on a
# NETLINK_KOBJECT_UEVENT socket, sent to no one (the kernel ignores them).
UEVENT_C = r"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct udev_header {
        char prefix[8];
        uint32_t magic, header_size, properties_off, properties_len;
        uint32_t subsystem_hash, devtype_hash, bloom_hi, bloom_lo;
};

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl); /* listed in /proc/net/netlink */
        char msg[128] = {0};
        struct udev_header h = {"libudev", htonl(0xfeedcafe), sizeof h, sizeof h, 24,
                                htonl(0xc370b302), 0, htonl(0x2000400), 0};
        memcpy(msg, &h, sizeof h);
        memcpy(msg + sizeof h, "ACTION=add\0SUBSYSTEM=net", 24);
        sendto(fd, msg, sizeof h, MSG_DONTWAIT, NULL, 0);
        sendto(fd, msg, sizeof h + 24, MSG_DONTWAIT, NULL, 0);
        const char uevent[] = "add@/devices/virtual/net/lo\0ACTION=add";
        sendto(fd, uevent, sizeof uevent, MSG_DONTWAIT, NULL, 0);
        close(fd);
        return 0;
}
"""


@pytest.mark.parametrize("options", [["-s", "64"], ["-s", "16"]], ids=["default", "short"])
def test_kobject_uevent_messages_print_as_strace_does(tmp_path, options):
    (tmp_path / "uevent.c").write_text(UEVENT_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "uevent"), ["-f", *options])
    assert any('prefix="libudev", magic=htonl(0xfeedcafe)' in line for line in lines)
