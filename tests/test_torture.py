"""Torture suite (#18): tracetui under faults and load, judged by /proc and by strace.

Each case traces a small program written for it, then reads /proc: no process of
the case is left stopped (`T`/`t`) or traced, the ones that should live still run,
and none is left behind (orphaned). Every process of a case carries a tag in its
environment (`-E` for launched programs), which is how /proc finds them all,
children and grandchildren included. Where the program is deterministic, its
event counts (calls per name, signals, exits) and exit status are checked against
strace 6.1 tracing the same program, so the expectations are computed, not pasted.
Run it alone with `pytest -m torture`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, compile_c, proc_state, strip_pid, tracer_of, tracetui_cmd, wait_for

from tracer.events import Detached, Resumed, Syscall
from tracer.options import TraceOptions
from tracer.session import TraceSession

pytestmark = [
    pytest.mark.torture,
    pytest.mark.timeout(90),
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
]
BOTH_LOOPS = pytest.mark.usefixtures("tracer_loop")
IN_TMUX = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TAG = "TRACETUI_TORTURE"


# --------------------------------------------------------------------------------------
# The processes of a case, and what /proc says about them


class Family:
    """The processes of one case: everything whose environment carries its tag."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex
        self.assignment = f"{TAG}={self.tag}"

    def env(self) -> dict[str, str]:
        return dict(os.environ, **{TAG: self.tag})

    def pids(self) -> set[int]:
        """Live members (a zombie's environment reads empty, so zombies are not members)."""
        mark = self.assignment.encode()
        found = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                env = Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if mark in env.split(b"\0"):
                found.add(int(entry))
        return found

    def wait_count(self, n: int, timeout: float = 20) -> set[int]:
        assert wait_for(lambda: len(self.pids()) >= n, timeout=timeout), self.describe()
        return self.pids()

    def describe(self) -> str:
        return ", ".join(f"{p}:{proc_state(p)}" for p in sorted(self.pids())) or "none"

    def kill(self) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture
def family():
    f = Family()
    yield f
    f.kill()


