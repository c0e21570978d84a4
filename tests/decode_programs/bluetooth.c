/*
 * AF_BLUETOOTH socket addresses (tests/test_sockaddr_bluetooth.py): strace 6.1 picks
 * sockaddr_hci, _sco, _rc or _l2 by the length given alone, so every length from 2 to 16
 * is passed once, then each structure with named, dynamic-range and unknown values, in
 * connect, bind, sendto, sendmsg and sendmmsg (failed, and sending one message of three).
 * The calls go to an AF_INET socket and fail (EINVAL, EAFNOSUPPORT): the address is
 * still printed. Everything after the `write(-1, "start", 5)` marker is compared.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef AF_BLUETOOTH
#define AF_BLUETOOTH 31
#endif

static const unsigned char bdaddr[6] = {0x01, 0x02, 0x03, 0xab, 0xcd, 0xef};

/* A buffer starting with sa_family=AF_BLUETOOTH, the rest counting up from 0x12. */
static void counting(unsigned char *buf, size_t size)
{
	memset(buf, 0, size);
	buf[0] = AF_BLUETOOTH;
	for (size_t i = 2; i < 20 && i < size; i++)
		buf[i] = 0x10 + i;
}

static void every_length(int s)
{
	unsigned char buf[140];
	counting(buf, sizeof buf);
	for (int len = 2; len <= 16; len++)
		connect(s, (void *)buf, len);
	connect(s, (void *)buf, 128);
	connect(s, (void *)buf, 200); /* past sockaddr_storage: raw, cut at 128 */
}

static void hci(int s)
{
	uint16_t h[3] = {AF_BLUETOOTH, 5, 0};
	for (uint16_t channel = 0; channel < 6; channel++) {
		h[2] = channel;
		connect(s, (void *)h, sizeof h);
	}
	h[1] = 0xffff;
	h[2] = 0x1514;
	connect(s, (void *)h, sizeof h);
	connect(s, (void *)h, 4);
}

/* sockaddr_l2 by hand: psm, bdaddr, cid (little endian), bdaddr_type. */
static void l2(int s, uint16_t psm, uint16_t cid, unsigned char type, int len)
{
	unsigned char buf[16] = {AF_BLUETOOTH};
	memcpy(buf + 2, &psm, 2);
	memcpy(buf + 4, bdaddr, 6);
	memcpy(buf + 10, &cid, 2);
	buf[12] = type;
	connect(s, (void *)buf, len);
}

static void l2cap(int s)
{
	static const uint16_t psms[] = {0, 1, 2, 3, 0x21, 0x23, 0x7f, 0x80, 0x81, 0xff,
					0x100, 0x1000, 0x1001, 0x1002, 0x10ff, 0x1100, 0xffff};
	static const uint16_t cids[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 0x3f, 0x40, 0x41, 0x7f,
					0x80, 0xfffe, 0xffff};
	for (unsigned i = 0; i < sizeof psms / sizeof *psms; i++)
		l2(s, psms[i], 1, i % 4, i % 2 ? 12 : 14);
	for (unsigned i = 0; i < sizeof cids / sizeof *cids; i++)
		l2(s, 3, cids[i], 0xff, 14);
}

static void rc_sco_and_other_calls(int s)
{
	unsigned char buf[16] = {AF_BLUETOOTH};
	memcpy(buf + 2, "\xff\x00\x7f\x80\x41\x0a", 6);
	buf[8] = 200; /* rc_channel */
	buf[9] = 7;   /* padding */
	connect(s, (void *)buf, 10);
	connect(s, (void *)buf, 8);
	bind(s, (void *)buf, 10);
	sendto(s, "x", 1, 0, (void *)buf, 8);
	struct iovec io = {"x", 1};
	struct msghdr msg = {.msg_name = buf, .msg_namelen = 14, .msg_iov = &io, .msg_iovlen = 1};
	sendmsg(s, &msg, 0);
	msg.msg_namelen = 6;
	sendmsg(s, &msg, MSG_DONTWAIT);
	struct mmsghdr mmsg[3] = {{.msg_hdr = msg}, {.msg_hdr = msg}, {.msg_hdr = msg}};
	mmsg[1].msg_hdr.msg_namelen = 12;
	sendmmsg(s, mmsg, 2, 0); /* fails: strace prints the vector all the same */
	/* sends the first (a datagram to the discard port), stops at the second: = 1 */
	struct sockaddr_in discard = {.sin_family = AF_INET, .sin_port = htons(9),
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	mmsg[0].msg_hdr.msg_name = &discard;
	mmsg[0].msg_hdr.msg_namelen = sizeof discard;
	mmsg[1].msg_hdr.msg_namelen = 8;
	sendmmsg(s, mmsg, 3, 0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	write(-1, "start", 5);
	every_length(s);
	hci(s);
	l2cap(s);
	rc_sco_and_other_calls(s);
	return 0;
}
