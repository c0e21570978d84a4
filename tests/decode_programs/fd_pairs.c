/* pipe, pipe2 and socketpair, whose new fds appear only in memory (-y names them, and a
 * number a closed file had is named afresh), and dup2/dup3, which show what the target
 * fd was before the call. The C core takes them whole (capture.FdsIn at exit, FdName). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/file", argc > 1 ? argv[1] : ".");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int other = open("/dev/null", O_RDONLY);
	if (fd < 0 || other < 0) return 1;
	write(-1, "start", 5);
	int p[2], q[2], sv[2];
	close(fd); /* its number goes to the pipe's read end, which is named afresh */
	pipe(p);
	read(p[0], path, 0);
	pipe2(q, O_CLOEXEC | O_NONBLOCK);
	pipe((int *)1);
	pipe2(q, 0x40000000);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "x", 1);
	socketpair(AF_UNIX, SOCK_DGRAM, 0, (int *)1);
	/* dup2 onto an open fd shows what it was; onto a closed one, the bare number */
	dup2(p[1], other);
	write(other, "y", 1);
	dup2(q[0], 77);
	dup3(sv[1], 78, O_CLOEXEC);
	dup3(sv[1], sv[1], 0);
	dup2(-1, 79);
	dup2(q[0], -1);
	close(77);
	dup2(sv[0], 77);
	return 0;
}
