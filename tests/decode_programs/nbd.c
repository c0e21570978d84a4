/*
 * Network block device ioctls (type 0xab), as strace 6.1 prints them: the requests
 * that take no argument print none, NBD_SET_SOCK names its fd (-y), the sizes and
 * the timeout are unsigned numbers, NBD_SET_FLAGS names the server's flags (unknown
 * bits in hex). Every call is made on fd -1 and fails with EBADF.
 */
#include "oracle.h"
#include <fcntl.h>
#include <linux/nbd.h>
#include <sys/ioctl.h>

static void no_argument(unsigned long request, const char *name)
{
	ioctl(-1, request, 0xdeadbeefUL);
	expect("ioctl(-1, %s) = -1 EBADF (Bad file descriptor)", name);
}

static void number(unsigned long request, const char *name)
{
	unsigned long value = 0xcafef00ddeadbeefUL;
	ioctl(-1, request, value);
	expect("ioctl(-1, %s, %lu) = -1 EBADF (Bad file descriptor)", name, value);
}

static void flags(unsigned long value, const char *text)
{
	ioctl(-1, NBD_SET_FLAGS, value);
	expect("ioctl(-1, NBD_SET_FLAGS, %s) = -1 EBADF (Bad file descriptor)", text);
}

int main(int argc, char **argv)
{
	oracle_open(argc, argv);
	int fd = open("/dev/null", O_RDONLY);

	no_argument(NBD_DISCONNECT, "NBD_DISCONNECT");
	no_argument(NBD_CLEAR_SOCK, "NBD_CLEAR_SOCK");
	no_argument(NBD_DO_IT, "NBD_DO_IT");
	no_argument(NBD_CLEAR_QUE, "NBD_CLEAR_QUE");
	no_argument(NBD_PRINT_DEBUG, "NBD_PRINT_DEBUG");

	ioctl(-1, NBD_SET_SOCK, fd);
	expect("ioctl(-1, NBD_SET_SOCK, %s) = -1 EBADF (Bad file descriptor)", fdn(fd));
	ioctl(-1, NBD_SET_SOCK, 0xffffffff00000000UL | 1000);
	expect("ioctl(-1, NBD_SET_SOCK, 1000) = -1 EBADF (Bad file descriptor)");

	number(NBD_SET_BLKSIZE, "NBD_SET_BLKSIZE");
	number(NBD_SET_SIZE, "NBD_SET_SIZE");
	number(NBD_SET_SIZE_BLOCKS, "NBD_SET_SIZE_BLOCKS");
	number(NBD_SET_TIMEOUT, "NBD_SET_TIMEOUT");

	flags(0, "0");
	flags(1 << 4, "NBD_FLAG_ROTATIONAL");
	flags(0x8000840b,
	      "NBD_FLAG_HAS_FLAGS|NBD_FLAG_READ_ONLY|NBD_FLAG_SEND_FUA|NBD_FLAG_SEND_CACHE|0x80008000");
	flags(0x800, "0x800 /* NBD_IOC_FLAG_??? */");
	return 0;
}
