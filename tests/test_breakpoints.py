"""Syscall breakpoints (issue #17): a thread held at a call's entry, then continued,
stepped, run to its exit or failed with an errno. Real programs, real ptrace."""

from __future__ import annotations

import os
import select
import time

import pytest
from textual.widgets import Input

from tests.conftest import collect, compile_c, proc_state, tracer_of, wait_for
from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.steer.rules import parse_breakpoint
from tracer.steer.steering import Steering

pytestmark = pytest.mark.timeout(120)

WRITER = r"""
/* Says hello on stdout with one write(2), then reports how its close(-1) went on stderr... */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    write(1, "hello\n", 6);
    int r = close(1000);
    char msg[64];
    int n = snprintf(msg, sizeof msg, "close %d %s\n", r, r < 0 ? strerror(errno) : "ok");
    write(1, msg, n);
    return 0;
}
"""


def _start(prog: str, *filters: str, all_stop: bool = False) -> tuple[TraceSession, int]:
    r, w = os.pipe()
    steering = Steering(breakpoints=[parse_breakpoint(f) for f in filters], all_stop=all_stop)
    session = TraceSession(TraceOptions(command=[prog], tty_fd=w), steering=steering)
    session.start()
    os.close(w)
    return session, r


def _next_hit(session: TraceSession, events: list, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events.extend(session.drain())
        hits = session.take_breakpoint_hits()
        if hits:
            return hits[0]
        time.sleep(0.01)
    raise AssertionError("no breakpoint hit")


def _pending_output(fd: int) -> bytes:
    if not select.select([fd], [], [], 0)[0]:
        return b""
    return os.read(fd, 4096)


def _read_all(fd: int) -> bytes:
    out = b""
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            return out
        out += chunk


def test_a_write_breakpoint_holds_the_program_before_it_writes(tracer_loop):
    prog = str(compile_c(WRITER, name="bp_writer"))
    session, out = _start(prog, "name:write")
    events: list = []
    try:
        hit = _next_hit(session, events)
        assert hit.nr == 1 and not hit.at_exit
        time.sleep(0.1)
        assert _pending_output(out) == b""  # held before the kernel ran the write
        assert proc_state(hit.tid) == "t" and tracer_of(hit.tid) == os.getpid()
        assert session.held_tids() == {hit.tid}
        # The held call is a row in progress (Unfinished) already.
        assert any(type(e).__name__ == "Unfinished" and e.call.nr == 1 for e in events)
        assert session.break_action(hit.tid, "continue")
        assert wait_for(lambda: b"hello" in _pending_output(out) or session.held_tids())
    finally:
        session.steer(lambda s: s.breakpoints.clear())
        for tid in session.held_tids():
            session.break_action(tid, "continue")
        collect(session)
        os.close(out)


def test_step_holds_the_thread_at_its_next_syscall(tracer_loop):
    prog = str(compile_c(WRITER, name="bp_writer"))
    session, out = _start(prog, 'name:write "hello"')
    events: list = []
    try:
        hit = _next_hit(session, events)
        assert session.break_action(hit.tid, "step")
        step = _next_hit(session, events)
        assert step.tid == hit.tid and step.breakpoint == 0 and step.nr == 3  # close(1000)
        assert proc_state(step.tid) == "t"
        assert _read_all_nonblocking(out) == b"hello\n"
        assert session.break_action(step.tid, "continue")
        rest = collect(session)
        assert b"close -1 Bad file descriptor" in _read_all(out)
        assert rest[-1].exit_status == 0
    finally:
        os.close(out)


def _read_all_nonblocking(fd: int) -> bytes:
    time.sleep(0.1)
    return _pending_output(fd)


def test_run_to_exit_holds_the_thread_after_the_call_with_its_result(tracer_loop):
    prog = str(compile_c(WRITER, name="bp_writer"))
    session, out = _start(prog, "name:close fd:1000")
    events: list = []
    try:
        hit = _next_hit(session, events)
        assert session.break_action(hit.tid, "exit")
        at_exit = _next_hit(session, events)
        assert at_exit.at_exit and at_exit.tid == hit.tid
        assert proc_state(hit.tid) == "t"
        done = [e for e in events if type(e).__name__ == "Resumed" and e.call.nr == 3]
        assert done and done[-1].call.error == 9  # EBADF, known while still held
        assert session.break_action(hit.tid, "continue")
        collect(session)
        assert b"close -1 Bad file descriptor" in _read_all(out)
    finally:
        os.close(out)


def test_fail_with_an_errno_injects_into_the_held_call(tracer_loop):
    prog = str(compile_c(WRITER, name="bp_writer"))
    session, out = _start(prog, "name:close fd:1000")
    events: list = []
    try:
        hit = _next_hit(session, events)
        assert session.break_action(hit.tid, "fail", 13)  # EACCES
        events += collect(session)
        assert b"close -1 Permission denied" in _read_all(out)
        call = next(e.call for e in events if type(e).__name__ == "Resumed" and e.call.nr == 3)
        assert call.error == 13 and call.injected
    finally:
        os.close(out)


THREADS = r"""
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static void *other(void *arg) {
    for (int i = 0; i < 200; i++) { syscall(SYS_getpid); usleep(1000); }
    return arg;
}
int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    usleep(20000);
    syscall(SYS_getppid);
    pthread_join(t, NULL);
    return 0;
}
"""


@pytest.mark.parametrize("all_stop", [False, True])
def test_other_threads_run_on_unless_all_stop(tracer_loop, all_stop):
    prog = str(compile_c(THREADS, name="bp_threads"))
    session, out = _start(prog, "name:getppid", all_stop=all_stop)
    events: list = []
    try:
        hit = _next_hit(session, events)
        pid = hit.pid
        others = [int(t) for t in os.listdir(f"/proc/{pid}/task") if int(t) != hit.tid]
        assert others
        other_calls: list = []

        def calls_of_others() -> int:
            events.extend(session.drain())
            other_calls[:] = [e for e in events if getattr(e, "tid", 0) in others]
            return len(other_calls)

        if all_stop:
            assert wait_for(lambda: proc_state(others[0]) == "t") and session.paused
            # The kernel stops the thread before the worker has sent what that stop ended
            # (its call so far): wait for the count to stay put, then that it stays so.
            counts = [calls_of_others()]

            def quiet() -> bool:
                time.sleep(0.1)
                counts.append(calls_of_others())
                return counts[-1] == counts[-2]

            assert wait_for(quiet, timeout=5)
            time.sleep(0.3)
            assert calls_of_others() == counts[-1]  # held with the rest
        else:
            before = calls_of_others()
            assert wait_for(lambda: calls_of_others() > before + 10)  # runs on meanwhile
            assert not session.paused and session.held_tids() == {hit.tid}
        assert session.break_action(hit.tid, "continue")
        assert wait_for(lambda: not session.paused)
        rest = collect(session)
        assert rest[-1].exit_status == 0
    finally:
        os.close(out)


def test_quitting_while_held_leaves_nothing_stopped(tracer_loop):
    """An attached program held at a breakpoint is let go when tracing stops: it runs on,
    untraced, and makes the call it was held at."""
    import subprocess

    prog = str(
        compile_c(WRITER.replace("int main(void) {", "int main(void) { sleep(1);"), name="bp_late")
    )
    child = subprocess.Popen([prog], stdout=subprocess.PIPE)
    try:
        steering = Steering(breakpoints=[parse_breakpoint("name:write")])
        session = TraceSession(TraceOptions(attach=[child.pid]), steering=steering)
        session.start()
        hit = _next_hit(session, [])
        assert proc_state(hit.tid) == "t"
        session.stop()
        assert wait_for(lambda: tracer_of(child.pid) == 0 if proc_state(child.pid) else True)
        out, _ = child.communicate(timeout=20)
        assert out.startswith(b"hello\n") and child.returncode == 0
    finally:
        if child.poll() is None:
            child.kill()


# ---- the explorer: pilot tests on real programs ------------------------------------------

PILOT_PROG = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    write(1, "hello\n", 6);
    int fd = open("/etc/hostname", O_RDONLY);
    char msg[80];
    int n = snprintf(msg, sizeof msg, "open %s\n", fd < 0 ? strerror(errno) : "ok");
    write(1, msg, n);
    return 0;
}
"""


def _app_on(prog: str, *filters: str):
    from contextlib import asynccontextmanager

    from tui.testing import traced_app

    @asynccontextmanager
    async def run():
        steering = Steering(breakpoints=[parse_breakpoint(f) for f in filters])
        async with traced_app([prog], (160, 40), steering=steering) as (app, pilot):
            yield app, pilot, app.session

    return run()


async def _held(app, pilot):
    from tui.screens.breakpoints import HeldCallScreen
    from tui.testing import settle

    await settle(app, pilot, until=lambda: isinstance(app.screen, HeldCallScreen))
    assert isinstance(app.screen, HeldCallScreen)
    return app.screen


def _run(coro_fn):
    """The app's flows, on the default loop (the engine tests above run under both)."""
    from tui.testing import run_async

    return run_async(coro_fn)


