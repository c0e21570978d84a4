/*
 * Calls whose memory captures are declared as data (the C capture core takes them whole),
 * for the comparisons with strace (tests/test_decode_data_captures.py): gettimeofday,
 * settimeofday, time, getrusage, sysinfo, times, getgroups, setgroups, getresuid,
 * getresgid, capget, capset, sched_{set,get}affinity, sched_{set,get}param,
 * sched_setscheduler, sched_rr_get_interval, getcpu, setrlimit, waitid, mincore,
 * memfd_create, openat2, copy_file_range, splice and prctl; each with a NULL pointer, a
 * bad pointer ((void *)1), a struct where memory ends, and failing calls. Nothing changes
 * the machine: settimeofday and capset fail, the limits, groups and affinity are set to
 * what they are. Everything after the `write(-1, "start", 5)` marker is compared line by
 * line; argv[1] is a scratch directory.
 *
 * Left out, where tracetui already differed from strace before these captures were data
 * (not what these tests are about): getrusage's unknown `who`, a sched_setaffinity mask
 * cut short by the end of memory, mincore with length 0, and a memfd_create name filling
 * its limit right before the end of memory; and, where the decoders ignore -s or -v, a
 * memfd_create name or a PR_SET_NAME longer than -s, mincore's vector under -v.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)1)

/* Memory that ends where its page does: `size` bytes before an unmapped page. */
static char *edge(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - size;
}

struct open_how_ext {
	uint64_t flags, mode, resolve;
	uint8_t extra[8];
};

static void clocks(void)
{
	struct timeval tv;
	struct timezone tz;
	syscall(SYS_gettimeofday, &tv, &tz);
	syscall(SYS_gettimeofday, NULL, NULL);
	syscall(SYS_gettimeofday, BAD, NULL);
	syscall(SYS_gettimeofday, &tv, BAD);
	struct timeval wrong = {1, 2000000}; /* EINVAL: the clock stays as it is */
	syscall(SYS_settimeofday, &wrong, NULL);
	syscall(SYS_settimeofday, BAD, NULL);
	syscall(SYS_settimeofday, NULL, BAD);
	syscall(SYS_settimeofday, edge(8), NULL);
	time_t t;
	syscall(SYS_time, &t);
	syscall(SYS_time, NULL);
	syscall(SYS_time, BAD);
}

static void resources(void)
{
	struct rusage ru;
	syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru); /* no child: all zero, even under -v */
	syscall(SYS_getrusage, RUSAGE_SELF, NULL);
	syscall(SYS_getrusage, RUSAGE_SELF, BAD);
	char info[112];
	syscall(SYS_sysinfo, info);
	syscall(SYS_sysinfo, NULL);
	syscall(SYS_sysinfo, BAD);
	char tms[32];
	syscall(SYS_times, tms);
	syscall(SYS_times, NULL);
	syscall(SYS_times, BAD);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl);
	syscall(SYS_setrlimit, RLIMIT_NOFILE, NULL);
	syscall(SYS_setrlimit, RLIMIT_NOFILE, BAD);
	syscall(SYS_setrlimit, RLIMIT_NOFILE, edge(8));
}

