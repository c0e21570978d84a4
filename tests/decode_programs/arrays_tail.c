/*
 * The long tail's arrays and small structs, for the comparisons with strace
 * (tests/test_decode_arrays_tail.py): iovec arrays (process_madvise, process_vm_readv
 * and _writev, vmsplice, a failed preadv, a base strace cannot read in full), arrays
 * that stop being readable (semop, setgroups, poll, select's fd sets), syslog, reboot,
 * ustat, umask, _sysctl, get_robust_list, an empty sched_setaffinity mask, timer_create,
 * pidfds, x86 TLS descriptors, SO_TIMESTAMP control messages, remap_file_pages and
 * the rarer socket address families (connect on fd -1: EBADF, nothing connects).
 * Every call fails harmlessly or changes nothing that matters (a timer, a pipe, the
 * umask put back). Everything after the `write(-1, "start", 5)` marker is compared
 * line by line, under the options each test gives.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct sembuf_ {
	unsigned short num;
	short op;
	short flg;
};

/* connect(-1, addr, len): only the address's decoding matters. */
static void connect_bytes(unsigned short family, const void *rest, size_t len)
{
	unsigned char addr[128] = {0};
	memcpy(addr, &family, 2);
	memcpy(addr + 2, rest, len - 2);
	connect(-1, (struct sockaddr *)addr, len);
}

