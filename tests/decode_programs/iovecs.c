/* readv/writev and their p*v/p*v2 forms, whose iovec arrays the C core reads as data
 * (capture.Iovecs): whole buffers for a write, what the call got for a read, bases
 * only for a failed read; an array cut by unmapped memory, NULL and bad bases, more
 * elements than -s shows, counts of 0 and -1, a NULL array. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data", argc > 1 ? argv[1] : ".");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) return 1;
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(page + 4096, 4096);
	write(-1, "start", 5);
	struct iovec w[3] = {{"hello ", 6}, {"iovec\n", 6}, {"\0\1\377tail", 7}};
	writev(fd, w, 3);
	pwritev(fd, w, 2, 100);
	pwritev2(fd, w + 1, 2, 200, 0);
	char a[4], b[8], c[64];
	struct iovec r[3] = {{a, sizeof a}, {b, sizeof b}, {c, sizeof c}};
	lseek(fd, 0, SEEK_SET);
	readv(fd, r, 3);
	preadv(fd, r, 3, 100);
	preadv2(fd, r, 2, 10000, 0);
	readv(-1, r, 3);
	readv(fd, r, 0);
	readv(fd, NULL, 2);
	writev(fd, (struct iovec *)1, 2);
	/* the array runs into the unmapped page after its first element */
	struct iovec *edge = (struct iovec *)(page + 4096 - sizeof(struct iovec));
	edge[0].iov_base = "edge";
	edge[0].iov_len = 4;
	writev(fd, edge, 3);
	writev(fd, edge, -1);
	struct iovec bad[2] = {{NULL, 3}, {(void *)1, 2}};
	writev(fd, bad, 2);
	struct iovec many[40];
	for (int i = 0; i < 40; i++) {
		many[i].iov_base = "x";
		many[i].iov_len = 1;
	}
	writev(fd, many, 40);
	static char big[100];
	memset(big, 'b', sizeof big);
	struct iovec large[1] = {{big, sizeof big}};
	writev(fd, large, 1);
	return 0;
}
