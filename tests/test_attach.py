"""Attaching to running processes, pausing them, and letting them go running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import compile_c, proc_state, run_tracetui, tracer_of, wait_for

from tracer.events import Detached, ProcessStarted, Resumed, Syscall
from tracer.options import TraceOptions
from tracer.session import TraceError, TraceSession
from tracer.syscalls.table import get_table

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("tracer_loop")]

BUSY = r"""
#include <pthread.h>
#include <unistd.h>
static void *spin(void *a) { for (;;) { getppid(); usleep(1000); } return 0; }
int main(void) {
    pthread_t t; pthread_create(&t, 0, spin, 0);
    for (;;) { getppid(); usleep(1000); }
}
"""


@pytest.fixture
def busy():
    prog = compile_c(BUSY, name="busy")
    p = subprocess.Popen([str(prog)])
    wait_for(lambda: len(os.listdir(f"/proc/{p.pid}/task")) == 2)
    yield p
    p.kill()
    p.wait()


def drain_until(session: TraceSession, pred, timeout: float = 10) -> list:
    seen: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(session.drain())
        if pred(seen):
            return seen
        time.sleep(0.01)
    return seen


def syscall_names(events: list) -> set[str]:
    t = get_table()
    out = set()
    for e in events:
        c = e.call if isinstance(e, Resumed) else e
        if isinstance(c, Syscall):
            out.add(t.name(c.nr))
    return out


def test_attach_traces_all_threads_and_detach_leaves_it_running(busy):
    s = TraceSession(TraceOptions(attach=[busy.pid]))
    s.start()
    assert tracer_of(busy.pid) == os.getpid()
    events = drain_until(s, lambda ev: len({e.tid for e in ev if isinstance(e, Syscall)}) >= 2)
    started = [e for e in events if isinstance(e, ProcessStarted)]
    assert started[0].attached and started[0].pid == busy.pid
    assert len({e.tid for e in events if isinstance(e, Syscall)}) == 2
    assert "getppid" in syscall_names(events)
    s.stop()
    assert s.wait(10)
    rest = s.drain()
    assert len([e for e in rest if isinstance(e, Detached)]) == 2
    for tid in os.listdir(f"/proc/{busy.pid}/task"):
        assert tracer_of(int(tid)) == 0
    # Still running, never left stopped: it keeps making progress.
    assert wait_for(lambda: proc_state(busy.pid) in ("R", "S"))
    assert busy.poll() is None


def test_detach_from_a_sleeping_process_leaves_it_sleeping_not_stopped():
    p = subprocess.Popen(["sleep", "30"])
    try:
        wait_for(lambda: proc_state(p.pid) == "S")
        s = TraceSession(TraceOptions(attach=[p.pid]))
        s.start()
        time.sleep(0.2)
        s.stop()
        assert s.wait(10)
        assert tracer_of(p.pid) == 0
        assert wait_for(lambda: proc_state(p.pid) == "S")
        time.sleep(0.1)
        assert proc_state(p.pid) == "S"
        assert p.poll() is None
    finally:
        p.kill()
        p.wait()


def test_pause_holds_the_tracee_and_resume_lets_it_run(busy):
    s = TraceSession(TraceOptions(attach=[busy.pid]))
    s.start()
    try:
        drain_until(s, lambda ev: any(isinstance(e, Syscall) for e in ev))
        assert s.pause()
        assert s.paused
        tids = [int(t) for t in os.listdir(f"/proc/{busy.pid}/task")]
        assert wait_for(lambda: all(proc_state(t) == "t" for t in tids))
        s.drain()
        time.sleep(0.2)
        held = [e for e in s.drain() if isinstance(e, Syscall)]
        assert len(held) <= 2  # at most the calls caught at the moment of pausing
        assert all(proc_state(t) == "t" for t in tids)
        assert s.resume()
        assert not s.paused
        events = drain_until(s, lambda ev: sum(isinstance(e, Syscall) for e in ev) > 10)
        assert sum(isinstance(e, Syscall) for e in events) > 10
    finally:
        s.stop()
        s.wait(10)
    assert wait_for(lambda: proc_state(busy.pid) in ("R", "S"))


def test_stop_while_paused_detaches_and_the_process_runs(busy):
    s = TraceSession(TraceOptions(attach=[busy.pid]))
    s.start()
    assert s.pause()
    assert wait_for(lambda: proc_state(busy.pid) == "t")
    s.stop()
    assert s.wait(10)
    assert tracer_of(busy.pid) == 0
    assert wait_for(lambda: proc_state(busy.pid) in ("R", "S"))


def test_attach_to_an_already_traced_process_says_by_whom():
    p = subprocess.Popen(["sleep", "30"])
    tracer = subprocess.Popen(
        ["strace", "-o", os.devnull, "-p", str(p.pid)], stderr=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: tracer_of(p.pid) == tracer.pid)
        with pytest.raises(TraceError) as err:
            TraceSession(TraceOptions(attach=[p.pid])).start()
        assert str(err.value) == (
            f"cannot attach to pid {p.pid}: already traced by pid {tracer.pid} (strace)"
        )
        proc = run_tracetui("--no-ui", "-p", str(p.pid))
        assert proc.returncode == 1
        assert proc.stderr.strip().splitlines() == [f"tracetui: {err.value}"]
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
        p.kill()
        p.wait()


def test_headless_attach_ends_on_sigint_and_detaches(busy):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    t = subprocess.Popen(
        [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", os.devnull, "-p", str(busy.pid)],
        env=env,
    )
    assert wait_for(lambda: tracer_of(busy.pid) == t.pid)
    t.send_signal(signal.SIGINT)
    assert t.wait(20) == 128 + signal.SIGINT  # as `strace -p` after a Ctrl-C
    assert tracer_of(busy.pid) == 0
    assert wait_for(lambda: proc_state(busy.pid) in ("R", "S"))
    assert busy.poll() is None


def test_stack_capture_can_be_switched_on_while_tracing(busy):
    s = TraceSession(TraceOptions(attach=[busy.pid]))
    s.start()
    try:
        before = drain_until(s, lambda ev: any(isinstance(e, Syscall) for e in ev))
        assert all(e.stack is None for e in before if isinstance(e, Syscall))
        assert s.set_stack_traces(True)
        s.drain()
        after = drain_until(s, lambda ev: sum(isinstance(e, Syscall) for e in ev) > 5)
        stacks = [e.stack for e in after if isinstance(e, Syscall) and e.stack]
        assert stacks, "no stack captured after switching stacks on"
        from tracer.stack import resolve

        resolve(stacks[0])
        assert any(f.function == "main" or f.function == "spin" for f in stacks[0])
    finally:
        s.stop()
        s.wait(10)


def _attach_headless(pid: int, err_path, *options: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    with open(err_path, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "tracer.cli", "--no-ui", *options, "-p", str(pid)],
            env=env,
            stderr=err,
        )


def test_headless_attach_says_attached_and_detached_as_strace_does(busy, tmp_path):
    """`tracetui --no-ui -p PID` tells on stderr, as strace does, that it attached (with the
    thread count) as soon as it has, calls or no calls, and which tasks it let go at the end;
    strace's detach-* tests wait for these lines (without them each waited 1,500 s)."""
    err = tmp_path / "err"
    t = _attach_headless(busy.pid, err, "-o", os.devnull)
    attached = f"tracetui: Process {busy.pid} attached with 2 threads"
    assert wait_for(lambda: attached in err.read_text())
    t.send_signal(signal.SIGTERM)
    assert t.wait(20) == 128 + signal.SIGTERM
    tids = sorted(int(tid) for tid in os.listdir(f"/proc/{busy.pid}/task"))
    lines = err.read_text().splitlines()
    assert lines[0] == attached
    assert sorted(lines[1:]) == sorted(f"tracetui: Process {tid} detached" for tid in tids)


def test_a_process_making_no_calls_is_reported_attached_at_once(tmp_path):
    """A process that makes no syscalls (strace's detach-running: a shell loop) gives the
    tracer nothing to print; the attach line must not wait for a trace line."""
    spinner = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    err = tmp_path / "err"
    try:
        t = _attach_headless(spinner.pid, err)
        assert wait_for(lambda: f"Process {spinner.pid} attached\n" in err.read_text())
        t.send_signal(signal.SIGINT)
        assert t.wait(20) == 128 + signal.SIGINT
        assert err.read_text().endswith(f"tracetui: Process {spinner.pid} detached\n")
        assert wait_for(lambda: proc_state(spinner.pid) == "R")
    finally:
        spinner.kill()
        spinner.wait()


def test_quiet_attach_says_nothing(busy, tmp_path):
    """-q (strace's quiet=attach) silences both lines."""
    err = tmp_path / "err"
    t = _attach_headless(busy.pid, err, "-q", "-o", os.devnull)
    assert wait_for(lambda: tracer_of(busy.pid) == t.pid)
    t.send_signal(signal.SIGINT)
    assert t.wait(20) == 128 + signal.SIGINT
    assert err.read_text() == ""
