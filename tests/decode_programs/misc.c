/* Terminal ioctls on a fresh pty, futex, prctl and resource limits. */
#include "oracle.h"
#include <fcntl.h>
#include <signal.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int r;
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	unsigned int ptn;
	r = ioctl(m, TIOCGPTN, &ptn);
	expect("ioctl(%s, TIOCGPTN, [%u]) = %d", fdn(m), ptn, r);
	int unlock = 0;
	r = ioctl(m, TIOCSPTLCK, &unlock);
	expect("ioctl(%s, TIOCSPTLCK, [0]) = %d", fdn(m), r);
	char path[64];
	snprintf(path, sizeof path, "/dev/pts/%u", ptn);
	int s = open(path, O_RDWR | O_NOCTTY);
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	r = ioctl(s, TIOCSWINSZ, &ws);
	expect("ioctl(%s, TIOCSWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = %d", fdn(s), r);
	r = ioctl(s, TIOCGWINSZ, &ws);
	expect("ioctl(%s, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = %d", fdn(s), r);
	/* A new pty's line discipline defaults are fixed by the kernel (tty_std_termios). */
	struct termios t;
	r = ioctl(s, TCGETS, &t);
	if (t.c_iflag == (ICRNL | IXON) && t.c_lflag == (ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN))
		expect("ioctl(%s, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = %d", fdn(s), r);
	int avail;
	r = ioctl(s, FIONREAD, &avail);
	expect("ioctl(%s, FIONREAD, [0]) = %d", fdn(s), r);
	r = ioctl(m, FIOCLEX);
	expect("ioctl(%s, FIOCLEX) = %d", fdn(m), r);
	r = ioctl(0 > 1 ? 0 : m, _IOC(_IOC_READ, 0x99, 0x12, 8), &avail);
	expect("ioctl(%s, _IOC(_IOC_READ, 0x99, 0x12, 0x8), %p) = -1 ENOTTY (Inappropriate ioctl for device)", fdn(m), (void *)&avail);

	static uint32_t word;
	r = syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	expect("futex(%p, FUTEX_WAKE_PRIVATE, 1) = %d", (void *)&word, r);
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	expect("futex(%p, FUTEX_WAIT_PRIVATE, 1, NULL) = -1 EAGAIN (Resource temporarily unavailable)", (void *)&word);
	struct timespec to = {0, 1000};
	r = syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &to, NULL, FUTEX_BITSET_MATCH_ANY);
	expect("futex(%p, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, FUTEX_BITSET_MATCH_ANY) = -1 ETIMEDOUT (Connection timed out)", (void *)&word);

	r = prctl(PR_SET_NAME, "oracle-name");
	expect("prctl(PR_SET_NAME, \"oracle-name\") = %d", r);
	char name[16];
	r = prctl(PR_GET_NAME, name);
	expect("prctl(PR_GET_NAME, \"oracle-name\") = %d", r);
	r = prctl(PR_SET_PDEATHSIG, SIGTERM);
	expect("prctl(PR_SET_PDEATHSIG, SIGTERM) = %d", r);
	r = prctl(PR_GET_DUMPABLE);
	expect("prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");

	struct rlimit rl = {1024, 512 * 1024};
	r = setrlimit(RLIMIT_CORE, &rl);
	expect("prlimit64(0, RLIMIT_CORE, {rlim_cur=1024, rlim_max=512*1024}, NULL) = %d", r);
	r = syscall(SYS_getrlimit, RLIMIT_CORE, &rl);
	expect("getrlimit(RLIMIT_CORE, {rlim_cur=1024, rlim_max=512*1024}) = %d", r);
	rl.rlim_max = RLIM_INFINITY;
	rl.rlim_cur = 2048;
	r = prlimit(0, RLIMIT_CORE, NULL, &rl);
	expect("prlimit64(0, RLIMIT_CORE, NULL, {rlim_cur=1024, rlim_max=512*1024}) = %d", r);
	return 0;
}
