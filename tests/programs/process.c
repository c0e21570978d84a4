/*
 * Process syscalls: fork + wait4, fork + execve, vfork + execve, a child
 * exiting with a status, identity getters, process groups, resource limits.
 * Build: gcc -O1 -o process process.c
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int status;
	getpid();
	getppid();
	getuid();
	geteuid();
	getgid();
	getegid();
	getpgrp();

	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	setrlimit(RLIMIT_NOFILE, &rl);
	prlimit(0, RLIMIT_STACK, NULL, &rl);

	struct utsname u;
	uname(&u);

	pid_t c1 = fork();
	if (c1 == 0) {
		setpgid(0, 0);
		getpgid(0);
		_exit(3);
	}
	wait4(c1, &status, 0, NULL);

	pid_t c2 = fork();
	if (c2 == 0) {
		char *argv[] = {"true", NULL};
		char *envp[] = {"TRACER_TEST=1", NULL};
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	waitpid(c2, &status, 0);

	pid_t c3 = vfork();
	if (c3 == 0) {
		execl("/bin/sh", "sh", "-c", "exit 5", (char *)NULL);
		_exit(127);
	}
	waitpid(c3, &status, 0);

	pid_t c4 = fork();
	if (c4 == 0) {
		execl("/nonexistent/prog", "prog", (char *)NULL); /* ENOENT */
		_exit(126);
	}
	waitpid(c4, &status, 0);
	waitpid(-1, &status, WNOHANG); /* ECHILD */
	return WEXITSTATUS(status) == 126 ? 0 : 1;
}
