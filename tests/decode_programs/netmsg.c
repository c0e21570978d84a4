/*
 * Socket messages and their neighbours, for the comparisons with strace
 * (tests/test_decode_netmsg.py): control messages (SCM_RIGHTS cut at -s, short
 * buffers, a truncated second header, SOL_IP types, timestamps, a buffer past
 * optmem_max), recvmsg's name cut at the length given, sendmmsg/recvmmsg vectors
 * (one ending on an unmapped page, msg_namelen in => out), modify_ldt's 32-bit error,
 * socket ioctls (ifreq, SIOCGIFCONF), BLKPG's partition, AIO (iocbs, events, the
 * signal mask) and execve with unreadable argv/envp entries (shown whole under -v).
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <asm/ldt.h>
#include <linux/aio_abi.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SCM_SECURITY
#define SCM_SECURITY 3
#endif
#define SOL_TCP_LEVEL 6
#define SIOCBRADDBR_REQ 0x89a0
#define SIOCGSTAMP_REQ 0x8906

/* Memory that ends where its page does: `size` bytes before an unmapped page. */
static char *edge(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + page, page);
	return p + page - size;
}

static void send_control(void *control, size_t len)
{
	struct msghdr mh = {.msg_control = control, .msg_controllen = len};
	sendmsg(-1, &mh, 0);
}

static struct cmsghdr *cmsg_at(char *buf, size_t len, int level, int type)
{
	struct cmsghdr *c = (struct cmsghdr *)buf;
	c->cmsg_len = len;
	c->cmsg_level = level;
	c->cmsg_type = type;
	return c;
}

static void control_messages(void)
{
	char *buf = edge(4096);
	int *fds = (int *)CMSG_DATA(cmsg_at(buf, CMSG_LEN(40 * sizeof(int)), SOL_SOCKET, SCM_RIGHTS));
	for (int i = 0; i < 40; i++)
		fds[i] = i % 3;
	send_control(buf, CMSG_SPACE(40 * sizeof(int)));
	send_control(buf, 8); /* shorter than a header: the address */
	/* a second header cut by the buffer's end, and one shorter than a header */
	cmsg_at(buf, CMSG_LEN(8), SOL_SOCKET, SCM_RIGHTS);
	cmsg_at(buf + CMSG_SPACE(8), 64, SOL_SOCKET, SCM_RIGHTS);
	send_control(buf, CMSG_SPACE(8) + 24);
	cmsg_at(buf, 3, SOL_SOCKET, SCM_SECURITY);
	send_control(buf, 40);

	struct in_pktinfo info = {.ipi_ifindex = 1};
	info.ipi_spec_dst.s_addr = htonl(0x01020304);
	info.ipi_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(CMSG_DATA(cmsg_at(buf, CMSG_LEN(sizeof info), SOL_IP, IP_PKTINFO)), &info, sizeof info);
	send_control(buf, CMSG_SPACE(sizeof info));
	unsigned int ttl = 64;
	memcpy(CMSG_DATA(cmsg_at(buf, CMSG_LEN(4), SOL_IP, IP_TTL)), &ttl, 4);
	send_control(buf, CMSG_SPACE(4));
	memcpy(CMSG_DATA(cmsg_at(buf, CMSG_LEN(3), SOL_IP, IP_RETOPTS)), "\x01\x00\x7f", 3);
	send_control(buf, CMSG_SPACE(3));
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(CMSG_DATA(cmsg_at(buf, CMSG_LEN(sizeof sin), SOL_IP, IP_ORIGDSTADDR)), &sin, sizeof sin);
	send_control(buf, CMSG_SPACE(sizeof sin));
	cmsg_at(buf, CMSG_LEN(0), SOL_IP, 0xfacefeed);
	send_control(buf, CMSG_LEN(0));

	struct timespec ts[3] = {{1, 2}, {3, 4}, {5, 6}};
	memcpy(CMSG_DATA(cmsg_at(buf, CMSG_LEN(sizeof ts), SOL_SOCKET, SO_TIMESTAMPING_OLD)), ts, sizeof ts);
	send_control(buf, CMSG_SPACE(sizeof ts));
	cmsg_at(buf, CMSG_LEN(8), SOL_SOCKET, SO_TIMESTAMPNS_OLD);
	send_control(buf, CMSG_SPACE(8));
	cmsg_at(buf, CMSG_LEN(0), SOL_TCP_LEVEL, 7);
	send_control(buf, CMSG_LEN(0));

	/* twice net.core.optmem_max or more: strace reads up to the limit, then `...` */
	size_t big = 1 << 21;
	char *large = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(large, 0xff, big);
	cmsg_at(large, big, SOL_SOCKET, SCM_RIGHTS);
	send_control(large, big);
	munmap(large, big);
}

