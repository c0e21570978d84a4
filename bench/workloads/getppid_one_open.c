/* Workload for filtered tracing (-e trace=openat): a getppid loop (argv[1]
 * iterations) that the filter excludes, plus one openat it includes. With a
 * seccomp-bpf filter the loop should run at native speed. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
