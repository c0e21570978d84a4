/*
 * Structures that grow or point further, for the comparisons with strace
 * (tests/test_decode_kernel_objects.py): struct sched_attr in every size the kernel
 * knows of (0 for the first version, too small with the size the kernel writes back on
 * E2BIG, larger than we know, KEEP_POLICY/KEEP_PARAMS leaving fields out). Everything
 * after the `write(-1, "start", 5)` marker is compared line by line.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

/* `size` bytes that end where their page does: one byte further is unmapped. */
static void *at_page_end(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - size;
}

static void sched_attrs(void)
{
	struct attr *a = at_page_end(sizeof *a);
	uint32_t *size_only = at_page_end(4);

	syscall(SYS_sched_getattr, 0, a, 48, 0);
	syscall(SYS_sched_getattr, 0, a, sizeof *a, 0);
	syscall(SYS_sched_getattr, 0, (char *)a + 8, sizeof *a, 0);
	syscall(SYS_sched_getattr, 0, NULL, 0, 0);
	a->flags |= 1;
	syscall(SYS_sched_setattr, 0, a, 0);
	*size_only = sizeof *a;
	syscall(SYS_sched_setattr, 0, size_only, 0);
	a->size = 0;
	syscall(SYS_sched_setattr, 0, a, 0);
	a->size = 1;
	syscall(SYS_sched_setattr, 0, a, 0);
	a->size = 47;
	syscall(SYS_sched_setattr, 0, a, 0);
	a->size = 0x90807060;
	a->policy = 0xca7faced;
	a->flags = 0xbadc0ded1057da80ULL;
	a->nice = -5;
	a->runtime = 0xbadcaffedeadf157ULL;
	syscall(SYS_sched_setattr, -1, a, 0xdeadc0de);
	a->size = 48;
	a->flags = 0x8f;
	syscall(SYS_sched_setattr, -1, a, 0);
	a->size = 56;
	a->flags = 0xe7;
	syscall(SYS_sched_setattr, -1, a, 0);
	a->flags = 0xcaffee90;
	syscall(SYS_sched_setattr, -1, a, 0);
	a->policy = 0xdefaced; /* a policy the kernel would not refuse first */
	syscall(SYS_sched_setattr, -1, a, 0);
	a->flags = 0x8;
	syscall(SYS_sched_setattr, -1, a, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	write(-1, "start", 5);
	sched_attrs();
	return 0;
}