def tids(pid: int) -> list[int]:
    try:
        return [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        return []


def held(pid: int) -> list[str]:
    """What is wrong with each task of `pid`: stopped, or still traced."""
    wrong = []
    for tid in tids(pid):
        state = proc_state(tid)
        if state in ("T", "t"):
            wrong.append(f"task {tid} of {pid} is stopped ({state})")
        try:
            tracer = tracer_of(tid)
        except OSError:
            continue
        if tracer:
            wrong.append(f"task {tid} of {pid} is traced by {tracer}")
    return wrong


def progress(pid: int) -> int:
    """Voluntary context switches of all tasks: grows while a program sleeping in a loop runs."""
    total = 0
    for tid in tids(pid):
        try:
            for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def runs(pid: int) -> bool:
    before = progress(pid)
    return wait_for(lambda: progress(pid) > before + 2, timeout=10)


def assert_left_clean(family: Family, alive: set[int] = frozenset()) -> None:
    """Only `alive` is left of the case; each of those runs, unstopped and untraced."""
    wait_for(lambda: family.pids() <= set(alive), timeout=15)
    left = family.pids()
    assert left - set(alive) == set(), f"left behind: {family.describe()}"
    assert set(alive) - left == set(), f"killed, but should live: {set(alive) - left}"
    for pid in alive:
        wait_for(lambda p=pid: not held(p), timeout=5)
        assert held(pid) == []
        assert runs(pid), f"{pid} no longer makes progress (state {proc_state(pid)})"


def blocked_in(pid: int, nr: int) -> bool:
    """The task sleeps inside syscall `nr` (not at a ptrace stop on its way in or out)."""
    try:
        call = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return False
    return proc_state(pid) == "S" and bool(call) and call[0] == str(nr)


def shell_status(returncode: int) -> int:
    """A status as the shell gives it: death by signal N is 128+N."""
    return returncode if returncode >= 0 else 128 - returncode


# --------------------------------------------------------------------------------------
# Traces, and what they count


def tracetui_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_tracetui(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(tracetui_cmd("--no-ui", *args), env=tracetui_env(), **kw)


def start_strace(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(["strace", "-f", *args], **kw)


_CALL = re.compile(r"([a-z_0-9]+)\(")
_SIGNAL = re.compile(r"--- (SIG[A-Z0-9]+) ")


_RESTARTED = re.compile(r"(?:<\.\.\. )?([a-z_0-9]+)[( ].*= \? ERESTART")


def counts(lines: list[str], *, signals: bool = True) -> Counter:
    """Calls per name (an `<unfinished ...>` call counts once), signals, stops and exits.

    A call the kernel restarts (`= ? ERESTARTNOINTR`: a fork that a SIGCHLD
    interrupted) is not counted: it is made again, and whether it happens depends
    on when the signals arrive, in any tracer."""
    found: Counter = Counter()
    for line in lines:
        body = strip_pid(line)
        if m := _RESTARTED.match(body):
            if body.startswith("<..."):
                found[m.group(1)] -= 1  # its `<unfinished ...>` line was counted
            continue
        if m := _CALL.match(body):
            found[m.group(1)] += 1
        elif body.startswith("+++ ") or body.startswith("--- stopped by"):
            found[re.sub(r"pid \d+", "pid N", body)] += 1
        elif signals and (m := _SIGNAL.match(body)):
            found[m.group(1)] += 1
    return found


def killed_calls(lines: list[str]) -> Counter:
    """Calls cut short by death (`= ?`), per name.

    strace ends such a call in place when its `<unfinished ...>` line was the last one
    printed, else as `<... NAME resumed> <unfinished ...>) = ?`; which one depends on
    the order the threads were reported in, so only the calls themselves are compared.
    """
    found: Counter = Counter()
    for line in lines:
        body = strip_pid(line)
        if re.search(r"\)\s+= \?$", body):
            m = re.match(r"(?:<\.\.\. )?([a-z_0-9]+)[( ]", body)
            found[m.group(1) if m else body] += 1
    return found


def trace_both(tmp_path: Path, family: Family, *command: str, drive=None, timeout: float = 60):
    """Trace `command` with strace and with tracetui: (lines, status) of each.

    `drive(proc)` plays the outside world (signals, input) against a started tracer.
    """
    results = []
    for name, start in (("strace", start_strace), ("tracetui", start_tracetui)):
        out = tmp_path / f"{name}.txt"
        proc = start(
            "-E", family.assignment, "-o", str(out), *command,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            if drive is not None:
                drive(proc)
            proc.wait(timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert_left_clean(family)
        results.append((out.read_text().splitlines(), shell_status(proc.returncode)))
    return results


# --------------------------------------------------------------------------------------
# Fork storms with exec


STORM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    int rounds = atoi(argv[1]), width = atoi(argv[2]), fine = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < width; i++) {
            if (fork() != 0) continue;
            if (i % 2) { execl("/bin/true", "true", (char *)0); _exit(99); }
            pid_t g = fork();
            if (g == 0) { execl("/bin/false", "false", (char *)0); _exit(99); }
            int st;
            waitpid(g, &st, 0);
            _exit(WIFEXITED(st) && WEXITSTATUS(st) == 1 ? 0 : 98);
        }
        for (int i = 0; i < width; i++) {
            int st;
            if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) fine++;
        }
    }
    return fine == rounds * width ? 3 : 1;
}
"""


@BOTH_LOOPS
def test_a_fork_storm_with_exec_counts_as_under_strace(tmp_path, family):
    """36 processes forked in waves, 24 execs: every call, exec and exit seen, as strace sees them."""
    prog = compile_c(STORM, name="storm")
    (ref, ref_status), (mine, status) = trace_both(tmp_path, family, str(prog), "3", "8")
    assert ref_status == 3
    assert status == ref_status
    # SIGCHLDs merge at random while the children die together; everything else is fixed.
    expected = counts(ref, signals=False)
    assert expected["execve"] == 1 + 3 * 8
    assert counts(mine, signals=False) == expected


# --------------------------------------------------------------------------------------
# 16 threads making syscalls while one of them execs


THREAD_EXEC = r"""
#include <pthread.h>
#include <unistd.h>
static pthread_barrier_t ready;
static void *run(void *arg) {
    long i = (long)arg;
    pthread_barrier_wait(&ready);
    if (i == 7) {
        usleep(20000);
        execl("/bin/sh", "sh", "-c", "exit 4", (char *)0);
        _exit(99);
    }
    for (;;) { getppid(); sched_yield(); }
}
int main(void) {
    pthread_t t[16];
    pthread_barrier_init(&ready, 0, 17);
    for (long i = 0; i < 16; i++) pthread_create(&t[i], 0, run, (void *)i);
    pthread_barrier_wait(&ready);
    for (;;) getppid();
}
"""


@BOTH_LOOPS
def test_an_exec_among_16_busy_threads_ends_cleanly_as_under_strace(tmp_path, family):
    """The 15 other threads (and the leader) vanish mid-call; the new program runs to its status."""
    prog = compile_c(THREAD_EXEC, name="thread_exec16")
    (ref, ref_status), (mine, status) = trace_both(tmp_path, family, str(prog))
    assert ref_status == 4
    assert status == ref_status
    wanted = ("+++ superseded by execve in pid N +++", "+++ exited with 4 +++")
    assert {k: counts(mine)[k] for k in wanted} == {k: counts(ref)[k] for k in wanted}
    # strace 6.1 sometimes shows threads killed by the exec entering execve too (with
    # the exec'ing thread's arguments); the execs that succeed are what both agree on.
    assert successful_execs(ref) == successful_execs(mine) == 2
    assert counts(mine)["execve"] == 2


def successful_execs(lines: list[str]) -> int:
    return sum(1 for line in lines if "execve" in line and re.search(r"\)\s+= 0$", line))


# --------------------------------------------------------------------------------------
# Signals with handlers during blocking reads


SIGNALLED_READS = r"""
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t usr1, usr2;
static void on_usr1(int s) { usr1++; }
static void on_usr2(int s) { usr2++; write(1, "usr2\n", 5); }
int main(void) {
    struct sigaction plain = {0}, restart = {0};
    plain.sa_handler = on_usr1;                  /* no SA_RESTART: read fails with EINTR */
    restart.sa_handler = on_usr2;
    restart.sa_flags = SA_RESTART;               /* read starts again after the handler */
    sigaction(SIGUSR1, &plain, 0);
    sigaction(SIGUSR2, &restart, 0);
    char line[32], buf[16];
    write(1, line, snprintf(line, sizeof line, "%d\n", getpid()));
    ssize_t n = read(0, buf, sizeof buf);
    if (n != -1 || errno != EINTR || usr1 != 1) return 10;
    write(1, "eintr\n", 6);
    n = read(0, buf, sizeof buf);
    if (n != 1 || buf[0] != 'x' || usr2 != 1) return 11;
    write(1, "done\n", 5);
    return 0;
}
"""


def play_signals_against_reads(proc: subprocess.Popen) -> None:
    pid = int(proc.stdout.readline())
    assert wait_for(lambda: blocked_in(pid, 0)), proc_state(pid)
    os.kill(pid, signal.SIGUSR1)
    assert proc.stdout.readline() == b"eintr\n"
    assert wait_for(lambda: blocked_in(pid, 0)), proc_state(pid)
    os.kill(pid, signal.SIGUSR2)
    assert proc.stdout.readline() == b"usr2\n"
    assert wait_for(lambda: blocked_in(pid, 0)), proc_state(pid)
    proc.stdin.write(b"x")
    proc.stdin.flush()
    assert proc.stdout.readline() == b"done\n"


def read_results(lines: list[str]) -> list[str]:
    return [
        re.split(r"\)\s+= ", strip_pid(x), maxsplit=1)[1]
        for x in lines
        if strip_pid(x).startswith("read(0,")
    ]


@BOTH_LOOPS
def test_signals_during_a_blocking_read_interrupt_or_restart_it_as_without_tracing(
    tmp_path, family
):
    """SIGUSR1 (no SA_RESTART) makes read fail with EINTR; SIGUSR2 (SA_RESTART) restarts it."""
    prog = compile_c(SIGNALLED_READS, name="signalled_reads")
    (ref, ref_status), (mine, status) = trace_both(
        tmp_path, family, str(prog), drive=play_signals_against_reads
    )
    assert ref_status == status == 0
    assert counts(mine) == counts(ref)
    assert read_results(mine) == read_results(ref)
    assert len(read_results(ref)) == 3  # interrupted, interrupted and restarted, done


# --------------------------------------------------------------------------------------
# SIGSTOP and SIGCONT from outside


SLEEPER = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    printf("%d\n", getpid());
    fflush(stdout);
    for (;;) { getppid(); usleep(2000); }
}
"""


def still(pid: int, period: float) -> bool:
    before = progress(pid)
    time.sleep(period)
    return progress(pid) == before and proc_state(pid) in ("T", "t")


def play_stop_and_continue(states: list[str]):
    def drive(proc: subprocess.Popen) -> None:
        pid = int(proc.stdout.readline())
        assert runs(pid)
        os.kill(pid, signal.SIGSTOP)
        # A traced task is also `t` at each syscall stop: stopped means it stays still.
        assert wait_for(lambda: still(pid, 0.1)), "SIGSTOP did not stop the program"
        before = progress(pid)
        time.sleep(0.3)
        states.append(proc_state(pid))
        assert progress(pid) == before, "a stopped program went on running"
        os.kill(pid, signal.SIGCONT)
        assert runs(pid), f"not running again after SIGCONT (state {proc_state(pid)})"
        os.kill(pid, signal.SIGTERM)

    return drive


@BOTH_LOOPS
def test_sigstop_and_sigcont_from_outside_stop_and_resume_the_program(tmp_path, family):
    """Stopped, it makes no progress and /proc shows it stopped as under strace; continued, it runs.

    (A traced task's group-stop is a ptrace stop: /proc says `t` under strace too, not `T`.)
    """
    prog = compile_c(SLEEPER, name="sleeper")
    states: list[str] = []
    (ref, ref_status), (mine, status) = trace_both(
        tmp_path, family, str(prog), drive=play_stop_and_continue(states)
    )
    assert ref_status == status == 128 + signal.SIGTERM
    assert states[0] in ("T", "t")
    assert states[1] == states[0]
    wanted = ("SIGSTOP", "--- stopped by SIGSTOP ---", "SIGCONT", "SIGTERM")
    wanted += ("+++ killed by SIGTERM +++",)
    assert {k: counts(mine)[k] for k in wanted} == {k: counts(ref)[k] for k in wanted}
    assert counts(ref)["--- stopped by SIGSTOP ---"] == 1


# --------------------------------------------------------------------------------------
# A tracee SIGKILLed in a blocking call; a child killed by SIGSEGV


BLOCKED_READERS = r"""
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static void *reader(void *arg) {
    int p[2]; char c;
    pipe(p);
    read(p[0], &c, 1);
    return 0;
}
int main(void) {
    pthread_t t[3];
    for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, reader, 0);
    printf("%d\n", getpid());
    fflush(stdout);
    char c;
    read(0, &c, 1);
    return 0;
}
"""


def play_sigkill_in_reads(proc: subprocess.Popen) -> None:
    pid = int(proc.stdout.readline())
    assert wait_for(lambda: len(tids(pid)) == 4 and all(blocked_in(t, 0) for t in tids(pid)))
    os.kill(pid, signal.SIGKILL)


@BOTH_LOOPS
def test_a_program_sigkilled_in_blocking_reads_ends_as_under_strace(tmp_path, family):
    """Four threads blocked in read, then SIGKILL: each read ends `= ?` as strace prints it."""
    prog = compile_c(BLOCKED_READERS, name="blocked_readers")
    (ref, ref_status), (mine, status) = trace_both(
        tmp_path, family, str(prog), drive=play_sigkill_in_reads
    )
    assert ref_status == status == 128 + signal.SIGKILL
    assert counts(mine) == counts(ref)
    assert killed_calls(ref) == {"read": 4}
    assert killed_calls(mine) == killed_calls(ref)


SEGV_CHILD = r"""
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);  /* no core file, whatever core_pattern says */
    if (argc > 1 && strcmp(argv[1], "self") == 0) *(volatile int *)0 = 1;
    pid_t c = fork();
    if (c == 0) { *(volatile int *)0 = 1; _exit(0); }
    int st;
    waitpid(c, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? 7 : 1;
}
"""


@BOTH_LOOPS
def test_a_child_killed_by_sigsegv_is_seen_as_under_strace(tmp_path, family):
    """The child's fault, its death and the parent's SIGCHLD; and a faulting program's own 139."""
    prog = compile_c(SEGV_CHILD, name="segv_child")
    (ref, ref_status), (mine, status) = trace_both(tmp_path, family, str(prog))
    assert ref_status == status == 7
    assert counts(ref)["+++ killed by SIGSEGV +++"] == 1
    assert counts(mine) == counts(ref)
    (ref, ref_status), (mine, status) = trace_both(tmp_path, family, str(prog), "self")
    assert ref_status == status == 128 + signal.SIGSEGV
    assert counts(mine) == counts(ref)


# --------------------------------------------------------------------------------------
# Signals to tracetui itself, headless


PARENT_AND_CHILD = r"""
#include <pthread.h>
#include <unistd.h>
static void *spin(void *a) { for (;;) { getppid(); usleep(3000); } return 0; }
int main(void) {
    pthread_t t;
    fork();                        /* parent and child, each with two threads */
    pthread_create(&t, 0, spin, 0);
    spin(0);
}
"""


THREADS = PARENT_AND_CHILD.replace(
    "    fork();                        /* parent and child, each with two threads */\n", ""
)  # one process of two threads


def start_targets(family: Family, source: str = PARENT_AND_CHILD, n: int = 2) -> list[int]:
    """Start the program untraced; its pids, leader first."""
    prog = compile_c(source, name="targets")
    subprocess.Popen([str(prog)], env=family.env(), stdout=subprocess.DEVNULL)
    pids = sorted(family.wait_count(n))
    assert wait_for(lambda: all(len(tids(p)) == 2 for p in pids))
    return pids


def attach_args(pids: list[int]) -> list[str]:
    return [a for p in pids for a in ("-p", str(p))]


def strace_status_on_signal(pids: list[int], signo: int) -> int:
    """What strace -p exits with when it gets `signo` (it detaches, then dies of it)."""
    proc = start_strace("-o", os.devnull, *attach_args(pids), stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: all(tracer_of(t) == proc.pid for p in pids for t in tids(p)))
        proc.send_signal(signo)
        return shell_status(proc.wait(20))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


TRACER_SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL]