static void names(const char *dir)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(addr.sun_path, sizeof addr.sun_path, "%s/netmsg.sock", dir);
	int rx = socket(AF_UNIX, SOCK_DGRAM, 0), tx = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un from = {.sun_family = AF_UNIX};
	snprintf(from.sun_path, sizeof from.sun_path, "%s/from.sock", dir);
	unlink(addr.sun_path);
	unlink(from.sun_path);
	bind(rx, (struct sockaddr *)&addr, sizeof addr);
	bind(tx, (struct sockaddr *)&from, sizeof from);

	char data[4] = "abc";
	struct iovec iov = {data, 1};
	for (int len = 0; len < 8; len += 2)
		sendto(tx, data, 1, 0, (struct sockaddr *)&addr, sizeof addr);
	for (int len = 0; len < 8; len += 2) {
		struct sockaddr_un got;
		memset(&got, 'A', sizeof got);
		struct msghdr mh = {.msg_name = &got, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
		recvmsg(rx, &mh, MSG_DONTWAIT);
	}

	/* sendmmsg: a vector whose third header lies on an unmapped page */
	struct mmsghdr *vec = (struct mmsghdr *)edge(2 * sizeof *vec);
	memset(vec, 0, 2 * sizeof *vec);
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_iov = &iov;
		vec[i].msg_hdr.msg_iovlen = 1;
	}
	syscall(__NR_sendmmsg, -1, vec, 3, MSG_DONTWAIT);
	for (int i = 0; i < 2; i++) {
		vec[i].msg_hdr.msg_name = &addr;
		vec[i].msg_hdr.msg_namelen = sizeof addr;
	}
	syscall(__NR_sendmmsg, tx, vec, 2, MSG_DONTWAIT);

	struct sockaddr_un got[2];
	struct mmsghdr in[2];
	char bufs[2][4];
	struct iovec iovs[2] = {{bufs[0], 4}, {bufs[1], 4}};
	memset(in, 0, sizeof in);
	for (int i = 0; i < 2; i++) {
		in[i].msg_hdr.msg_name = &got[i];
		in[i].msg_hdr.msg_namelen = 4 + 10 * i;
		in[i].msg_hdr.msg_iov = &iovs[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	syscall(__NR_recvmmsg, rx, in, 2, MSG_DONTWAIT, NULL);
	close(rx);
	close(tx);
	unlink(addr.sun_path);
	unlink(from.sun_path);
}

static void ldt(void)
{
	struct user_desc *desc = (struct user_desc *)edge(sizeof *desc);
	memset(desc, 0x55, sizeof *desc);
	desc->entry_number = -1;
	desc->base_addr = 0;
	syscall(__NR_modify_ldt, 0xbadc0ded, desc, sizeof *desc);
	syscall(__NR_modify_ldt, 0xbadc0ded, desc, 42);
}

static void ioctls(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	ioctl(s, SIOCGIFINDEX, &ifr);
	ioctl(s, SIOCGIFNAME, &ifr);
	ioctl(s, SIOCGIFFLAGS, &ifr);
	ioctl(s, SIOCGIFADDR, &ifr);
	ifr.ifr_mtu = 1500;
	ioctl(-1, SIOCSIFMTU, &ifr);
	memset(ifr.ifr_name, 'x', sizeof ifr.ifr_name);
	ioctl(-1, SIOCSIFMTU, &ifr);
	ioctl(-1, SIOCGIFFLAGS, NULL);
	int owner = 0;
	ioctl(s, FIOGETOWN, &owner);
	ioctl(-1, SIOCBRADDBR_REQ, "br-test");
	ioctl(-1, SIOCGSTAMP_REQ, &ifr);

	struct ifreq reqs[3];
	struct ifconf conf = {.ifc_len = sizeof reqs, .ifc_req = reqs};
	ioctl(s, SIOCGIFCONF, &conf);
	conf.ifc_req = NULL;
	ioctl(s, SIOCGIFCONF, &conf);
	close(s);

	struct blkpg_partition part = {.start = 1 << 20, .length = 1 << 30, .pno = 2};
	strcpy(part.devname, "sdz2");
	strcpy(part.volname, "volume");
	struct blkpg_ioctl_arg arg = {.op = BLKPG_ADD_PARTITION, .datalen = sizeof part, .data = &part};
	ioctl(-1, BLKPG, &arg);
	arg.data = NULL;
	ioctl(-1, BLKPG, &arg);
}

static void aio(const char *dir)
{
	aio_context_t ctx = 0;
	syscall(__NR_io_setup, 4, &ctx);
	char path[4096];
	snprintf(path, sizeof path, "%s/aio.data", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	static char text[] = "some data for the first write, longer than -s";
	static char more[8] = "vector";
	struct iovec iov[2] = {{more, 3}, {more + 3, 3}};
	struct iocb cbs[3] = {
		{.aio_data = 0x1111, .aio_lio_opcode = IOCB_CMD_PWRITE, .aio_fildes = fd,
		 .aio_buf = (uintptr_t)text, .aio_nbytes = sizeof text - 1},
		{.aio_data = 0x2222, .aio_lio_opcode = IOCB_CMD_PWRITEV, .aio_fildes = fd,
		 .aio_buf = (uintptr_t)iov, .aio_nbytes = 2, .aio_offset = 64},
		{.aio_data = 0x3333, .aio_lio_opcode = IOCB_CMD_PREAD, .aio_fildes = fd,
		 .aio_buf = (uintptr_t)more, .aio_nbytes = 4, .aio_reqprio = 3},
	};
	struct iocb **ptrs = (struct iocb **)edge(4 * sizeof(struct iocb *));
	ptrs[0] = &cbs[0], ptrs[1] = &cbs[1], ptrs[2] = &cbs[2], ptrs[3] = NULL;
	syscall(__NR_io_submit, ctx, 3, ptrs);
	struct io_event events[3];
	struct timespec ts = {1, 0};
	int done = 0;
	while (done < 3) {
		long n = syscall(__NR_io_getevents, ctx, 1, 3 - done, events, &ts);
		if (n <= 0)
			break;
		done += n;
	}
	syscall(__NR_io_submit, ctx, 5, ptrs); /* the fifth pointer is on an unmapped page */
	syscall(__NR_io_getevents, ctx, 3, 3, events, &ts);
	syscall(__NR_io_submit, ctx, -1L, ptrs);
	struct io_event result;
	syscall(__NR_io_cancel, ctx, &cbs[2], &result);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	struct {
		const sigset_t *mask;
		size_t size;
	} sig = {&mask, 8};
	struct timespec zero = {0, 0};
	syscall(__NR_io_pgetevents, ctx, 0, 1, events, &zero, &sig);
	sig.size = 4;
	syscall(__NR_io_pgetevents, ctx, 0, 1, events, &zero, &sig);
	syscall(__NR_io_destroy, ctx);
	close(fd);
	unlink(path);
}

static void exec_bad_arrays(void)
{
	char *argv[] = {"netmsg-no-such-program", "one", (char *)-1, NULL};
	char **envp = (char **)edge(3 * sizeof(char *));
	envp[0] = "A=1";
	envp[1] = (char *)-2;
	envp[2] = "B=2";
	syscall(__NR_execve, "/nonexistent/netmsg", argv, envp);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	write(-1, "start", 5);
	control_messages();
	names(argv[1]);
	ldt();
	ioctls();
	aio(argv[1]);
	exec_bad_arrays();
	return 0;
}
