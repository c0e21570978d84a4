/*
 * wait4 and waitid as strace prints them, for tests/test_decode_arrays_tail.py: a child
 * not yet done (WNOHANG: wait4 leaves its rusage an address, waitid shows what is in
 * it, here the 0xff bytes put there before), a child that exited with 42, and the
 * wait options in strace's order. The expected lines are computed from what the
 * calls wrote.
 */
#include "oracle.h"
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *timeval_text(const struct timeval *tv)
{
	static char bufs[2][64];
	static int next;
	char *b = bufs[next++ & 1];
	snprintf(b, 64, "{tv_sec=%lld, tv_usec=%llu}", (long long)tv->tv_sec,
		 (unsigned long long)tv->tv_usec);
	return b;
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	/* Once fork has returned in it, the child makes no call until told to exit (flags
	 * in shared memory), so none of its lines can come between the parent's. */
	volatile int *flags = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *ready = flags, *go = flags + 1;
	pid_t child = fork();
	if (!child) {
		*ready = 1;
		while (!*go)
			;
		_exit(42);
	}
	while (!*ready)
		;
	siginfo_t si;
	struct rusage ru;
	int status;
	memset(&si, 0, sizeof si);
	memset(&ru, 0xff, sizeof ru);
	syscall(SYS_waitid, P_PID, child, &si, WNOHANG | WEXITED | WSTOPPED, &ru);
	expect("waitid(P_PID, %d, {}, WNOHANG|WEXITED|WSTOPPED, {ru_utime=%s, ru_stime=%s, ...}) = 0",
	       child, timeval_text(&ru.ru_utime), timeval_text(&ru.ru_stime));
	syscall(SYS_wait4, child, &status, WNOHANG | __WALL, &ru);
	expect("wait4(%d, %p, WNOHANG|__WALL, %p) = 0", child, (void *)&status, (void *)&ru);

	*go = 1;
	syscall(SYS_waitid, P_PID, child, &si, WEXITED | WNOWAIT, NULL);  /* until it is done */
	long pid = syscall(SYS_wait4, child, &status, 0, &ru);
	expect("wait4(%d, [{WIFEXITED(s) && WEXITSTATUS(s) == %d}], 0, {ru_utime=%s, ru_stime=%s, ...}) = %ld",
	       child, WEXITSTATUS(status), timeval_text(&ru.ru_utime), timeval_text(&ru.ru_stime), pid);
	syscall(SYS_waitid, P_ALL, -1, &si, WEXITED | WSTOPPED, NULL);
	expect("waitid(P_ALL, -1, %p, WEXITED|WSTOPPED, NULL) = -1 ECHILD (No child processes)",
	       (void *)&si);
	return 0;
}
