/* fcntl by command: F_DUPFD and F_DUPFD_CLOEXEC return a new fd (named under -y, a
 * number reused after a close named afresh); the other commands return none. The lock
 * and owner structures are read at entry (set) or exit (get), NULL and unreadable ones
 * print as strace prints them. Run with -y: the C core takes these calls whole. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[4096], c;
	snprintf(path, sizeof path, "%s/file", argc > 1 ? argv[1] : ".");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) return 1;
	write(fd, "abc", 3);
	int null = open("/dev/null", O_RDONLY);
	write(-1, "start", 5);
	int d = fcntl(fd, F_DUPFD, 10);
	int e = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	fcntl(d, F_GETFD);
	fcntl(e, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, O_APPEND);
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 2};
	fcntl(fd, F_SETLK, &fl);
	fcntl(fd, F_GETLK, &fl);
	fcntl(fd, F_OFD_GETLK, &fl);
	fcntl(fd, F_SETLK, NULL);
	fcntl(fd, F_GETLK, (void *)1);
	struct f_owner_ex own = {F_OWNER_PID, 0};
	fcntl(fd, F_SETOWN_EX, &own);
	fcntl(fd, F_GETOWN_EX, &own);
	fcntl(fd, F_GETOWN_EX, NULL);
	fcntl(99, F_DUPFD, 0);
	fcntl(fd, 0x7fff, 0);
	/* fd 10 is closed, then made again by F_DUPFD for another file: named afresh. */
	close(d);
	read(d, &c, 1);
	int again = fcntl(null, F_DUPFD, 10);
	read(again, &c, 1);
	return 0;
}
