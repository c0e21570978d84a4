/*
 * Extended attributes and file times at their edges, for the comparison with strace
 * (tests/test_decode_xattr.py): NULL and bad ((void *)1) pointers, buffers that stop
 * being readable mid-way (a PROT_NONE page after them), failed calls, sizes of 0 and
 * around XATTR_SIZE_MAX (65536: a value up to it is printed, a larger one is not), a
 * getxattr/listxattr given a size of 0 (the buffer is printed with the length the
 * kernel returned, though it wrote nothing there), names longer than -s, unknown flags,
 * UTIME_NOW/UTIME_OMIT and out-of-range times. argv[1] is an empty directory; every
 * call is made on files in it. Everything after the `write(-1, "start", 5)` marker is
 * compared line by line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

/* The bad pointers and sizes are the point: gcc is told not to mind them. */
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wnonnull"
#pragma GCC diagnostic ignored "-Wunused-result"

#define BAD ((void *)1)

static char big[65537 + 16];

int main(int argc, char **argv)
{
	char path[512], buf[256];
	if (argc < 2)
		return 2;
	snprintf(path, sizeof path, "%s/target", argv[1]);
	unlink(path); /* a fresh file: no attributes left by the other tracer's run */
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	/* Two pages, the second unreadable: data that ends at the first one's end. */
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(page + 4096, 4096, PROT_NONE);
	char *edge = page + 4096;
	memset(page, 'p', 4096);
	memset(big, 'b', sizeof big);
	memset(buf, 'q', sizeof buf);
	const char *long_name = "user.a-name-longer-than-the-thirty-two-bytes-of-s";
	write(-1, "start", 5);

	/* set */
	setxattr(path, "user.e", "val\0", 4, 0);
	setxattr(path, "user.e", "val", 3, XATTR_CREATE);
	setxattr(path, "user.z", "", 0, 0);
	setxattr(path, "user.q", "abc\0efgh", 8, 0);
	setxattr(path, "user.r", "abcdefgh", 8, 0);
	setxattr(path, "user.n", NULL, 0, 0);
	setxattr(path, NULL, "x", 1, 0);
	setxattr(path, "user.e", BAD, 5, 0);
	setxattr(path, "user.b0", BAD, 0, 0);
	setxattr(NULL, "user.e", "x", 1, 0);
	setxattr(BAD, "user.e", "x", 1, 0);
	setxattr(path, "user.e", edge - 4, 8, 0);
	setxattr(path, "user.big", big, 65536, 0);
	setxattr(path, "user.big", big, 65537, 0);
	setxattr(path, "user.big", big, 0x1ffff, 0);
	setxattr(path, "user.big", big, (size_t)-1, 0);
	lsetxattr(path, BAD, "x", 1, 0);
	lsetxattr(path, long_name, "v", 1, 0);
	fsetxattr(fd, "user.f", "abc", 3, 0x10);
	fsetxattr(fd, "user.f", "abc", 3, 0);
	fsetxattr(-1, "user.f", "abc", 3, 0);

	/* get */
	getxattr(path, "user.e", buf, sizeof buf);
	getxattr(path, "user.e", NULL, 0);
	getxattr(path, "user.e", buf, 0);
	getxattr(path, "user.e", BAD, 0);
	getxattr(path, "user.e", BAD, 16);
	getxattr(path, "user.e", edge - 2, 4);
	getxattr(path, "user.missing", buf, 16);
	getxattr(path, "user.e", buf, 1);
	getxattr(path, "user.z", buf, sizeof buf);
	getxattr(path, "user.q", buf, sizeof buf);
	getxattr(path, "user.r", buf, sizeof buf);
	getxattr(path, NULL, buf, 16);
	getxattr(NULL, "user.e", buf, 16);
	lgetxattr(BAD, "user.e", buf, 16);
	lgetxattr(path, BAD, buf, 16);
	lgetxattr(path, long_name, buf, sizeof buf);
	fgetxattr(fd, "user.f", buf, sizeof buf);
	fgetxattr(fd, NULL, buf, 16);
	fgetxattr(-1, "user.f", buf, 16);

	/* list */
	listxattr(path, buf, sizeof buf);
	listxattr(path, NULL, 0);
	listxattr(path, buf, 0);
	listxattr(path, BAD, 0);
	listxattr(path, BAD, 100);
	listxattr(path, NULL, 100);
	listxattr(path, buf, 1);
	listxattr(BAD, buf, sizeof buf);
	llistxattr(path, buf, sizeof buf);
	llistxattr(NULL, buf, sizeof buf);
	flistxattr(fd, buf, sizeof buf);
	flistxattr(-1, buf, sizeof buf);

	/* remove */
	removexattr(path, "user.missing");
	removexattr(path, NULL);
	removexattr(BAD, "user.e");
	removexattr(path, "user.e");
	lremovexattr(path, BAD);
	lremovexattr(path, "user.z");
	fremovexattr(fd, "user.f");
	fremovexattr(fd, NULL);
	fremovexattr(-1, "user.f");

	/* file times */
	struct utimbuf ub = {100, 200000};
	syscall(SYS_utime, path, &ub);
	syscall(SYS_utime, path, NULL);
	syscall(SYS_utime, path, BAD);
	syscall(SYS_utime, BAD, &ub);
	syscall(SYS_utime, NULL, &ub);
	syscall(SYS_utime, path, edge - 8);
	struct timeval tv[2] = {{100, 5}, {200, 0}};
	struct timeval bad_tv[2] = {{1, -1}, {200, 1000000}};
	syscall(SYS_utimes, path, tv);
	syscall(SYS_utimes, path, NULL);
	syscall(SYS_utimes, path, BAD);
	syscall(SYS_utimes, path, bad_tv);
	syscall(SYS_utimes, path, edge - 16);
	syscall(SYS_futimesat, AT_FDCWD, path, tv);
	syscall(SYS_futimesat, fd, NULL, tv);
	syscall(SYS_futimesat, -1, "x", NULL);
	syscall(SYS_futimesat, AT_FDCWD, BAD, NULL);
	syscall(SYS_futimesat, fd, NULL, BAD);
	struct timespec ts[2] = {{300, 0}, {400, 7}};
	struct timespec special[2] = {{0, UTIME_NOW}, {5, UTIME_OMIT}};
	struct timespec bad_ts[2] = {{-1, 2000000000}, {1, -5}};
	syscall(SYS_utimensat, AT_FDCWD, path, ts, 0);
	syscall(SYS_utimensat, fd, NULL, special, 0);
	syscall(SYS_utimensat, fd, "", ts, AT_EMPTY_PATH);
	syscall(SYS_utimensat, AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	syscall(SYS_utimensat, AT_FDCWD, path, BAD, 0);
	syscall(SYS_utimensat, AT_FDCWD, path, bad_ts, 0);
	syscall(SYS_utimensat, AT_FDCWD, path, edge - 24, 0);
	syscall(SYS_utimensat, AT_FDCWD, BAD, ts, 0x4);
	syscall(SYS_utimensat, -1, "x", ts, 0);
	return 0;
}