@_run
async def test_pilot_breakpoint_selects_the_held_call_and_continue_lets_it_write():
    """--break name:write: the held write is the selected row, in progress; the process
    shows held (t); `c` lets it write."""
    from tui.testing import settle

    prog = str(compile_c(PILOT_PROG, name="bp_pilot"))
    async with _app_on(prog, 'name:write "hello"') as (app, pilot, session):
        screen = await _held(app, pilot)
        tid = screen.tid
        row = app.syscall_list.row_at(app.syscall_list.cursor)
        assert app.store.name(row) == "write" and app.store.in_progress(row)
        assert proc_state(tid) == "t" and app.status.state == "HELD"
        assert app.models.processes.get(tid).state == "held (t)"
        await pilot.press("c")
        await settle(app, pilot)
        assert app.store.ended.exit_status == 0 and not app.store.in_progress(row)
        assert app.store.line(row).endswith("= 6")


@_run
async def test_pilot_step_then_run_to_exit_shows_the_result_while_held():
    from tui.testing import settle

    prog = str(compile_c(PILOT_PROG, name="bp_pilot"))
    async with _app_on(prog, 'name:write "hello"') as (app, pilot, session):
        screen = await _held(app, pilot)
        tid = screen.tid
        await pilot.press("s")  # to its next syscall: the open
        screen = await _held(app, pilot)
        row = app.syscall_list.row_at(app.syscall_list.cursor)
        assert app.store.name(row) == "openat" and proc_state(tid) == "t"
        await pilot.press("x")  # run it, stop at its exit
        screen = await _held(app, pilot)
        assert screen.at_exit and proc_state(tid) == "t"
        assert app.store.line(row).endswith("= 3</etc/hostname>")
        await pilot.press("c")
        await settle(app, pilot)
        assert app.store.ended.exit_status == 0


