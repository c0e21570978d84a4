/* Interval and POSIX timers, alarm, priorities, getcpu, pidfds, mount, and file times (utime, utimes, futimesat). */
#include "oracle.h"
#include <errno.h>
#include <linux/ioprio.h>
#include <signal.h>
#include <sys/mount.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <utime.h>

static const char *tv(const struct timeval *t)
{
	static char bufs[4][64];
	static int next;
	char *b = bufs[next++ & 3];
	snprintf(b, 64, "{tv_sec=%ld, tv_usec=%ld}", (long)t->tv_sec, (long)t->tv_usec);
	return b;
}

static const char *itv(const struct itimerval *it)
{
	static char bufs[2][160];
	static int next;
	char *b = bufs[next++ & 1];
	snprintf(b, 160, "{it_interval=%s, it_value=%s}", tv(&it->it_interval), tv(&it->it_value));
	return b;
}

/* strace's time comment: local time, fraction only when non-zero. */
static const char *when(time_t sec, long frac, int digits)
{
	static char bufs[4][96];
	static int next;
	char *b = bufs[next++ & 3], date[32], zone[8];
	struct tm tm;
	localtime_r(&sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof zone, "%z", &tm);
	if (frac)
		snprintf(b, 96, "%s.%0*ld%s", date, digits, frac, zone);
	else
		snprintf(b, 96, "%s%s", date, zone);
	return b;
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int r;
	struct itimerval it = {{1, 2}, {30, 4}}, old;
	r = setitimer(ITIMER_VIRTUAL, &it, &old);
	expect("setitimer(ITIMER_VIRTUAL, %s, %s) = %d", itv(&it), itv(&old), r);
	r = getitimer(ITIMER_VIRTUAL, &old);
	expect("getitimer(ITIMER_VIRTUAL, %s) = %d", itv(&old), r);
	r = setitimer(ITIMER_PROF, &it, NULL);
	expect("setitimer(ITIMER_PROF, %s, NULL) = %d", itv(&it), r);
	r = syscall(SYS_setitimer, 7, &it, &old);
	expect("setitimer(0x7 /* ITIMER_??? */, %s, %p) = -1 EINVAL (Invalid argument)", itv(&it), (void *)&old);
	r = syscall(SYS_getitimer, ITIMER_REAL, (void *)8);
	expect("getitimer(ITIMER_REAL, 0x8) = -1 EFAULT (Bad address)");
	r = alarm(100);
	expect("alarm(100) = %d", r);
	r = alarm(0);
	expect("alarm(0) = %d", r);

	errno = 0;
	r = syscall(SYS_getpriority, PRIO_PROCESS, 0);
	expect("getpriority(PRIO_PROCESS, 0) = %d", r);
	r = syscall(SYS_getpriority, PRIO_USER, getuid());
	expect("getpriority(PRIO_USER, %d) = %d", (int)getuid(), r);
	r = syscall(SYS_getpriority, 5, 0);
	expect("getpriority(0x5 /* PRIO_??? */, 0) = -1 EINVAL (Invalid argument)");
	r = setpriority(PRIO_PGRP, 0, 3);
	expect("setpriority(PRIO_PGRP, 0, 3) = %d", r);

	timer_t timer;
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 5};
	r = syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &timer);
	expect("timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=5, sival_ptr=0x5}, sigev_signo=SIGUSR1, sigev_notify=SIGEV_SIGNAL}, [%d]) = %d", (int)(long)timer, r);
	struct itimerspec its = {{0, 0}, {100, 0}}, cur;
	r = syscall(SYS_timer_settime, timer, 0, &its, NULL);
	expect("timer_settime(%d, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=100, tv_nsec=0}}, NULL) = %d", (int)(long)timer, r);
	r = syscall(SYS_timer_gettime, timer, &cur);
	expect("timer_gettime(%d, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=%ld, tv_nsec=%ld}}) = %d", (int)(long)timer, (long)cur.it_value.tv_sec, cur.it_value.tv_nsec, r);
	r = syscall(SYS_timer_delete, timer);
	expect("timer_delete(%d) = %d", (int)(long)timer, r);

	r = syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4));
	expect("ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)) = %d", r);
	r = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	expect("ioprio_get(IOPRIO_WHO_PROCESS, 0) = %d (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4))", r);
	unsigned cpu, node;
	r = syscall(SYS_getcpu, &cpu, &node, NULL);
	expect("getcpu([%u], [%u], NULL) = %d", cpu, node, r);
	int pfd = syscall(SYS_pidfd_open, getpid(), 0);
	expect("pidfd_open(%d, 0) = %s", (int)getpid(), fdn(pfd));
	r = syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0);
	expect("pidfd_send_signal(%s, 0, NULL, 0) = %d", fdn(pfd), r);
	r = umount2("/nonexistent-mountpoint", MNT_DETACH);
	expect("umount2(\"/nonexistent-mountpoint\", MNT_DETACH) = -1 ENOENT (No such file or directory)");
	r = mount("none", "/nonexistent-mountpoint", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m");
	expect("mount(\"none\", \"/nonexistent-mountpoint\", \"tmpfs\", MS_NOSUID|MS_NODEV, \"size=1m\") = -1 ENOENT (No such file or directory)");

	char path[512], dir[512];
	snprintf(dir, sizeof dir, "%s", argv[1]);
	snprintf(path, sizeof path, "%s/times-target", dirname(dir));
	int fd = open(path, O_CREAT | O_RDWR, 0644);
	struct utimbuf ub = {100, 200000};
	r = syscall(SYS_utime, path, &ub);
	expect("utime(\"%s\", {actime=100 /* %s */, modtime=200000 /* %s */}) = %d", path, when(100, 0, 0), when(200000, 0, 0), r);
	r = syscall(SYS_utime, path, NULL);
	expect("utime(\"%s\", NULL) = %d", path, r);
	struct timeval t[2] = {{100, 5}, {200, 0}};
	r = syscall(SYS_utimes, path, t);
	expect("utimes(\"%s\", [%s /* %s */, %s /* %s */]) = %d", path, tv(&t[0]), when(100, 5, 6), tv(&t[1]), when(200, 0, 6), r);
	struct timeval bad[2] = {{100, 2000000}, {200, 0}};
	r = syscall(SYS_utimes, path, bad);
	expect("utimes(\"%s\", [%s, %s /* %s */]) = -1 EINVAL (Invalid argument)", path, tv(&bad[0]), tv(&bad[1]), when(200, 0, 6));
	r = syscall(SYS_futimesat, fd, NULL, t);
	expect("futimesat(%s, NULL, [%s /* %s */, %s /* %s */]) = %d", fdn(fd), tv(&t[0]), when(100, 5, 6), tv(&t[1]), when(200, 0, 6), r);
	struct timespec ts[2] = {{300, 0}, {400, 7}};
	r = utimensat(fd, "", ts, AT_EMPTY_PATH);
	expect("utimensat(%s, \"\", [{tv_sec=300, tv_nsec=0} /* %s */, {tv_sec=400, tv_nsec=7} /* %s */], AT_EMPTY_PATH) = %d", fdn(fd), when(300, 0, 9), when(400, 7, 9), r);
	return 0;
}
