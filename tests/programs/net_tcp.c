/*
 * TCP on 127.0.0.1 in one process: socket options, bind to an ephemeral
 * port, listen, connect, accept4, send/recv, sendmsg/recvmsg, peer and
 * socket names, shutdown, and a refused connection (ECONNREFUSED).
 * Build: gcc -O1 -o net_tcp net_tcp.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	int one = 1;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof addr;
	char buf[64];

	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(srv, (struct sockaddr *)&addr, sizeof addr);
	listen(srv, 4);
	getsockname(srv, (struct sockaddr *)&addr, &len);

	int cli = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	connect(cli, (struct sockaddr *)&addr, sizeof addr);
	struct sockaddr_in peer;
	socklen_t plen = sizeof peer;
	int conn = accept4(srv, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);

	send(cli, "request", 7, 0);
	recv(conn, buf, sizeof buf, 0);
	sendto(conn, "reply", 5, MSG_NOSIGNAL, NULL, 0);
	recvfrom(cli, buf, sizeof buf, 0, NULL, NULL);

	struct iovec iov[2] = {{"two ", 4}, {"parts", 5}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	sendmsg(cli, &msg, 0);
	struct iovec riov = {buf, sizeof buf};
	struct msghdr rmsg = {.msg_iov = &riov, .msg_iovlen = 1};
	recvmsg(conn, &rmsg, 0);

	int val;
	socklen_t vlen = sizeof val;
	getsockopt(cli, SOL_SOCKET, SO_TYPE, &val, &vlen);
	getsockopt(cli, SOL_SOCKET, SO_ERROR, &val, &vlen);
	plen = sizeof peer;
	getpeername(cli, (struct sockaddr *)&peer, &plen);

	shutdown(cli, SHUT_WR);
	recv(conn, buf, sizeof buf, 0); /* 0: end of stream */
	close(conn);
	close(cli);
	close(srv);

	/* Nobody listens on the old port any more. */
	int refused = socket(AF_INET, SOCK_STREAM, 0);
	connect(refused, (struct sockaddr *)&addr, sizeof addr);
	close(refused);
	return 0;
}
