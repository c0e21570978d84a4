/*
 * Calls for strace's -e inject=/fault= semantics (tests/test_strace_behaviour.py):
 * a signal injected at a call's entry (the handler runs before the program goes on),
 * a 64-bit retval= on a call without its own return format (printed in decimal), and
 * fault= with syscall=, which runs a call without side effects instead, and pokes: bytes
 * written where an argument points at entry (the call sees them, and so does the line)
 * and at exit; then a sleep that an ignored SIGALRM interrupts under ptrace (the time left
 * shown, and restart_syscall naming the call it resumes). Everything after
 * the `write(-1, "start", 5)` marker is compared with strace line by line.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	write(-1, "start", 5);
	syscall(SYS_getpid);
	syscall(SYS_chdir, ".");
	/* The handler ran before the call after the injected one: its count says so. */
	syscall(SYS_getuid);
	syscall(SYS_geteuid);
	syscall(SYS_umask, 022);
	syscall(SYS_umask, 022);
	static char missing[] = "/nonexistent/path";
	syscall(SYS_access, missing, F_OK);
	static char cwd[64];
	syscall(SYS_getcwd, cwd, sizeof cwd);
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigaction(SIGALRM, &ignore, NULL);
	struct itimerval alarm_in = {.it_value.tv_usec = 50000};
	setitimer(ITIMER_REAL, &alarm_in, NULL);
	struct timespec nap = {.tv_nsec = 300000000}, left;
	syscall(SYS_nanosleep, &nap, &left);
	return caught == 1 ? 0 : 3;
}
