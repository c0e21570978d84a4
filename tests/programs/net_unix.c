/*
 * Unix sockets: a socketpair with datagrams, passing a file descriptor with
 * SCM_RIGHTS, and a named stream socket (relative path) with
 * listen/connect/accept. Also a connect to a missing path (ENOENT).
 * Build: gcc -O1 -o net_unix net_unix.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void send_fd(int sock, int fd)
{
	char data = 'F';
	struct iovec iov = {&data, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	sendmsg(sock, &msg, 0);
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = {&data, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof u.buf};
	int fd = -1;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) > 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
	}
	return fd;
}

int main(void)
{
	char buf[64];
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv);
	write(sv[0], "over a pair", 11);
	read(sv[1], buf, sizeof buf);

	int devnull = open("/dev/null", O_WRONLY);
	send_fd(sv[0], devnull);
	int got = recv_fd(sv[1]);
	write(got, "via passed fd", 13);
	close(got);
	close(devnull);
	close(sv[0]);
	close(sv[1]);

	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	strcpy(addr.sun_path, "net_unix.sock");
	unlink(addr.sun_path);
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(srv, (struct sockaddr *)&addr, sizeof addr);
	listen(srv, 1);
	int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	connect(cli, (struct sockaddr *)&addr, sizeof addr);
	int conn = accept(srv, NULL, NULL);
	write(cli, "stream", 6);
	read(conn, buf, sizeof buf);
	close(conn);
	close(cli);
	close(srv);
	unlink(addr.sun_path);

	int lost = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(addr.sun_path, "net_unix.missing");
	connect(lost, (struct sockaddr *)&addr, sizeof addr); /* ENOENT */
	close(lost);
	return 0;
}
