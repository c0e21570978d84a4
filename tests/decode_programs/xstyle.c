/*
 * -X raw|abbrev|verbose on values decoders build by hand (tests/test_xstyle.py): fcntl
 * F_GETFL's returned flags, statx's sync type and mask, socket()'s domain, type and
 * protocol (every family with a protocol table, unknown words), st_rdev's makedev(),
 * raw and link-level sockaddrs (short lengths, AF_PACKET, AF_NETLINK, AF_X25) and
 * real-time signals in kill, sigaction masks, sigsets and siginfo.
 * Everything after the `write(-1, "start", 5)` marker is compared line by line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void flags_and_stat(const char *dir)
{
	char path[256];
	int p[2];
	struct statfs sfs;
	sched_getscheduler(0); /* the policy after the return: strace's auxstr, no -X style */
	statfs("/proc", &sfs); /* f_type: a named constant; procfs's counts do not move */
	pipe2(p, O_NONBLOCK);
	fcntl(p[0], F_GETFL);
	fcntl(p[1], F_GETFL);
	int fd = open("/dev/null", O_WRONLY | O_APPEND | O_SYNC);
	fcntl(fd, F_GETFL);
	int pf = open("/dev/null", O_PATH);
	fcntl(pf, F_GETFL);
	fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
	fcntl(fd, F_GETFL);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	fcntl(d, F_GETFL);
	int t = open(dir, O_TMPFILE | O_RDWR, 0600);
	fcntl(t, F_GETFL);
	int n = open("/dev/null", O_RDWR | O_NOATIME | O_DSYNC | O_NOCTTY);
	fcntl(n, F_GETFL);
	fcntl(-1, F_GETFL);

	struct statx sx;
	statx(AT_FDCWD, "/dev/null", AT_STATX_SYNC_AS_STAT, STATX_ALL, &sx);
	statx(AT_FDCWD, "/dev/null", 0, 0, &sx);
	statx(AT_FDCWD, "/dev/null", AT_STATX_DONT_SYNC, 0x80000000u | STATX_MNT_ID, &sx);
	statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, &sx);
	statx(AT_FDCWD, "/nonexist", AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE, &sx);
	statx(AT_FDCWD, "/dev/null", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx);
	statx(AT_FDCWD, "/dev/null", AT_SYMLINK_NOFOLLOW, STATX_SIZE | STATX_BTIME | 0x40000, &sx);
	statx(AT_FDCWD, "/dev/null", 0xffff0000, STATX_ATIME, &sx);

	struct stat st;
	stat("/dev/null", &st);
	fstat(fd, &st);
	const unsigned long long devs[] = {
		makedev(0x103, 0x12345), makedev(0, 0), makedev(8, 1)};
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/dev%d", dir, i);
		mknod(path, (i ? S_IFBLK : S_IFCHR) | 0600, devs[i]);
		stat(path, &st);
		unlink(path);
	}
}

static void sockets(void)
{
	socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	socket(AF_NETLINK, SOCK_DGRAM, 99);
	socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	socket(AF_PACKET, SOCK_DGRAM, 0x1234);
	socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	socket(AF_INET6, SOCK_DGRAM, 200);
	socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	socket(AF_UNIX, SOCK_STREAM, 3);
	socket(99, 77, 5);
	socket(AF_INET, SOCK_PACKET, 0);
	socket(AF_INET, SOCK_STREAM | 0x100, 0);
	socket(AF_INET, 0x7fffffff, 0);
	socket(-1, -1, -1);
	socket(AF_BLUETOOTH, SOCK_STREAM, 0);
	socket(AF_BLUETOOTH, SOCK_RAW, 9);
	socket(AF_CAN, SOCK_RAW, 1);
	socket(AF_PHONET, SOCK_DGRAM, 1);
	socket(AF_RXRPC, SOCK_DGRAM, AF_INET);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	socketpair(AF_INET, SOCK_STREAM, IPPROTO_TCP, sv);
}

static void sockaddrs(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	memset(buf, 0, sizeof buf);
	struct sockaddr *sa = (void *)buf;
	sa->sa_family = AF_APPLETALK;
	memcpy(sa->sa_data, "\x01\x02\x03\x04", 4);
	connect(s, sa, 16);
	sa->sa_family = 200;
	connect(s, sa, 16);
	connect(s, sa, 1);
	sendto(s, "x", 1, 0, sa, 1);
	sa->sa_family = AF_INET;
	connect(s, sa, 4);

	struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_groups = 1};
	connect(s, (void *)&nl, sizeof nl);
	nl.nl_groups = 0xffffffff;
	nl.nl_pad = 7;
	connect(s, (void *)&nl, sizeof nl);
	nl.nl_groups = 0;
	nl.nl_pad = 0;
	connect(s, (void *)&nl, sizeof nl);

	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = 1, .sll_hatype = 1,
				 .sll_pkttype = PACKET_HOST, .sll_halen = 6};
	connect(s, (void *)&ll, sizeof ll);
	memset(buf, 0, sizeof buf);
	struct sockaddr_ll *odd = (void *)buf;
	odd->sll_family = AF_PACKET;
	odd->sll_protocol = htons(0x1234);
	odd->sll_ifindex = 7777;
	odd->sll_hatype = 0x4444;
	odd->sll_pkttype = 9;
	odd->sll_halen = 10;
	memcpy(odd->sll_addr, "\x01\xab\x00\xff\x10\x02\x03\x04", 8);
	connect(s, (void *)buf, 20);
	connect(s, (void *)buf, 24);
	connect(s, (void *)buf, 19);

	memset(buf, 0, sizeof buf);
	sa->sa_family = AF_X25;
	memcpy(buf + 2, "0123456789abcdefgh", 18);
	connect(s, sa, 18);
	buf[10] = 0;
	connect(s, sa, 18);
	connect(s, sa, 17);
}

static void rt_signals(void)
{
	struct sigaction act = {0};
	act.sa_handler = SIG_IGN;
	sigaddset(&act.sa_mask, SIGRTMIN + 1);
	sigaddset(&act.sa_mask, SIGRTMAX);
	sigaddset(&act.sa_mask, SIGUSR1);
	sigaction(SIGRTMIN + 5, &act, NULL);
	sigaction(SIGRTMAX, &act, NULL);
	kill(getpid(), SIGRTMIN + 5);
	kill(getpid(), SIGRTMAX);
	kill(getpid(), 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 3);
	sigaddset(&set, SIGRTMAX - 1);
	signalfd(-1, &set, SFD_CLOEXEC);
	sigprocmask(SIG_BLOCK, &set, NULL);
	siginfo_t si = {0};
	si.si_signo = SIGRTMIN + 3;
	si.si_code = SI_QUEUE;
	si.si_pid = 1;
	syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 3, &si);
	struct timespec ts = {0, 1000};
	sigtimedwait(&set, NULL, &ts);
	unsigned long raw[2] = {0x3ul << 31, 0}; /* signals 32 and 33 */
	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, raw, NULL, 8);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	write(-1, "start", 5);
	flags_and_stat(argv[1]);
	sockets();
	sockaddrs();
	rt_signals();
	return 0;
}
