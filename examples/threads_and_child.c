/*
 * Story: "which thread started that process, and who waited for it?"
 *
 * A program with three worker threads. Each thread writes a few lines to a
 * temporary file; thread 2 also runs a child process (fork + execve of
 * /bin/ls on the temporary directory) and waits for it with waitpid().
 * The main thread joins the workers and removes the files.
 *
 * In the trace you see: clone3()/clone() creating threads (same process,
 * new tids), one thread's clone(... SIGCHLD) creating a real child, the
 * child's execve("/bin/ls", ...) and its exit, then wait4() in the thread
 * that forked it and a SIGCHLD delivered to the process. The process tree
 * shows the threads under the main pid and ls as a child.
 *
 *     make -C examples
 *     tracetui examples/threads_and_child
 * (strace equivalent: strace -f ./examples/threads_and_child)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/threads_and_child.XXXXXX";

static void *worker(void *arg)
{
	long id = (long)arg;
	char path[128], line[64];
	snprintf(path, sizeof path, "%s/worker-%ld.txt", dir, id);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	for (int i = 0; i < 3; i++) {
		int n = snprintf(line, sizeof line, "worker %ld line %d\n", id, i);
		if (write(fd, line, n) != n)
			break;
		usleep(20000);
	}
	close(fd);
	if (id == 2) {
		pid_t pid = fork();
		if (pid == 0) {
			execl("/bin/ls", "ls", "-l", dir, (char *)NULL);
			_exit(127);
		}
		int status;
		waitpid(pid, &status, 0);
	}
	return NULL;
}

int main(void)
{
	pthread_t threads[3];
	if (!mkdtemp(dir))
		return 1;
	for (long i = 0; i < 3; i++)
		pthread_create(&threads[i], NULL, worker, (void *)(i + 1));
	for (int i = 0; i < 3; i++)
		pthread_join(threads[i], NULL);
	for (int i = 1; i <= 3; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/worker-%d.txt", dir, i);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
