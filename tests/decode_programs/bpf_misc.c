/*
 * bpf, clone3 and seccomp structures, LIRC, MTD, UBI, userfaultfd and perf ioctls,
 * perf_event_open's attr
 * for the comparisons with strace (tests/test_decode_bpf.py): attrs cut short,
 * zero-filled and followed by extra bytes, strings, programs, arrays and LINK_CREATE's
 * per-attach-type union; clone3's struct at every size the kernel knows, past them and
 * where memory ends; seccomp's operations and a filter (installed last, through prctl,
 * allowing every call). Every clone3 call here is one the kernel refuses, so no child
 * is made unless a result is injected; the ioctls go to fd -1, so their getters print
 * what they point to only when a result is injected. Everything after the
 * `write(-1, "start", 5)` marker is compared line by line.
 */
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/lirc.h>
#include <mtd/mtd-abi.h>
#include <mtd/ubi-user.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long bpf(unsigned long cmd, void *attr, unsigned long size)
{
	return syscall(SYS_bpf, cmd, attr, size);
}

/* `size` bytes that end where readable memory does. */
static char *at_end(char *page_end, size_t size)
{
	return page_end - size;
}

static void bpf_calls(char *end, long page)
{
	union bpf_attr *a = (union bpf_attr *)at_end(end, sizeof(*a));
	static const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = 0x95, .dst_reg = 10, .src_reg = 11, .off = -2, .imm = 0x1234 },
	};
	static char log[16];
	static const int iter_fds[] = { 0, 42, -1 };
	static const char *syms[] = { "foo", NULL, "bar\0baz" };
	static const uint64_t addrs[] = { 0, 1, 0xfacefeeddeadc0deULL };
	static const uint32_t ids[] = { 1, 0xffffffff };
	static const char btf[] = "bPf\0data";

	bpf(BPF_MAP_CREATE, NULL, 0xfacefeed00000100UL);
	bpf(BPF_MAP_CREATE, a, 0);
	memset(a, 0, sizeof(*a));
	a->map_type = BPF_MAP_TYPE_ARRAY;
	bpf(BPF_MAP_CREATE, a, 4);
	a->key_size = 4;
	a->value_size = 8;
	a->max_entries = 1;
	a->map_flags = BPF_F_NUMA_NODE | 0x4000;
	a->numa_node = -1;
	memcpy(a->map_name, "0123456789abcdef", 16);
	bpf(BPF_MAP_CREATE, a, offsetof(union bpf_attr, map_name) + 8);
	bpf(BPF_MAP_CREATE, a, offsetof(union bpf_attr, map_ifindex));
	a->map_flags = 0;
	strcpy(a->map_name, "tt_map");
	a->map_ifindex = 1;
	bpf(BPF_MAP_CREATE, a, offsetof(union bpf_attr, map_extra) + 8);
	a->map_ifindex = 0;
	int map = bpf(BPF_MAP_CREATE, a, offsetof(union bpf_attr, map_extra) + 8);
	memset((char *)a + 72, '0', 8);
	bpf(BPF_MAP_CREATE, a, sizeof(*a));
	bpf(BPF_MAP_CREATE, a, page + 1);
	bpf(BPF_MAP_CREATE, (char *)a + 1, sizeof(*a));

	memset(a, 0, sizeof(*a));
	a->map_fd = -1;
	a->key = 0xdeadbeef;
	a->flags = BPF_F_LOCK;
	bpf(BPF_MAP_LOOKUP_ELEM, a, 32);
	a->flags = BPF_EXIST;
	bpf(BPF_MAP_UPDATE_ELEM, a, 32);
	bpf(BPF_MAP_UPDATE_ELEM, a, 4);
	bpf(BPF_MAP_DELETE_ELEM, a, 16);
	bpf(BPF_MAP_FREEZE, a, 4);

	memset(a, 0, sizeof(*a));
	a->prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a->insn_cnt = 2;
	a->insns = (uintptr_t)prog;
	a->license = (uintptr_t)"GPL";
	a->log_level = 1;
	a->log_size = sizeof(log);
	a->log_buf = (uintptr_t)log;
	a->kern_version = 0x050a0d;
	a->prog_flags = BPF_F_ANY_ALIGNMENT | 0x1000;
	strcpy(a->prog_name, "tt_prog");
	bpf(BPF_PROG_LOAD, a, 48);
	a->prog_flags = 0;
	a->log_level = 0;
	a->log_size = 0;
	a->log_buf = 0;
	int prg = bpf(BPF_PROG_LOAD, a, sizeof(*a));
	a->insn_cnt = 3;
	a->prog_type = 0xdeadf00d;
	a->expected_attach_type = BPF_CGROUP_INET6_BIND;
	memcpy(log, "log text", 8);
	a->log_size = 4;
	a->log_buf = (uintptr_t)log;
	bpf(BPF_PROG_LOAD, a, offsetof(union bpf_attr, expected_attach_type) + 4);

	memset(a, 0, sizeof(*a));
	a->pathname = (uintptr_t)"/sys/fs/bpf/tracetui/none";
	a->bpf_fd = -1;
	a->file_flags = BPF_F_RDONLY | 0x40;
	bpf(BPF_OBJ_PIN, a, 16);
	bpf(BPF_OBJ_GET, a, 12);

	memset(a, 0, sizeof(*a));
	a->target_fd = -1;
	a->attach_type = BPF_CGROUP_INET_SOCK_CREATE;
	a->attach_flags = BPF_F_ALLOW_MULTI | 0x80;
	bpf(BPF_PROG_ATTACH, a, 20);
	bpf(BPF_PROG_DETACH, a, 4);

	memset(a, 0, sizeof(*a));
	a->test.prog_fd = -1;
	a->test.data_in = 0xfacef11dbadc2dedULL;
	a->test.ctx_size_out = 7;
	a->test.flags = BPF_F_TEST_RUN_ON_CPU | 0x10;
	bpf(BPF_PROG_TEST_RUN, a, 56);
	bpf(BPF_PROG_TEST_RUN, a, 76);

	memset(a, 0, sizeof(*a));
	a->start_id = 0xdeadbeef;
	bpf(BPF_PROG_GET_NEXT_ID, a, 1);
	a->open_flags = BPF_F_WRONLY;
	bpf(BPF_MAP_GET_NEXT_ID, a, 12);
	bpf(BPF_MAP_GET_FD_BY_ID, a, 12);
	bpf(BPF_BTF_GET_FD_BY_ID, a, 4);
	bpf(BPF_LINK_GET_FD_BY_ID, a, 4);

	if (map >= 0) {
		/* Room past the kernel's struct: it says how much it wrote. */
		static char info[sizeof(struct bpf_map_info) + 64];
		memset(a, 0, sizeof(*a));
		a->info.bpf_fd = map;
		a->info.info_len = sizeof(info);
		a->info.info = (uintptr_t)info;
		bpf(BPF_OBJ_GET_INFO_BY_FD, a, 16);
		/* A byte the kernel does not know: E2BIG, the bytes shown as they are. */
		memset(info, 0, sizeof(info));
		info[sizeof(info) - 1] = 'x';
		a->info.info_len = sizeof(info);
		bpf(BPF_OBJ_GET_INFO_BY_FD, a, 16);
		close(map);
	}
	if (prg >= 0)
		close(prg);

	memset(a, 0, sizeof(*a));
	a->query.target_fd = -1;
	a->query.attach_type = BPF_LSM_CGROUP;
	a->query.query_flags = BPF_F_QUERY_EFFECTIVE;
	uint32_t *ids_end = (uint32_t *)at_end(end - 2 * page, sizeof(ids));
	memcpy(ids_end, ids, sizeof(ids));
	a->query.prog_ids = (uintptr_t)ids_end;
	a->query.prog_cnt = 2;
	bpf(BPF_PROG_QUERY, a, 28);
	a->query.prog_cnt = 3;
	bpf(BPF_PROG_QUERY, a, 28);
	a->query.prog_cnt = 0;
	bpf(BPF_PROG_QUERY, a, 28);

	memset(a, 0, sizeof(*a));
	a->raw_tracepoint.name = (uintptr_t)"a_tracepoint_name_longer_than_the_string_limit_of_64_bytes_0123456789";
	a->raw_tracepoint.prog_fd = 0xdeadbeef;
	bpf(BPF_RAW_TRACEPOINT_OPEN, a, 12);

	memset(a, 0, sizeof(*a));
	a->btf = (uintptr_t)btf;
	a->btf_size = sizeof(btf) - 1;
	a->btf_log_level = 42;
	bpf(BPF_BTF_LOAD, a, 28);

	memset(a, 0, sizeof(*a));
	a->task_fd_query.pid = getpid();
	a->task_fd_query.fd = 0;
	a->task_fd_query.fd_type = BPF_FD_TYPE_URETPROBE;
	a->task_fd_query.probe_addr = 0xfac5fed5fac7fed8ULL;
	bpf(BPF_TASK_FD_QUERY, a, 48);

	memset(a, 0, sizeof(*a));
	a->batch.keys = 0xdeadf00d;
	a->batch.count = 3;
	a->batch.map_fd = -1;
	a->batch.elem_flags = BPF_F_LOCK;
	a->batch.flags = 4;
	bpf(BPF_MAP_LOOKUP_BATCH, a, 56);
	bpf(BPF_MAP_DELETE_BATCH, a, 40);

	memset(a, 0, sizeof(*a));
	a->link_create.prog_fd = -1;
	a->link_create.target_fd = 0;
	a->link_create.attach_type = BPF_CGROUP_INET_INGRESS;
	a->link_create.target_btf_id = 0xfacefeed;
	bpf(BPF_LINK_CREATE, a, 20);
	a->link_create.attach_type = BPF_CGROUP_DEVICE;
	bpf(BPF_LINK_CREATE, a, 48);
	a->link_create.attach_type = BPF_TRACE_ITER;
	a->link_create.iter_info = (uintptr_t)iter_fds;
	a->link_create.iter_info_len = 3;
	bpf(BPF_LINK_CREATE, a, 28);
	a->link_create.attach_type = BPF_PERF_EVENT;
	a->link_create.perf_event.bpf_cookie = 0xdeadc0defacecafeULL;
	bpf(BPF_LINK_CREATE, a, 24);
	a->link_create.attach_type = BPF_TRACE_KPROBE_MULTI;
	a->link_create.kprobe_multi.flags = BPF_F_KPROBE_MULTI_RETURN | 0x100;
	a->link_create.kprobe_multi.cnt = 3;
	a->link_create.kprobe_multi.syms = (uintptr_t)syms;
	a->link_create.kprobe_multi.addrs = (uintptr_t)addrs;
	a->link_create.kprobe_multi.cookies = 0;
	bpf(BPF_LINK_CREATE, a, 48);

	memset(a, 0, sizeof(*a));
	a->link_update.link_fd = -1;
	a->link_update.flags = BPF_F_REPLACE;
	a->link_update.old_prog_fd = -3;
	bpf(BPF_LINK_UPDATE, a, 16);
	bpf(0xfacefeed, a, 40);
}

