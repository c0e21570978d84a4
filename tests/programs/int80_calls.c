/* 32-bit system calls from a 64-bit program (int $0x80): the i386 numbers mean
 * other calls than the same x86_64 numbers (4 is write, not stat; 20 is getpid,
 * not writev). Prints the lines the tracer must show for them, one per line. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

int main(void)
{
	/* A buffer below 4 GiB, so a 32-bit pointer reaches it. */
	char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	long pid = int80(20, 0, 0, 0); /* i386 getpid */
	buf[0] = 'o'; buf[1] = 'k'; buf[2] = '\n';
	long n = int80(4, 2, (long)buf, 3); /* i386 write(2, buf, 3) */
	printf("getpid() = %ld\n", pid);
	printf("write(2, %#lx, 3) = %ld\n", (unsigned long)buf, n);
	fflush(stdout);
	return 0;
}
