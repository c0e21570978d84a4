/*
 * Structures that grow or point further, for the comparisons with strace
 * (tests/test_decode_kernel_objects.py): struct sched_attr in every size the kernel
 * knows of (0 for the first version, too small with the size the kernel writes back on
 * E2BIG, larger than we know, KEEP_POLICY/KEEP_PARAMS leaving fields out); keyctl's
 * commands with their strings, buffers in and out, iovecs and parameter structures
 * (mostly on keys that do not exist: the errors are the same for both tracers);
 * io_uring_register's opcodes on a file that is no ring (/dev/null), with fd arrays
 * named under -y, structures holding further pointers, resource structures larger than
 * the kernel knows, and the probe the kernel fills in (shown after ` => ` when a test
 * injects success).
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
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

struct kdf_params {
	char *hashname, *otherinfo;
	uint32_t otherinfolen, spare[8];
};

struct pkey_params {
	int32_t key_id;
	uint32_t in_len, out_len, spare[7];
};

static long kc(long cmd, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	return syscall(SYS_keyctl, cmd, a2, a3, a4, a5);
}

static void keyctls(void)
{
	enum { THREAD = -1, GROUP = -6, BOGUS = 0x1eefdead };
	char *buf9 = at_page_end(9), *buf256 = at_page_end(256), *edge = at_page_end(5);
	unsigned char *caps = at_page_end(2);
	static char payload[] = "a payload of some length";
	struct iovec *iov = at_page_end(3 * sizeof *iov);
	int32_t *dh = at_page_end(3 * sizeof *dh);
	struct kdf_params *kdf = at_page_end(sizeof *kdf);
	struct pkey_params *pk = at_page_end(sizeof *pk);

	memcpy(edge, "\1\2\3\4\5", 5);
	memset(buf9, 0xff, 9);
	kc(0xbadc0dedfacefeedULL, 1, 2, 3, 4);
	kc(0 /* GET_KEYRING_ID */, THREAD, 1, 0, 0);
	kc(1 /* JOIN_SESSION_KEYRING */, (unsigned long)edge, 0, 0, 0);
	kc(2 /* UPDATE */, BOGUS, (unsigned long)payload, sizeof payload, 0);
	kc(2, BOGUS, (unsigned long)edge, 32, 0);
	kc(4 /* CHOWN */, BOGUS, -1U, 2718281828U, 0);
	kc(5 /* SETPERM */, GROUP, 0x3f0100c0, 0, 0);
	kc(5, BOGUS, 0xc0c0c0c0, 0, 0);
	kc(6 /* DESCRIBE */, THREAD, (unsigned long)buf9, 9, 0);
	kc(6, THREAD, (unsigned long)buf256, 256, 0);
	kc(11 /* READ */, THREAD, (unsigned long)buf256, 256, 0);
	kc(11, THREAD, (unsigned long)edge, 9, 0);
	kc(10 /* SEARCH */, BOGUS, (unsigned long)"user", (unsigned long)payload, GROUP);
	kc(13 /* NEGATE */, BOGUS, 3141592653U, 0, 0);
	kc(14 /* SET_REQKEY_KEYRING */, -1, 0, 0, 0);
	kc(14, 0xbadc0ded, 0, 0, 0);
	kc(17 /* GET_SECURITY */, THREAD, (unsigned long)buf256, 256, 0);
	kc(19 /* REJECT */, BOGUS, 5, 19 /* ENODEV */, 0);
	kc(19, BOGUS, 5, 3134983661U, 0);
	iov[0] = (struct iovec){payload, sizeof payload};
	iov[1] = (struct iovec){edge, 5};
	iov[2] = (struct iovec){edge + 1, 32};
	kc(20 /* INSTANTIATE_IOV */, BOGUS, (unsigned long)iov, 3, 0);
	kc(20, BOGUS, (unsigned long)(iov + 1), 3, 0);
	kc(22 /* GET_PERSISTENT */, -1, GROUP, 0, 0);
	dh[0] = GROUP;
	dh[1] = 1234567890;
	dh[2] = BOGUS;
	kdf->hashname = "sha256";
	kdf->otherinfo = payload;
	kdf->otherinfolen = sizeof payload;
	kc(23 /* DH_COMPUTE */, (unsigned long)dh, (unsigned long)buf9, 9, (unsigned long)kdf);
	kdf->hashname = edge;
	kdf->otherinfolen = 0;
	kdf->spare[3] = 0xfacefeed;
	kc(23, (unsigned long)dh, (unsigned long)buf9, 9, (unsigned long)kdf);
	kc(23, (unsigned long)(dh + 1), 0, 9, (unsigned long)kdf + 1);
	kc(24 /* PKEY_QUERY */, BOGUS, 0, (unsigned long)"enc=raw", 0);
	pk->key_id = -2;
	pk->in_len = sizeof payload;
	pk->out_len = 4;
	kc(25 /* PKEY_ENCRYPT */, (unsigned long)pk, (unsigned long)"enc=pkcs1", (unsigned long)payload,
	   (unsigned long)buf9);
	pk->spare[6] = 0xdec0ded;
	kc(28 /* PKEY_VERIFY */, (unsigned long)pk, 0, (unsigned long)payload, (unsigned long)edge);
	kc(28, (unsigned long)pk + 1, 0, (unsigned long)payload, (unsigned long)edge);
	kc(29 /* RESTRICT_KEYRING */, BOGUS, (unsigned long)"asymmetric", 0, 0);
	kc(30 /* MOVE */, BOGUS, THREAD, GROUP, 0xffffffffffffffffULL);
	kc(30, BOGUS, THREAD, GROUP, 0xfffffffe);
	kc(31 /* CAPABILITIES */, (unsigned long)caps, 2, 0, 0);
	kc(31, (unsigned long)caps + 1, 2, 0, 0);
}

