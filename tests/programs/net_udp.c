/*
 * UDP on 127.0.0.1: sendto/recvfrom with addresses, a connected UDP socket
 * with send/recv, sendmmsg/recvmmsg batches, and a non-blocking receive on
 * an empty socket (EAGAIN). Also an IPv6 loopback socket.
 * Build: gcc -O1 -o net_udp net_udp.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof addr;
	char buf[64];

	int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bind(rx, (struct sockaddr *)&addr, sizeof addr);
	getsockname(rx, (struct sockaddr *)&addr, &len);

	int tx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	sendto(tx, "datagram", 8, 0, (struct sockaddr *)&addr, sizeof addr);
	struct sockaddr_in from;
	socklen_t flen = sizeof from;
	recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);

	connect(tx, (struct sockaddr *)&addr, sizeof addr);
	send(tx, "connected", 9, 0);
	recv(rx, buf, sizeof buf, 0);

	struct iovec iov[2] = {{"first", 5}, {"second", 6}};
	struct mmsghdr out[2];
	memset(out, 0, sizeof out);
	out[0].msg_hdr.msg_iov = &iov[0];
	out[0].msg_hdr.msg_iovlen = 1;
	out[1].msg_hdr.msg_iov = &iov[1];
	out[1].msg_hdr.msg_iovlen = 1;
	sendmmsg(tx, out, 2, 0);
	char b1[16], b2[16];
	struct iovec riov[2] = {{b1, sizeof b1}, {b2, sizeof b2}};
	struct mmsghdr in[2];
	memset(in, 0, sizeof in);
	in[0].msg_hdr.msg_iov = &riov[0];
	in[0].msg_hdr.msg_iovlen = 1;
	in[1].msg_hdr.msg_iov = &riov[1];
	in[1].msg_hdr.msg_iovlen = 1;
	recvmmsg(rx, in, 2, 0, NULL);

	recv(rx, buf, sizeof buf, MSG_DONTWAIT); /* EAGAIN */

	int v6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	bind(v6, (struct sockaddr *)&a6, sizeof a6);
	close(v6);
	close(tx);
	close(rx);
	return 0;
}
