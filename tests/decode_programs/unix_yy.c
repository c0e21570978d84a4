/*
 * UNIX sockets' names in -yy fd annotations (tests/test_yy_unix_paths.py): strace 6.1
 * quotes them as any string, so -x / -xx / --strings-in-hex=non-ascii-chars change them.
 * Listening, accepted and connected stream sockets on filesystem paths (plain; with a tab,
 * newline, quote, backslash, control byte, DEL and UTF-8) and on abstract names
 * (printable, with a control byte, holding a NUL, 107 bytes ending in 0x80); datagram and
 * seqpacket sockets; a socketpair. argv[1] is an empty directory: paths go there, and
 * abstract names start with it, so concurrent runs do not collide (hence no empty
 * abstract name: there is one per network namespace). Everything after the
 * `write(-1, "start", 5)` marker is compared.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct name {
	char bytes[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t len;
};

static socklen_t address(const struct name *n, struct sockaddr_un *a)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, n->bytes, n->len);
	return offsetof(struct sockaddr_un, sun_path) + n->len;
}

static int bound(int type, const struct name *n)
{
	struct sockaddr_un a;
	socklen_t len = address(n, &a);
	int s = socket(AF_UNIX, type, 0);
	bind(s, (void *)&a, len);
	return s;
}

/* A listening socket, a client connected to it and the accepted end, each used once. */
static void stream_via(const struct name *n)
{
	struct sockaddr_un a;
	socklen_t len = address(n, &a);
	int l = bound(SOCK_STREAM, n);
	listen(l, 1);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (void *)&a, len);
	int acc = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	write(c, "a", 1);
	write(acc, "b", 1);
	struct pollfd pf[2] = {{l, POLLIN}, {acc, POLLIN}};
	poll(pf, 2, 0);
	close(c);
	close(acc);
	close(l);
}

static void datagrams_via(const struct name *n)
{
	struct sockaddr_un a;
	socklen_t len = address(n, &a);
	int d = bound(SOCK_DGRAM, n);
	int c = socket(AF_UNIX, SOCK_DGRAM, 0);
	connect(c, (void *)&a, len);
	write(c, "x", 1);
	write(d, "", 0);
	close(c);
	close(d);
	if (n->bytes[0])
		unlink(n->bytes);
	int q = bound(SOCK_SEQPACKET, n);
	listen(q, 1);
	close(q);
	if (n->bytes[0])
		unlink(n->bytes);
}

static struct name path_in(const char *dir, const char *file)
{
	struct name n;
	snprintf(n.bytes, sizeof n.bytes, "%s/%s", dir, file);
	n.len = strlen(n.bytes);
	return n;
}

/* "\0" DIR SUFFIX (SUFFIX may hold NULs, up to 9 bytes); a long DIR loses its head,
 * not the tail that tells one test's directory from another's. */
static struct name abstract_in(const char *dir, const char *suffix, size_t suffix_len)
{
	struct name n = {{0}, 1};
	size_t dir_len = strlen(dir);
	if (dir_len > 90) {
		dir += dir_len - 90;
		dir_len = 90;
	}
	memcpy(n.bytes + 1, dir, dir_len);
	memcpy(n.bytes + 1 + dir_len, suffix, suffix_len);
	n.len = 1 + dir_len + suffix_len;
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *dir = argv[1];
	struct name plain = path_in(dir, "plain.sock");
	struct name odd = path_in(dir, "t\tab\n\"q\\\x01\x7f\xc3\xa9.sock");
	struct name dgram = path_in(dir, "d\xe2\x82\xac");
	struct name printable = abstract_in(dir, "/abstract", 9);
	struct name control = abstract_in(dir, "/ab\x01" "c", 5);
	struct name with_nul = abstract_in(dir, "/ab\0cd\x02", 7);
	struct name longest = abstract_in(dir, "", 0);
	memset(longest.bytes + longest.len, 'A', sizeof longest.bytes - longest.len);
	longest.len = sizeof longest.bytes;
	longest.bytes[longest.len - 1] = '\x80';

	write(-1, "start", 5);
	stream_via(&plain);
	stream_via(&odd);
	stream_via(&printable);
	stream_via(&control);
	stream_via(&with_nul);
	datagrams_via(&dgram);
	datagrams_via(&longest);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "x", 1);
	close(sv[0]);
	close(sv[1]);
	unlink(plain.bytes);
	unlink(odd.bytes);
	return 0;
}
