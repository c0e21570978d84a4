/*
 * Calls that set or query a policy through structures and arrays, for the comparisons
 * with strace (tests/test_decode_policy_calls.py): NUMA memory policies (modes with
 * their flags, node masks cut at -s, arrays ending where memory does), quotas
 * (QCMD, the quota structures at entry or exit), Landlock rulesets and rules (a
 * parent fd inside the rule) and io_uring's setup and enter. Everything after the
 * `write(-1, "start", 5)` marker is compared line by line; the first argument is a
 * scratch directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/dqblk_xfs.h>
#include <linux/io_uring.h>
#include <linux/landlock.h>
#include <linux/quota.h>

#define HI 0xdefaced00000000UL

static long call(long nr, unsigned long a, unsigned long b, unsigned long c, unsigned long d,
		 unsigned long e, unsigned long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

/* `n` bytes that end where readable memory does. */
static void *at_page_end(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - n;
}

static void fill(void *p, size_t n, unsigned char start)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)(start + i);
}

static void numa(void)
{
	unsigned long *mask = at_page_end(2 * sizeof(long));
	mask[0] = 1;
	mask[1] = 0;
	call(SYS_set_mempolicy, HI | 0, 0, 0, 0, 0, 0);
	call(SYS_set_mempolicy, HI | 0x8001 /* PREFERRED|STATIC_NODES */, (unsigned long)mask, 64, 0, 0, 0);
	call(SYS_set_mempolicy, HI | 2, (unsigned long)mask, 200, 0, 0, 0); /* memory ends */
	call(SYS_set_mempolicy, HI | 0xffffffff, 0xfacefeedUL, 1, 0, 0, 0);
	call(SYS_set_mempolicy, HI | 6, (unsigned long)(mask + 2), 65, 0, 0, 0);
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page[0] = 1;
	call(SYS_mbind, (unsigned long)page, 4096, 0, 0, 0, 0);
	call(SYS_mbind, (unsigned long)page, 4096, 0xffffffff00000000UL, (unsigned long)mask, 128, 0xffffffff);
	int *mode = at_page_end(sizeof(int));
	call(SYS_get_mempolicy, (unsigned long)mode, 0, 0, 0, 0, 0);
	call(SYS_get_mempolicy, (unsigned long)mode, (unsigned long)mask, 128, 0, 0, 0);
	call(SYS_get_mempolicy, 0, 0, 0, 0, 0xffffffff, 0);
	void **pages = at_page_end(3 * sizeof(void *));
	int *nodes = at_page_end(3 * sizeof(int));
	int *status = at_page_end(3 * sizeof(int));
	pages[0] = page;
	pages[1] = NULL;
	pages[2] = page + 4096 * 1000;
	nodes[0] = nodes[1] = nodes[2] = 0;
	call(SYS_move_pages, 0, 3, (unsigned long)pages, 0, (unsigned long)status, 2);
	call(SYS_move_pages, 0, 3, (unsigned long)pages, (unsigned long)nodes, (unsigned long)status, 4);
	call(SYS_move_pages, 0, 4, (unsigned long)pages, (unsigned long)nodes, (unsigned long)status, 4);
	call(SYS_move_pages, 0, 0, (unsigned long)pages, 0, 0, HI | 8);
}

