/* The floor of any seccomp-based filtered trace: run a program (argv[1..]) under a
 * seccomp-bpf filter that allows every call, with no tracer at all. The filter has the
 * shape of tracetui's (arch check, x32 check, one comparison per traced call) and the
 * same SPEC_ALLOW flag; it only ever allows. What a filtered trace costs beyond this
 * column is the tracer's; what this column costs beyond native is the kernel's slow
 * syscall-entry path that any installed filter takes (bench/overhead.py). */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* tracetui: RET_TRACE */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof insns / sizeof insns[0], insns};

	if (argc < 2) {
		fprintf(stderr, "usage: seccomp_floor PROGRAM [ARGS...]\n");
		return 2;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog)) {
		perror("seccomp_floor: seccomp");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror("seccomp_floor: exec");
	return 127;
}
