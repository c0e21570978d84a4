/* Workload: 4 threads each writing argv[1] small buffers to /dev/null:
 * concurrent stops from several tids of one process. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static long per_thread;

static void *writer(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (long i = 0; i < per_thread; i++)
		write(fd, "0123456789abcdef", 16);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	per_thread = argc > 1 ? atol(argv[1]) : 10000;
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