static void clone3_calls(char *end)
{
	static int pidfd = 0x1234, ptid = 0x5678;
	struct clone_args *c = (struct clone_args *)at_end(end, sizeof(*c));
	static int tids[2] = { 1000, 1001 };

	syscall(SYS_clone3, NULL, 0);
	syscall(SYS_clone3, c, 56);
	memset(c, 0, sizeof(*c));
	c->flags = CLONE_PIDFD | CLONE_PARENT_SETTID | CLONE_SETTLS | 0x8000000000000000ULL;
	c->pidfd = (uintptr_t)&pidfd;
	c->parent_tid = (uintptr_t)&ptid;
	c->exit_signal = SIGCHLD;
	c->stack = 0xface1e55beeff00dULL;
	c->stack_size = 0x1000;
	syscall(SYS_clone3, c, 64);
	c->flags = 0x8000000000000000ULL | CLONE_INTO_CGROUP;
	c->exit_signal = 250;
	c->set_tid = (uintptr_t)tids;
	c->set_tid_size = 2;
	c->cgroup = 7;
	syscall(SYS_clone3, c, 88);
	syscall(SYS_clone3, c, 80);
	syscall(SYS_clone3, c, 96);
	c->flags = 0xdec0deac0040007fULL;
	c->exit_signal = 0xdeadc0de;
	syscall(SYS_clone3, c, 64);
}

