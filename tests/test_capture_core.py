"""The C capture core: it takes the hot calls itself, prints what the Python loop
prints, and holds the tracee (never drops events) when the consumer falls behind."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import time

import pytest
from conftest import ROOT, collect, compile_c, proc_state, strip_pid, tracetui_cmd, wait_for
from decode_oracle import compare_with_strace

from tracer.engine.core import load_core
from tracer.engine.core_plan import c_may_handle
from tracer.engine.spin import warm_cpu_allowed
from tracer.engine.syscall_plan import SyscallPlan
from tracer.events import Exec, Exited, ProcessStarted, Resumed, SignalDelivered, Syscall
from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.syscalls.families import load_families
from tracer.syscalls.table import get_table

pytestmark = pytest.mark.timeout(90)

LOOP = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    char buf[64];
    for (int i = 0; i < n; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        read(fd, buf, sizeof buf);
        close(fd);
    }
    return 0;
}
"""


def _calls(events: list) -> list[Syscall]:
    return [
        e if isinstance(e, Syscall) else e.call for e in events if isinstance(e, Syscall | Resumed)
    ]


def test_the_c_core_takes_the_hot_calls_itself(monkeypatch):
    monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    assert load_core() is not None, "the C capture core is not built (pip install .)"
    prog = compile_c(LOOP, name="core_loop")
    s = TraceSession(TraceOptions(command=[str(prog), "300"]))
    s.start()
    events = collect(s)
    worker = s.worker
    assert worker.core is not None
    # 300 x 6 syscall stops went through C; Python saw only exec, exit and the like.
    assert worker.core.stops >= 1800
    assert worker.py_stops < 60
    name = get_table().name
    mine = [c for c in _calls(events) if c.pid == worker.main_pid]
    opens = [
        c for c in mine if name(c.nr) == "openat" and c.mem and c.mem.get(1) == b"/etc/hostname"
    ]
    assert len(opens) == 300
    assert all(c.fds and c.fds.get(c.ret, "").endswith("/etc/hostname") for c in opens)
    host = open("/etc/hostname", "rb").read()[:64]
    reads = [
        c
        for c in mine
        if name(c.nr) == "read"
        and c.fds
        and c.fds.get(c.args[0] & 0xFFFFFFFF, "").endswith("hostname")
    ]
    assert len(reads) == 300 and all(c.mem[1] == host and c.ret == len(host) for c in reads)
    assert sum(1 for c in mine if name(c.nr) == "close") >= 300


FORKS = r"""
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static void on_chld(int s) { (void)s; }
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    signal(SIGCHLD, on_chld);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0) _exit(i & 7);
        int st;
        while (waitpid(c, &st, 0) < 0) {}
    }
    return 0;
}
"""


def test_fork_signal_and_exit_leave_the_calls_to_c(monkeypatch):
    # C takes the fork event, resumes the child's first stop, records the child's end
    # and delivers the SIGCHLD (recording it), and the calls around them (fork's
    # return, exit_group, rt_sigreturn) stay in C.
    monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    prog = compile_c(FORKS, name="core_forks")
    s = TraceSession(TraceOptions(command=[str(prog), "100"]))
    s.start()
    events = collect(s)
    worker = s.worker
    assert worker.py_stops < 20  # the start and the end: no stop per child
    chld = [e for e in events if type(e) is SignalDelivered and e.signo == signal.SIGCHLD]
    # Each SIGCHLD with its siginfo: si_signo first, si_pid (offset 16) one of the children.
    children = {e.pid for e in events if type(e) is ProcessStarted and e.pid != worker.main_pid}
    assert len(chld) >= 90 and all(e.pid == worker.main_pid for e in chld)
    assert all(int.from_bytes(e.siginfo[:4], "little") == signal.SIGCHLD for e in chld)
    assert {int.from_bytes(e.siginfo[16:20], "little") for e in chld} <= children
    name = get_table().name
    calls = _calls(events)
    forks = [c for c in calls if c.pid == worker.main_pid and name(c.nr) in ("fork", "clone")]
    assert len(forks) == 100 and all(c.ret > 0 for c in forks)
    ends = [c for c in calls if name(c.nr) == "exit_group" and c.pid != worker.main_pid]
    assert len(ends) == 100 and all(c.no_return and c.ret is None for c in ends)
    assert sorted(c.args[0] for c in ends) == sorted(i & 7 for i in range(100))
    returns = [c for c in calls if name(c.nr) == "rt_sigreturn"]
    # The mask comes from the signal frame on the stack (C reads at sp + offset).
    assert len(returns) >= 90 and all(len(c.mem["mask"]) == 8 for c in returns)


