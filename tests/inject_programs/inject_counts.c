/* Injection oracle: makes dup() calls from two threads and a child process and prints
 * what each got, so a run under strace -e inject= and one under tracetui can be compared.
 * argv[1]: calls per task (default 8). Also times getppid() (its own clock): "getppid_ns N". */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int calls = 8;

static void run(const char *who) {
    char line[1024];
    int n = 0;
    for (int i = 1; i <= calls; i++) {
        long r = syscall(SYS_dup, 0);
        if (r >= 0 && r != 42) close((int)r);
        n += snprintf(line + n, sizeof line - n, " %d:%s", i,
                      r < 0 ? (errno == EPERM ? "EPERM" : "ERR") : (r == 42 ? "42" : "ok"));
    }
    printf("%s%s\n", who, line);
    fflush(stdout);
}

static void *thread_main(void *arg) {
    run("thread");
    return arg;
}

int main(int argc, char **argv) {
    if (argc > 1) calls = atoi(argv[1]);
    pthread_t t;
    pthread_create(&t, NULL, thread_main, NULL);
    pthread_join(t, NULL);
    run("main");
    pid_t child = fork();
    if (child == 0) {
        run("child");
        _exit(0);
    }
    waitpid(child, NULL, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    syscall(SYS_getppid);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("getppid_ns %lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
    return 0;
}
