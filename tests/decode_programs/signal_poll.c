/* Signals, poll/select/epoll; prints the strace line for each call. */
#include "oracle.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static void handler(int sig) { (void)sig; }

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int r;
	struct sigaction sa = {0}, old;
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_RESTART;
	r = sigaction(SIGUSR1, &sa, &old);
	/* glibc adds SA_RESTORER and its restorer; read it back to print it. */
	struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } cur;
	syscall(SYS_rt_sigaction, SIGUSR1, NULL, &cur, 8);
	expect("rt_sigaction(SIGUSR1, {sa_handler=%p, sa_mask=[TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=%p}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = %d",
	       (void *)handler, cur.restorer, r);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	r = sigprocmask(SIG_BLOCK, &set, NULL);
	expect("rt_sigprocmask(SIG_BLOCK, [INT CHLD], NULL, 8) = %d", r);
	sigfillset(&set);
	sigset_t prev;
	r = sigprocmask(SIG_SETMASK, &set, &prev);
	expect("rt_sigprocmask(SIG_SETMASK, ~[RTMIN RT_1], [INT CHLD], 8) = %d", r);
	sigemptyset(&set);
	r = sigprocmask(SIG_SETMASK, &set, NULL);
	expect("rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = %d", r);
	r = kill(getpid(), SIGUSR1);
	expect("kill(%d, SIGUSR1) = %d", getpid(), r);
	expect("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=%d, si_uid=%d} ---", getpid(), getuid());
	expect("rt_sigreturn({mask=[]}) = 0");
	r = kill(getpid(), 0);
	expect("kill(%d, 0) = %d", getpid(), r);

	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "x", 1);
	struct pollfd p[2] = {{sv[1], POLLIN, 0}, {sv[0], POLLIN, 0}};
	r = poll(p, 2, 1000);
	expect("poll([{fd=%s, events=POLLIN}, {fd=%s, events=POLLIN}], 2, 1000) = %d ([{fd=%d, revents=POLLIN}])",
	       fdn(sv[1]), fdn(sv[0]), r, sv[1]);
	r = poll(p + 1, 1, 0);
	expect("poll([{fd=%s, events=POLLIN}], 1, 0) = %d (Timeout)", fdn(sv[0]), r);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(sv[0], &rd);
	struct timeval tv = {0, 0};
	r = syscall(SYS_select, sv[0] + 1, &rd, NULL, NULL, &tv);
	expect("select(%d, [%s], NULL, NULL, {tv_sec=0, tv_usec=0}) = %d (Timeout)", sv[0] + 1, fdn(sv[0]), r);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	expect("epoll_create1(EPOLL_CLOEXEC) = %s", fdn(ep));
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x100000000ULL + sv[1]};
	r = epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	expect("epoll_ctl(%s, EPOLL_CTL_ADD, %s, {events=EPOLLIN|EPOLLET, data={u32=%d, u64=%llu}}) = %d",
	       fdn(ep), fdn(sv[1]), sv[1], 0x100000000ULL + sv[1], r);
	struct epoll_event out[4];
	r = epoll_wait(ep, out, 4, 1000);
	expect("epoll_wait(%s, [{events=EPOLLIN, data={u32=%d, u64=%llu}}], 4, 1000) = %d",
	       fdn(ep), sv[1], 0x100000000ULL + sv[1], r);
	r = epoll_pwait(ep, out, 4, 0, NULL);
	expect("epoll_pwait(%s, [], 4, 0, NULL, 8) = %d", fdn(ep), r);
	r = epoll_ctl(ep, EPOLL_CTL_DEL, sv[1], NULL);
	expect("epoll_ctl(%s, EPOLL_CTL_DEL, %s, NULL) = %d", fdn(ep), fdn(sv[1]), r);
	return 0;
}
