/*
 * prctl's hand-built values for the comparisons with strace (tests/test_decode_prctl.py):
 * vector lengths with flag bits, tagged-address words, PR_SCHED_CORE's pid and pid
 * type, PR_SET_PTRACER_ANY, speculation controls, a 15-byte PR_SET_NAME, and the
 * getters whose results strace prints in hex with their meaning. Run under -X
 * raw|abbrev|verbose and with `-e inject=prctl:retval=N`, which gives every getter
 * the same result to explain. Everything after the `write(-1, "start", 5)` marker is
 * compared line by line.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static long pr(long option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_prctl, option, a2, a3, a4, a5);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* A name that ends where its page does: 15 readable bytes and no NUL. */
	long page = sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	char *edge = pages + page - 15;
	memcpy(edge, "0123456789abcde", 15);
	static char exact[] = "0123456789abcde";
	static uint64_t cookie = 0xdeadc0debadc0dedULL;
	write(-1, "start", 5);
	pid_t pid = getpid();

	pr(50 /* PR_SVE_SET_VL */, 0, 0, 0, 0);
	pr(50, 0x2ea57, 0, 0, 0);
	pr(50, 0xfacefeed, 0, 0, 0);
	pr(51 /* PR_SVE_GET_VL */, 0, 0, 0, 0);
	pr(63 /* PR_SME_SET_VL */, 0x10000, 0, 0, 0);
	pr(64 /* PR_SME_GET_VL */, 0, 0, 0, 0);
	pr(55 /* PR_SET_TAGGED_ADDR_CTRL */, 0, 1, 2, 3);
	pr(55, 0x57ae57f4, 1, 2, 3);
	pr(56 /* PR_GET_TAGGED_ADDR_CTRL */, 0, 0, 0, 0);
	pr(27 /* PR_GET_SECUREBITS */, 0, 0, 0, 0);
	pr(46 /* PR_GET_FP_MODE */, 0, 0, 0, 0);
	pr(61 /* PR_PAC_GET_ENABLED_KEYS */, 0, 0, 0, 0);
	pr(52 /* PR_GET_SPECULATION_CTRL */, 0 /* PR_SPEC_STORE_BYPASS */, 0, 0, 0);
	pr(53 /* PR_SET_SPECULATION_CTRL */, 1 /* PR_SPEC_INDIRECT_BRANCH */, 4, 0, 0);
	pr(53, 0, 0x20, 0, 0);
	pr(53, 9, 0x20, 0, 0);
	pr(0x59616d61 /* PR_SET_PTRACER */, -1UL, 0, 0, 0);
	pr(62 /* PR_SCHED_CORE */, 0 /* GET */, pid, 0, (unsigned long)&cookie);
	pr(62, 0, 0xffffffff00000000UL | (unsigned)pid, 1, 0);
	pr(62, 3 /* SHARE_FROM */, -1UL, 7, (unsigned long)&cookie);
	pr(62, 9, 0, 2, 0);
	pr(15 /* PR_SET_NAME */, (unsigned long)exact, 0, 0, 0);
	pr(15, (unsigned long)edge, 0, 0, 0);
	pr(15, (unsigned long)(edge + 1), 0, 0, 0);
	return 0;
}
