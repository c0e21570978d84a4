/*
 * NETLINK_ROUTE messages as glibc's getaddrinfo exchanges them (an RTM_GETADDR dump by
 * sendto, the replies by recvmsg up to NLMSG_DONE), an NLMSG_ERROR answer read with
 * recvfrom, a request by sendmsg and a buffer shorter than a header
 * (tests/test_decode_netlink.py). strace itself is the oracle: everything after the
 * `write(-1, "start", 5)` marker is compared line by line.
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

struct req {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
};

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static char buf[16384];
	write(-1, "start", 5);
	getpid();

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	bind(fd, (struct sockaddr *)&nl, sizeof nl);

	/* getaddrinfo's dump: only the family of the ifaddrmsg is sent. */
	struct req r = {.nh = {.nlmsg_len = 20, .nlmsg_type = RTM_GETADDR,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 7}};
	sendto(fd, &r, 20, 0, (struct sockaddr *)&nl, sizeof nl);
	for (;;) {
		struct iovec iov = {buf, sizeof buf};
		struct sockaddr_nl from;
		struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from,
				     .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(fd, &msg, 0);
		if (n <= 0 || ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE)
			break;
	}

	/* A whole ifaddrmsg for one family, sent by sendmsg. */
	r.nh.nlmsg_len = sizeof r;
	r.nh.nlmsg_seq = 8;
	r.ifa.ifa_family = AF_INET;
	struct iovec iov = {&r, sizeof r};
	struct msghdr msg = {.msg_name = &nl, .msg_namelen = sizeof nl, .msg_iov = &iov, .msg_iovlen = 1};
	sendmsg(fd, &msg, 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0 || ((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_DONE)
			break;
	}

	/* Not a dump, with an ack asked: the answer is an NLMSG_ERROR. */
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r.nh.nlmsg_type = RTM_DELADDR;
	r.nh.nlmsg_seq = 9;
	sendto(fd, &r, sizeof r, 0, NULL, 0);
	recvfrom(fd, buf, sizeof buf, 0, NULL, NULL);

	/* Less than a header, and a message of an unknown type. */
	sendto(fd, &r, 8, MSG_DONTWAIT, NULL, 0);
	r.nh.nlmsg_type = 0x7f;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	sendto(fd, &r, sizeof r, MSG_DONTWAIT, NULL, 0);
	close(fd);
	return 0;
}
