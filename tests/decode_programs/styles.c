/*
 * Values decoders build by hand, for the -X raw|verbose and -yy -x/-xx comparisons
 * with strace (tests/test_decode_styles.py): fcntl's return texts, statx's sync
 * types, device numbers, socket types, inet addresses, ioprio, prctl, clocks and
 * sigevents, real-time signals, a UNIX socket path that is not ASCII.
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *dir = argv[1]; /* the same empty directory for both tracers */
	char path[256];
	write(-1, "start", 5);

	int fd = open("/dev/null", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	fcntl(fd, F_GETFL);
	fcntl(fd, F_GETFD);
	fcntl(fd, F_SETSIG, SIGRTMIN + 1);
	fcntl(fd, F_GETSIG);
	int m = memfd_create("styles", MFD_ALLOW_SEALING);
	fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	fcntl(m, F_GET_SEALS);
	snprintf(path, sizeof path, "%s/lease", dir);
	int lf = open(path, O_RDWR | O_CREAT, 0600);
	fcntl(lf, F_GETLEASE);

	struct statx sx;
	statx(AT_FDCWD, "/dev/null", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx);
	statx(AT_FDCWD, "/dev/null", AT_STATX_FORCE_SYNC | AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx);
	statx(AT_FDCWD, "/dev/null", 0x6000, STATX_TYPE, &sx);
	struct stat st;
	stat("/dev/null", &st);
	snprintf(path, sizeof path, "%s/missing/node", dir);
	mknod(path, S_IFCHR | 0600, makedev(1, 3));

	int u4 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(9)};
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	connect(u4, (void *)&a4, sizeof a4);
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(9),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	connect(u6, (void *)&a6, sizeof a6);
	socket(AF_UNIX, SOCK_SEQPACKET, 0);
	socket(AF_INET, 0xf | SOCK_CLOEXEC, 0);

	syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4));
	syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);

	signal(SIGRTMIN + 2, SIG_IGN);
	kill(getpid(), SIGRTMIN + 2);
	prctl(PR_SET_PDEATHSIG, SIGRTMIN + 3);
	prctl(PR_SET_PDEATHSIG, 0);
	prctl(PR_GET_DUMPABLE);
	prctl(PR_CAPBSET_READ, 12);
	prctl(0x12345678, 1, 2);

	struct timespec ts;
	syscall(SYS_clock_getres, CLOCK_BOOTTIME, &ts);
	syscall(SYS_clock_getres, -2, &ts);
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 4};
	timer_t t;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &t);
	struct sigevent none = {.sigev_notify = SIGEV_NONE, .sigev_value.sival_int = 5};
	syscall(SYS_timer_create, CLOCK_REALTIME, &none, &t);

	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	snprintf(un.sun_path, sizeof un.sun_path, "%s/s\xc3\xa9ock", dir);
	bind(srv, (void *)&un, sizeof un);
	listen(srv, 1);
	write(srv, "", 0);
	unlink(un.sun_path);
	snprintf(path, sizeof path, "%s/lease", dir);
	unlink(path);

	/* mount's old magic word, memfd_create's huge page shift, utimensat's special times
	 * and the epoch, arch_prctl's extended state masks and components. */
	syscall(SYS_mount, "src", path, "tmpfs", 0xc0ed0000UL | MS_RDONLY, "mode=0");
	syscall(SYS_mount, "src", path, "tmpfs", 0xc0ed0000UL, NULL);
	syscall(SYS_memfd_create, "styles", 0xffffffffUL);
	syscall(SYS_memfd_create, "styles", 30U << 26);
	struct timespec pair[2] = {{.tv_nsec = UTIME_NOW}, {.tv_nsec = UTIME_OMIT}};
	syscall(SYS_utimensat, AT_FDCWD, path, pair, 0);
	struct timespec epoch[2] = {{0, 0}, {0, 1}};
	syscall(SYS_utimensat, AT_FDCWD, path, epoch, 0);
	unsigned long long mask = 0;
	syscall(SYS_arch_prctl, 0x1022 /* ARCH_GET_XCOMP_PERM */, &mask);
	syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 0xdeadUL);
	return 0;
}
