/* poll and ppoll, whose pollfd arrays are data and whose fds the C core names under -y
 * (capture.FdsIn): open, negative, closed and repeated fds, a socket (-yy describes it),
 * an array cut by an unmapped page, NULL and bad arrays, nfds 0, timeouts and masks. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data", argc > 1 ? argv[1] : ".");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int p[2];
	if (fd < 0 || pipe(p)) return 1;
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(p[1], "x", 1);
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	write(-1, "start", 5);
	struct pollfd f[6] = {{fd, POLLIN, 0}, {p[0], POLLIN | POLLPRI, 0}, {-1, POLLIN, 0},
			      {55, POLLOUT, 0}, {fd, POLLOUT, 0}, {sv[0], POLLOUT, 0}};
	poll(f, 6, 0);
	poll(f, 0, 0);
	poll(NULL, 0, 1);
	poll((struct pollfd *)1, 2, 0);
	struct pollfd *edge = (struct pollfd *)(page + 4096 - sizeof(struct pollfd));
	edge->fd = p[0];
	edge->events = POLLIN;
	poll(edge, 3, 0);
	struct timespec ts = {0, 1000};
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	ppoll(f, 6, &ts, &mask);
	ppoll(f, 2, NULL, NULL);
	struct pollfd quiet[1] = {{p[1], 0, 0}};
	ppoll(quiet, 1, &ts, NULL);
	close(p[0]);
	poll(f, 2, 0);
	return 0;
}