static void credentials(void)
{
	gid_t groups[64];
	int n = syscall(SYS_getgroups, 0, NULL);
	syscall(SYS_getgroups, 64, groups);
	syscall(SYS_getgroups, 64, BAD);
	syscall(SYS_getgroups, 64, NULL);
	syscall(SYS_getgroups, -1, groups);
	syscall(SYS_setgroups, n, groups);
	syscall(SYS_setgroups, 1, BAD);
	syscall(SYS_setgroups, 65537, groups);  /* more than NGROUPS_MAX: the address */
	syscall(SYS_setgroups, 65536, edge(8)); /* as many as allowed, memory ends */
	syscall(SYS_setgroups, 0x100000000UL | (unsigned)n, groups);
	uid_t a, b, c;
	syscall(SYS_getresuid, &a, &b, &c);
	syscall(SYS_getresuid, NULL, &b, &c);
	syscall(SYS_getresgid, &a, &b, &c);
	syscall(SYS_getresgid, &a, BAD, &c);

	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	syscall(SYS_capget, &hdr, data);
	syscall(SYS_capget, &hdr, NULL);
	syscall(SYS_capget, &hdr, BAD);
	syscall(SYS_capget, NULL, data);
	struct __user_cap_header_struct v1 = {_LINUX_CAPABILITY_VERSION_1, 0};
	void *one = edge(12); /* version 1: one struct, where memory ends */
	syscall(SYS_capget, &v1, one);
	struct __user_cap_header_struct odd = {0x12345678, 0};
	syscall(SYS_capget, &odd, NULL); /* the kernel writes its version back: = 0 */
	struct __user_cap_header_struct other = {_LINUX_CAPABILITY_VERSION_3, 1};
	syscall(SYS_capset, &other, data); /* another process: EPERM */
	struct __user_cap_header_struct other1 = {_LINUX_CAPABILITY_VERSION_1, 1};
	syscall(SYS_capset, &other1, one);
	syscall(SYS_capset, &other, one); /* two structs wanted, memory holds one */
	syscall(SYS_capset, &other, BAD);
	syscall(SYS_capset, NULL, NULL);
}

static void scheduling(void)
{
	unsigned long mask[16];
	long got = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
	syscall(SYS_sched_getaffinity, 0, sizeof mask, NULL);
	syscall(SYS_sched_getaffinity, 0, sizeof mask, BAD);
	syscall(SYS_sched_getaffinity, 0, 1, mask); /* too small: EINVAL */
	syscall(SYS_sched_getaffinity, 0, 8, edge(8));
	syscall(SYS_sched_setaffinity, 0, got, mask);
	syscall(SYS_sched_setaffinity, 0, 0x100000000UL | got, mask); /* the len is an int */
	syscall(SYS_sched_setaffinity, 0, 0, mask);
	syscall(SYS_sched_setaffinity, 0, 0x100000000UL, mask);
	syscall(SYS_sched_setaffinity, 0, got, NULL);
	syscall(SYS_sched_setaffinity, 0, got, BAD);
	struct sched_param sp = {0};
	syscall(SYS_sched_getparam, 0, &sp);
	syscall(SYS_sched_getparam, 0, NULL);
	syscall(SYS_sched_getparam, 0, BAD);
	syscall(SYS_sched_setparam, 0, &sp);
	syscall(SYS_sched_setparam, 0, NULL);
	syscall(SYS_sched_setparam, 0, BAD);
	syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp);
	syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL);
	syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD);
	struct timespec ts;
	syscall(SYS_sched_rr_get_interval, 0, &ts);
	syscall(SYS_sched_rr_get_interval, 0, NULL);
	syscall(SYS_sched_rr_get_interval, 0, BAD);
	unsigned cpu, node;
	syscall(SYS_getcpu, &cpu, &node, NULL);
	syscall(SYS_getcpu, NULL, NULL, NULL);
	syscall(SYS_getcpu, BAD, NULL, NULL);
	syscall(SYS_waitid, P_ALL, 0, NULL, WEXITED, NULL); /* no child: ECHILD */
	syscall(SYS_waitid, P_ALL, 0, BAD, WEXITED, BAD);
}

