/* The benchmark's clock around a workload, run under the tracer being measured.
 *
 *   stopwatch GATE RESULT PROG [ARGS...]
 *
 * Puts stdin and stdout on /dev/null (in every mode, so no column pays for
 * output the others discard), then blocks until the benchmark opens the FIFO
 * GATE and writes a byte: the tracer's start-up, and the explorer's until its
 * first paint, are over before the clock starts. Then it runs PROG, waits for
 * it and writes one line to RESULT (via RESULT.tmp and a rename, so a reader
 * never sees half of it):
 *
 *   wall=S status=W tracer=PPID program_cpu=S self_cpu=S
 *
 * wall: CLOCK_MONOTONIC from just before the fork to just after wait4, the
 * program's own run; status: its wait status; tracer: our parent (the tracer,
 * or the benchmark natively); program_cpu: user+sys of PROG and the
 * descendants it reaped (wait4's rusage); self_cpu: ours. The benchmark takes
 * both out of the tracer's CPU time, which counts them as reaped children.
 * Exit status: PROG's, 127 if it could not be run.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static double cpu(const struct rusage *ru)
{
	return seconds(ru->ru_utime) + seconds(ru->ru_stime);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: stopwatch GATE RESULT PROG [ARGS...]\n");
		return 2;
	}
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0) {
		perror("stopwatch: /dev/null");
		return 2;
	}
	close(null);
	int gate = open(argv[1], O_RDONLY);
	char go;
	if (gate < 0 || read(gate, &go, 1) != 1) {
		perror("stopwatch: gate");
		return 2;
	}
	close(gate);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror("stopwatch: exec");
		_exit(127);
	}
	int status = 0;
	struct rusage program;
	memset(&program, 0, sizeof program);
	if (pid < 0 || wait4(pid, &status, 0, &program) < 0) {
		perror("stopwatch: fork/wait");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct rusage self;
	getrusage(RUSAGE_SELF, &self);

	char line[256], tmp[4096];
	int n = snprintf(line, sizeof line,
			 "wall=%.9f status=%d tracer=%d program_cpu=%.6f self_cpu=%.6f\n",
			 (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, status,
			 (int)getppid(), cpu(&program), cpu(&self));
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, line, n) != n || close(out) != 0 || rename(tmp, argv[2]) != 0) {
		perror("stopwatch: result");
		return 2;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
