"""Engine defects found in review, each shown on a real traced program.

Every test here traces a real program; expectations come from the program
(what it opened, which pids it forked, what it wrote) or from the kernel's
view (/proc), never from a pasted run.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from conftest import (
    ROOT,
    collect,
    compile_c,
    proc_state,
    run_tracetui,
    strip_pid,
    tracetui_cmd,
    wait_for,
)

from tracer.events import Resumed, Syscall, TraceEnded
from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.syscalls.table import get_table

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("tracer_loop")]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _calls(events: list) -> list[Syscall]:
    return [
        e if isinstance(e, Syscall) else e.call for e in events if isinstance(e, Syscall | Resumed)
    ]


# --------------------------------------------------------------------------------------
# 1. Attach mode: children born while attached are SIGKILLed at detach.
#    A child whose first stop is reported before its parent's PTRACE_EVENT_FORK goes
#    through Worker._new_task, which takes `attached` from tasks[child tgid] (None for a
#    new process) -> attached=False -> Worker._cleanup puts it in to_kill.

FORKER = r"""
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv) {
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
        pid_t c = fork();
        if (c == 0) { sleep(60); _exit(0); }
        FILE *f = fopen(argv[1], "a"); fprintf(f, "%d\n", c); fclose(f);
        usleep(10000);
    }
}
"""


def test_children_of_an_attached_process_survive_the_detach(tmp_path):
    log = tmp_path / "kids"
    prog = compile_c(FORKER, name="forker")
    p = subprocess.Popen([str(prog), str(log)])
    kids: list[int] = []
    try:
        assert wait_for(lambda: log.exists() and log.read_text().count("\n") >= 3)
        s = TraceSession(TraceOptions(attach=[p.pid], resolve_fds=False))
        s.start()
        before = log.read_text().count("\n")
        # Let it fork a few dozen children under tracing.
        wait_for(lambda: log.read_text().count("\n") >= before + 40, timeout=20)
        s.stop()
        kids = [int(x) for x in log.read_text().split()]
        gone = [k for k in kids if proc_state(k) in (None, "Z")]
        assert gone == [], f"{len(gone)} of {len(kids)} children killed by the detach"
        assert proc_state(p.pid) in ("S", "R")
    finally:
        p.kill()
        p.wait()
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except OSError:
                pass


# --------------------------------------------------------------------------------------
# 2. A syscall number >= 1024 (invalid number, x32 ABI) raises IndexError in
#    _fast_syscall_stop (`self._plain[call.nr]` at the exit stop); the worker's
#    internal-error path then SIGKILLs the launched program.

BIG_NR = r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long r1 = syscall(5000);
    long r2 = syscall(0x40000000L | 39);   /* x32 getpid */
    long r3 = syscall(-1L);
    printf("%ld %ld %ld\n", r1, r2, r3);
    return 7;
}
"""


def test_an_unknown_syscall_number_does_not_kill_the_program():
    prog = compile_c(BIG_NR, name="bignr")
    s = TraceSession(TraceOptions(command=[str(prog)], resolve_fds=False))
    s.start()
    events = collect(s)
    assert s.error is None
    assert s.exit_status == 7
    nrs = [c.nr for c in _calls(events)]
    assert 5000 in nrs


# --------------------------------------------------------------------------------------
# 3. -y names go stale with -e trace=: calls that change the fd table (openat, close,
#    dup2) are not traced, so the cache is never invalidated. The program reports what
#    each fd really is (readlink) on stdout; the trace must agree.

FD_REUSE = r"""
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static void report(int fd) {
    char path[64], buf[256]; snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, sizeof buf - 1); buf[n < 0 ? 0 : n] = 0;
    printf("%d %s\n", fd, buf); fflush(stdout);
}
int main(void) {
    char b[1];
    int fd = open("/etc/hostname", O_RDONLY); report(fd); read(fd, b, 0); close(fd);
    fd = open("/etc/passwd", O_RDONLY); report(fd); read(fd, b, 0); close(fd);
    int p[2]; pipe(p); dup2(p[0], 9); report(9); read(9, b, 0);
    int g = open("/etc/group", O_RDONLY); dup2(g, 9); report(9); read(9, b, 0);
    return 0;
}
"""