def _use_loop(loop: str, monkeypatch) -> None:
    if loop == "python":
        monkeypatch.setenv("TRACETUI_LOOP", "python")
    else:
        monkeypatch.delenv("TRACETUI_LOOP", raising=False)


TASKS = r"""
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
/* Not usleep: clock_nanosleep is Python's (its time left is read when interrupted). */
static void *worker(void *arg) { for (int i = 0; i < 200; i++) sched_yield(); return arg; }
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0) {
            if (i % 3 == 0) { pthread_t t; pthread_create(&t, 0, worker, 0); pthread_join(t, 0); }
            _exit(i & 7);
        }
        int st;
        while (waitpid(c, &st, 0) < 0) {}
    }
    pthread_t ts[4];
    for (int i = 0; i < 4; i++) pthread_create(&ts[i], 0, worker, 0);
    for (int i = 0; i < 4; i++) pthread_join(ts[i], 0);
    return 0;
}
"""


def _lifecycle(loop: str, monkeypatch) -> tuple[list, list, int, int]:
    _use_loop(loop, monkeypatch)
    prog = compile_c(TASKS, name="core_tasks")
    s = TraceSession(TraceOptions(command=[str(prog), "60"]))
    s.start()
    events = collect(s)
    main = s.worker.main_pid
    started = [e for e in events if type(e) is ProcessStarted and e.tid != main]
    ended = [e for e in events if type(e) is Exited]
    return started, ended, s.worker.py_stops, main


def test_c_takes_fork_events_and_task_ends_as_the_python_loop_reports_them(monkeypatch):
    # A new child or thread and the end of a task that is not the main one are C's:
    # Python sees neither stop, yet the events are those the Python loop reports.
    started, ended, py_stops, main = _lifecycle("c", monkeypatch)
    py_started, py_ended, _, py_main = _lifecycle("python", monkeypatch)
    # Per thread (clone3, its captures as data) and per child Python sees nothing but
    # a first stop that may come before the fork event (the kernel reports the two in
    # either order).
    assert py_stops < 30, py_stops

    def starts(events: list, main: int) -> list[tuple]:
        out = []
        for e in events:
            # A thread's parent is its process; a child's parent is the main program.
            parent = "main" if e.parent == main else "own process" if e.parent == e.pid else "?"
            out.append((e.is_thread, parent, e.comm))
        assert all(e.tid == e.pid for e in events if not e.is_thread)
        return sorted(out)

    def ends(events: list, main: int) -> list[tuple]:
        return sorted((e.pid == main, e.is_thread, e.code, e.signal) for e in events)

    assert starts(started, main) == starts(py_started, py_main)
    assert ends(ended, main) == ends(py_ended, py_main)
    assert len([e for e in started if not e.is_thread]) == 60
    assert len([e for e in started if e.is_thread]) == 20 + 4
    assert sorted(e.code for e in ended if not e.is_thread and e.pid != main) == sorted(
        i & 7 for i in range(60)
    )


FORK_EXEC = r"""
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0) {
            char *args[] = {"true", "a\xff" "b", NULL};
            char *env[] = {"ONE=1", "TWO=\xfe", NULL};
            execve("/bin/true", args, env);
            _exit(127);
        }
        int st;
        while (waitpid(c, &st, 0) < 0) {}
    }
    return 0;
}
"""


