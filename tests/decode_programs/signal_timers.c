/*
 * Signal, epoll and timer calls whose captures are data (the C capture core takes them
 * whole), for the comparisons with strace (tests/test_decode_signal_timers.py): each
 * call with its structs, a NULL pointer, a bad pointer ((void *)1), memory that ends
 * before the struct does, and a failing call. rt_sigpending, rt_sigsuspend,
 * rt_sigtimedwait, sigaltstack, rt_sigqueueinfo, rt_tgsigqueueinfo, signalfd, signalfd4,
 * epoll_ctl, epoll_pwait, epoll_pwait2, timerfd_settime, timerfd_gettime, timer_create,
 * timer_settime, timer_gettime, getitimer and setitimer. Everything after the
 * `write(-1, "start", 5)` marker is compared line by line; argv[1] is a scratch directory.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)1)

/* Memory that ends where its page does: `size` bytes before an unmapped page. */
static char *edge(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - size;
}

static void on_signal(int sig)
{
	(void)sig;
}

static void signals(void)
{
	uint64_t set = 0, got = 0;
	uint64_t usr = 1ULL << (SIGUSR1 - 1) | 1ULL << (SIGUSR2 - 1);
	char *end4 = edge(4);

	/* rt_sigpending: a set, a short size, a size too large, NULL, bad, cut short */
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, &usr, NULL, 8);
	syscall(SYS_rt_sigpending, &got, 8);
	syscall(SYS_rt_sigpending, &got, 4);
	syscall(SYS_rt_sigpending, &got, 16);
	syscall(SYS_rt_sigpending, NULL, 8);
	syscall(SYS_rt_sigpending, BAD, 8);

	/* rt_sigqueueinfo, rt_tgsigqueueinfo: SIGUSR1/2 stay pending (blocked) */
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = SIGUSR1;
	info.si_code = SI_QUEUE;
	info.si_pid = 1;
	info.si_uid = 2;
	info.si_value.sival_int = 42;
	pid_t pid = getpid();
	syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &info);
	syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, NULL);
	syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, BAD);
	syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, edge(64));
	info.si_signo = SIGUSR2;
	syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR2, &info);
	syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR2, NULL);
	syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR2, BAD);
	syscall(SYS_rt_sigpending, &got, 8);

	/* rt_sigtimedwait: a pending signal with and without info, a timeout, failures */
	struct timespec zero = {0, 0};
	set = 1ULL << (SIGUSR1 - 1);
	syscall(SYS_rt_sigtimedwait, &set, &info, &zero, 8);
	set = 1ULL << (SIGUSR2 - 1);
	syscall(SYS_rt_sigtimedwait, &set, NULL, NULL, 8);
	syscall(SYS_rt_sigtimedwait, &set, &info, &zero, 8);
	syscall(SYS_rt_sigtimedwait, &set, BAD, &zero, 8);
	syscall(SYS_rt_sigtimedwait, &set, &info, BAD, 8);
	syscall(SYS_rt_sigtimedwait, BAD, &info, &zero, 8);
	syscall(SYS_rt_sigtimedwait, NULL, &info, &zero, 8);
	syscall(SYS_rt_sigtimedwait, end4, &info, &zero, 8);
	syscall(SYS_rt_sigtimedwait, &set, &info, &zero, 4);

	/* rt_sigsuspend: failures, then a pending SIGUSR1 interrupts it at once */
	syscall(SYS_rt_sigsuspend, NULL, 8);
	syscall(SYS_rt_sigsuspend, BAD, 8);
	syscall(SYS_rt_sigsuspend, end4, 8);
	syscall(SYS_rt_sigsuspend, &set, 4);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	syscall(SYS_tgkill, pid, pid, SIGUSR1);
	set = 1ULL << (SIGUSR2 - 1);
	syscall(SYS_rt_sigsuspend, &set, 8);

	/* sigaltstack: set, query, disable, NULL, bad, cut short */
	static char stack[65536];
	stack_t ss = {.ss_sp = stack, .ss_flags = 0, .ss_size = sizeof stack}, old;
	syscall(SYS_sigaltstack, &ss, &old);
	syscall(SYS_sigaltstack, NULL, &old);
	syscall(SYS_sigaltstack, NULL, NULL);
	ss.ss_flags = SS_DISABLE;
	syscall(SYS_sigaltstack, &ss, NULL);
	syscall(SYS_sigaltstack, BAD, NULL);
	syscall(SYS_sigaltstack, NULL, BAD);
	syscall(SYS_sigaltstack, edge(8), NULL);
	ss.ss_flags = 0xff;
	syscall(SYS_sigaltstack, &ss, &old);

	/* signalfd, signalfd4: a new fd, changed, failures */
	set = usr;
	long sfd = syscall(SYS_signalfd4, -1, &set, 8, SFD_CLOEXEC | SFD_NONBLOCK);
	set = 1ULL << (SIGUSR2 - 1);
	syscall(SYS_signalfd, sfd, &set, 8);
	syscall(SYS_signalfd, -1, NULL, 8);
	syscall(SYS_signalfd, -1, BAD, 8);
	syscall(SYS_signalfd4, -1, &set, 4, 0);
	syscall(SYS_signalfd4, -1, end4, 8, 0);
	close(sfd);
}

