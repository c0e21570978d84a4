/*
 * ioctl device structures: the request's name (table, size-carrying, _IOC), and the
 * argument as its family decodes it: structures passed in at entry, getters filled in
 * at exit (their address when the call failed), `int *`, plain values and no argument.
 */
#include "oracle.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sched.h>
#include <linux/fs.h>
#include <linux/fiemap.h>
#include <linux/hdreg.h>
#include <linux/input.h>
#include <linux/loop.h>
#include <linux/nsfs.h>
#include <linux/random.h>
#include <linux/rtc.h>
#include <linux/watchdog.h>
#include <sys/inotify.h>
#ifndef INOTIFY_IOC_SETNEXTWD
#define INOTIFY_IOC_SETNEXTWD _IOW('I', 0, int)
#endif
#include <asm/termbits.h>

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

static long io(int fd, unsigned long req, const void *arg)
{
	return syscall(SYS_ioctl, fd, req, arg);
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	long r;

	/* terminals: structures in, getters out, int pointers, no argument */
	struct termios2 t2 = {
		.c_iflag = IGNBRK | IUTF8, .c_oflag = OPOST | ONLCR | TAB3,
		.c_cflag = B9600 | CS8 | CREAD, .c_lflag = ISIG | ICANON | ECHO,
		.c_ispeed = 9600, .c_ospeed = 9600,
	};
	r = io(-1, TCSETS2, &t2);
	expect("ioctl(-1, TCSETS2, {c_iflag=IGNBRK|IUTF8, c_oflag=NL0|CR0|XTABS|BS0|VT0|FF0|OPOST|ONLCR, "
	       "c_cflag=B9600|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO, ...}) %s", rc(r));
	r = io(-1, TCGETS, &t2);
	expect("ioctl(-1, TCGETS, %p) %s", (void *) &t2, rc(r));
	unsigned int modem = TIOCM_DTR | TIOCM_RTS | 0x10000;
	r = io(-1, TIOCMSET, &modem);
	expect("ioctl(-1, TIOCMSET, [TIOCM_DTR|TIOCM_RTS|0x10000]) %s", rc(r));
	modem = 0x10000;
	r = io(-1, TIOCMBIS, &modem);
	expect("ioctl(-1, TIOCMBIS, [0x10000 /* TIOCM_??? */]) %s", rc(r));

	int pty = posix_openpt(O_RDWR | O_NOCTTY);
	if (pty >= 0) {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		r = io(pty, TIOCSWINSZ, &ws);
		expect("ioctl(%s, TIOCSWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) %s",
		       fdn(pty), rc(r));
		struct winsize got = { 0 };
		r = io(pty, TIOCGWINSZ, &got);
		expect("ioctl(%s, TIOCGWINSZ, {ws_row=%u, ws_col=%u, ws_xpixel=0, ws_ypixel=0}) %s",
		       fdn(pty), got.ws_row, got.ws_col, rc(r));
		int on = 1;
		r = io(pty, FIONBIO, &on);
		expect("ioctl(%s, FIONBIO, [1]) %s", fdn(pty), rc(r));
		int queued = -1;
		r = io(pty, FIONREAD, &queued);
		expect("ioctl(%s, FIONREAD, [%d]) %s", fdn(pty), queued, rc(r));
	}
	r = io(-1, TIOCNXCL, NULL);
	expect("ioctl(-1, TIOCNXCL) %s", rc(r));

	/* block devices and loop */
	uint64_t range[2] = { 4096, 8192 };
	r = io(-1, BLKDISCARD, range);
	expect("ioctl(-1, BLKDISCARD, [4096, 8192]) %s", rc(r));
	r = io(-1, BLKGETSIZE64, range);
	expect("ioctl(-1, BLKGETSIZE64, %p) %s", (void *) range, rc(r));
	r = io(-1, BLKRASET, (void *) 256);
	expect("ioctl(-1, BLKRASET, 256) %s", rc(r));
	r = io(-1, BLKFLSBUF, NULL);
	expect("ioctl(-1, BLKFLSBUF) %s", rc(r));
	struct loop_info64 li = { .lo_offset = 0x200, .lo_number = 7,
				  .lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR };
	strcpy((char *) li.lo_file_name, "/tmp/disk.img");
	r = io(-1, LOOP_SET_STATUS64, &li);
	expect("ioctl(-1, LOOP_SET_STATUS64, {lo_offset=0x200, lo_number=7, "
	       "lo_flags=LO_FLAGS_READ_ONLY|LO_FLAGS_AUTOCLEAR, lo_file_name=\"/tmp/disk.img\", ...}) %s",
	       rc(r));
	struct loop_config lc = { .fd = 5, .block_size = 4096, .info = li };
	r = io(-1, LOOP_CONFIGURE, &lc);
	expect("ioctl(-1, LOOP_CONFIGURE, {fd=5, block_size=4096, info={lo_offset=0x200, lo_number=7, "
	       "lo_flags=LO_FLAGS_READ_ONLY|LO_FLAGS_AUTOCLEAR, lo_file_name=\"/tmp/disk.img\", ...}}) %s",
	       rc(r));
	r = io(-1, LOOP_CTL_ADD, (void *) 3);
	expect("ioctl(-1, LOOP_CTL_ADD, 3) %s", rc(r));
	r = io(-1, HDIO_GETGEO, NULL);
	expect("ioctl(-1, HDIO_GETGEO, NULL) %s", rc(r));

	/* files */
	unsigned int fl = FS_APPEND_FL | FS_NOATIME_FL;
	r = io(-1, FS_IOC_SETFLAGS, &fl);
	expect("ioctl(-1, FS_IOC_SETFLAGS, [FS_APPEND_FL|FS_NOATIME_FL]) %s", rc(r));
	struct fiemap fm = { .fm_start = 0, .fm_length = 4096, .fm_flags = FIEMAP_FLAG_SYNC,
			     .fm_extent_count = 4 };
	r = io(-1, FS_IOC_FIEMAP, &fm);
	expect("ioctl(-1, FS_IOC_FIEMAP, {fm_start=0, fm_length=4096, fm_flags=FIEMAP_FLAG_SYNC, "
	       "fm_extent_count=4}) %s", rc(r));
	struct fstrim_range trim = { .start = 0x1000, .len = 1 << 20, .minlen = 512 };
	r = io(-1, FITRIM, &trim);
	expect("ioctl(-1, FITRIM, {start=0x1000, len=1048576, minlen=512}) %s", rc(r));

	/* random, watchdog, inotify, rtc */
	int urandom = open("/dev/urandom", O_RDONLY);
	if (urandom >= 0) {
		int ent = -1;
		r = io(urandom, RNDGETENTCNT, &ent);
		expect("ioctl(%s, RNDGETENTCNT, [%d]) %s", fdn(urandom), ent, rc(r));
	}
	r = io(-1, RNDCLEARPOOL, NULL);
	expect("ioctl(-1, RNDCLEARPOOL) %s", rc(r));
	int timeout = 30;
	r = io(-1, WDIOC_SETTIMEOUT, &timeout);
	expect("ioctl(-1, WDIOC_SETTIMEOUT, [30]) %s", rc(r));
	r = io(-1, INOTIFY_IOC_SETNEXTWD, (void *) 0xdeadbeef00000005UL);
	expect("ioctl(-1, INOTIFY_IOC_SETNEXTWD, 5) %s", rc(r));
	struct rtc_time tm = { .tm_sec = 1, .tm_min = 2, .tm_hour = 3, .tm_mday = 4, .tm_mon = 5,
			       .tm_year = 123 };
	r = io(-1, RTC_SET_TIME, &tm);
	expect("ioctl(-1, RTC_SET_TIME, {tm_sec=1, tm_min=2, tm_hour=3, tm_mday=4, tm_mon=5, "
	       "tm_year=123, ...}) %s", rc(r));

	/* namespaces: the return value decorated */
	int ns = open("/proc/self/ns/net", O_RDONLY);
	if (ns >= 0) {
		r = io(ns, NS_GET_NSTYPE, NULL);
		if (r == CLONE_NEWNET)
			expect("ioctl(%s, NS_GET_NSTYPE) = %ld (CLONE_NEWNET)", fdn(ns), r);
	}

	/* names that carry a size, and requests nobody named */
	r = io(-1, EVIOCGBIT(EV_KEY, 8), NULL);
	expect("ioctl(-1, EVIOCGBIT(EV_KEY, 8), NULL) %s", rc(r));
	r = io(-1, _IOC(_IOC_READ, 0xee, 0x1, 0x10), (void *) 0x1234);
	expect("ioctl(-1, _IOC(_IOC_READ, 0xee, 0x1, 0x10), 0x1234) %s", rc(r));
	return 0;
}