def _exec_events(loop: str, monkeypatch) -> tuple[list[Exec], int, int]:
    _use_loop(loop, monkeypatch)
    prog = compile_c(FORK_EXEC, name="core_fork_exec")
    s = TraceSession(TraceOptions(command=[str(prog), "40"]))
    s.start()
    events = collect(s)
    execs = [e for e in events if type(e) is Exec and e.pid != s.worker.main_pid]
    return execs, s.worker.py_stops, s.worker.main_pid


def test_a_plain_exec_is_taken_by_c_as_the_python_loop_reports_it(monkeypatch):
    # The fork event, the exec event (the new image read from /proc while the child is
    # stopped) and the child's end are C's records: no Python stop per child.
    execs, py_stops, _ = _exec_events("c", monkeypatch)
    assert py_stops < 20
    py_execs, _, _ = _exec_events("python", monkeypatch)
    assert len(execs) == len(py_execs) == 40

    def shape(e: Exec) -> tuple:
        return (e.filename, tuple(e.argv), tuple(e.envp or ()), e.former_tid, e.tid == e.pid)

    assert {shape(e) for e in execs} == {shape(e) for e in py_execs}
    assert shape(execs[0]) == (
        os.path.realpath("/bin/true"),
        ("true", "a\udcffb"),
        ("ONE=1", "TWO=\udcfe"),
        0,
        True,
    )


CORPUS = r"""
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(void) {
    char buf[256], path[256];
    struct stat st;
    int fd = open("/etc/passwd", O_RDONLY);
    read(fd, buf, sizeof buf);
    pread(fd, buf, 16, 4);
    fstat(fd, &st);
    close(fd);
    stat("/etc", &st);
    lstat("/nonexistent/x", &st);
    fd = open("/etc", O_RDONLY | O_DIRECTORY);
    syscall(SYS_getdents64, fd, buf, sizeof buf);
    close(fd);
    readlink("/proc/self/exe", path, sizeof path);
    getcwd(path, sizeof path);
    struct utsname u; uname(&u);
    struct rlimit rl; getrlimit(RLIMIT_NOFILE, &rl); prlimit(0, RLIMIT_CORE, NULL, &rl);
    struct sigaction sa = {0}; sa.sa_handler = SIG_IGN; sigaction(SIGUSR1, &sa, NULL);
    sigset_t set; sigemptyset(&set); sigaddset(&set, SIGUSR2); sigprocmask(SIG_BLOCK, &set, NULL);
    struct timespec ts = {0, 1000}; nanosleep(&ts, NULL);
    write(1, "hello\n", 6);
    int p[2]; pipe(p); dup2(p[1], 9); write(9, "x", 1); read(p[0], buf, 1);
    close(p[0]); close(p[1]); close(9);
    int status; waitpid(-1, &status, WNOHANG);
    int word = 0;
    struct timespec tmo = {0, 5000};
    syscall(SYS_futex, &word, 0 /* FUTEX_WAIT */, 1, &tmo, NULL, 0);  /* EAGAIN: a timeout read */
    syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);  /* no timeout to read */
    unsigned long fs; syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs);
    access("/etc/hostname", R_OK);
    openat(AT_FDCWD, "relative-missing", O_RDONLY);
    /* execve's arrays: an unreadable string, an environment whose end is unmapped,
     * more arguments than -s shows, NULL and bad array addresses */
    char *page = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    char **envp = (char **)(page + 4096 - 16);
    envp[0] = "A=1"; envp[1] = "B=2";
    char *argv[] = {"x", (char *)8, "y", 0};
    execve("/nonexistent", argv, envp);
    char *many[80];
    for (int i = 0; i < 79; i++) many[i] = "a";
    many[79] = 0;
    execve("/nonexistent2", many, 0);
    syscall(SYS_execve, "/nonexistent3", 0, (char **)16);
    return 0;
}
"""


