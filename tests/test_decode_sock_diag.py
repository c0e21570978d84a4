"""NETLINK_SOCK_DIAG messages print as strace 6.1 prints them: unix, inet (v2 and the
older TCPDIAG_GETSOCK layout), netlink, packet and smc diag requests and replies with
the attributes strace decodes, a payload of the family byte alone and one of a family
without a layout, under -s, -v and -X. strace itself is the oracle: both tracers run the
same program with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace
from test_decode_netlink import NL_HELPERS

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

# Replies are sent without NLM_F_REQUEST, so that the kernel ignores them; requests with
# it, for their layout: the kernel's answers are never read.
SOCK_DIAG_C = (
    NL_HELPERS
    + r"""
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/smc_diag.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>

static void sockid(struct inet_diag_sockid *id, int family, const char *addr)
{
        id->idiag_sport = htons(4242);
        id->idiag_dport = htons(80);
        inet_pton(family, addr, id->idiag_src);
        inet_pton(family, addr, id->idiag_dst);
        id->idiag_if = 1;
        id->idiag_cookie[0] = 7;
}

static void send_flags(int fd, int flags)
{
        ((struct nlmsghdr *)buf)->nlmsg_flags = flags;
        send_it(fd);
}

int main(void)
{
        write(-1, "start", 5);
        getpid();
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
        bind(fd, (struct sockaddr *)&nl, sizeof nl); /* listed in /proc/net/netlink */

        struct unix_diag_req ureq = {.sdiag_family = AF_UNIX, .udiag_states = -1,
                                     .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | 0x100};
        start(SOCK_DIAG_BY_FAMILY, &ureq, sizeof ureq);
        send_flags(fd, NLM_F_REQUEST | NLM_F_DUMP);
        struct unix_diag_msg umsg = {.udiag_family = AF_UNIX, .udiag_type = SOCK_STREAM,
                                     .udiag_state = 10, .udiag_ino = 1234};
        start(SOCK_DIAG_BY_FAMILY, &umsg, sizeof umsg);
        stra(UNIX_DIAG_NAME, "/tmp/sock");
        struct unix_diag_vfs vfs = {.udiag_vfs_ino = 99, .udiag_vfs_dev = 0x803};
        attr(UNIX_DIAG_VFS, &vfs, sizeof vfs);
        uint32_t icons[3] = {5, 6, 7};
        attr(UNIX_DIAG_ICONS, icons, sizeof icons);
        struct unix_diag_rqlen rq = {.udiag_rqueue = 1, .udiag_wqueue = 2};
        attr(UNIX_DIAG_RQLEN, &rq, sizeof rq);
        uint32_t mem[SK_MEMINFO_VARS + 1] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        attr(UNIX_DIAG_MEMINFO, mem, sizeof mem);
        u8a(UNIX_DIAG_SHUTDOWN, 3);
        u32a(UNIX_DIAG_UID, 1000);
        send_flags(fd, NLM_F_MULTI);

        struct inet_diag_req_v2 v2 = {.sdiag_family = AF_INET6, .sdiag_protocol = IPPROTO_TCP,
                                      .idiag_ext = 1 << (INET_DIAG_INFO - 1),
                                      .idiag_states = 1 << 10};
        sockid(&v2.id, AF_INET6, "2001:db8::1");
        start(SOCK_DIAG_BY_FAMILY, &v2, sizeof v2);
        struct {
                struct inet_diag_bc_op op;
                struct inet_diag_hostcond cond;
                struct in6_addr addr;
        } bc = {{INET_DIAG_BC_S_COND, 4, 8}, {AF_INET6, 64, 443}};
        inet_pton(AF_INET6, "2001:db8::", &bc.addr);
        attr(INET_DIAG_REQ_BYTECODE, &bc, sizeof bc);
        struct inet_diag_bc_op ge[2] = {{INET_DIAG_BC_S_GE, 8, 12}, {0, 0, 1024}};
        attr(INET_DIAG_REQ_BYTECODE, ge, sizeof ge);
        u32a(INET_DIAG_REQ_PROTOCOL, IPPROTO_MPTCP);
        send_flags(fd, NLM_F_REQUEST);
        struct inet_diag_req compat = {.idiag_family = AF_INET, .idiag_src_len = 32,
                                       .idiag_states = 1 << 1, .idiag_dbs = 3};
        sockid(&compat.id, AF_INET, "10.1.2.3");
        start(TCPDIAG_GETSOCK, &compat, sizeof compat);
        send_flags(fd, NLM_F_REQUEST);

        struct inet_diag_msg imsg = {.idiag_family = AF_INET, .idiag_state = 1,
                                     .idiag_timer = 2, .idiag_uid = 1000, .idiag_inode = 42};
        sockid(&imsg.id, AF_INET, "127.0.0.1");
        start(SOCK_DIAG_BY_FAMILY, &imsg, sizeof imsg);
        struct inet_diag_meminfo mi = {1, 2, 3, 4};
        attr(INET_DIAG_MEMINFO, &mi, sizeof mi);
        stra(INET_DIAG_CONG, "cubic");
        u8a(INET_DIAG_SHUTDOWN, 0x7);
        u8a(INET_DIAG_PROTOCOL, IPPROTO_TCP);
        u32a(INET_DIAG_MARK, 0xff);
        struct tcp_bbr_info bbr = {.bbr_bw_lo = 0x10, .bbr_min_rtt = 5};
        attr(INET_DIAG_BBRINFO, &bbr, sizeof bbr);
        struct sockaddr_storage ss[2] = {};
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss[0];
        sin->sin_family = AF_INET;
        sin->sin_port = htons(4242);
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss[1];
        sin6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, "::1", &sin6->sin6_addr);
        attr(INET_DIAG_LOCALS, ss, sizeof ss);
        uint8_t opts[4] = {0x81, 0x04, 0, 9};
        attr(INET_DIAG_SOCKOPT, opts, sizeof opts);
        int ulp = nest(INET_DIAG_ULP_INFO);
        stra(INET_ULP_INFO_NAME, "tls");
        int tls = nest(INET_ULP_INFO_TLS);
        u16a(TLS_INFO_VERSION, TLS_1_3_VERSION);
        u16a(TLS_INFO_CIPHER, TLS_CIPHER_AES_GCM_128);
        u16a(TLS_INFO_TXCONF, TLS_CONF_SW);
        end(tls);
        end(ulp);
        send_flags(fd, NLM_F_MULTI);

        struct netlink_diag_req nreq = {.sdiag_family = AF_NETLINK, .sdiag_protocol = NDIAG_PROTO_ALL,
                                        .ndiag_show = NDIAG_SHOW_GROUPS | NDIAG_SHOW_FLAGS};
        start(SOCK_DIAG_BY_FAMILY, &nreq, sizeof nreq);
        send_flags(fd, NLM_F_REQUEST | NLM_F_DUMP);
        struct netlink_diag_msg nmsg = {.ndiag_family = AF_NETLINK, .ndiag_type = SOCK_RAW,
                                        .ndiag_protocol = NETLINK_ROUTE, .ndiag_state = 1,
                                        .ndiag_portid = 77, .ndiag_ino = 88};
        start(SOCK_DIAG_BY_FAMILY, &nmsg, sizeof nmsg);
        unsigned long groups[2] = {0x11, 0};
        attr(NETLINK_DIAG_GROUPS, groups, sizeof groups);
        struct netlink_diag_ring ring = {4096, 2, 2048, 4};
        attr(NETLINK_DIAG_RX_RING, &ring, sizeof ring);
        u32a(NETLINK_DIAG_FLAGS, NDIAG_FLAG_CB_RUNNING | NDIAG_FLAG_CAP_ACK);
        send_flags(fd, NLM_F_MULTI);

        struct packet_diag_req preq = {.sdiag_family = AF_PACKET, .pdiag_show = PACKET_SHOW_INFO};
        start(SOCK_DIAG_BY_FAMILY, &preq, sizeof preq);
        send_flags(fd, NLM_F_REQUEST | NLM_F_DUMP);
        struct packet_diag_msg pmsg = {.pdiag_family = AF_PACKET, .pdiag_type = SOCK_RAW,
                                       .pdiag_num = 0x0800, .pdiag_ino = 5};
        start(SOCK_DIAG_BY_FAMILY, &pmsg, sizeof pmsg);
        struct packet_diag_info pinfo = {.pdi_index = 1, .pdi_version = 2,
                                         .pdi_flags = PDI_RUNNING | PDI_AUXDATA};
        attr(PACKET_DIAG_INFO, &pinfo, sizeof pinfo);
        struct packet_diag_mclist mcl = {.pdmc_index = 1, .pdmc_count = 1, .pdmc_alen = 6,
                                         .pdmc_addr = {1, 0, 0x5e, 0, 0, 1}};
        attr(PACKET_DIAG_MCLIST, &mcl, sizeof mcl);
        struct sock_filter prog[2] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                                      BPF_STMT(BPF_RET | BPF_K, 0xffff)};
        attr(PACKET_DIAG_FILTER, prog, sizeof prog);
        send_flags(fd, NLM_F_MULTI);

        struct smc_diag_req sreq = {.diag_family = AF_SMC, .diag_ext = 1 << (SMC_DIAG_CONNINFO - 1)};
        sockid(&sreq.id, AF_INET, "10.0.0.9");
        start(SOCK_DIAG_BY_FAMILY, &sreq, sizeof sreq);
        send_flags(fd, NLM_F_REQUEST | NLM_F_DUMP);
        struct smc_diag_msg smsg = {.diag_family = AF_SMC, .diag_state = 1, .diag_fallback = 1,
                                    .diag_inode = 1ULL << 40};
        sockid(&smsg.id, AF_INET, "10.0.0.9");
        start(SOCK_DIAG_BY_FAMILY, &smsg, sizeof smsg);
        u8a(SMC_DIAG_SHUTDOWN, 1);
        struct smc_diag_fallback fb = {.reason = 0x03010000, .peer_diagnosis = 5};
        attr(SMC_DIAG_FALLBACK, &fb, sizeof fb);
        struct smc_diag_conninfo ci = {.token = 7, .rx_prod_flags = 5}; /* other flags 00 */
        attr(SMC_DIAG_CONNINFO, &ci, sizeof ci);
        send_flags(fd, NLM_F_MULTI);

        /* The family byte alone, a family without a layout, a header cut short. */
        uint8_t family = AF_UNIX;
        start(SOCK_DIAG_BY_FAMILY, &family, 1);
        len = NLMSG_HDRLEN + 1;
        send_flags(fd, NLM_F_REQUEST);
        uint8_t other[4] = {AF_BRIDGE, 1, 2, 3};
        start(SOCK_DIAG_BY_FAMILY, other, sizeof other);
        send_flags(fd, 0);
        start(SOCK_DIAG_BY_FAMILY, &umsg, 8);
        len = NLMSG_HDRLEN + 8;
        send_flags(fd, 0);
        close(fd);
        return 0;
}
"""
)


@pytest.mark.parametrize(
    "options",
    [["-s", "64"], ["-v", "-s", "64"], ["-X", "verbose", "-s", "8"], ["-X", "raw"]],
    ids=["default", "verbose-structs", "verbose-short", "raw"],
)
def test_sock_diag_requests_and_replies_print_as_strace_does(tmp_path, options):
    # compare_with_strace compiles `<program>.c`: an absolute path names this one.
    (tmp_path / "sockdiag.c").write_text(SOCK_DIAG_C)
    lines = compare_with_strace(tmp_path, str(tmp_path / "sockdiag"), ["-f", *options])
    text = "\n".join(lines)
    for decoded in ["udiag_show=", "udiag_vfs_ino=99", "idiag_src_len=32", "prefix_len=64",
                    "idiag_inode=42", "bbr_min_rtt=5", "ndiag_portid=77",
                    "pdi_reserve=", "pdmc_alen=6", "diag_inode=1099511627776", "data="]:  # fmt: skip
        assert decoded in text, decoded
    if "8" not in options:  # -s 8: the attributes' values are cut short
        assert "rx_prod_flags=0x5, rx_conn_state_flags=00" in text
