/*
 * File syscalls: open/create/read/write at offsets, stat family, directory
 * listing, links, renames, fd duplication, fcntl, truncation, and a few
 * failures (ENOENT, ENOTDIR, EEXIST, EBADF).
 * Uses only relative paths so two runs in the same directory trace the same.
 * Build: gcc -O1 -o file_ops file_ops.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	char buf[64];
	struct stat st;

	mkdir("file_ops.d", 0755);
	mkdir("file_ops.d", 0755); /* EEXIST */
	int fd = openat(AT_FDCWD, "file_ops.d/data.txt", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	write(fd, "hello, tracer\n", 14);
	pwrite(fd, "HELLO", 5, 0);
	lseek(fd, 0, SEEK_SET);
	read(fd, buf, sizeof buf);
	pread(fd, buf, 5, 7);
	struct iovec iov[2] = {{"vec-one ", 8}, {"vec-two\n", 8}};
	writev(fd, iov, 2);
	lseek(fd, 0, SEEK_SET);
	char a[4], b[6];
	struct iovec riov[2] = {{a, sizeof a}, {b, sizeof b}};
	readv(fd, riov, 2);
	fstat(fd, &st);
	fsync(fd);
	fdatasync(fd);
	ftruncate(fd, 10);

	int fd2 = dup(fd);
	dup2(fd, 10);
	dup3(fd, 11, O_CLOEXEC);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_GETFD);
	int fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	close(fd3);
	close(11);
	close(10);
	close(fd2);
	close(fd);
	close(fd); /* EBADF */

	stat("file_ops.d/data.txt", &st);
	lstat("file_ops.d/data.txt", &st);
	fstatat(AT_FDCWD, "file_ops.d", &st, AT_SYMLINK_NOFOLLOW);
	access("file_ops.d/data.txt", R_OK | W_OK);
	access("file_ops.d/missing", F_OK); /* ENOENT */
	faccessat(AT_FDCWD, "file_ops.d", X_OK, 0);
	open("file_ops.d/data.txt/sub", O_RDONLY); /* ENOTDIR */
	open("/nonexistent/file", O_RDONLY);       /* ENOENT */

	symlink("data.txt", "file_ops.d/link");
	ssize_t n = readlink("file_ops.d/link", buf, sizeof buf);
	(void)n;
	link("file_ops.d/data.txt", "file_ops.d/hard");
	rename("file_ops.d/hard", "file_ops.d/hard2");
	chmod("file_ops.d/data.txt", 0600);
	truncate("file_ops.d/data.txt", 4);

	int dfd = open("file_ops.d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ffd = openat(dfd, "data.txt", O_RDONLY);
	fchmod(ffd, 0640);
	close(ffd);
	close(dfd);

	DIR *d = opendir("file_ops.d");
	int entries = 0;
	while (readdir(d))
		entries++;
	closedir(d);

	char cwd[256];
	getcwd(cwd, sizeof cwd);
	chdir("file_ops.d");
	chdir("..");

	unlink("file_ops.d/link");
	unlink("file_ops.d/hard2");
	unlink("file_ops.d/data.txt");
	unlinkat(AT_FDCWD, "file_ops.d", AT_REMOVEDIR);
	rmdir("file_ops.d"); /* ENOENT */
	return entries == 5 ? 0 : 1;
}