static void memory_and_files(const char *dir)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, 40 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map[0] = 1;
	map[2 * page] = 1;
	unsigned char vec[64];
	syscall(SYS_mincore, map, 3 * page + 1, vec);
	syscall(SYS_mincore, map, 40 * page, vec); /* more pages than -s shows */
	syscall(SYS_mincore, map, page, NULL);
	syscall(SYS_mincore, map, 2 * page, edge(1));

	syscall(SYS_memfd_create, "data-captures", MFD_CLOEXEC);
	syscall(SYS_memfd_create, NULL, 0);
	syscall(SYS_memfd_create, BAD, 0);

	struct open_how_ext how = {O_RDONLY | O_CLOEXEC, 0, 0, {0}};
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, 24);
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof how); /* zero tail: accepted */
	how.extra[3] = 7;
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof how); /* E2BIG */
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, 16);
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", NULL, 24);
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", BAD, 24);
	void *short_how = edge(24);
	memcpy(short_how, &how, 24);
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", short_how, 32); /* the tail: ??? */
	struct open_how_ext nolinks = {O_RDONLY, 0, 0x4 /* RESOLVE_NO_SYMLINKS */};
	syscall(SYS_openat2, AT_FDCWD, "/dev/null", &nolinks, 24);
	struct open_how_ext create = {O_WRONLY | O_CREAT, 0640, 0};
	char path[4096];
	snprintf(path, sizeof path, "%s/copy-src", dir);
	int src = syscall(SYS_openat2, AT_FDCWD, path, &create, 24);
	write(src, "0123456789", 10);
	snprintf(path, sizeof path, "%s/copy-dst", dir);
	int dst = open(path, O_RDWR | O_CREAT, 0600);
	close(src);
	snprintf(path, sizeof path, "%s/copy-src", dir);
	src = open(path, O_RDONLY);

	int64_t in = 2, out = 0;
	syscall(SYS_copy_file_range, src, &in, dst, &out, 4, 0);
	syscall(SYS_copy_file_range, src, NULL, dst, NULL, 0, 0);
	syscall(SYS_copy_file_range, src, BAD, dst, &out, 4, 0);
	syscall(SYS_copy_file_range, -1, &in, -1, edge(4), 4, 0);
	int p[2];
	pipe(p);
	in = 0;
	syscall(SYS_splice, src, &in, p[1], NULL, 3, 0);
	syscall(SYS_splice, p[0], NULL, dst, &out, 3, SPLICE_F_NONBLOCK);
	syscall(SYS_splice, -1, BAD, -1, NULL, 1, 0);
}

static void prctls(void)
{
	char name[32];
	prctl(PR_SET_NAME, "data-captures-long-name");
	prctl(PR_SET_NAME, "short");
	prctl(PR_SET_NAME, NULL);
	prctl(PR_SET_NAME, BAD);
	prctl(PR_GET_NAME, name);
	prctl(PR_GET_NAME, NULL);
	prctl(PR_GET_NAME, BAD);
	int sig;
	prctl(PR_GET_PDEATHSIG, &sig);
	prctl(PR_GET_PDEATHSIG, BAD);
	prctl(PR_GET_PDEATHSIG, NULL);
	prctl(PR_GET_PDEATHSIG, edge(2));
	prctl(PR_GET_TSC, &sig);
	prctl(PR_GET_UNALIGN, &sig);
	prctl(PR_GET_FPEMU, &sig);
	prctl(PR_GET_ENDIAN, &sig);
	prctl(PR_GET_CHILD_SUBREAPER, &sig);
	prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	prctl(PR_GET_DUMPABLE);
	void *tid;
	prctl(PR_GET_TID_ADDRESS, &tid);
	prctl(PR_GET_TID_ADDRESS, BAD);
	unsigned long long cookie;
	prctl(62 /* PR_SCHED_CORE */, 0 /* GET */, 0, 0 /* PIDTYPE_PID */, &cookie);
	prctl(62, 0, 0, 0, NULL);
	prctl(62, 1 /* CREATE */, 0, 0, &cookie);
	long page = sysconf(_SC_PAGESIZE);
	char *anon = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	prctl(0x53564D41 /* PR_SET_VMA */, 0 /* ANON_NAME */, anon, page, "data");
	prctl(0x53564D41, 0, anon, page, NULL);
	prctl(0x53564D41, 1, anon, page, "not a name");
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, BAD);
	struct sock_filter bad_insn = {0xffff, 0, 0, 0};
	struct sock_fprog prog = {1, &bad_insn}; /* EINVAL: nothing is installed */
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	write(-1, "start", 5);
	getpid();
	clocks();
	resources();
	credentials();
	scheduling();
	memory_and_files(dir);
	prctls();
	return 0;
}
