/*
 * More of the long tail, for the comparisons with strace (tests/test_decode_misc_tail.py):
 * the new mount API (fsconfig per command, mount_setattr's extensible struct), kcmp,
 * kexec_load's segments and kexec_file_load, futex operation names and futex_waitv,
 * fcntl's F_{SET,GET}OWN_EX, getrusage, POSIX message queues, dup2/dup3 onto an open fd,
 * fanotify_mark's FAN_NOFD, epoll_pwait2's failure, ioprio_set's int, shmget's huge page
 * shift and a path of PATH_MAX bytes with no NUL. Every call fails harmlessly or has no
 * lasting effect (kexec calls carry flags the kernel rejects). Everything after the
 * `write(-1, "start", 5)` marker is compared line by line; argv[1] is a scratch directory.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Memory that ends where its page does: `size` bytes before an unmapped page. */
static char *edge(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - size;
}

struct mount_attr_ext {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
	uint8_t extra[8];
};

struct waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};

struct segment {
	const void *buf;
	size_t bufsz;
	const void *mem;
	size_t memsz;
};

static void mount_api(int full)
{
	struct timespec ts = {1, 2};
	(void)ts;
	static const char key[] = "source";
	static const char blob[] = "\x01\x02zz";
	syscall(__NR_fsconfig, -1, 1 /* SET_STRING */, key, "value", 0);
	syscall(__NR_fsconfig, -1, 2 /* SET_BINARY */, key, blob, 4);
	syscall(__NR_fsconfig, -1, 2, key, blob, -1);
	syscall(__NR_fsconfig, -1, 3 /* SET_PATH */, key, "/dev/full", -100);
	syscall(__NR_fsconfig, -1, 5 /* SET_FD */, key, NULL, full);
	syscall(__NR_fsconfig, -1, 6 /* CMD_CREATE */, NULL, NULL, 0);
	syscall(__NR_fsconfig, -1, 0x20, NULL, NULL, 7);

	struct mount_attr_ext *attr = (void *)edge(sizeof(*attr));
	memset(attr, 0, sizeof(*attr));
	attr->attr_set = 0x100000 /* MOUNT_ATTR_IDMAP */ | 0x1000000000ULL;
	attr->attr_clr = 0x2 | 0x40;
	attr->propagation = 1 << 18 /* MS_PRIVATE */;
	attr->userns_fd = full;
	syscall(__NR_mount_setattr, -1, "/dev/full", 0x8000 /* AT_RECURSIVE */, attr, 32);
	attr->extra[3] = 0x80;
	syscall(__NR_mount_setattr, -1, "", 0xffff, attr, 40);
	attr->attr_set = 0xffffffff00000000ULL;
	attr->propagation = (1 << 18) | (1 << 20);
	syscall(__NR_mount_setattr, -100, "x", 0, attr, sizeof(*attr));
	syscall(__NR_mount_setattr, -1, NULL, 0, (char *)attr + 16, 40); /* past the page: ??? */
	syscall(__NR_mount_setattr, -1, NULL, 0, attr, 24);
}

static void processes(int full, int null)
{
	pid_t pid = getpid();
	syscall(__NR_kcmp, pid, pid, 0 /* KCMP_FILE */, full, full); /* the same file: 0 */
	syscall(__NR_kcmp, pid, pid, 1 /* KCMP_VM */, 1, 2);
	syscall(__NR_kcmp, -1, -1, 0xda7a, 0xdec0ded3UL, 0xba5e1e55UL);
	uint32_t *slot = (void *)edge(12);
	slot[0] = full;
	slot[1] = null;
	slot[2] = 77;
	syscall(__NR_kcmp, pid, -1, 7 /* KCMP_EPOLL_TFD */, full, slot);
	syscall(__NR_kcmp, pid, -1, 7, full, (char *)slot + 4);

	/* The kernel rejects the SH architecture and unknown kexec_file_load flags. */
	struct segment *segs = (void *)edge(3 * sizeof(*segs));
	for (int i = 0; i < 3; i++)
		segs[i] = (struct segment){(void *)(0x1000UL * i), 10 + i, NULL, 4096};
	syscall(__NR_kexec_load, 0x1000, 3, segs, 42 << 16 | 1);
	syscall(__NR_kexec_load, 0x1000, 4, segs, 0xda7a0000 | 0x10);
	syscall(__NR_kexec_load, 0x1000, 17, segs, 42 << 16);
	char *cmdline = edge(6);
	memcpy(cmdline, "quiet!", 6);
	syscall(__NR_kexec_file_load, -1, -1, 6, cmdline, 0x2 | 0xdead0000UL);
	syscall(__NR_kexec_file_load, -1, -1, 7, cmdline, 0x4 | 0x1000UL);
}