static void epolls(void)
{
	int epfd = epoll_create1(0);
	int p[2];
	pipe(p);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x1234567890ULL};
	epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &ev);
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.u64 = 7;
	epoll_ctl(epfd, EPOLL_CTL_MOD, p[0], &ev);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, p[1], NULL);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, p[1], BAD);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, p[1], edge(8));
	syscall(SYS_epoll_ctl, epfd, 0, p[1], &ev);
	syscall(SYS_epoll_ctl, epfd, 7, p[1], &ev);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL | 0x100000000ULL, p[1], &ev);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_ADD, p[1], &ev);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL, p[1], &ev);
	syscall(SYS_epoll_ctl, epfd, EPOLL_CTL_DEL, p[1], NULL);

	struct epoll_event out[4];
	uint64_t mask = 1ULL << (SIGUSR2 - 1);
	struct timespec zero = {0, 0};
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, &mask, 8);
	write(p[1], "x", 1);
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, &mask, 8);
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, NULL, 8);
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, BAD, 8);
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, &mask, 4);
	syscall(SYS_epoll_pwait, epfd, out, 4, 0, &mask, 0x10008);
	syscall(SYS_epoll_pwait, epfd, BAD, 4, 0, NULL, 8);
	syscall(SYS_epoll_pwait, epfd, out, 0, 0, NULL, 8);
	syscall(SYS_epoll_pwait2, epfd, out, 4, &zero, &mask, 8);
	syscall(SYS_epoll_pwait2, epfd, out, 4, NULL, NULL, 8);
	syscall(SYS_epoll_pwait2, epfd, out, 4, BAD, &mask, 8);
	syscall(SYS_epoll_pwait2, epfd, out, 4, &zero, BAD, 8);
	syscall(SYS_epoll_pwait2, epfd, out, 4, edge(8), NULL, 8);
	syscall(SYS_epoll_pwait2, -1, out, 4, &zero, &mask, 8);
	close(p[0]);
	close(p[1]);
	close(epfd);
}

static void timers(void)
{
	struct itimerspec its = {{1, 500}, {1000, 0}}, old, cur;
	char *end16 = edge(16);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	syscall(SYS_timerfd_settime, tfd, 0, &its, &old);
	syscall(SYS_timerfd_settime, tfd, 0, &its, NULL);
	syscall(SYS_timerfd_gettime, tfd, &cur);
	syscall(SYS_timerfd_gettime, tfd, NULL);
	syscall(SYS_timerfd_gettime, tfd, BAD);
	syscall(SYS_timerfd_gettime, -1, &cur);
	syscall(SYS_timerfd_settime, tfd, 0, NULL, NULL);
	syscall(SYS_timerfd_settime, tfd, 0, BAD, &old);
	syscall(SYS_timerfd_settime, tfd, 0, end16, &old);
	syscall(SYS_timerfd_settime, tfd, 0, &its, BAD);
	syscall(SYS_timerfd_settime, tfd, 0xf0, &its, &old);
	memset(&its, 0, sizeof its);
	syscall(SYS_timerfd_settime, tfd, TFD_TIMER_ABSTIME, &its, &old);
	close(tfd);

	struct sigevent sev;
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_NONE;
	int tid = -1, tid2 = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid);
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 5;
	syscall(SYS_timer_create, CLOCK_REALTIME, &sev, &tid2);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, BAD);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, BAD, &tid2);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, edge(12), &tid2);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, NULL);
	syscall(SYS_timer_create, 99, &sev, &tid2);
	struct itimerspec its2 = {{2, 0}, {1000, 0}};
	syscall(SYS_timer_settime, tid, 0, &its2, &old);
	syscall(SYS_timer_settime, tid, 0, &its2, NULL);
	syscall(SYS_timer_gettime, tid, &cur);
	syscall(SYS_timer_gettime, tid, NULL);
	syscall(SYS_timer_gettime, tid, BAD);
	syscall(SYS_timer_gettime, 12345, &cur);
	syscall(SYS_timer_settime, tid, 0, NULL, &old);
	syscall(SYS_timer_settime, tid, 0, BAD, &old);
	syscall(SYS_timer_settime, tid, 0, end16, &old);
	syscall(SYS_timer_settime, tid, 0, &its2, BAD);
	memset(&its2, 0, sizeof its2);
	syscall(SYS_timer_settime, tid, TIMER_ABSTIME, &its2, &old);
	syscall(SYS_timer_delete, tid);
	syscall(SYS_timer_delete, tid2);

	struct itimerval itv = {{3, 0}, {1000, 0}}, oitv, citv;
	syscall(SYS_setitimer, ITIMER_REAL, &itv, &oitv);
	syscall(SYS_getitimer, ITIMER_REAL, &citv);
	syscall(SYS_getitimer, ITIMER_REAL, NULL);
	syscall(SYS_getitimer, ITIMER_REAL, BAD);
	syscall(SYS_getitimer, 99, &citv);
	syscall(SYS_setitimer, ITIMER_REAL, BAD, NULL);
	syscall(SYS_setitimer, ITIMER_REAL, edge(16), NULL);
	syscall(SYS_setitimer, ITIMER_VIRTUAL, &itv, BAD);
	memset(&itv, 0, sizeof itv);
	syscall(SYS_setitimer, ITIMER_REAL, &itv, &oitv);
	syscall(SYS_setitimer, ITIMER_VIRTUAL, &itv, NULL);
	syscall(SYS_setitimer, 99, &itv, NULL);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	write(-1, "start", 5);
	signals();
	epolls();
	timers();
	return 0;
}