static void seccomp_calls(char *end)
{
	static uint32_t action;
	static uint16_t sizes[3];
	struct sock_filter *filt = (struct sock_filter *)at_end(end, sizeof(struct sock_filter));
	static struct sock_filter allow[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xfffff, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 2, .filter = filt };

	*filt = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 3);
	action = SECCOMP_RET_LOG;
	syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
	action = 0xffffffff;
	syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
	syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, sizes);
	syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0xdeadbeef, sizes);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0x40, &prog);
	prog.len = 0;
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
	syscall(SYS_seccomp, 0xffffffff, 0xffffffff, 0xfacefeeddeadbeefUL);
	prog.len = sizeof(allow) / sizeof(allow[0]);
	prog.filter = allow;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void lirc_perf_calls(char *end)
{
	uint32_t *value = (uint32_t *)(end - 4);
	uint32_t *ids = (uint32_t *)(end - 16);

	*value = 38000;
	ioctl(-1, LIRC_SET_SEND_CARRIER, value);
	*value = LIRC_MODE_PULSE;
	ioctl(-1, LIRC_SET_SEND_MODE, value);
	*value = 3;
	ioctl(-1, LIRC_SET_REC_MODE, value);
	*value = 0x1f;
	ioctl(-1, LIRC_SET_TRANSMITTER_MASK, value);
	*value = LIRC_CAN_SEND_PULSE | LIRC_CAN_USE_WIDEBAND_RECEIVER | 0x8000000;
	ioctl(-1, LIRC_GET_FEATURES, value);
	*value = LIRC_MODE_RAW;
	ioctl(-1, LIRC_GET_REC_MODE, value);
	ioctl(-1, LIRC_GET_LENGTH, value);
	ioctl(-1, LIRC_GET_FEATURES, value + 1);
	ioctl(-1, _IO('i', 0xff), value);

	ids[0] = 16;  /* ids_len */
	ids[1] = 5;   /* prog_cnt: two ids fit before the page ends */
	ids[2] = 7;
	ids[3] = 0xffffffff;
	ioctl(-1, PERF_EVENT_IOC_QUERY_BPF, ids);
	ids[1] = 2;
	ioctl(-1, PERF_EVENT_IOC_QUERY_BPF, ids);
	ids[0] = 1;
	ioctl(-1, PERF_EVENT_IOC_QUERY_BPF, ids);
	ioctl(-1, PERF_EVENT_IOC_QUERY_BPF, value);

	syscall(SYS_perf_event_open, NULL, -1, -1, -1, ~0UL);
	syscall(SYS_perf_event_open, NULL, 0, 1, 0, PERF_FLAG_FD_CLOEXEC);

	/* An attr larger than the kernel's with a byte it does not know: E2BIG, and the
	 * kernel writes back the size it knows. */
	static union { struct perf_event_attr attr; char bytes[160]; } big;
	big.attr.type = PERF_TYPE_HW_CACHE;
	big.attr.size = sizeof(big);
	big.attr.config = 0x10002;
	big.attr.sample_type = PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_STACK_USER | (1ULL << 40);
	big.attr.read_format = PERF_FORMAT_GROUP;
	big.attr.disabled = 1;
	big.attr.precise_ip = 2;
	big.attr.use_clockid = 1;
	big.attr.clockid = 11;
	big.attr.branch_sample_type = PERF_SAMPLE_BRANCH_ANY;
	big.attr.sample_stack_user = 0x1000;
	big.bytes[sizeof(big) - 1] = 1;
	syscall(SYS_perf_event_open, &big.attr, 0, -1, -1, 0);
	struct perf_event_attr *bp = (struct perf_event_attr *)(end - PERF_ATTR_SIZE_VER1);
	memset(bp, 0, PERF_ATTR_SIZE_VER1);
	bp->type = PERF_TYPE_BREAKPOINT;
	bp->size = PERF_ATTR_SIZE_VER1;
	bp->bp_type = HW_BREAKPOINT_RW;
	bp->bp_addr = 0x1000;
	bp->bp_len = 8;
	bp->freq = 1;
	bp->sample_freq = 4000;
	syscall(SYS_perf_event_open, bp, 0, -1, -1, 0);
	ioctl(-1, PERF_EVENT_IOC_MODIFY_ATTRIBUTES, bp);
}

