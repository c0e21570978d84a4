/*
 * The long tail: arguments at their C types (an int from the low 32 bits of its
 * register), NULL for a 0 pointer, `X_???` comments for unknown values and bits,
 * memory read only where strace reads it, and calls decoded from a table of
 * argument specs (namespaces, keys, modules, mounts, SysV shm, time adjustment).
 */
#include "oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <linux/fs.h>
#include <sched.h>
#include <time.h>
#include <mqueue.h>

/* Garbage in the upper half of a register: the kernel reads an int from the low 32 bits. */
#define HI 0xdeadbeef00000000UL

/* "= 0", or "= -1 ENAME (message)" as strace prints a failure. */
static const char *rc(long r)
{
	static char bufs[4][160];
	static int next;
	char *b = bufs[next++ & 3];
	if (r == -1)
		snprintf(b, 160, "= -1 %s (%s)", strerrorname_np(errno), strerror(errno));
	else
		snprintf(b, 160, "= %ld", r);
	return b;
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	long r;

	r = syscall(SYS_landlock_restrict_self, HI | 0xffffffffUL, HI);
	expect("landlock_restrict_self(-1, 0) %s", rc(r));
	r = syscall(SYS_setns, HI | 0xffffffffUL, CLONE_NEWNET | 0x1);
	expect("setns(-1, CLONE_NEWNET|0x1) %s", rc(r));
	r = syscall(SYS_unshare, 0x81f8f07fUL);
	expect("unshare(0x81f8f07f /* CLONE_??? */) %s", rc(r));
	r = syscall(SYS_pkey_alloc, 1UL, 0x7UL);
	expect("pkey_alloc(0x1, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE|PKEY_DISABLE_EXECUTE) %s", rc(r));
	r = syscall(SYS_getpgid, HI);
	expect("getpgid(0) %s", rc(r));
	r = syscall(SYS_fsopen, NULL, 0x2UL);
	expect("fsopen(NULL, 0x2 /* FSOPEN_??? */) %s", rc(r));
	r = syscall(SYS_add_key, NULL, NULL, NULL, 0UL, HI | 0xffffffffUL);
	expect("add_key(NULL, NULL, NULL, 0, KEY_SPEC_THREAD_KEYRING) %s", rc(r));
	r = syscall(SYS_shmdt, NULL);
	expect("shmdt(NULL) %s", rc(r));
	r = syscall(SYS_shmat, HI | 0xffffffffUL, NULL, 010000UL | 040000UL | 0x1UL);
	expect("shmat(-1, NULL, SHM_RDONLY|SHM_REMAP|0x1) %s", rc(r));

	/* Time adjustment: struct timex is read back at exit. */
	r = syscall(SYS_adjtimex, NULL);
	expect("adjtimex(NULL) %s", rc(r));
	r = syscall(SYS_clock_adjtime, HI | CLOCK_MONOTONIC, NULL);
	expect("clock_adjtime(CLOCK_MONOTONIC, NULL) %s", rc(r));
	struct timex tx = {0};
	r = syscall(SYS_adjtimex, &tx);
	if (r >= 0 && r <= 5 && tx.status == STA_UNSYNC) {
		static const char *const states[] = {"TIME_OK", "TIME_INS", "TIME_DEL",
						     "TIME_OOP", "TIME_WAIT", "TIME_ERROR"};
		expect("adjtimex({modes=0, offset=%ld, freq=%ld, maxerror=%ld, esterror=%ld, "
		       "status=STA_UNSYNC, constant=%ld, precision=%ld, tolerance=%ld, "
		       "time={tv_sec=%ld, tv_usec=%ld}, tick=%ld, ppsfreq=%ld, jitter=%ld, shift=%d, "
		       "stabil=%ld, jitcnt=%ld, calcnt=%ld, errcnt=%ld, stbcnt=%ld, tai=%d}) = %ld (%s)",
		       tx.offset, tx.freq, tx.maxerror, tx.esterror, tx.constant, tx.precision,
		       tx.tolerance, (long)tx.time.tv_sec, (long)tx.time.tv_usec, tx.tick, tx.ppsfreq,
		       tx.jitter, tx.shift, tx.stabil, tx.jitcnt, tx.calcnt, tx.errcnt, tx.stbcnt,
		       tx.tai, r, states[r]);
	}

	/* Unknown bits get the table's comment; known ones print by name. */
	r = syscall(SYS_dup3, -5L, 7L, 0x1L);
	expect("dup3(-5, 7, 0x1 /* O_??? */) %s", rc(r));
	r = syscall(SYS_faccessat, -1L, NULL, 0x8L);
	expect("faccessat(-1, NULL, 0x8 /* ?_OK */) %s", rc(r));
	r = syscall(SYS_close_range, ~1U, ~0U, 0x1U);
	expect("close_range(4294967294, 4294967295, 0x1 /* CLOSE_RANGE_??? */) %s", rc(r));
	r = syscall(SYS_arch_prctl, 0L, 0L);
	expect("arch_prctl(0 /* ARCH_??? */, 0) %s", rc(r));
	/* A mode is a umode_t: 16 bits. */
	r = syscall(SYS_creat, "/nonexistent-oracle-dir/f", 0xffffffffUL);
	expect("creat(\"/nonexistent-oracle-dir/f\", 0177777) %s", rc(r));

	/* Memory strace does not read stays an address. */
	struct epoll_event ev = {.events = EPOLLIN};
	r = syscall(SYS_epoll_ctl, -3L, (long)EPOLL_CTL_DEL, -4L, &ev);
	expect("epoll_ctl(-3, EPOLL_CTL_DEL, -4, %p) %s", (void *)&ev, rc(r));
	uint64_t set[2] = {0, 0};
	r = syscall(SYS_rt_sigprocmask, (long)SIG_SETMASK, set, NULL, 16L);
	expect("rt_sigprocmask(SIG_SETMASK, %p, NULL, 16) %s", (void *)set, rc(r));
	r = syscall(SYS_getrandom, NULL, 0L, 0L);
	expect("getrandom(NULL, 0, 0) %s", rc(r));
	/* loff_t offsets are signed. */
	int64_t off_in = -5, off_out = -6;
	r = syscall(SYS_copy_file_range, -1L, &off_in, -2L, &off_out, 1L, 0L);
	expect("copy_file_range(-1, [-5], -2, [-6], 1, 0) %s", rc(r));

	/* POSIX message queues: a mode and attributes only with O_CREAT. */
	char qname[64];
	snprintf(qname, sizeof qname, "/oracle-mq-%d", getpid());
	struct mq_attr qattr = {0};
	mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	if (q >= 0) {
		expect("mq_open(\"%s\", O_RDWR|O_CREAT|O_EXCL, 0600, NULL) = %s", qname + 1, fdn(q));
		r = mq_getattr(q, &qattr);
		expect("mq_getsetattr(%s, NULL, {mq_flags=0, mq_maxmsg=%ld, mq_msgsize=%ld, "
		       "mq_curmsgs=0}) %s", fdn(q), qattr.mq_maxmsg, qattr.mq_msgsize, rc(r));
		r = mq_unlink(qname);
		expect("mq_unlink(\"%s\") %s", qname + 1, rc(r));
		r = syscall(SYS_mq_open, qname + 1, O_RDONLY, 0, NULL);
		expect("mq_open(\"%s\", O_RDONLY) %s", qname + 1, rc(r));
	}

	/* ioctl requests named from the kernel headers; a block request's argument is a pointer. */
	r = ioctl(-1, BLKGETSIZE64, NULL);
	expect("ioctl(-1, BLKGETSIZE64, NULL) %s", rc(r));
	return 0;
}
