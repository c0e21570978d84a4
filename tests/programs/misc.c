/*
 * Miscellaneous syscalls with deterministic results: umask, uname, prctl
 * names, personality query, scheduler queries, ioctl on a non-terminal
 * (ENOTTY), clock_getres, nanosleep, an unknown syscall number (ENOSYS),
 * getcwd, capget, and getpriority.
 * Build: gcc -O1 -o misc misc.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	char name[16];
	umask(022);
	umask(077);
	struct utsname u;
	uname(&u);
	prctl(PR_SET_NAME, "misc-renamed");
	prctl(PR_GET_NAME, name);
	personality(0xffffffff);
	sched_yield();
	sched_getscheduler(0);
	struct sched_param sp;
	sched_getparam(0, &sp);
	getpriority(PRIO_PROCESS, 0);

	int fd = open("/dev/null", O_RDONLY);
	struct termios t;
	ioctl(fd, TCGETS, &t); /* ENOTTY */
	int avail;
	ioctl(fd, FIONREAD, &avail);
	close(fd);

	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	struct timespec nap = {0, 1000000};
	nanosleep(&nap, NULL);
	clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL);

	syscall(1000, 1, 2, 3, 4, 5, 6); /* ENOSYS; all six set, no stale registers */

	char cwd[256];
	syscall(SYS_getcwd, cwd, sizeof cwd);

	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	syscall(SYS_capget, &hdr, data);
	return 0;
}