def _normalised(lines: list[str], pids: list[str], others: list[str]) -> list[str]:
    """`lines` with its run's `pids` as PID0, PID1... in order, and the other run's pids
    the same way: a number that happens to equal a pid of either run (st_size=4096 with
    pid 4096: pids wrap at 32768 here) is then masked alike in both texts."""
    out = []
    for line in lines:
        line = strip_pid(line)
        for names in (pids, others):
            for i, p in enumerate(names):
                line = re.sub(rf"\b{p}\b", f"PID{i}", line)
        out.append(re.sub(r":\[\d+\]", ":[INODE]", line))  # pipe:[245786]
    return out


def test_the_c_loop_and_the_python_loop_print_the_same_trace(tmp_path):
    prog = compile_c(CORPUS, name="core_corpus")
    runs = {}
    for loop in ("c", "python"):
        out = tmp_path / f"{loop}.txt"
        env = dict(os.environ, TRACETUI_LOOP=loop)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        # The environment's size moves the stack: "c" and "python" must take the same
        # room, or stack addresses differ by 16 bytes depending on the rest (the path).
        env["TRACETUI_PAD"] = "x" * (len("python") - len(loop))
        # No address randomisation, so both runs see the same pointers.
        cmd = [
            "setarch",
            "-R",
            *tracetui_cmd("--no-ui", "-f", "-y", "-s", "64", "-o", str(out), str(prog)),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr
        lines = out.read_text().splitlines()
        pids = sorted({m.group(1) for m in (re.match(r"^(\d+)\s", x) for x in lines) if m}, key=int)
        runs[loop] = (lines, pids)
    texts = {
        loop: _normalised(lines, pids, runs["python" if loop == "c" else "c"][1])
        for loop, (lines, pids) in runs.items()
    }
    for text in texts.values():
        # The launcher's execve passes an environment from tracetui's own heap, which the
        # two loops lay out differently (0x7ffff6b2c180 against 0x7ffff6ac4180 once).
        text[0] = re.sub(r"\], 0x[0-9a-f]+ /\*", "], ENVP /*", text[0])
    assert len(texts["c"]) > 40
    assert texts["c"] == texts["python"]


BURST = r"""
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) getppid();
    return 0;
}
"""


def test_a_consumer_that_stops_draining_holds_the_tracee_and_loses_nothing():
    prog = compile_c(BURST, name="core_burst")
    s = TraceSession(TraceOptions(command=[str(prog), "20000"], queue_max=500))
    s.start()
    pid = s.worker.main_pid
    # Nobody drains: once 500 records wait, the program is held in a ptrace stop.
    assert wait_for(lambda: proc_state(pid) == "t", timeout=20)
    time.sleep(0.3)
    assert proc_state(pid) == "t"
    events = collect(s, timeout=60)
    name = get_table().name
    calls = [c for c in _calls(events) if c.pid == pid and name(c.nr) == "getppid"]
    assert len(calls) == 20000
    # Taken a batch at a time while the core appends behind them: still in stop order.
    times = [c.start for c in calls]
    assert times == sorted(times)
    assert s.exit_status == 0


UMASKS = r"""
#include <stdlib.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        umask(022);
        umask(077);
    }
    return 0;
}
"""


@pytest.mark.parametrize("loop", ["c", "python"])
def test_a_handoff_gives_python_only_the_calls_its_condition_names(monkeypatch, loop):
    # capture.Handoff: memory data cannot name is read by Python, so C hands over the
    # calls whose arguments match (here umask(022)) and keeps the rest.
    from tracer.syscalls import capture

    if loop == "python":
        monkeypatch.setenv("TRACETUI_LOOP", "python")
    else:
        monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    seen: list[int] = []

    def probe(mem, args, ret, limits):
        seen.append(args[0])
        return {"probe": mem.read(0, 1) is None}  # a real reader, stopped tracee

    ops = (capture.Handoff((0, 0o777, (0o022,)), probe),)
    load_families(("umask",))  # its own registration first, or it would replace this one
    monkeypatch.setitem(capture.ENTRY_SPECS, "umask", ops)
    monkeypatch.setitem(
        capture.ENTRY_CAPTURES,
        "umask",
        lambda mem, args, limits: capture.run_ops(ops, mem, args, 0, limits),
    )
    prog = compile_c(UMASKS, name="core_umasks")
    s = TraceSession(TraceOptions(command=[str(prog), "200"]))
    s.start()
    events = collect(s)
    name = get_table().name
    umasks = [c for c in _calls(events) if name(c.nr) == "umask"]
    assert len(umasks) == 400
    handed = [c for c in umasks if c.mem and c.mem.get("probe") is True]
    assert sorted({c.args[0] for c in handed}) == [0o022] and len(handed) == 200
    assert all(not c.mem for c in umasks if c.args[0] == 0o077)
    assert seen.count(0o022) == 200 and 0o077 not in seen
    if loop == "c":
        assert s.worker.core is not None
        assert s.worker.py_stops >= 400  # entry and exit of each handed-over call
        assert s.worker.core.stops >= 400  # the umask(077) calls stayed in C


DEREFS = r"""
#include <fcntl.h>
#include <unistd.h>
int main(void) {
    static const char hello[] = "hello";
    const char *ptrs[3] = {hello, 0, (const char *)1};
    int fd = open("/dev/null", O_WRONLY);
    for (int i = 0; i < 3; i++) write(fd, &ptrs[i], sizeof ptrs[i]);
    return 0;
}
"""


@pytest.mark.parametrize("loop", ["c", "python"])
def test_a_read_through_a_pointer_field_is_the_same_in_both_loops(monkeypatch, request, loop):
    # capture.Read.deref: the address is a pointer stored in the memory the argument
    # points to (here the written buffer holds a pointer to "hello", NULL, then 0x1).
    from tracer.syscalls import capture

    if loop == "python":
        monkeypatch.setenv("TRACETUI_LOOP", "python")
    else:
        monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    from tracer.engine import core_records

    ops = (capture.Read("probe", 1, size=5, exact=True, deref=0),)
    load_families(("write",))  # its own registration first, or it would replace this one
    monkeypatch.setitem(capture.ENTRY_SPECS, "write", ops)
    # The C records' reader caches the ops per syscall: forget them now and after.
    core_records._ops_by_nr.cache_clear()
    request.addfinalizer(core_records._ops_by_nr.cache_clear)
    monkeypatch.setitem(
        capture.ENTRY_CAPTURES,
        "write",
        lambda mem, args, limits: capture.run_ops(ops, mem, args, 0, limits),
    )
    prog = compile_c(DEREFS, name="core_derefs")
    s = TraceSession(TraceOptions(command=[str(prog)]))
    s.start()
    events = collect(s)
    name = get_table().name
    writes = [c for c in _calls(events) if name(c.nr) == "write" and c.ret == 8]
    assert [c.mem.get("probe") if c.mem else "none" for c in writes] == [b"hello", None, None]
    if loop == "c":
        assert s.worker.core is not None and s.worker.py_stops < 20


@pytest.mark.usefixtures("tracer_loop")
def test_fcntl_prints_as_strace_prints_it(tmp_path):
    # fcntl is C's (its structs are data; the new fd of F_DUPFD is a test on the command
    # in the plan): the same text as strace's under -y, in both loops.
    lines = compare_with_strace(tmp_path, "fcntl_fds", ["-y"])
    assert any("F_DUPFD, 10) = 10</" in line for line in lines), lines


FCNTL_LOOP = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        int d = fcntl(0, F_DUPFD_CLOEXEC, 3);
        fcntl(d, F_GETFD);
        close(d);
    }
    return 0;
}
"""


def test_the_c_core_takes_fcntl_and_names_the_fds_it_makes(monkeypatch):
    # find makes fcntl calls per directory; with -y each stop went to Python before.
    monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    prog = compile_c(FCNTL_LOOP, name="core_fcntl")
    s = TraceSession(TraceOptions(command=[str(prog), "200"], resolve_fds=True))
    s.start()
    events = collect(s)
    assert s.worker.py_stops < 40, s.worker.py_stops
    name = get_table().name
    mine = [c for c in _calls(events) if c.pid == s.worker.main_pid and name(c.nr) == "fcntl"]
    dups = [c for c in mine if c.args[1] == 1030]
    assert len(dups) == 200 and all(c.ret is not None and c.ret in c.fds for c in dups)
    # F_GETFD returns 0 or 1, which is no new fd: nothing is named for its result.
    gets = [c for c in mine if c.args[1] == 1]
    assert len(gets) == 200 and all(c.ret not in (c.fds or {}) for c in gets)


@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("options", [["-y"], ["-y", "-s", "4"]])
def test_iovec_arrays_print_as_strace_prints_them(tmp_path, options):
    # readv/writev's arrays are data (capture.Iovecs), read by C as by the Python loop.
    lines = compare_with_strace(tmp_path, "iovecs", options)
    assert sum(line.startswith(("readv(", "writev(", "preadv", "pwritev")) for line in lines) >= 14


@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("options", [["-y"], ["-yy"], []])
def test_poll_arrays_print_as_strace_prints_them(tmp_path, options):
    # poll/ppoll's pollfd arrays are data and their fds are named by C under -y
    # (capture.FdsIn); under -yy the call is Python's, which describes the socket.
    lines = compare_with_strace(tmp_path, "poll_fds", options)
    assert sum(line.startswith(("poll(", "ppoll(")) for line in lines) == 9


@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("options", [["-y"], ["-yy"], []])
def test_fds_made_in_memory_and_dup_targets_print_as_strace_prints_them(tmp_path, options):
    # pipe/pipe2/socketpair name their new fds (capture.FdsIn at exit, the old names of
    # reused numbers dropped first), dup2/dup3 what the target was (capture.FdName).
    lines = compare_with_strace(tmp_path, "fd_pairs", options)
    assert sum(line.startswith(("pipe", "socketpair(", "dup")) for line in lines) == 13


@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("options", [["-y"], []])
def test_send_and_recv_print_as_strace_prints_them(tmp_path, options):
    # sendto/recvfrom are C's on a non-netlink socket (their netlink calls go to Python:
    # capture.SocketHandoff); recvfrom's read is cut to the buffer's worth (MSG_TRUNC).
    lines = compare_with_strace(tmp_path, "send_recv", options)
    assert sum(line.startswith(("sendto(", "recvfrom(")) for line in lines) == 14
    assert any(line.startswith("getsockname(") for line in lines)


# The calls whose captures are data, so that the C core takes them whole: each would
# otherwise stop in Python, which in the explorer waits for the app's GIL.
C_CALLS = (
    "fcntl readv writev preadv pwritev preadv2 pwritev2 poll ppoll pipe pipe2 socketpair "
    "dup2 dup3 accept accept4 getsockname getpeername sendto recvfrom setsockopt getsockopt "
    "getxattr lgetxattr fgetxattr listxattr llistxattr flistxattr setxattr lsetxattr "
    "fsetxattr removexattr lremovexattr fremovexattr utime utimes futimesat utimensat "
    "epoll_ctl epoll_pwait epoll_pwait2 rt_sigtimedwait rt_sigsuspend rt_sigpending "
    "sigaltstack rt_sigqueueinfo rt_tgsigqueueinfo signalfd signalfd4 timerfd_settime "
    "timerfd_gettime timer_create timer_settime timer_gettime getitimer setitimer "
    "gettimeofday settimeofday time getrusage sysinfo times getgroups setgroups getresuid "
    "getresgid capget capset sched_setaffinity sched_getaffinity sched_setparam "
    "sched_getparam sched_setscheduler sched_rr_get_interval getcpu setrlimit waitid "
    "mincore memfd_create openat2 copy_file_range splice prctl"
).split()


@pytest.mark.parametrize("resolve_fds", [False, True])
def test_the_c_core_takes_the_calls_whose_captures_are_data(resolve_fds):
    plan = SyscallPlan(TraceOptions(command=["true"], resolve_fds=resolve_fds))
    by_name = {d.name: nr for nr, d in plan.table.by_nr.items() if nr < 1024}
    refused = [n for n in C_CALLS if not c_may_handle(plan, by_name[n], n, None)]
    assert not refused


@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("options", [["-y"], []])
def test_a_netlink_fd_number_reused_by_udp_prints_as_strace_prints_it(tmp_path, options):
    # The C core remembers per fd whether it is a netlink socket (whose sendto/recvfrom
    # are Python's); a close or a dup2 onto the number must forget it, or the UDP
    # datagrams would be decoded as netlink messages, or the netlink ones as bytes.
    # bound to port 0, and the netlink port id is the pid: both differ between runs
    ports = (re.compile(r"htons\(\d+\)"), "htons(PORT)")
    portid = (re.compile(r"nlmsg_pid=[1-9]\d*"), "nlmsg_pid=PID")
    lines = compare_with_strace(tmp_path, "socket_reuse", options, masks=(ports, portid))
    netlink = [
        line for line in lines if line.startswith(("sendto(", "recvfrom(")) and "nlmsg" in line
    ]
    datagrams = [line for line in lines if '"first udp"' in line or '"dup2 udp"' in line]
    assert len(netlink) == 4 and len(datagrams) == 4, lines


BUSY_THEN_QUIET = r"""
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    for (int i = 0; i < atoi(argv[1]); i++) getppid();
    usleep(1500 * 1000);
    return 0;
}
"""


def _threads() -> dict[int, tuple[int, str]]:
    """Our threads: tid -> (scheduling policy, state letter)."""
    out = {}
    for name in os.listdir("/proc/self/task"):
        tid = int(name)
        try:
            stat = open(f"/proc/self/task/{tid}/stat").read()
            out[tid] = (os.sched_getscheduler(tid), stat[stat.rindex(")") + 2])
        except OSError:
            continue  # a thread that just ended
    return out


def test_the_warm_thread_spins_idle_class_while_stops_come_and_sleeps_after(monkeypatch):
    # The C core's warm thread keeps the program's CPU from halting between stops
    # (capture_core.c): only ever at SCHED_IDLE, and only while stops come back to back.
    monkeypatch.delenv("TRACETUI_LOOP", raising=False)
    prog = compile_c(BUSY_THEN_QUIET, name="busy_then_quiet")
    samples: list[tuple[float, dict]] = []
    before = set(_threads())
    s = TraceSession(TraceOptions(command=[str(prog), "100000"]))
    s.start()
    start = time.monotonic()
    while not s.finished and time.monotonic() - start < 60:
        s.drain()
        samples.append((time.monotonic(), _threads()))
        time.sleep(0.005)
    assert s.finished
    collect(s)
    idle = {
        tid
        for _, threads in samples
        for tid, (policy, _) in threads.items()
        if policy == os.SCHED_IDLE and tid not in before
    }
    if not warm_cpu_allowed(TraceOptions().spin_polls):
        assert not idle  # one CPU, or a CPU quota: no warm thread at all
        return
    assert s.worker.core is not None and len(idle) == 1, idle
    (warm,) = idle
    states = [threads[warm][1] for _, threads in samples if warm in threads]
    # running (or ready to) during the getppid loop; asleep through the program's 1.5 s
    # sleep from a little after it began (WARM_QUIET_S): at least 100 samples in a row
    assert "R" in states, states
    asleep = max(
        (len(list(run)) for state, run in itertools.groupby(states) if state == "S"), default=0
    )
    assert asleep >= 100, [(state, len(list(run))) for state, run in itertools.groupby(states)]
    # the trace is over: the thread is gone, though the session (and its core) lives on
    assert wait_for(lambda: warm not in _threads(), timeout=5)
