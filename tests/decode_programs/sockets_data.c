/*
 * The socket calls whose captures are data (the C capture core takes them whole):
 * setsockopt, getsockopt, accept and accept4, with the edge cases of their captures:
 * NULL and unreadable pointers, lengths that are negative, zero, longer than 256
 * bytes or than -s, one with garbage above its 32 bits, values that end at an
 * unmapped page, socket filters (a bad instruction pointer too), failing calls, and
 * accept's address asked for or not (tests/test_decode_sockets_data.py). strace itself
 * is the oracle: everything after the `write(-1, "start", 5)` marker is compared.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

static int connect_to(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void *)&a, sizeof a);
	return c;
}

int main(void)
{
	int one = 1, val = 0;
	socklen_t len;
	char buf[512];
	memset(buf, 'x', sizeof buf);
	/* Two pages, the second unreadable: values that end at the first's end. */
	char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(page, 'p', 4096);
	mprotect(page + 4096, 4096, PROT_NONE);
	char *edge = page + 4096 - 10;

	write(-1, "start", 5);
	getpid();

	int t = socket(AF_INET, SOCK_STREAM, 0);
	/* setsockopt: NULL, unreadable, negative, zero, garbage above 32 bits. */
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, NULL, 4);
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, (void *)1, 4);
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, &one, -1);
	setsockopt(t, SOL_SOCKET, SO_RCVBUF, &one, 0);
	syscall(SYS_setsockopt, t, SOL_SOCKET, SO_RCVBUF, &one, 0x100000004UL);
	syscall(SYS_setsockopt, t, SOL_IP, 99, buf, 0x100000007UL);
	/* Long values: more than 256 bytes, more than -s; one ending at an unmapped page. */
	setsockopt(t, SOL_IP, 99, buf, 300);
	setsockopt(t, SOL_IP, 99, buf, 40);
	setsockopt(t, SOL_IP, 99, buf, 2);
	setsockopt(t, SOL_IP, 99, edge, 10);
	setsockopt(t, SOL_IP, 99, edge, 64);
	setsockopt(t, SOL_IP, 99, edge, 300);
	setsockopt(t, SOL_SOCKET, SO_LINGER, edge + 6, 8);
	setsockopt(-1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);

	/* Socket filters: whole with -v; through a bad pointer, NULL, no instructions. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
	setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog);
	struct sock_fprog bad = {3, (void *)1};
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &bad, sizeof bad);
	struct sock_fprog none = {2, NULL};
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof none);
	struct sock_fprog empty = {0, code};
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &empty, sizeof empty);
	struct sock_fprog cut = {600, (void *)(page + 4096 - 16)};
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &cut, sizeof cut);
	setsockopt(u, SOL_IP, SO_ATTACH_FILTER, buf, sizeof prog);
	setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
	struct sock_filter back[8];
	len = 8;
	getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len);
	len = 2;
	getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len);
	len = 8;
	getsockopt(u, SOL_IP, SO_ATTACH_FILTER, buf, &len);

	/* getsockopt: NULL and unreadable value and length, failures, long values. */
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_TYPE, NULL, &len);
	len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_TYPE, (void *)1, &len);
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, (void *)1);
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, NULL);
	len = sizeof val;
	getsockopt(-1, SOL_SOCKET, SO_TYPE, &val, &len);
	len = 0;
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, &len);
	len = sizeof buf;
	memset(buf, 0, sizeof buf);
	getsockopt(t, SOL_TCP, TCP_INFO, buf, &len);
	len = 16;
	getsockopt(t, SOL_TCP, TCP_CONGESTION, edge, &len);
	socklen_t *edge_len = (socklen_t *)(page + 4096 - 4);
	*edge_len = sizeof val;
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, edge_len);
	getsockopt(t, SOL_SOCKET, SO_TYPE, &val, (socklen_t *)(page + 4096 - 2));

	/* accept and accept4: the address asked for or not, NULL and bad pointers. */
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	bind(srv, (void *)&a, sizeof a);
	listen(srv, 8);
	struct sockaddr_storage ss;
	len = sizeof ss;
	getsockname(srv, (void *)&ss, &len);
	int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	int c1 = connect_to(port);
	int a1 = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
	int c2 = connect_to(port);
	int a2 = accept(srv, NULL, NULL);
	int c3 = connect_to(port);
	int a3 = accept4(srv, NULL, (void *)1, 0);
	int c4 = connect_to(port);
	len = sizeof ss;
	int a4 = accept4(srv, (void *)&ss, &len, SOCK_NONBLOCK);
	int c5 = connect_to(port);
	len = 4;
	int a5 = accept(srv, (void *)&ss, &len);
	int c6 = connect_to(port);
	len = sizeof ss;
	accept4(srv, (void *)1, &len, 0);
	accept4(-1, (void *)&ss, &len, 0);
	accept(-1, NULL, NULL);
	accept4(srv, NULL, NULL, -1);
	int flags = SOCK_NONBLOCK;
	int nb = socket(AF_INET, SOCK_STREAM | flags, 0);
	bind(nb, (void *)&a, sizeof a);
	listen(nb, 1);
	len = sizeof ss;
	accept4(nb, (void *)&ss, &len, 0);
	accept4(nb, NULL, NULL, 0);
	close(c1), close(c2), close(c3), close(c4), close(c5), close(c6);
	close(a1), close(a2), close(a3), close(a4), close(a5);
	return 0;
}
