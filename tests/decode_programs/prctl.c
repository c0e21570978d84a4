/*
 * prctl, option by option: each prints its own arguments (named values with
 * `X_???` comments for unknown ones, an `int *` read back at exit, words it does
 * not use in hex) and, for getters strace explains, the meaning of the result.
 */
#include "oracle.h"
#include <errno.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

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

static long pr(long option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_prctl, option, a2, a3, a4, a5);
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	(void)fdn;
	long r;

	r = pr(PR_GET_KEEPCAPS, 0, 0, 0, 0);
	expect("prctl(PR_GET_KEEPCAPS) %s", rc(r));
	r = pr(PR_SET_DUMPABLE, 3, 0, 0, 0);
	expect("prctl(PR_SET_DUMPABLE, 0x3 /* SUID_DUMP_??? */) %s", rc(r));
	r = pr(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (r == 1)
		expect("prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
	r = pr(PR_CAPBSET_READ, CAP_NET_RAW, 0, 0, 0);
	expect("prctl(PR_CAPBSET_READ, CAP_NET_RAW) %s", rc(r));
	r = pr(PR_CAPBSET_READ, 0xff, 0, 0, 0);
	expect("prctl(PR_CAPBSET_READ, 0xff /* CAP_??? */) %s", rc(r));
	r = pr(PR_CAP_AMBIENT, 0xff, 0xaaaa, 0, 0);
	expect("prctl(PR_CAP_AMBIENT, 0xff /* PR_CAP_AMBIENT_??? */, 0xaaaa, 0, 0) %s", rc(r));
	r = pr(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0);
	expect("prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) %s", rc(r));
	r = pr(PR_MCE_KILL, PR_MCE_KILL_SET, 0xff, 0, 0);
	expect("prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 0xff /* PR_MCE_KILL_??? */, 0, 0) %s", rc(r));

	int value = -1;
	r = pr(PR_GET_CHILD_SUBREAPER, (unsigned long)&value, 0, 0, 0);
	expect("prctl(PR_GET_CHILD_SUBREAPER, [%u]) %s", (unsigned)value, rc(r));
	r = pr(PR_GET_PDEATHSIG, 0, 0, 0, 0);
	expect("prctl(PR_GET_PDEATHSIG, NULL) %s", rc(r));
	r = pr(PR_SET_TSC, 0xfacebeef, 0, 0, 0);
	expect("prctl(PR_SET_TSC, 0xfacebeef /* PR_TSC_??? */) %s", rc(r));
	r = pr(PR_GET_TSC, (unsigned long)&value, 0, 0, 0);
	if (r == 0 && value == PR_TSC_ENABLE)
		expect("prctl(PR_GET_TSC, [PR_TSC_ENABLE]) = 0");
	r = pr(PR_SET_UNALIGN, PR_UNALIGN_SIGBUS, 0, 0, 0);
	expect("prctl(PR_SET_UNALIGN, PR_UNALIGN_SIGBUS) %s", rc(r));
	r = pr(PR_SET_SECUREBITS, 0xbadc0ded00000000UL, 0, 0, 0);
	expect("prctl(PR_SET_SECUREBITS, 0xbadc0ded00000000 /* SECBIT_??? */) %s", rc(r));

	/* Other architectures' options fail here, and still print their arguments. */
	r = pr(PR_SVE_SET_VL, (1UL << 18) | 0xff, 0, 0, 0);
	expect("prctl(PR_SVE_SET_VL, PR_SVE_SET_VL_ONEXEC|0xff) %s", rc(r));
	r = pr(PR_SET_TAGGED_ADDR_CTRL, 1 | (1 << 1), 1, 2, 3);
	expect("prctl(PR_SET_TAGGED_ADDR_CTRL, PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_SYNC, 0x1, 0x2, 0x3) %s", rc(r));
	r = pr(PR_PAC_RESET_KEYS, 0x20, 0, 0, 0);
	expect("prctl(PR_PAC_RESET_KEYS, 0x20 /* PR_PAC_??? */, 0, 0, 0) %s", rc(r));

	uintptr_t tid_address = 0;
	r = pr(PR_GET_TID_ADDRESS, (unsigned long)&tid_address, 0, 0, 0);
	if (r == 0 && tid_address)
		expect("prctl(PR_GET_TID_ADDRESS, [%#lx]) = 0", (unsigned long)tid_address);
	r = pr(0xdeadbeef, 1, 2, 3, 4);
	expect("prctl(0xdeadbeef /* PR_??? */, 0x1, 0x2, 0x3, 0x4) %s", rc(r));
	return 0;
}