@pytest.mark.parametrize("seccomp", [True, False], ids=["seccomp", "no-seccomp"])
def test_fd_names_are_right_when_only_read_is_traced(tmp_path, seccomp):
    prog = compile_c(FD_REUSE, name="fdreuse")
    out = tmp_path / "t.txt"
    extra = () if seccomp else ("--no-seccomp",)
    proc = run_tracetui("--no-ui", "-y", "-e", "trace=read", "-o", str(out), *extra, str(prog))
    assert proc.returncode == 0, proc.stderr
    expected = [
        f"read({fd}<{name}>, " for fd, name in (ln.split(" ", 1) for ln in proc.stdout.splitlines())
    ]
    got = [strip_pid(ln) for ln in out.read_text().splitlines() if ', "", 0)' in ln]
    assert [g[: len(e)] for g, e in zip(got, expected, strict=True)] == expected


# --------------------------------------------------------------------------------------
# 4. With -e trace=execve (seccomp, the default) the program's own execve is missing:
#    the launching task's seccomp stop is dropped by the `task.launching` early return
#    in _other_stop. strace shows it.


def test_own_execve_is_shown_with_a_trace_filter(tmp_path):
    out = tmp_path / "t.txt"
    proc = run_tracetui("--no-ui", "-e", "trace=execve", "-o", str(out), "/bin/true")
    assert proc.returncode == 0, proc.stderr
    lines = [strip_pid(ln) for ln in out.read_text().splitlines()]
    assert any(
        ln.startswith('execve("/bin/true", ["/bin/true"]') and ln.endswith("= 0") for ln in lines
    ), lines


# --------------------------------------------------------------------------------------
# 5. exec by a non-leader thread under a seccomp filter: _exec_stop moves the thread's
#    inflight execve to the leader's Task but not `in_seccomp_call`, so the leader is
#    restarted with PTRACE_CONT and the execve's exit stop never comes. With
#    trace=execve it ends as `<unfinished ...>) = ?`; with trace=execve,openat the next
#    openat overwrites it and the execve is lost entirely (and `unemitted` leaks).

THREAD_EXEC = r"""
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
static void *run(void *a) {
    usleep(50000);
    char *argv[] = {"/bin/true", "thread-exec", 0};
    execv("/bin/true", argv);
    return 0;
}
int main(void) {
    pthread_t t; pthread_create(&t, 0, run, 0);
    pthread_join(t, 0);
    return 1;
}
"""


@pytest.mark.parametrize("expr", ["trace=execve", "trace=execve,openat"])
def test_exec_by_a_thread_completes_under_a_seccomp_filter(expr):
    prog = compile_c(THREAD_EXEC, name="thread_exec")
    table = get_table()
    from tracer.syscall_selection import parse_trace_expr

    s = TraceSession(
        TraceOptions(command=[str(prog)], trace_syscalls=parse_trace_expr(expr), resolve_fds=False)
    )
    s.start()
    events = collect(s)
    assert s.exit_status == 0
    execs = [c for c in _calls(events) if table.name(c.nr) == "execve"]
    thread_exec = [c for c in execs if c.mem is not None and b"thread-exec" in repr(c.mem).encode()]
    assert thread_exec, [(c.args, c.ret) for c in execs]
    assert thread_exec[0].ret == 0 and not thread_exec[0].no_return


# --------------------------------------------------------------------------------------
# 6. Headless output to a file is lost when the process group gets SIGTERM (what
#    `timeout` and service managers send): the writer process keeps SIGTERM's default
#    action and dies with its 64 KiB buffer unwritten. It also never flushes while the
#    program is idle, so `tail -f` of -o shows nothing.

IDLE = r"""
#include <fcntl.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 20; i++) { int fd = open("/etc/hostname", O_RDONLY); close(fd); }
    write(1, "ready\n", 6);
    sleep(30);
    return 0;
}
"""