static long reg(int fd, unsigned op, const void *arg, unsigned nargs)
{
	return syscall(SYS_io_uring_register, fd, op, arg, nargs);
}

static void io_uring_registers(void)
{
	int null = open("/dev/null", O_RDONLY), full = open("/dev/full", O_RDONLY);
	int *fds = at_page_end(5 * sizeof(int));
	struct iovec *iov = at_page_end(2 * sizeof *iov);
	uint64_t *tags = at_page_end(3 * sizeof *tags);
	unsigned char *probe = at_page_end(16 + 4 * 8), *wide = at_page_end(40);
	uint32_t *rsrc = at_page_end(32), *workers = at_page_end(3 * 4);
	uint64_t *words = at_page_end(16), *buf_reg = at_page_end(40);
	uint32_t *restr = at_page_end(3 * 16), *ringfds = at_page_end(3 * 16);

	fds[0] = full, fds[1] = null, fds[2] = -1, fds[3] = -2, fds[4] = -3;
	iov[0] = (struct iovec){(void *)0xfacefeedcafef00dULL, 42};
	iov[1] = (struct iovec){fds, 20};
	tags[0] = 0x1337, tags[1] = 0, tags[2] = 0xbadc0deddadfacedULL;
	reg(null, 0xbadc0ded, fds, 1);
	reg(null, 24, fds, 1);
	reg(null, 1 /* UNREGISTER_BUFFERS */, fds, 1);
	reg(null, 0 /* REGISTER_BUFFERS */, iov, 2);
	reg(null, 2 /* REGISTER_FILES */, fds, 5);
	reg(null, 2, fds + 3, 3);
	uint32_t update[4] = {7, 0, 0, 0};
	uint64_t fds_addr = (uintptr_t)fds;
	memcpy(update + 2, &fds_addr, 8);
	reg(null, 6 /* REGISTER_FILES_UPDATE */, update, 5);
	memset(probe, 0, 16 + 4 * 8);
	reg(null, 8 /* REGISTER_PROBE */, probe, 4);
	probe[0] = 29, probe[1] = 4, probe[16] = 46, probe[18] = 1, probe[24] = 47, probe[26] = 3;
	reg(null, 8, probe, 4);
	reg(null, 8, probe + 1, 4);
	restr[0] = 0 | 15 << 16, restr[4] = 1 | 47 << 16 | 0x77 << 24, restr[8] = 2 | 0xc1 << 16;
	restr[9] = 0x80808080;
	reg(null, 11 /* REGISTER_RESTRICTIONS */, restr, 3);
	reg(null, 11, restr + 4, 3);
	/* nr, flags, resv2, data, tags: the structure in 32 bytes, and 8 more past it */
	rsrc[0] = 3, rsrc[1] = 1, rsrc[2] = rsrc[3] = 0;
	memcpy(rsrc + 4, &fds_addr, 8);
	uint64_t tags_addr = (uintptr_t)tags;
	memcpy(rsrc + 6, &tags_addr, 8);
	reg(null, 13 /* REGISTER_FILES2 */, rsrc, 32);
	reg(null, 13, rsrc, 40);
	memcpy(wide, rsrc, 32);
	memset(wide + 32, 0xa5, 8);
	reg(null, 13, wide, 40);
	memset(wide + 32, 0, 8);
	reg(null, 13, wide, 40);
	uint64_t iov_addr = (uintptr_t)iov;
	memcpy(wide + 16, &iov_addr, 8);
	reg(null, 15 /* REGISTER_BUFFERS2 */, wide, 40);
	reg(null, 15, wide, 24);
	/* offset, resv, data, tags, nr, resv2 */
	uint32_t upd2[8] = {5, 0xbad, 0, 0, 0, 0, 3, 0};
	memcpy(upd2 + 2, &fds_addr, 8);
	memcpy(upd2 + 4, &tags_addr, 8);
	reg(null, 14 /* REGISTER_FILES_UPDATE2 */, upd2, 32);
	memcpy(upd2 + 2, &iov_addr, 8);
	upd2[6] = 2;
	reg(null, 16 /* REGISTER_BUFFERS_UPDATE */, upd2, 32);
	words[0] = 0xbadc0deddadfacedULL, words[1] = 0x8000000000000001ULL;
	reg(null, 17 /* REGISTER_IOWQ_AFF */, words, 16);
	reg(null, 17, words, 17);
	reg(null, 17, words, 0);
	workers[0] = 0, workers[1] = 1, workers[2] = 0xbedfaced;
	reg(null, 19 /* REGISTER_IOWQ_MAX_WORKERS */, workers, 3);
	reg(null, 19, workers + 2, 2);
	for (int i = 0; i < 3; i++) {
		ringfds[4 * i] = i ? i : -1U;
		ringfds[4 * i + 1] = i == 1 ? 0x1010101 : 0;
		ringfds[4 * i + 2] = fds[i];
		ringfds[4 * i + 3] = i == 2 ? 0xbadc0ded : 0;
	}
	reg(null, 20 /* REGISTER_RING_FDS */, ringfds, 3);
	reg(null, 21 /* UNREGISTER_RING_FDS */, ringfds, 4);
	buf_reg[0] = (uintptr_t)buf_reg, buf_reg[1] = 42 | 7ULL << 32 | 0x7a69ULL << 48;
	buf_reg[2] = buf_reg[3] = 0, buf_reg[4] = 0xfacefeed;
	reg(null, 22 /* REGISTER_PBUF_RING */, buf_reg, 1);
	reg(null, 23, (char *)buf_reg + 1, 1);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	write(-1, "start", 5);
	sched_attrs();
	keyctls();
	io_uring_registers();
	return 0;
}