static void mtd_calls(char *end)
{
	struct erase_info_user *erase = (struct erase_info_user *)(end - sizeof(*erase));
	struct region_info_user *region = (struct region_info_user *)(end - sizeof(*region));
	struct mtd_write_req *req = (struct mtd_write_req *)(end - sizeof(*req));
	struct mtd_info_user *info = (struct mtd_info_user *)(end - sizeof(*info));
	struct nand_ecclayout_user *layout = (struct nand_ecclayout_user *)(end - sizeof(*layout));
	int *otp = (int *)(end - sizeof(int));

	erase->start = 0x1000;
	erase->length = 0x20000;
	ioctl(-1, MEMERASE, erase);
	ioctl(-1, MEMLOCK, NULL);
	memset(region, 0x5a, sizeof(*region));
	region->regionindex = 3;
	ioctl(-1, MEMGETREGIONINFO, region);
	ioctl(-1, MTDFILEMODE, MTD_FILE_MODE_RAW);
	*otp = MTD_OTP_USER;
	ioctl(-1, OTPSELECT, otp);
	memset(req, 0, sizeof(*req));
	req->len = 512;
	req->usr_data = 0xfacefeed;
	req->mode = MTD_OPS_RAW;
	ioctl(-1, MEMWRITE, req);
	memset(info, 0, sizeof(*info));
	info->type = MTD_NANDFLASH;
	info->flags = MTD_WRITEABLE | 0x10;
	info->size = 0x100000;
	ioctl(-1, MEMGETINFO, info);
	for (unsigned int i = 0; i < sizeof(*layout) / 4; i++)
		((uint32_t *)layout)[i] = i;
	ioctl(-1, ECCGETLAYOUT, layout);
}