static void quota(const char *dir)
{
	struct if_dqblk *dq = at_page_end(sizeof(*dq));
	struct if_nextdqblk *next = at_page_end(sizeof(*next));
	struct if_dqinfo *info = at_page_end(sizeof(*info));
	struct fs_disk_quota *xdq = at_page_end(sizeof(*xdq));
	struct fs_quota_stat *qs = at_page_end(sizeof(*qs));
	struct fs_quota_statv *qsv = at_page_end(sizeof(*qsv));
	uint32_t *word = at_page_end(sizeof(*word));
	fill(dq, sizeof(*dq), 0x80);
	fill(next, sizeof(*next), 0x10);
	fill(info, sizeof(*info), 0x20);
	fill(xdq, sizeof(*xdq), 0x8e);
	fill(qs, sizeof(*qs), 0x30);
	fill(qsv, sizeof(*qsv), 0x40);
	*word = 0xdeadbeef;
	const char *dev = "/dev/bogus/";
	call(SYS_quotactl, 0xbadc0ded, (unsigned long)dev, 0xca7faced, (unsigned long)dq, 0, 0);
	call(SYS_quotactl, QCMD(Q_QUOTAON, USRQUOTA), (unsigned long)dev, QFMT_VFS_V1, (unsigned long)dir, 0, 0);
	call(SYS_quotactl, QCMD(Q_QUOTAOFF, GRPQUOTA), (unsigned long)dev, 0, 0, 0, 0);
	call(SYS_quotactl, QCMD(Q_GETQUOTA, USRQUOTA), (unsigned long)dev, -1UL, (unsigned long)dq, 0, 0);
	call(SYS_quotactl, QCMD(Q_SETQUOTA, PRJQUOTA), (unsigned long)dev, 1000, (unsigned long)dq, 0, 0);
	call(SYS_quotactl, QCMD(Q_GETNEXTQUOTA, USRQUOTA), (unsigned long)dev, 0, (unsigned long)next, 0, 0);
	call(SYS_quotactl, QCMD(Q_SETINFO, 0xfe), (unsigned long)dev, 0, (unsigned long)info, 0, 0);
	call(SYS_quotactl, QCMD(Q_GETINFO, GRPQUOTA), 0, 0, (unsigned long)info, 0, 0);
	call(SYS_quotactl, QCMD(Q_GETFMT, USRQUOTA), (unsigned long)dev, 0, (unsigned long)word, 0, 0);
	call(SYS_quotactl, QCMD(Q_XQUOTAON, USRQUOTA), (unsigned long)dev, 0, (unsigned long)word, 0, 0);
	call(SYS_quotactl, QCMD(Q_XQUOTARM, PRJQUOTA), (unsigned long)dev, 0, (unsigned long)word, 0, 0);
	call(SYS_quotactl, QCMD(Q_XSETQLIM, GRPQUOTA), (unsigned long)dev, 7, (unsigned long)xdq, 0, 0);
	call(SYS_quotactl, QCMD(Q_XGETQUOTA, USRQUOTA), (unsigned long)dev, 7, (unsigned long)xdq, 0, 0);
	call(SYS_quotactl, QCMD(Q_XGETQSTAT, USRQUOTA), (unsigned long)dev, 0, (unsigned long)qs, 0, 0);
	call(SYS_quotactl, QCMD(Q_XGETQSTATV, USRQUOTA), (unsigned long)dev, 0, (unsigned long)qsv, 0, 0);
	call(SYS_quotactl, QCMD(Q_XQUOTASYNC, USRQUOTA), 0, 0, 0, 0, 0);
	int fd = open("/dev/null", O_RDONLY);
	call(SYS_quotactl_fd, fd, QCMD(Q_GETFMT, GRPQUOTA), 0, (unsigned long)word, 0, 0);
	call(SYS_quotactl_fd, fd, QCMD(Q_SETQUOTA, USRQUOTA), 5, (unsigned long)dq, 0, 0);
	close(fd);
}

static void landlock(void)
{
	struct landlock_ruleset_attr *attr = at_page_end(8);
	attr->handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE;
	call(SYS_landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION, 0, 0, 0);
	call(SYS_landlock_create_ruleset, (unsigned long)attr, 8, 0, 0, 0, 0);
	int ruleset = call(SYS_landlock_create_ruleset, (unsigned long)attr, 16, 0, 0, 0, 0);
	call(SYS_landlock_create_ruleset, (unsigned long)attr, 4, 0xbadcaffe, 0, 0, 0);
	int parent = open("/dev/null", O_RDONLY);
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE | (1ULL << 40),
		.parent_fd = parent,
	};
	call(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, (unsigned long)&rule, 0, 0, 0);
	call(SYS_landlock_add_rule, ruleset, 7, (unsigned long)&rule, 1, 0, 0);
	close(parent);
}

static void uring(void)
{
	struct io_uring_params *params = at_page_end(sizeof(*params));
	memset(params, 0, sizeof(*params));
	long ring = call(SYS_io_uring_setup, 2, (unsigned long)params, 0, 0, 0, 0);
	fill(params, sizeof(*params), 0x70);
	params->flags = IORING_SETUP_ATTACH_WQ | IORING_SETUP_CLAMP;
	params->wq_fd = 0;
	call(SYS_io_uring_setup, 1, (unsigned long)params, 0, 0, 0, 0);
	call(SYS_io_uring_setup, 1, (unsigned long)params + 1, 0, 0, 0, 0);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	call(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS | 0x100, (unsigned long)&mask, 8);
	call(SYS_io_uring_enter, ring, 1, 2, 0, 0, 8);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	write(-1, "start", 5);
	numa();
	quota(dir);
	landlock();
	uring();
	return 0;
}
