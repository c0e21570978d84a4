/*
 * One fd number held in turn by a UDP socket, a netlink socket, a UDP socket and a
 * netlink socket again (the last two put there by dup2), with sendto/recvfrom on each
 * (tests/test_capture_core.py). The C core asks once per fd whether it is a netlink
 * socket (capture.SocketHandoff: its messages are Python's to decode) and keeps the
 * answer until a call changes the fd: closing it, a call returning it, dup2 onto it.
 * strace is the oracle: every line after the `write(-1, "start", 5)` marker must be
 * the same.
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* An RTM_GETLINK for no interface with an ack asked: the answer is an NLMSG_ERROR,
 * the same in every run. */
static void ask_netlink(int fd, int seq)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} r = {.nh = {.nlmsg_len = sizeof r, .nlmsg_type = RTM_GETLINK,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = (unsigned)seq},
	       .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 0x7fffffff}};
	char buf[512];
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	sendto(fd, &r, sizeof r, 0, (struct sockaddr *)&nl, sizeof nl);
	recvfrom(fd, buf, sizeof buf, 0, NULL, NULL);
}

static void ask_udp(int fd, const char *what)
{
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof me;
	char buf[64];
	bind(fd, (struct sockaddr *)&me, sizeof me);
	getsockname(fd, (struct sockaddr *)&me, &len);
	sendto(fd, what, strlen(what), 0, (struct sockaddr *)&me, sizeof me);
	recvfrom(fd, buf, sizeof buf, 0, NULL, NULL);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	write(-1, "start", 5);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	ask_udp(udp, "first udp");
	close(udp);
	/* the lowest free number: the UDP socket's */
	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ask_netlink(nl, 1);
	/* dup2 puts a UDP socket onto the netlink socket's number, then a netlink one */
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	dup2(udp, nl);
	close(udp);
	ask_udp(nl, "dup2 udp");
	int nl2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	dup2(nl2, nl);
	close(nl2);
	ask_netlink(nl, 2);
	close(nl);
	return 0;
}
