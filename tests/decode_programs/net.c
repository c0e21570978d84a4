/* Sockets on loopback and unix sockets; prints the strace line for each call. */
#include "oracle.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int one = 1, r;
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	expect("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = %s", fdn(srv));
	r = setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	expect("setsockopt(%s, SOL_SOCKET, SO_REUSEADDR, [1], 4) = %d", fdn(srv), r);
	r = bind(srv, (void *)&a, sizeof a);
	expect("bind(%s, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = %d", fdn(srv), r);
	r = listen(srv, 5);
	expect("listen(%s, 5) = %d", fdn(srv), r);
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	r = getsockname(srv, (void *)&ss, &len);
	int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	expect("getsockname(%s, {sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = %d", fdn(srv), port, r);

	int cli = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	expect("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = %s", fdn(cli));
	r = setsockopt(cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	expect("setsockopt(%s, SOL_TCP, TCP_NODELAY, [1], 4) = %d", fdn(cli), r);
	struct linger lg = {1, 0};
	r = setsockopt(cli, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	expect("setsockopt(%s, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = %d", fdn(cli), r);
	a.sin_port = htons(port);
	r = connect(cli, (void *)&a, sizeof a);
	expect("connect(%s, {sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = %d", fdn(cli), port, r);
	len = sizeof ss;
	int acc = accept4(srv, (void *)&ss, &len, SOCK_CLOEXEC);
	expect("accept4(%s, {sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16], SOCK_CLOEXEC) = %s",
	       fdn(srv), ntohs(((struct sockaddr_in *)&ss)->sin_port), fdn(acc));
	int err;
	len = sizeof err;
	r = getsockopt(cli, SOL_SOCKET, SO_ERROR, &err, &len);
	expect("getsockopt(%s, SOL_SOCKET, SO_ERROR, [0], [4]) = %d", fdn(cli), r);
	r = sendto(cli, "hello\n", 6, MSG_NOSIGNAL, NULL, 0);
	expect("sendto(%s, \"hello\\n\", 6, MSG_NOSIGNAL, NULL, 0) = %d", fdn(cli), r);
	char buf[64];
	r = recvfrom(acc, buf, sizeof buf, 0, NULL, NULL);
	expect("recvfrom(%s, \"hello\\n\", 64, 0, NULL, NULL) = %d", fdn(acc), r);
	r = shutdown(cli, SHUT_WR);
	expect("shutdown(%s, SHUT_WR) = %d", fdn(cli), r);

	/* A refused connection: nothing listens on the port once srv is closed. */
	close(srv);
	int lone = socket(AF_INET, SOCK_STREAM, 0);
	r = connect(lone, (void *)&a, sizeof a);
	if (r < 0 && errno == ECONNREFUSED)
		expect("connect(%s, {sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)", fdn(lone), port);

	/* IPv6 loopback datagram socket. */
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	r = bind(s6, (void *)&a6, sizeof a6);
	expect("bind(%s, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = %d", fdn(s6), r);

	/* Unix sockets: abstract name, socketpair, SCM_RIGHTS. */
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memcpy(un.sun_path, "\0tracetui-test", 14);
	r = bind(u, (void *)&un, offsetof(struct sockaddr_un, sun_path) + 14);
	expect("bind(%s, {sa_family=AF_UNIX, sun_path=@\"tracetui-test\"}, 16) = %d", fdn(u), r);
	int sv[2];
	r = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	expect("socketpair(AF_UNIX, SOCK_STREAM, 0, [%s, %s]) = %d", fdn(sv[0]), fdn(sv[1]), r);

	struct iovec iov = {"ping", 4};
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &s6, sizeof s6);
	r = sendmsg(sv[0], &m, 0);
	expect("sendmsg(%s, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ping\", iov_len=4}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[%s]}], msg_controllen=24, msg_flags=0}, 0) = %d",
	       fdn(sv[0]), fdn(s6), r);
	char rbuf[32];
	struct iovec riov = {rbuf, sizeof rbuf};
	char rcbuf[64];
	struct msghdr rm = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = rcbuf, .msg_controllen = sizeof rcbuf};
	r = recvmsg(sv[1], &rm, 0);
	int got;
	memcpy(&got, CMSG_DATA(CMSG_FIRSTHDR(&rm)), sizeof got);
	expect("recvmsg(%s, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ping\", iov_len=32}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[%s]}], msg_controllen=24, msg_flags=0}, 0) = %d",
	       fdn(sv[1]), fdn(got), r);
	return 0;
}
