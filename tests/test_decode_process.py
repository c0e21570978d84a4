"""Memory and process decoding, checked against lines the traced program computes itself.

Same oracle style as test_decode_file: the program prints `EXPECT <line>` using
the addresses, pids and values it actually got.
"""

from __future__ import annotations

import pytest
from conftest import run_tracetui, split_pid
from test_decode_file import COMMON, assert_in_order

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


def merged_trace(lines: list[str]) -> list[str]:
    """Join `<unfinished ...>` / `<... resumed>` pairs back into whole lines, per pid."""
    out: list[str] = []
    pending: dict[int | None, int] = {}
    for line in lines:
        pid, line = split_pid(line)
        if line.endswith("<unfinished ...>"):
            head = line[: -len("<unfinished ...>")].rstrip()
            pending[pid] = len(out)
            out.append(head)
            continue
        if line.startswith("<... ") and " resumed>" in line and pid in pending:
            idx = pending.pop(pid)
            rest = line.split(" resumed>", 1)[1]
            sep = " " if out[idx].endswith(",") and rest and not rest.startswith(")") else ""
            out[idx] += sep + rest
            continue
        out.append(line)
    return out


def traced(tmp_path, cc, source: str, name: str) -> tuple[list[str], list[str]]:
    prog = cc(COMMON + source, name=name)
    out = tmp_path / "trace.txt"
    proc = run_tracetui("--no-ui", "-y", "-s", "64", "-o", str(out), str(prog), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    expected = [ln[len("EXPECT ") :] for ln in proc.stdout.splitlines() if ln.startswith("EXPECT ")]
    assert expected, proc.stdout
    return expected, merged_trace(out.read_text().splitlines())


MEMORY = r"""
int main(void) {
    void *p = mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
    EXPECT("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %p", p);
    mprotect(p, 4096, PROT_NONE);
    EXPECT("mprotect(%p, 4096, PROT_NONE) = 0", p);
    madvise(p, 8192, MADV_DONTNEED);
    EXPECT("madvise(%p, 8192, MADV_DONTNEED) = 0", p);
    msync(p, 4096, MS_ASYNC|MS_INVALIDATE);
    EXPECT("msync(%p, 4096, MS_ASYNC|MS_INVALIDATE) = 0", p);
    munmap(p, 8192);
    EXPECT("munmap(%p, 8192) = 0", p);
    p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
    void *q = mremap(p, 8192, 16384, MREMAP_MAYMOVE);
    EXPECT("mremap(%p, 8192, 16384, MREMAP_MAYMOVE) = %p", p, q);
    munmap(q, 16384);
    EXPECT("munmap(%p, 16384) = 0", q);
    long b = syscall(SYS_brk, 0);
    EXPECT("brk(NULL) = %#lx", b);
    void *bad = mmap(NULL, 4096, PROT_READ, MAP_SHARED, 12345, 0);
    EXPECT("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 12345, 0) = %ld EBADF (Bad file descriptor)", (long)bad);
    fflush(stdout);
    return 0;
}
"""


def test_memory_calls_decode_like_strace(tmp_path, cc):
    """mmap/mprotect/madvise/msync/mremap/munmap/brk show flags and addresses as strace does."""
    expected, trace = traced(tmp_path, cc, MEMORY, "decode_memory")
    assert_in_order(expected, trace)


PROCESS = r"""
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <grp.h>
#include <sys/wait.h>
int main(void) {
    long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) syscall(SYS_exit_group, 7);
    EXPECT("clone(child_stack=NULL, flags=SIGCHLD) = %ld", pid);
    int st;
    pid_t got = wait4(pid, &st, 0, NULL);
    EXPECT("wait4(%ld, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = %d", pid, got);

    pid = fork();
    if (pid == 0) { pause(); _exit(0); }
    kill(pid, SIGKILL);
    got = wait4(-1, &st, __WALL, NULL);
    EXPECT("wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL) = %d", got);

    /* WUNTRACED and WSTOPPED are one bit; strace names it WSTOPPED. */
    pid = fork();
    if (pid == 0) { raise(SIGSTOP); _exit(0); }
    got = wait4(pid, &st, WUNTRACED, NULL);
    EXPECT("wait4(%ld, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = %d", pid, got);
    kill(pid, SIGKILL);
    got = wait4(pid, &st, 0, NULL);

    /* A size-0 query still shows the count of entries the call reported. */
    int ngroups = getgroups(0, NULL);
    EXPECT("getgroups(0, NULL) = %d", ngroups);

    char *argv[] = {"nothere", "a\"b", NULL};
    char *envp[] = {"A=1", "B=2", NULL};
    execve("/nonexistent", argv, envp);
    EXPECT("execve(\"/nonexistent\", [\"nothere\", \"a\\\"b\"], %p /* 2 vars */) = -1 ENOENT (No such file or directory)", (void *)envp);

    struct utsname u;
    uname(&u);
    EXPECT("uname({sysname=\"%s\", nodename=\"%s\", ...}) = 0", u.sysname, u.nodename);
    mode_t old = umask(022);
    EXPECT("umask(022) = %#o", old);
    unsigned char r[6];
    getrandom(r, sizeof r, GRND_NONBLOCK);
    EXPECT("getrandom(\"\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\", 6, GRND_NONBLOCK) = 6", r[0], r[1], r[2], r[3], r[4], r[5]);
    uid_t a, b, c;
    getresuid(&a, &b, &c);
    EXPECT("getresuid([%u], [%u], [%u]) = 0", a, b, c);
    struct timespec ts = {0, 1000};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
    EXPECT("clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000}, NULL) = 0");
    struct timespec now;
    syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &now);
    EXPECT("clock_gettime(CLOCK_BOOTTIME, {tv_sec=%ld, tv_nsec=%ld}) = 0", (long)now.tv_sec, now.tv_nsec);
    fflush(stdout);
    syscall(SYS_exit_group, 0);
    return 0;
}
"""


def test_process_calls_decode_like_strace(tmp_path, cc):
    """clone, wait4 statuses, a failed execve's argv/envp, uname, umask, getrandom, clocks."""
    expected, trace = traced(tmp_path, cc, PROCESS, "decode_process")
    assert_in_order([*expected, "exit_group(0) = ?"], trace)


def test_merged_trace_joins_unfinished_pairs():
    lines = [
        "[pid  10] wait4(11,  <unfinished ...>",
        "[pid  11] exit_group(0)                = ?",
        "[pid  10] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11",
    ]
    assert (
        merged_trace(lines)[0] == "wait4(11, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11"
    )
