/*
 * Oracle helpers for decoder tests: a traced program performs syscalls and
 * writes the exact line strace 6.1 (-f -y -s 64) prints for each one to the
 * file named by argv[1] (one line, without the pid prefix and padding).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *oracle_out;

static void oracle_open(int argc, char **argv)
{
	if (argc < 2 || !(oracle_out = fopen(argv[1], "w")))
		exit(2);
	setvbuf(oracle_out, NULL, _IONBF, 0);
}

/* An fd as strace -y shows it: 3<socket:[1234]>. Rotates 8 static buffers. */
static const char *fdn(int fd)
{
	static char bufs[8][320];
	static int next;
	char link[64], target[256];
	char *b = bufs[next++ & 7];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n < 0) {
		snprintf(b, 320, "%d", fd);
		return b;
	}
	target[n] = 0;
	snprintf(b, 320, "%d<%s>", fd, target);
	return b;
}

static void expect(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(oracle_out, fmt, ap);
	va_end(ap);
	fputc('\n', oracle_out);
}
