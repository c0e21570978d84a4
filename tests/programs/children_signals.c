/*
 * Signals between processes: SIGCHLD from an exiting child, a child killed
 * by SIGKILL, a child stopped with SIGSTOP and continued with SIGCONT (seen
 * through wait4 WUNTRACED/WCONTINUED), and a child terminated by SIGTERM.
 * Pipes make each step wait for the child to be ready, so runs match.
 * Build: gcc -O1 -o children_signals children_signals.c
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t chld;

static void on_chld(int sig)
{
	(void)sig;
	chld++;
}

/* Fork a child that reports readiness, then blocks in read() forever. */
static pid_t spawn_waiting_child(void)
{
	int ready[2], hold[2];
	char c;
	pipe(ready);
	pipe(hold);
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		write(ready[1], "r", 1);
		read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	read(ready[0], &c, 1);
	close(ready[0]);
	/* hold[1] stays open: the child's read() blocks until it is killed */
	struct timespec settle = {0, 50 * 1000 * 1000};
	nanosleep(&settle, NULL);
	return pid;
}

int main(void)
{
	int status;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);

	/* 1. A child that exits normally. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	wait4(pid, &status, 0, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL); /* SIGCHLD delivered here */

	/* 2. A child killed by SIGKILL. */
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = spawn_waiting_child();
	kill(pid, SIGKILL);
	wait4(pid, &status, 0, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* 3. Stop and continue, then terminate. */
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = spawn_waiting_child();
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	struct timespec settle = {0, 50 * 1000 * 1000};
	nanosleep(&settle, NULL); /* let the child run again before SIGTERM */
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);

	return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? 0 : 1;
}
