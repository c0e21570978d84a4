/* Sleeps cut short by a signal: the remaining time the kernel wrote is shown after
 * ERESTART_RESTARTBLOCK, an address otherwise (a finished sleep, an absolute one). */
#include "oracle.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static void on_alarm(int sig) { (void)sig; }

static void arm(void)
{
	struct itimerval it = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm; /* no SA_RESTART: the sleeps return EINTR */
	sigaction(SIGALRM, &sa, NULL);
	struct timespec req = {1, 0}, rem = {0, 0};

	arm();
	if (syscall(SYS_nanosleep, &req, &rem) == 0) /* glibc's nanosleep is clock_nanosleep */
		return 3;
	expect("nanosleep({tv_sec=1, tv_nsec=0}, {tv_sec=%ld, tv_nsec=%ld}) = ? "
	       "ERESTART_RESTARTBLOCK (Interrupted by signal)", (long)rem.tv_sec, rem.tv_nsec);

	struct timespec tiny = {0, 1000};
	syscall(SYS_nanosleep, &tiny, &rem);
	expect("nanosleep({tv_sec=0, tv_nsec=1000}, %p) = 0", (void *)&rem);

	arm();
	rem.tv_sec = rem.tv_nsec = 0;
	if (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) == 0)
		return 4;
	expect("clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0}, {tv_sec=%ld, tv_nsec=%ld}) "
	       "= ? ERESTART_RESTARTBLOCK (Interrupted by signal)", (long)rem.tv_sec, rem.tv_nsec);

	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 1;
	arm();
	if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, &rem) == 0)
		return 5;
	expect("clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=%ld, tv_nsec=%ld}, %p) = ? "
	       "ERESTARTNOHAND (To be restarted if no handler)",
	       (long)until.tv_sec, until.tv_nsec, (void *)&rem);
	return 0;
}