def _start_idle(tmp_path):
    prog = compile_c(IDLE, name="idle")
    out = tmp_path / "t.txt"
    p = subprocess.Popen(
        tracetui_cmd("--no-ui", "-o", str(out), str(prog)),
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert p.stdout.readline() == "ready\n"
    return p, out


def _opens(out) -> int:
    return sum("/etc/hostname" in ln for ln in out.read_text().splitlines()) if out.exists() else 0


def test_output_file_is_written_while_the_program_idles(tmp_path):
    p, out = _start_idle(tmp_path)
    try:
        assert wait_for(lambda: _opens(out) == 20, timeout=10), "nothing written while idle"
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def test_sigterm_to_the_process_group_keeps_the_trace(tmp_path):
    p, out = _start_idle(tmp_path)
    os.killpg(p.pid, signal.SIGTERM)  # as `timeout 5 tracetui --no-ui -o f prog` does
    _, err = p.communicate(timeout=30)
    assert "writer failed" not in err
    assert _opens(out) == 20


# --------------------------------------------------------------------------------------
# 7. A write error on -o prints a Python traceback (writer process traceback.print_exc).


def test_output_write_error_is_one_line():
    proc = run_tracetui("--no-ui", "-o", "/dev/full", "true")
    assert proc.returncode == 0  # the program's status: a lost output does not change it (#18)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# --------------------------------------------------------------------------------------
# 8. `tracetui --no-ui yes 2>&1 | head -2` never ends: when the reader goes away the
#    writer exits quietly, PipeSink drops every later batch, and tracing goes on
#    forever. strace dies of SIGPIPE.


def test_a_closed_output_pipe_ends_the_trace():
    p = subprocess.Popen(
        tracetui_cmd("--no-ui", "yes"),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        p.stderr.readline()
        p.stderr.readline()
        p.stderr.close()  # `head -2` exits
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("tracetui kept tracing after its output pipe closed")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


# --------------------------------------------------------------------------------------
# 9. Ctrl-C (SIGINT to the foreground process group) SIGKILLs the launched program while
#    it is still running its own SIGINT handler. strace passes the signal and lets the
#    program finish (its cleanup runs, its exit status is its own).

HANDLER = r"""
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
static const char *marker;
static void on_int(int s) {
    usleep(300000);  /* cleanup takes a moment */
    int fd = open(marker, O_WRONLY | O_CREAT, 0600); close(fd);
    _exit(5);
}
int main(int argc, char **argv) {
    marker = argv[1];
    signal(SIGINT, on_int);
    write(1, "ready\n", 6);
    for (;;) pause();
}
"""


def test_ctrl_c_lets_the_program_run_its_sigint_handler(tmp_path):
    prog = compile_c(HANDLER, name="sigint_handler")
    marker = tmp_path / "cleaned"
    p = subprocess.Popen(
        tracetui_cmd("--no-ui", "-o", os.devnull, str(prog), str(marker)),
        env=_env(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert p.stdout.readline() == "ready\n"
    os.killpg(p.pid, signal.SIGINT)
    p.wait(timeout=30)
    assert marker.exists(), "program was killed inside its SIGINT handler"
    assert p.returncode == 5


def test_trace_ended_is_last():
    """Sanity check of the harness: a plain trace ends with TraceEnded."""
    s = TraceSession(TraceOptions(command=["/bin/true"], resolve_fds=False))
    s.start()
    events = collect(s)
    assert isinstance(events[-1], TraceEnded)


UNTRACED_CHILD = r"""
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    pid_t c = fork();
    if (c == 0)
        _exit(syscall(SYS_getpid) == getpid() && syscall(SYS_getpid) > 0 ? 0 : 3);
    int st;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 4;
}
"""


def test_a_child_left_untraced_is_not_under_the_filter(tmp_path):
    # --no-follow leaves children untraced; a seccomp filter would outlive that and fail
    # their filtered calls with ENOSYS (no tracer to hand them to), so there is none.
    prog = compile_c(UNTRACED_CHILD, name="untraced_child")
    out = tmp_path / "trace.txt"
    proc = run_tracetui("--no-ui", "--no-follow", "-e", "trace=getpid", "-o", str(out), str(prog))
    assert proc.returncode == 0, proc.stderr
    assert "getpid()" not in out.read_text()  # the child's calls are not traced
