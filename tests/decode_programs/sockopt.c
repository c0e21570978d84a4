/*
 * Socket options at every level strace 6.1 names (tests/test_decode_sockopt.py): the
 * values it decodes (ints, linger, ucred, ip_mreq/ip_mreqn, group_req, ipv6_mreq,
 * packet_mreq, tpacket_req, sock_fprog, icmp_filter, tpacket_stats, netlink
 * memberships, SO_ERROR), the ones it prints as strings (timevals, TCP_INFO), short
 * and forged lengths, getsockopt's `[len]` / `[in => out]`, failures, and unknown
 * levels and names. strace itself is the oracle: everything after the
 * `write(-1, "start", 5)` marker is compared line by line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif
#ifndef SO_TXREHASH
#define SO_TXREHASH 74
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static void both_int(int fd, int level, int name, int value)
{
	socklen_t len = sizeof value;
	setsockopt(fd, level, name, &value, sizeof value);
	getsockopt(fd, level, name, &value, &len);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int one = 1, val = 0, r;
	socklen_t len;
	char buf[512];
	write(-1, "start", 5);
	getpid();

	/* SOL_SOCKET */
	int t = socket(AF_INET, SOCK_STREAM, 0);
	both_int(t, SOL_SOCKET, SO_REUSEADDR, 1);
	both_int(t, SOL_SOCKET, SO_KEEPALIVE, 1);
	both_int(t, SOL_SOCKET, SO_SNDBUF, 65536);
	both_int(t, SOL_SOCKET, SO_PRIORITY, 3);
	both_int(t, SOL_SOCKET, SO_MARK, 7);
	both_int(t, SOL_SOCKET, SO_TXREHASH, 1);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, &len);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_PROTOCOL, &val, &len);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_DOMAIN, &val, &len);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_ERROR, &val, &len);
	len = 2;
	getsockopt(t, SOL_SOCKET, SO_ERROR, &val, &len);
	len = 8;
	getsockopt(t, SOL_SOCKET, SO_RCVBUF, buf, &len);
	len = 2;
	getsockopt(t, SOL_SOCKET, SO_RCVBUF, buf, &len);
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, &one, 2);
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, buf, 8);
	struct linger lg = {1, 5};
	setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, 4);
	len = sizeof lg;
	getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &len);
	len = 4;
	getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &len);
	struct timeval tv = {2, 500000};
	setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(t, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	len = sizeof tv;
	getsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
	long long tv64[2] = {3, 0};
	setsockopt(t, SOL_SOCKET, SO_RCVTIMEO_NEW, tv64, sizeof tv64);
	setsockopt(t, SOL_SOCKET, SO_SNDTIMEO_NEW, tv64, sizeof tv64);
	len = sizeof tv64;
	getsockopt(t, SOL_SOCKET, SO_SNDTIMEO_NEW, tv64, &len);
	setsockopt(t, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3);
	len = sizeof buf;
	getsockopt(t, SOL_SOCKET, SO_BINDTODEVICE, buf, &len);
	setsockopt(t, SOL_SOCKET, SO_PEERCRED, &one, sizeof one);
	setsockopt(t, SOL_SOCKET, 1234, &one, sizeof one);
	setsockopt(t, SOL_SOCKET, 1234, "abc", 3);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, 1234, &val, &len);
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, NULL, 4);
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, NULL);
	len = sizeof val;
	getsockopt(-1, SOL_SOCKET, SO_TYPE, &val, &len);
	len = -1;
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, &len);

	/* A socket filter: abbreviated by default, whole with -v. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
	};
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
	len = 0;
	getsockopt(u, SOL_SOCKET, SO_GET_FILTER, NULL, &len);
	struct sock_filter back[8];
	len = 8;
	getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len);
	setsockopt(u, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof one);
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &prog, 8);

	/* ucred from a UNIX socket pair. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct ucred uc;
	len = sizeof uc;
	getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len);
	len = 8;
	getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len);
	both_int(sv[0], SOL_SOCKET, SO_PASSCRED, 1);

	/* SOL_IP */
	both_int(u, SOL_IP, IP_TTL, 64);
	both_int(u, SOL_IP, IP_TOS, 0x10);
	both_int(u, SOL_IP, IP_MULTICAST_LOOP, 0);
	both_int(u, SOL_IP, IP_RECVERR, 1);
	both_int(u, SOL_IP, IP_PKTINFO, 1);
	struct ip_mreq mreq;
	mreq.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
	mreq.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(u, SOL_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq);
	setsockopt(u, SOL_IP, IP_DROP_MEMBERSHIP, &mreq, sizeof mreq);
	setsockopt(u, SOL_IP, IP_ADD_MEMBERSHIP, &mreq, 4);
	struct ip_mreqn mreqn = {.imr_ifindex = 1};
	mreqn.imr_multiaddr.s_addr = inet_addr("224.0.0.252");
	mreqn.imr_address.s_addr = htonl(INADDR_ANY);
	setsockopt(u, SOL_IP, IP_ADD_MEMBERSHIP, &mreqn, sizeof mreqn);
	setsockopt(u, SOL_IP, IP_MULTICAST_IF, &mreqn, sizeof mreqn);
	struct group_req gr = {.gr_interface = 1};
	struct sockaddr_in *gin = (struct sockaddr_in *)&gr.gr_group;
	gin->sin_family = AF_INET;
	gin->sin_addr.s_addr = inet_addr("224.0.0.253");
	setsockopt(u, SOL_IP, MCAST_JOIN_GROUP, &gr, sizeof gr);
	setsockopt(u, SOL_IP, MCAST_LEAVE_GROUP, &gr, sizeof gr);
	setsockopt(u, SOL_IP, MCAST_JOIN_GROUP, &gr, 8);
	setsockopt(u, SOL_IP, 99, &one, sizeof one);
	len = sizeof buf;
	memset(buf, 0, sizeof buf); /* the same bytes under both tracers */
	getsockopt(u, SOL_IP, 64, buf, &len); /* IPT_SO_GET_INFO on a get */
	setsockopt(u, SOL_IP, 64, buf, 16);    /* IPT_SO_SET_REPLACE on a set */
	len = sizeof buf;
	getsockopt(u, SOL_IP, IP_OPTIONS, buf, &len);

	/* SOL_IPV6 */
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	both_int(u6, SOL_IPV6, IPV6_V6ONLY, 1);
	both_int(u6, SOL_IPV6, IPV6_RECVPKTINFO, 1);
	both_int(u6, SOL_IPV6, IPV6_MULTICAST_HOPS, 5);
	struct ipv6_mreq m6 = {.ipv6mr_interface = 1};
	inet_pton(AF_INET6, "ff02::fb", &m6.ipv6mr_multiaddr);
	setsockopt(u6, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &m6, sizeof m6);
	setsockopt(u6, SOL_IPV6, IPV6_DROP_MEMBERSHIP, &m6, sizeof m6);
	m6.ipv6mr_interface = 12345;
	setsockopt(u6, SOL_IPV6, IPV6_JOIN_ANYCAST, &m6, sizeof m6);
	setsockopt(u6, SOL_IPV6, IPV6_ADD_MEMBERSHIP, &m6, 8);
	struct group_req gr6 = {.gr_interface = 1};
	struct sockaddr_in6 *g6 = (struct sockaddr_in6 *)&gr6.gr_group;
	g6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, "ff02::fc", &g6->sin6_addr);
	setsockopt(u6, SOL_IPV6, MCAST_JOIN_GROUP, &gr6, sizeof gr6);
	setsockopt(u6, SOL_IPV6, 64, buf, 16); /* IP6T_SO_SET_REPLACE */
	setsockopt(u6, SOL_IPV6, 200, &one, sizeof one);

	/* SOL_TCP */
	both_int(t, SOL_TCP, TCP_NODELAY, 1);
	both_int(t, SOL_TCP, TCP_KEEPIDLE, 30);
	both_int(t, SOL_TCP, TCP_USER_TIMEOUT, 1000);
	setsockopt(t, SOL_TCP, TCP_CONGESTION, "cubic", 5);
	len = 16;
	getsockopt(t, SOL_TCP, TCP_CONGESTION, buf, &len);
	struct tcp_info ti;
	len = sizeof ti;
	getsockopt(t, SOL_TCP, TCP_INFO, &ti, &len);
	len = 8;
	getsockopt(t, SOL_TCP, TCP_INFO, &ti, &len);
	setsockopt(t, SOL_TCP, 99, &one, sizeof one);

	/* SOL_UDP */
	both_int(u, SOL_UDP, UDP_CORK, 1);
	both_int(u, SOL_UDP, UDP_SEGMENT, 1400);
	setsockopt(u, SOL_UDP, 77, &one, sizeof one);

	/* SOL_NETLINK */
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	int group = 1;
	setsockopt(nl, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
	group = 5;
	setsockopt(nl, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
	unsigned int groups[4] = {0};
	len = sizeof groups;
	getsockopt(nl, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, groups, &len);
	both_int(nl, SOL_NETLINK, NETLINK_EXT_ACK, 1);
	both_int(nl, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
	setsockopt(nl, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, 2);
	setsockopt(nl, SOL_NETLINK, 99, &one, sizeof one);
	len = sizeof val;
	getsockopt(nl, SOL_NETLINK, 99, &val, &len);

	/* SOL_PACKET (root) */
	/* Protocol 0: receives nothing, so PACKET_STATISTICS stays at zero. */
	int pk = socket(AF_PACKET, SOCK_RAW, 0);
	int pk_all = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	close(pk_all);
	both_int(pk, SOL_PACKET, PACKET_VERSION, TPACKET_V2);
	both_int(pk, SOL_PACKET, PACKET_AUXDATA, 1);
	struct packet_mreq pm = {.mr_ifindex = 1, .mr_type = PACKET_MR_PROMISC, .mr_alen = 6,
				 .mr_address = {1, 2, 3, 4, 5, 6}};
	setsockopt(pk, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &pm, sizeof pm);
	setsockopt(pk, SOL_PACKET, PACKET_DROP_MEMBERSHIP, &pm, sizeof pm);
	setsockopt(pk, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &pm, 8);
	struct tpacket_req tr = {4096, 2, 2048, 4};
	setsockopt(pk, SOL_PACKET, PACKET_RX_RING, &tr, sizeof tr);
	setsockopt(pk, SOL_PACKET, PACKET_TX_RING, &tr, 8);
	struct tpacket_stats st;
	len = sizeof st;
	getsockopt(pk, SOL_PACKET, PACKET_STATISTICS, &st, &len);
	setsockopt(pk, SOL_PACKET, 99, &one, sizeof one);

	/* SOL_RAW: an ICMP filter (root). */
	int ic = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct icmp_filter f = {~(1U << ICMP_ECHOREPLY)};
	setsockopt(ic, SOL_RAW, ICMP_FILTER, &f, sizeof f);
	len = sizeof f;
	getsockopt(ic, SOL_RAW, ICMP_FILTER, &f, &len);
	f.data = (1U << ICMP_ECHO) | (1U << ICMP_DEST_UNREACH);
	setsockopt(ic, SOL_RAW, ICMP_FILTER, &f, sizeof f);
	setsockopt(ic, SOL_RAW, ICMP_FILTER, &f, 2);

	/* Levels strace names without options, and unknown levels. */
	setsockopt(u, SOL_ICMPV6, 1, &one, sizeof one);
	setsockopt(u, 40, 0, &one, sizeof one); /* AF_VSOCK */
	setsockopt(u, 999, 5, &one, sizeof one);
	setsockopt(u, 284, 1, &one, sizeof one); /* SOL_MPTCP: not named by 6.1 */
	setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &one, -1);
	r = setsockopt(u, SOL_SOCKET, SO_REUSEADDR, (void *)8, 4);
	(void)r;
	return 0;
}