/* `size` bytes that end where a readable page does: what follows faults. */
static char *page_end(char *pages, long page, size_t size)
{
	return pages + page - size;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	long page = sysconf(_SC_PAGESIZE);
	char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(pages + page, page);
	static char data[] = "0123456789abcdefghij";
	char buf[64] = {0};
	int pipefd[2];
	pipe(pipefd);
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	write(-1, "start", 5);
	pid_t pid = getpid();

	/* iovec arrays */
	struct iovec *tail_iov = (struct iovec *)page_end(pages, page, sizeof(struct iovec));
	tail_iov->iov_base = data;
	tail_iov->iov_len = 5;
	struct iovec two[2] = {{data, 3}, {data + 3, 7}};
	syscall(SYS_process_madvise, -1, tail_iov, 2, 0xdeadc0de, 0);
	syscall(SYS_process_madvise, -1, two, 0, 21, 0xcafef00d);
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	syscall(SYS_process_madvise, pidfd, two, 2, 0xdeadc0de, 0);
	struct iovec local[2] = {{buf, 4}, {buf + 8, 6}};
	syscall(SYS_process_vm_readv, pid, local, 2, two, 2, 0);
	syscall(SYS_process_vm_readv, pid, local, 2, tail_iov, 2, 0);
	syscall(SYS_process_vm_writev, pid, two, 2, local, 2, 0);
	vmsplice(pipefd[1], two, 2, SPLICE_F_NONBLOCK);
	syscall(SYS_preadv, pipefd[0], two, 1, -1, 0);
	char *tail32 = page_end(pages, page, 32);
	memset(tail32, 'X', 32);
	struct iovec unterminated = {tail32, (size_t)-1};
	writev(-1, &unterminated, 1);
	syscall(SYS_pwrite64, pipefd[1], "\0", 1, -3);

	/* arrays that stop being readable */
	struct sembuf_ *sops = (struct sembuf_ *)page_end(pages, page, sizeof(*sops));
	sops->num = 1;
	sops->op = -2;
	sops->flg = 0x1800;
	syscall(SYS_semop, -1, sops, 2);
	unsigned int *gids = (unsigned int *)page_end(pages, page, 8);
	gids[0] = -1U;
	gids[1] = 4;
	syscall(SYS_setgroups, 3, gids);
	syscall(SYS_setgroups, 65537, gids);
	struct pollfd *pfd = (struct pollfd *)page_end(pages, page, sizeof(*pfd));
	pfd->fd = -5;
	pfd->events = POLLIN;
	syscall(SYS_poll, pfd, 2, 0);
	struct pollfd pfds[3] = {{pipefd[0], POLLIN, 0}, {pipefd[1], POLLOUT, 0}, {sv[0], POLLOUT, 0}};
	syscall(SYS_poll, pfds, 3, 0);
	fd_set *tail_set = (fd_set *)page_end(pages, page, 8);
	memset(tail_set, 0, 8);
	FD_SET(3, tail_set);
	syscall(SYS_select, 65, tail_set, NULL, NULL, NULL);
	syscall(SYS_select, 1025, tail_set, NULL, NULL, NULL);

	/* system administration, harmlessly */
	syscall(SYS_syslog, 0, NULL, 0);
	syscall(SYS_syslog, 10, NULL, 0);
	syscall(SYS_syslog, 2, NULL, -1);
	syscall(SYS_syslog, 0xfeedbeef, data, 64);
	syscall(SYS_syslog, 8, NULL, 9);
	syscall(SYS_syslog, 8, NULL, -1);
	syscall(SYS_reboot, 0xfee1dead, 0x13111992, 0xa1b2c3d4, "reboot");
	syscall(SYS_reboot, 0, 0x28121969, 0x1234568, 0);
	char *tail_cmd = page_end(pages, page, 254);
	memset(tail_cmd, 'r', 254);
	syscall(SYS_reboot, 0xfee1dead, 0x13111992, 0xa1b2c3d4, tail_cmd);
	syscall(SYS_ustat, 0xffffffffUL, NULL);
	mode_t old = umask(026);
	umask(old);
	char sysctl_args[80] = {0};
	syscall(SYS__sysctl, sysctl_args);

	/* small structs */
	void *head;
	size_t len;
	syscall(SYS_get_robust_list, 0, &head, &len);
	syscall(SYS_sched_setaffinity, 0, 0, buf);
	struct sigevent sev = {0};
	sev.sigev_signo = 0xfacefeed;
	sev.sigev_notify = SIGEV_NONE;
	timer_t timer;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &timer);
	siginfo_t info;
	memset(&info, 0xff, sizeof info);
	info.si_signo = SIGUSR1;
	info.si_code = SI_QUEUE;
	info.si_pid = pid;
	syscall(SYS_pidfd_send_signal, pidfd, SIGUSR2, &info, -1U);
	syscall(SYS_pidfd_getfd, pidfd, 0, -1U);
	unsigned int desc[4] = {-1U, 0, 0xfffff, 0x51};
	syscall(SYS_set_thread_area, desc);
	syscall(SYS_get_thread_area, desc);
	syscall(SYS_get_thread_area, page_end(pages, page, 4));
	syscall(SYS_remap_file_pages, 0xfacefeeddeadbeefUL, 4096, 7, 0, 0x22);
	syscall(SYS_remap_file_pages, 0, 4096, 0, 0, 0x5404401f);

	/* control messages with the time a datagram arrived */
	int on = 1;
	setsockopt(sv[0], SOL_SOCKET, 29 /* SO_TIMESTAMP_OLD */, &on, sizeof on);
	send(sv[1], "ping", 4, 0);
	char control[64];
	struct iovec in = {buf, sizeof buf};
	struct msghdr msg = {.msg_iov = &in, .msg_iovlen = 1, .msg_control = control,
			     .msg_controllen = sizeof control};
	recvmsg(sv[0], &msg, 0);

	/* address families: rxrpc over inet, ieee802154, alg, nfc llcp, vsock, qrtr, xdp, mctp */
	connect_bytes(33, "\x01\x00\x02\x00\x10\x00\x02\x00\x1f\x90\x7f\x00\x00\x01"
			  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 36);
	connect_bytes(36, "\0\0\x02\0\0\0\xff\xff\xfe\xff\0\0\0\0\0\0\0\0", 20);
	connect_bytes(36, "\0\0\x03\0\0\0\xfe\xca\x01\x02\x03\x04\x05\x06\x07\x08", 20);
	connect_bytes(38, "hash\0\0\0\0\0\0\0\0\0\0\0\x10\0\0\0\x10\0\0sha256", 30);
	unsigned char llcp[96] = {0};
	llcp[4] = 1;		/* dev_idx */
	llcp[12] = 7;		/* nfc_protocol */
	llcp[16] = 1;		/* dsap */
	llcp[17] = 0xff;	/* ssap */
	memcpy(llcp + 18, "urn:nfc", 7);
	llcp[88] = 7;		/* service_name_len */
	connect_bytes(39, llcp + 2, 96);
	connect_bytes(39, llcp + 2, 20);
	connect_bytes(40, "\0\0\x39\x05\0\0\x02\0\0\0\x01\x42\0\0", 16);
	connect_bytes(42, "\0\0\xff\xff\xff\xff\xfe\xff\xff\xff", 12);
	unsigned char xdp[14] = {0x01, 0x00, 1, 0, 0, 0, 3, 0, 0, 0};
	memcpy(xdp + 10, &pipefd[0], 4);
	connect_bytes(44, xdp, 16);
	connect_bytes(45, "\0\0\0\0\0\0\xff\x01\x08\0", 12);
	connect(-1, (struct sockaddr *)page_end(pages, page, 8), 16);
	return 0;
}