@_run
async def test_pilot_fail_with_an_errno_makes_the_open_fail():
    from tui.testing import settle

    prog = str(compile_c(PILOT_PROG, name="bp_pilot"))
    async with _app_on(prog, "path:/etc/hostname") as (app, pilot, session):
        await _held(app, pilot)
        row = app.syscall_list.row_at(app.syscall_list.cursor)
        await pilot.press("f", *["backspace"] * 6, *"ENOSPC", "enter")
        await settle(app, pilot)
        line = app.store.line(row)
        assert "ENOSPC" in line, line
        assert app.painter._injected(row)
        assert "INJECTED" in str(app.painter.paint(row).text)
        await settle(app, pilot, until=lambda: "open" in "".join(app.output_pane.text_lines))
        assert "open No space left on device" in app.output_pane.text_lines


@_run
async def test_pilot_b_sets_a_breakpoint_and_capital_b_lists_and_deletes_it():
    from tui.screens.breakpoints import SteeringScreen, SteerInputScreen
    from tui.testing import settle

    prog = str(compile_c(LOOP_PROG, name="bp_loop"))  # opens /etc/hostname every 0.1 s
    async with _app_on(prog) as (app, pilot, session):
        await pilot.pause(0.2)
        await pilot.press("b")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SteerInputScreen))
        # (the filter pasted, not typed: a pilot key waits ~0.4 s for a live app to idle)
        app.screen.query_one(Input).value = "name:openat path:/etc/hostname"
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: bool(session.steering.breakpoints))
        texts = [b.text for b in session.steering.breakpoints]
        assert texts == ["name:openat path:/etc/hostname"]
        await _held(app, pilot)
        await pilot.press("escape")  # keep it held; B lists it
        await pilot.press("B")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SteeringScreen))
        text = str(app.screen.query_one("#steer-table").get_row_at(0))
        assert "name:openat path:/etc/hostname" in text
        await pilot.press("d")  # delete the breakpoint
        await settle(app, pilot, until=lambda: not session.steering.breakpoints)
        await settle(app, pilot, until=lambda: isinstance(app.screen, SteeringScreen))
        await pilot.press("a")  # a hit holds every thread from now on (--break-all-stop)
        await settle(app, pilot, until=lambda: session.steering.all_stop)
        await settle(app, pilot, until=lambda: isinstance(app.screen, SteeringScreen))
        assert "every thread" in str(app.screen.query_one("#steer-all-stop").render())
        await pilot.press("escape")
        assert len(session.held_tids()) == 1
        tid = next(iter(session.held_tids()))
        assert proc_state(tid) == "t"
        assert session.break_action(tid, "continue")
        assert wait_for(lambda: not session.held_tids())


LOOP_PROG = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 300; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        printf("open%d %s\n", i, fd < 0 ? strerror(errno) : "ok");
        fflush(stdout);
        if (fd >= 0) close(fd);
        usleep(100000);
    }
    return 0;
}
"""


@_run
async def test_pilot_i_fails_the_next_call_like_the_selected_one():
    """`i` on an open of /etc/hostname, `error=ENOSPC count=1`: the next such open fails
    once with ENOSPC (the program says so), and the rule is spent."""
    from tui.screens.breakpoints import SteerInputScreen
    from tui.testing import settle

    prog = str(compile_c(LOOP_PROG, name="bp_loop"))
    async with _app_on(prog) as (app, pilot, session):
        store = app.store

        def an_open() -> int | None:
            rows = [
                r
                for r in range(len(store))
                if store.is_syscall(r) and store.name(r) == "openat" and "hostname" in store.line(r)
            ]
            return rows[-1] if rows else None

        await settle(app, pilot, until=lambda: an_open() is not None)
        app.highlighted_row = an_open()
        await pilot.press("i")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SteerInputScreen))
        values = [i.value for i in app.screen.query("Input")]
        assert values[0] == "name:openat path:/etc/hostname"
        await pilot.press("enter")  # the filter as prefilled; then the action, pasted
        app.screen.query("Input")[1].value = "error=ENOSPC count=1"
        await pilot.press("enter")
        await settle(
            app,
            pilot,
            until=lambda: "No space left on device" in " ".join(app.output_pane.text_lines),
            timeout=30,
        )
        lines = app.output_pane.text_lines
        assert sum("No space left on device" in ln for ln in lines) == 1
        rule = session.steering.rules[0]
        assert rule.hits == 1 and not rule.enabled
