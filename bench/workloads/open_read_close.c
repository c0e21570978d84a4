/* Workload: open/read/close of a small file in a loop (argv[1] iterations). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	char buf[256];
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 1;
		read(fd, buf, sizeof buf);
		close(fd);
	}
	return 0;
}