static void futexes(void)
{
	static uint32_t word;
	struct timespec ts = {0, 1000};
	syscall(__NR_futex, &word, 1 | 256 /* WAKE|CLOCK_REALTIME */, 1, NULL, NULL, 0);
	syscall(__NR_futex, &word, 2 | 128 /* FD|PRIVATE */, 1, NULL, NULL, 0);
	syscall(__NR_futex, &word, 0 | 128 | 256, 1, &ts, NULL, 0);
	syscall(__NR_futex, &word, 5 /* WAKE_OP */, 1, NULL, &word, 0x5f00f000);

	struct waitv *w = (void *)edge(2 * sizeof(*w));
	w[0] = (struct waitv){1, (uintptr_t)&word, 2 | 128, 0};
	w[1] = (struct waitv){0xdeadbeef, 0, 0xff, 5};
	syscall(__NR_futex_waitv, w, 1, 0, &ts, CLOCK_MONOTONIC);
	syscall(__NR_futex_waitv, w, 2, 0, NULL, CLOCK_REALTIME);
	syscall(__NR_futex_waitv, w + 1, 2, 0, NULL, CLOCK_REALTIME);
	syscall(__NR_futex_waitv, w, 0, 1, (char *)w - 8, -1);
}

static void files(const char *dir, int full, int null)
{
	struct { int type, pid; } owner = {1 /* F_OWNER_PID */, getpid()};
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	syscall(__NR_fcntl, fd, 15 /* F_SETOWN_EX */, &owner);
	syscall(__NR_fcntl, fd, 16 /* F_GETOWN_EX */, &owner);
	owner.type = 9;
	syscall(__NR_fcntl, fd, 15, &owner);
	close(fd);

	int copy = dup(null);
	dup2(full, copy);
	syscall(__NR_dup3, null, copy, 0);
	close(copy);

	syscall(__NR_fanotify_mark, -1, 0, 0x40000000UL | 0x8000000 | 0x1, -1, NULL);
	syscall(__NR_fanotify_mark, -1, 0x81, 0, -100, "x");

	char *path = edge(PATH_MAX);
	memset(path, '/', PATH_MAX);
	syscall(__NR_chdir, path);
}

static void queues(void)
{
	struct { long flags, maxmsg, msgsize, curmsgs, reserved[4]; } *attr = (void *)edge(32);
	syscall(__NR_mq_open, (char *)1, O_RDWR | O_CREAT, 0600, attr);
	char name[64];
	snprintf(name, sizeof name, "tracetui-misc-tail-%d", getpid());
	struct { long flags, maxmsg, msgsize, curmsgs, reserved[4]; } real = {0, 2, 16, 0, {0}};
	int q = syscall(__NR_mq_open, name, O_RDWR | O_CREAT | O_EXCL, 0600, &real);
	struct timespec ts = {0, 0};
	syscall(__NR_mq_timedsend, q, "hello", 5, 3, &ts);
	char buf[16];
	unsigned prio = 0;
	syscall(__NR_mq_timedreceive, q, buf, sizeof buf, &prio, &ts);
	syscall(__NR_mq_timedreceive, q, buf, sizeof buf, &prio, &ts); /* empty: EAGAIN */
	struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	sev.sigev_value.sival_int = 42;
	syscall(__NR_mq_notify, -1, &sev);
	sev.sigev_notify = SIGEV_NONE;
	sev.sigev_signo = 0x7ace;
	syscall(__NR_mq_notify, -1, &sev);
	close(q);
	syscall(__NR_mq_unlink, name);
}

static void others(void)
{
	struct rusage ru;
	syscall(__NR_getrusage, RUSAGE_CHILDREN, &ru);
	char events[12];
	uint64_t mask = 0;
	struct timespec ts = {0, 0};
	syscall(__NR_epoll_pwait2, -1, events, 1, &ts, &mask, 8);
	syscall(__NR_ioprio_set, 1, 0, 0xfacefeedU);
	syscall(__NR_shmget, 0, (size_t)-1, 21 << 26 | 0x800 | 0600);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int full = open("/dev/full", O_WRONLY);
	int null = open("/dev/null", O_RDONLY);
	write(-1, "start", 5);
	getpid();
	mount_api(full);
	processes(full, null);
	futexes();
	files(argv[1], full, null);
	queues();
	others();
	return 0;
}
