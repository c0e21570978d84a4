/* send/recv (sendto/recvfrom), which the C core takes whole on a non-netlink socket:
 * a datagram cut by MSG_TRUNC (the return value passes the buffer), an address read
 * back, a zero-length send, NULL and bad buffers, failing calls, a length with no
 * address. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sv[2];
	char buf[64];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) return 1;
	write(-1, "start", 5);
	send(sv[0], "0123456789abcdef", 16, 0);
	recvfrom(sv[1], buf, 4, MSG_TRUNC, NULL, NULL);
	send(sv[0], "hello", 5, MSG_DONTWAIT);
	struct sockaddr_un from;
	socklen_t len = sizeof from;
	recvfrom(sv[1], buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
	send(sv[0], "", 0, 0);
	recv(sv[1], buf, sizeof buf, 0);
	sendto(sv[0], NULL, 3, 0, NULL, 0);
	sendto(sv[0], (void *)1, 3, 0, NULL, 0);
	recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
	recvfrom(sv[1], (void *)1, 4, MSG_DONTWAIT, NULL, NULL);
	/* no address: strace shows the length's pointer as it is, unread */
	send(sv[0], "z", 1, 0);
	recvfrom(sv[1], buf, sizeof buf, 0, NULL, &len);
	getsockname(sv[0], NULL, &len);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	sendto(u, "udp", 3, 0, (struct sockaddr *)&to, sizeof to);
	sendto(u, "udp", 3, 0, (struct sockaddr *)&to, (socklen_t)-1);
	return 0;
}
