"""The export tests' oracle: a program that makes known syscalls and writes down what
it did, recorded with stacks into a session file and exported both ways."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import compile_c, run_tracetui

# Makes known syscalls from named functions on two threads (the main thread's read
# waits for the worker's calls, so it is strace's <unfinished ...>/<... resumed>),
# forks a child that execs, takes a signal; then writes what it did to argv[1].
PROGRAM = r"""
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#define ASKS 7
#define GREETS 5
static volatile pid_t worker_tid;
static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got = 1; }
__attribute__((noinline)) static void ask_parent(void) {
    for (int i = 0; i < ASKS; i++) syscall(SYS_getppid);
}
static int done_pipe[2];
static void *worker(void *a) {
    (void)a;
    worker_tid = (pid_t)syscall(SYS_gettid);
    usleep(50000);  /* settle: main is blocked in its read by now */
    ask_parent();
    write(done_pipe[1], "x", 1);
    return 0;
}
__attribute__((noinline)) static void greet(int fd) {
    for (int i = 0; i < GREETS; i++) write(fd, "hello\n", 6);
}
int main(int argc, char **argv) {
    pthread_t t;
    char c1;
    pipe(done_pipe);
    pthread_create(&t, 0, worker, 0);
    read(done_pipe[0], &c1, 1);  /* overtaken by the worker's calls: unfinished, resumed */
    pthread_join(t, 0);
    int fd = open("/dev/null", O_WRONLY);
    greet(fd);
    close(fd);
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    pid_t c = fork();
    if (c == 0) { execl("/bin/true", "true", (char *)0); _exit(1); }
    int st;
    waitpid(c, &st, 0);
    FILE *o = fopen(argv[1], "w");
    fprintf(o, "{\"pid\": %d, \"worker_tid\": %d, \"child\": %d, \"asks\": %d, \"greets\": %d,"
               " \"signal\": %d, \"ppid\": %d}\n", getpid(), worker_tid, c, ASKS, GREETS, (int)got,
            getppid());
    fclose(o);
    return 0;
}
"""


def record_and_export(tmp: Path) -> dict:
    """The program traced with stacks (-k) into a session file, exported both ways: the
    oracle's own account, the calls the session file holds, and the two exports."""
    prog = compile_c(PROGRAM, name="export_oracle")
    oracle_file, session = tmp / "oracle.json", tmp / "run.db"
    # Stacks only where the tests look: resolving the lines of every frame of the
    # launcher's own execve stack (through libpython's DWARF) would take a minute.
    stacks = "name:getppid,write,read"
    done = run_tracetui(
        "--no-ui", "--stack-filter", stacks, "-w", str(session), str(prog), str(oracle_file)
    )
    assert done.returncode == 0, done.stderr
    exports = {}
    for fmt in ("perfetto", "firefox"):
        out = tmp / f"run.{fmt}.json"
        done = run_tracetui("--no-ui", "-r", str(session), "--format", fmt, "-o", str(out))
        assert done.returncode == 0, done.stderr
        exports[fmt] = out
    with sqlite3.connect(session) as db:
        calls = db.execute("SELECT pid, tid, name, dur_ns FROM syscalls").fetchall()
        resumed = db.execute("SELECT tid, name FROM events WHERE type = 'resumed'").fetchall()
        greets = db.execute(
            "SELECT dur_ns FROM syscalls WHERE name = 'write' AND args LIKE '%hello%'"
        ).fetchall()
    return {
        "oracle": json.loads(oracle_file.read_text()),
        "calls": calls,
        "resumed": resumed,
        "greet_durations": [d for (d,) in greets],
        "program": prog.name,
        **exports,
    }
