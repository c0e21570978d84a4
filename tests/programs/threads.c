/*
 * Threads: pthread_create (clone3/clone with CLONE_THREAD), per-thread I/O,
 * gettid, and joins. Threads run one at a time and have exited before they
 * are joined, so the syscall sequence is the same on every run.
 * Build: gcc -O1 -pthread -o threads threads.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int done_pipe[2];

static void *worker(void *arg)
{
	long id = (long)arg;
	char line[32];
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int n = snprintf(line, sizeof line, "thread %ld\n", id);
	write(fd, line, n);
	close(fd);
	syscall(SYS_gettid);
	write(done_pipe[1], "x", 1);
	return NULL;
}

int main(void)
{
	pthread_t t;
	char c;
	struct timespec settle = {0, 100 * 1000 * 1000};
	pipe2(done_pipe, O_CLOEXEC);
	for (long i = 0; i < 3; i++) {
		pthread_create(&t, NULL, worker, (void *)i);
		read(done_pipe[0], &c, 1);
		nanosleep(&settle, NULL); /* let the thread finish exiting */
		pthread_join(t, NULL);
	}
	close(done_pipe[0]);
	close(done_pipe[1]);
	return 0;
}
