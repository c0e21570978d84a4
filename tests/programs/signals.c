/*
 * Signals within one process: handlers installed with sigaction (SA_RESTART,
 * SA_SIGINFO), sigprocmask block/unblock with a pending signal, kill/raise/
 * tgkill to self, an interval timer waking sigsuspend, an alternate signal
 * stack, SIG_IGN, and rt_sigreturn after each handler.
 * Build: gcc -O1 -o signals signals.c
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t hits;

static void on_signal(int sig)
{
	(void)sig;
	hits++;
}

static void on_info(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)info;
	(void)uc;
	hits++;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	struct sigaction si;
	memset(&si, 0, sizeof si);
	si.sa_sigaction = on_info;
	si.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaddset(&si.sa_mask, SIGUSR1);
	sigaction(SIGUSR2, &si, NULL);

	signal(SIGPIPE, SIG_IGN);
	struct sigaction old;
	sigaction(SIGPIPE, NULL, &old);

	static char altstack[64 * 1024];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
	sigaltstack(&ss, NULL);

	kill(getpid(), SIGUSR1);
	raise(SIGUSR2);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);

	sigset_t block, prev;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &prev);
	kill(getpid(), SIGUSR1); /* stays pending */
	sigset_t pending;
	sigpending(&pending);
	sigprocmask(SIG_SETMASK, &prev, NULL); /* delivered here */

	sigset_t wait_mask;
	sigprocmask(SIG_BLOCK, &(sigset_t){0}, &wait_mask);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	struct itimerval it = {.it_interval = {0, 0}, .it_value = {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	sigsuspend(&wait_mask); /* returns -1 EINTR after SIGALRM */
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	kill(getpid(), 0);
	kill(999999, SIGUSR1); /* ESRCH */
	return hits == 5 ? 0 : 1;
}