@BOTH_LOOPS
@pytest.mark.parametrize("signo", TRACER_SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_to_headless_tracetui_takes_the_launched_program_with_it(tmp_path, family, signo):
    """The program and its child are traced; tracetui gets the signal; none of them is left."""
    # SIGHUP's case without the child: once the program dies of it, nothing waits out the
    # grace period a surviving child costs (SIGTERM's case has that child).
    source = THREADS if signo == signal.SIGHUP else PARENT_AND_CHILD
    prog = compile_c(source, name="targets")
    proc = start_tracetui("-E", family.assignment, "-o", os.devnull, str(prog))
    try:
        pids = family.wait_count(1 if signo == signal.SIGHUP else 2)
        assert wait_for(lambda: all(tracer_of(p) == proc.pid for p in family.pids()))
        proc.send_signal(signo)
        status = shell_status(proc.wait(30))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert_left_clean(family)
    # SIGTERM and SIGHUP are passed on (the program dies of them, as strace -I1 makes it
    # do); SIGINT is Ctrl-C's, which reached the program already when it was typed; the
    # launched program is killed after a grace period. SIGKILL: PTRACE_O_EXITKILL.
    assert status == {signal.SIGINT: 128 + signal.SIGKILL}.get(signo, 128 + signo), pids


@BOTH_LOOPS
@pytest.mark.parametrize("signo", TRACER_SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_to_headless_tracetui_leaves_attached_programs_running(tmp_path, family, signo):
    """Attached to two processes of two threads; after the signal all four threads run untraced."""
    pids = start_targets(family)
    expected = strace_status_on_signal(pids, signo)
    assert_left_clean(family, alive=set(pids))
    proc = start_tracetui("-o", os.devnull, *attach_args(pids))
    try:
        assert wait_for(lambda: all(tracer_of(t) == proc.pid for p in pids for t in tids(p)))
        proc.send_signal(signo)
        status = shell_status(proc.wait(30))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # Under SIGKILL the kernel detaches them: they must not be left stopped either.
    assert_left_clean(family, alive=set(pids))
    assert status == expected


def detach_while_stopped(tracer: list[str], pid: int, make_tracer) -> str:
    """Attach, SIGSTOP the program, end the tracer with SIGINT: the state it leaves."""
    proc = make_tracer(*tracer, "-o", os.devnull, "-p", str(pid), stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: all(tracer_of(t) == proc.pid for t in tids(pid)))
        os.kill(pid, signal.SIGSTOP)
        assert wait_for(lambda: still(pid, 0.1)), "SIGSTOP did not stop the program"
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert wait_for(lambda: all(tracer_of(t) == 0 for t in tids(pid)))
    time.sleep(0.2)
    return proc_state(pid)


@BOTH_LOOPS
def test_a_program_stopped_by_sigstop_stays_stopped_after_the_detach(family):
    """Stopped by the user (not by us), it stays stopped (`T`, as strace leaves it), untraced;
    SIGCONT then lets it run."""
    [pid, child] = start_targets(family)
    expected = detach_while_stopped([], pid, start_strace)
    assert expected == "T"
    os.kill(pid, signal.SIGCONT)
    assert runs(pid)
    assert detach_while_stopped([], pid, start_tracetui) == expected
    assert still(pid, 0.2)
    os.kill(pid, signal.SIGCONT)
    assert_left_clean(family, alive={pid, child})


# --------------------------------------------------------------------------------------
# Attach: to a multi-threaded process, to a traced one, to a zombie; 20 cycles


CHURN = r"""
#include <pthread.h>
#include <unistd.h>
static void *spin(void *a) { for (;;) { getppid(); usleep(1000); } return 0; }
static void *brief(void *a) { getppid(); getppid(); return 0; }
int main(void) {
    pthread_t t;
    for (int i = 0; i < 4; i++) pthread_create(&t, 0, spin, 0);
    for (;;) {                     /* threads come and go all the time */
        pthread_create(&t, 0, brief, 0);
        pthread_join(t, 0);
        usleep(500);
    }
}
"""


def start_churn(family: Family) -> int:
    prog = compile_c(CHURN, name="churn")
    subprocess.Popen([str(prog)], env=family.env())
    [pid] = family.wait_count(1)
    assert wait_for(lambda: len(tids(pid)) >= 5)
    return pid


def drain_until(session: TraceSession, pred, timeout: float = 15) -> list:
    seen: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(session.drain())
        if pred(seen):
            break
        time.sleep(0.01)
    return seen


def call_tids(events: list) -> set[int]:
    return {
        (e.call if isinstance(e, Resumed) else e).tid
        for e in events
        if isinstance(e, Syscall | Resumed)
    }


@BOTH_LOOPS
def test_attach_to_a_process_whose_threads_come_and_go(family):
    """Every thread is traced, including ones born after the attach; detach lets all of them go."""
    pid = start_churn(family)
    steady = set(tids(pid))
    s = TraceSession(TraceOptions(attach=[pid]))
    s.start()
    try:
        events = drain_until(s, lambda ev: len(call_tids(ev) - steady) >= 3)
        assert len(call_tids(events) & steady) >= 5  # the leader and the four spinners
        assert len(call_tids(events) - steady) >= 3, "threads born while traced were not traced"
    finally:
        s.stop()
        assert s.wait(15)
    rest = s.drain()
    assert any(isinstance(e, Detached) for e in rest)
    assert_left_clean(family, alive={pid})


@BOTH_LOOPS
def test_twenty_attach_detach_cycles_leave_the_process_running(family):
    pid = start_churn(family)
    for cycle in range(20):
        s = TraceSession(TraceOptions(attach=[pid]))
        s.start()
        try:
            drain_until(s, lambda ev: any(isinstance(e, Syscall) for e in ev), timeout=10)
        finally:
            s.stop()
            assert s.wait(15), f"cycle {cycle}: the session did not end"
        s.drain()
        problems = held(pid)
        if problems:  # a task caught mid-detach may take a moment to be let go
            wait_for(lambda: not held(pid), timeout=2)
            problems = held(pid)
        assert problems == [], f"cycle {cycle}"
    assert_left_clean(family, alive={pid})


@BOTH_LOOPS
def test_attach_to_a_process_traced_by_strace_is_refused_and_disturbs_nothing(family):
    [pid, child] = start_targets(family)
    strace = start_strace("-o", os.devnull, "-p", str(pid), stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: all(tracer_of(t) == strace.pid for t in tids(pid)))
        proc = subprocess.run(
            tracetui_cmd("--no-ui", "-o", os.devnull, "-p", str(pid)),
            env=tracetui_env(), capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert proc.returncode == 1
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert f"already traced by pid {strace.pid}" in proc.stderr
        assert all(tracer_of(t) == strace.pid for t in tids(pid))
        assert runs(pid)
    finally:
        strace.send_signal(signal.SIGINT)
        strace.wait(20)
    assert_left_clean(family, alive={pid, child})


ZOMBIE_PARENT = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    pid_t c = fork();
    if (c == 0) _exit(0);          /* never reaped: a zombie */
    printf("%d\n", c);
    fflush(stdout);
    for (;;) { getppid(); usleep(3000); }
}
"""


@BOTH_LOOPS
def test_attach_to_a_zombie_says_so_and_traces_the_live_pid_beside_it(tmp_path, family):
    prog = compile_c(ZOMBIE_PARENT, name="zombie_parent")
    parent = subprocess.Popen([str(prog)], env=family.env(), stdout=subprocess.PIPE)
    zombie = int(parent.stdout.readline())
    assert wait_for(lambda: proc_state(zombie) == "Z")
    ref = subprocess.run(
        ["strace", "-o", os.devnull, "-p", str(zombie)], capture_output=True, timeout=30
    )
    proc = subprocess.run(
        tracetui_cmd("--no-ui", "-o", os.devnull, "-p", str(zombie)),
        env=tracetui_env(), capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode == ref.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert proc_state(zombie) == "Z"
    # With a live pid beside it, the live one is traced (as strace does), then let go.
    out = tmp_path / "trace.txt"
    both = start_tracetui("-o", str(out), "-p", str(parent.pid), "-p", str(zombie))
    try:
        assert wait_for(lambda: tracer_of(parent.pid) == both.pid)
        assert wait_for(lambda: "getppid" in out.read_text() if out.exists() else False)
        both.send_signal(signal.SIGINT)
        both.wait(30)
    finally:
        if both.poll() is None:
            both.kill()
            both.wait()
    assert proc_state(zombie) == "Z"
    assert_left_clean(family, alive={parent.pid})


# --------------------------------------------------------------------------------------
# The app, in a real terminal (tmux)


class AppInTmux:
    """`python -m tui ARGS` in a tmux window; its pid and exit status are written to files."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.name = "tracetui-torture-" + uuid.uuid4().hex[:8]
        self.pidfile = tmp_path / "app.pid"
        self.rcfile = tmp_path / "app.rc"
        script = tmp_path / "run-app.sh"
        app = [sys.executable, "-m", "tui", *args]
        script.write_text(
            "cd /\n"
            f'sh -c \'echo $$ > "$0"; exec "$@"\' {shlex.quote(str(self.pidfile))} '
            + " ".join(map(shlex.quote, app))
            + f"\necho $? > {shlex.quote(str(self.rcfile))}\nexec sleep 120\n"
        )
        env = f"env -u COLUMNS -u LINES PYTHONPATH={shlex.quote(str(ROOT))} TERM=xterm-256color"
        command = f"{env} sh {shlex.quote(str(script))}"
        self.tmux("new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", command)
        assert wait_for(lambda: self.pidfile.exists() and self.pidfile.read_text().strip(), 20)
        self.pid = int(self.pidfile.read_text())

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout

    def screen(self) -> str:
        try:
            return self.tmux("capture-pane", "-p", "-t", self.name)
        except subprocess.CalledProcessError:
            return ""

    def wait_screen(self, text: str, timeout: float = 30) -> None:
        assert wait_for(lambda: text in self.screen(), timeout, 0.1), self.screen()

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def status(self, timeout: float = 30) -> int:
        """The app's exit status, once it has ended."""
        assert wait_for(lambda: self.rcfile.exists() and self.rcfile.read_text().strip(), timeout)
        return int(self.rcfile.read_text())

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
        try:  # only if still ours: pids are reused within seconds here
            if b"tui" in Path(f"/proc/{self.pid}/cmdline").read_bytes().split(b"\0"):
                os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture
def apps():
    started: list[AppInTmux] = []

    def start(tmp_path: Path, *args: str) -> AppInTmux:
        app = AppInTmux(tmp_path, *args)
        started.append(app)
        return app

    yield start
    for app in started:
        app.close()


@IN_TMUX
@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("mode", ["launch", "attach"])
def test_a_signal_to_the_app_ends_the_trace_cleanly(tmp_path, family, apps, mode, signo):
    """Launched programs die with the app; attached ones are let go and keep running."""
    if mode == "launch":
        prog = compile_c(PARENT_AND_CHILD, name="targets")
        app = apps(tmp_path, "-E", family.assignment, str(prog))
        pids = family.wait_count(2)
        alive: set[int] = set()
    else:
        pids = set(start_targets(family))
        app = apps(tmp_path, *attach_args(sorted(pids)))
        alive = pids
    assert wait_for(lambda: all(tracer_of(t) == app.pid for p in pids for t in tids(p)), 30)
    app.wait_screen("RUNNING")
    os.kill(app.pid, signo)
    assert app.status() == 128 + signo
    if signo != signal.SIGKILL:
        assert app.tmux("display", "-p", "-t", app.name, "#{alternate_on}").strip() == "0"
    assert_left_clean(family, alive=alive)


@IN_TMUX
@pytest.mark.parametrize(("mode", "end"), [("launch", "q"), ("attach", "q"), ("attach", "SIGKILL")])
def test_ending_the_app_while_the_program_is_paused(tmp_path, family, apps, mode, end):
    """`p` holds every thread (state t); `q` then kills a launched program and lets an
    attached one run; a SIGKILLed app leaves the kernel to let the attached one run."""
    if mode == "launch":
        prog = compile_c(PARENT_AND_CHILD, name="targets")
        app = apps(tmp_path, "-E", family.assignment, str(prog))
        pids = family.wait_count(2)
        alive: set[int] = set()
    else:
        pids = set(start_targets(family))
        app = apps(tmp_path, *attach_args(sorted(pids)))
        alive = pids
    assert wait_for(lambda: all(tracer_of(t) == app.pid for p in pids for t in tids(p)), 30)
    app.wait_screen("RUNNING")
    app.keys("p")
    app.wait_screen("PAUSED")
    assert wait_for(lambda: all(proc_state(t) == "t" for p in pids for t in tids(p)))
    if end == "q":
        app.keys("q")
        app.status()
        assert "Traceback" not in app.screen()
    else:
        os.kill(app.pid, signal.SIGKILL)
        app.status()
    assert_left_clean(family, alive=alive)


FLOOD = r"""
#include <string.h>
#include <unistd.h>
int main(void) {
    static char buf[1 << 16];
    memset(buf, 'x', sizeof buf);
    for (int i = 0; i < (int)sizeof buf; i += 100) buf[i] = '\n';
    for (;;) write(1, buf, sizeof buf);
}
"""


@IN_TMUX
def test_quitting_the_app_while_the_program_is_blocked_on_its_pty(tmp_path, family, apps):
    """The program floods its pty and blocks in write; `q` still ends both."""
    prog = compile_c(FLOOD, name="flood")
    app = apps(tmp_path, "-E", family.assignment, str(prog))
    [pid] = family.wait_count(1)
    app.wait_screen("RUNNING")
    assert wait_for(lambda: blocked_in(pid, 1), timeout=20), proc_state(pid)
    app.keys("q")
    app.status()
    assert "Traceback" not in app.screen()
    assert_left_clean(family)
