/*
 * Memory syscalls: anonymous and file mappings, protection changes,
 * remapping, advice, locking, brk growth and msync.
 * Build: gcc -O1 -o memory memory.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	size_t page = 4096;
	char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 1, 4 * page);
	mprotect(p, page, PROT_READ);
	madvise(p + page, page, MADV_DONTNEED);
	unsigned char vec[4];
	mincore(p, 4 * page, vec);
	mlock(p + 2 * page, page);
	munlock(p + 2 * page, page);
	char *q = mremap(p, 4 * page, 8 * page, MREMAP_MAYMOVE);
	munmap(q, 8 * page);
	munmap(NULL, page); /* succeeds: nothing mapped there */
	mmap(NULL, page, PROT_READ, MAP_PRIVATE, 12345, 0); /* EBADF */

	int fd = open("memory.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	ftruncate(fd, page);
	char *f = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(f, "mapped", 6);
	msync(f, page, MS_SYNC);
	munmap(f, page);
	close(fd);
	unlink("memory.dat");

	void *cur = sbrk(0);
	brk((char *)cur + 64 * 1024);
	brk(cur);
	return 0;
}