static void ubi_calls(char *end)
{
	struct ubi_attach_req *att = (struct ubi_attach_req *)(end - sizeof(*att));
	struct ubi_mkvol_req *mk = (struct ubi_mkvol_req *)(end - sizeof(*mk));
	static struct ubi_rnvol_req rn;

	ioctl(-1, UBI_IOCVOLRMBLK);
	memset(att, 0, sizeof(*att));
	att->ubi_num = UBI_DEV_NUM_AUTO;
	att->mtd_num = 3;
	ioctl(-1, UBI_IOCATT, att);
	memset(mk, 0, sizeof(*mk));
	mk->vol_id = UBI_VOL_NUM_AUTO;
	mk->bytes = 1 << 20;
	mk->vol_type = UBI_DYNAMIC_VOLUME;
	mk->flags = UBI_VOL_SKIP_CRC_CHECK_FLG | 2;
	memcpy(mk->name, "volume", 6);
	mk->name_len = 4;
	ioctl(-1, UBI_IOCMKVOL, mk);
	rn.count = 2;
	rn.ents[0].vol_id = 1;
	rn.ents[0].name_len = 3;
	strcpy(rn.ents[0].name, "one");
	rn.ents[1].name_len = -1;
	rn.ents[1].name[0] = 'x';
	ioctl(-1, UBI_IOCRNVOL, &rn);
}

static void uffd_calls(char *end)
{
	struct uffdio_api *api = (struct uffdio_api *)(end - sizeof(*api));
	struct uffdio_copy *copy = (struct uffdio_copy *)(end - sizeof(*copy));
	struct uffdio_range *range = (struct uffdio_range *)(end - sizeof(*range));

	memset(api, 0, sizeof(*api));
	api->api = UFFD_API;
	api->features = UFFD_FEATURE_EVENT_FORK | (1ULL << 40);
	api->ioctls = 1ULL << _UFFDIO_API | 1ULL << _UFFDIO_COPY | 0x100;
	ioctl(-1, UFFDIO_API, api);
	memset(copy, 0, sizeof(*copy));
	copy->dst = 0x10000;
	copy->len = 0x1000;
	copy->mode = UFFDIO_COPY_MODE_DONTWAKE | 0x80;
	copy->copy = 0x1000;
	ioctl(-1, UFFDIO_COPY, copy);
	range->start = 0x20000;
	range->len = 0;
	ioctl(-1, UFFDIO_WAKE, range);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	long page = sysconf(_SC_PAGESIZE);
	/* Three readable pages, each followed by a hole. */
	char *pages = mmap(NULL, 6 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 1; i < 6; i += 2)
		munmap(pages + i * page, page);
	char *end = pages + page;
	write(-1, "start", 5);
	getpid();
	bpf_calls(end + 4 * page, page);
	clone3_calls(end);
	lirc_perf_calls(end);
	mtd_calls(end);
	ubi_calls(end);
	uffd_calls(end);
	seccomp_calls(end + 2 * page);
	return 0;
}
