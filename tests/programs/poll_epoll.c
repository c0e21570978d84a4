/*
 * Readiness APIs: poll, ppoll, select, pselect6, epoll (create1, ctl,
 * wait, pwait), eventfd, a one-shot timerfd and signalfd. Every wait either
 * has a ready fd or a zero timeout, so results do not depend on timing.
 * Build: gcc -O1 -o poll_epoll poll_epoll.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char c;
	pipe2(p, O_NONBLOCK);

	struct pollfd pfd[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	poll(pfd, 2, 0);
	write(p[1], "x", 1);
	poll(pfd, 1, 1000);
	struct timespec ts = {1, 0};
	ppoll(pfd, 1, &ts, NULL);

	fd_set rfds;
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	struct timeval tv = {0, 0};
	select(p[0] + 1, &rfds, NULL, NULL, &tv);
	FD_ZERO(&rfds);
	FD_SET(p[0], &rfds);
	pselect(p[0] + 1, &rfds, NULL, NULL, &ts, NULL);
	read(p[0], &c, 1);
	read(p[0], &c, 1); /* EAGAIN */

	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = p[0]};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	struct epoll_event out[4];
	epoll_wait(ep, out, 4, 0);
	write(p[1], "y", 1);
	epoll_wait(ep, out, 4, 1000);
	ev.events = EPOLLIN | EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL); /* ENOENT */

	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t one = 1, val;
	write(efd, &one, sizeof one);
	ev.events = EPOLLIN;
	ev.data.fd = efd;
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	sigset_t none;
	sigemptyset(&none);
	epoll_pwait(ep, out, 4, 1000, &none);
	read(efd, &val, sizeof val);

	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	struct itimerspec its = {.it_interval = {0, 0}, .it_value = {0, 1000000}};
	timerfd_settime(tfd, 0, &its, NULL);
	read(tfd, &val, sizeof val); /* blocks ~1 ms, then 1 expiration */

	/* SIGALRM from a timer, not kill(): the siginfo read back then holds
	 * no pid, so its bytes are the same on every run. */
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGALRM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	struct itimerval alarm_in = {.it_interval = {0, 0}, .it_value = {0, 1000}};
	setitimer(ITIMER_REAL, &alarm_in, NULL);
	struct signalfd_siginfo info;
	read(sfd, &info, sizeof info);

	close(sfd);
	close(tfd);
	close(efd);
	close(ep);
	close(p[0]);
	close(p[1]);
	return 0;
}
