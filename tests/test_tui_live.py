"""The explorer on real traced programs: what a user does, and what they must see.

Each test launches a small Python program under a real TraceSession with its
own pty, drives the app with Textual's pilot and checks the screen state
against facts the program or the store computes (never pasted output).
"""

from __future__ import annotations

import os
import sys
import textwrap
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tracer.options import TraceOptions
from tracer.session import TraceSession
from tui.app import TraceApp
from tui.screens.detail import SyscallDetailScreen
from tui.testing import run_async, screen_text, settle
from tui.widgets.panes import ErrorsPane, ProcessesPane

pytestmark = pytest.mark.timeout(90)

PROGRAM = textwrap.dedent(
    """
    import os, sys, time
    missing, mode = sys.argv[1], sys.argv[2]
    for _ in range(3):
        try:
            open(missing)
        except OSError:
            pass
    child = os.fork()
    if child == 0:
        for _ in range(5):
            os.getppid()
        os._exit(0)
    os.waitpid(child, 0)
    os.write(1, b"long:" + b"z" * 60 + b"\\n")
    print("\\x1b[32mready\\x1b[0m", flush=True)
    if mode == "echo":
        line = sys.stdin.readline()
        print("got:", line.strip(), flush=True)
    elif mode == "loop":
        while True:
            time.sleep(0.02)
            os.getppid()
    """
)


@pytest.fixture
def program(tmp_path: Path) -> tuple[Path, str]:
    script = tmp_path / "prog.py"
    script.write_text(PROGRAM)
    # Longer than strsize (32): the list truncates it, the detail screen must not.
    missing = str(tmp_path / ("no-such-dir-" + "x" * 40) / "config.toml")
    return script, missing


@asynccontextmanager
async def traced(program, mode: str, size=(150, 40)):
    script, missing = program
    master, slave = os.openpty()
    session = TraceSession(
        TraceOptions(command=[sys.executable, str(script), missing, mode], tty_fd=slave)
    )
    try:
        session.start()
    finally:
        os.close(slave)
    app = TraceApp(session, master, "test")
    try:
        async with app.run_test(size=size) as pilot:
            yield app, pilot
    finally:
        session.stop()
        os.close(master)


def rows_named(store, name: str) -> list[int]:
    return [r for r in range(len(store)) if store.is_syscall(r) and store.name(r) == name]


def failed_open_rows(store, path: str) -> list[int]:
    return [
        r
        for r in rows_named(store, "openat")
        if store.failed(r) and path in store.rendered(r).args[1].text
    ]


@run_async
async def test_typing_a_filter_shows_only_matching_rows(program):
    """The user types /openat: only openat calls remain, each keystroke refilters."""
    async with traced(program, "exit") as (app, pilot):
        await settle(app, pilot)
        total = len(app.store)
        await pilot.press("slash", *"openat")
        expected = rows_named(app.store, "openat")
        await settle(app, pilot, until=lambda: app.syscall_list.count == len(expected))
        lst = app.syscall_list
        assert 0 < lst.count == len(expected) < total
        assert [lst.row_at(i) for i in range(lst.count)] == expected
        assert "openat" in app.status.filter_text or "openat" in app.view.user_text
        await pilot.press("escape")  # closes the bar, keeps the filter
        await settle(app, pilot)
        assert not app.filter_bar.display and lst.count == len(expected)
        visible = [line for line in screen_text(app).splitlines() if " openat(" in line]
        assert visible, "filtered rows are on screen"


@run_async
async def test_invalid_filter_shows_message_and_keeps_list(program):
    """A filter that does not parse gets an inline message; the list stays as it was."""
    async with traced(program, "exit") as (app, pilot):
        await settle(app, pilot)
        before = app.syscall_list.count
        await pilot.press("slash", *"name:not_a_syscall")
        await settle(app, pilot, until=lambda: True)
        error = app.filter_bar.query_one("#filter-error")
        assert error.display and "not_a_syscall" in str(error.render())
        # The prefix "name" was a valid word filter; fix the text and the list follows again.
        await pilot.press(*["backspace"] * len("name:not_a_syscall"))
        await settle(app, pilot, until=lambda: app.syscall_list.count == before)
        assert app.syscall_list.count == before and not error.display


def proc_state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0]


@run_async
async def test_pause_stops_the_tracee_and_resume_runs_it(program):
    """p pauses: the program is stopped (t/T in /proc/PID/stat); p again and it runs."""
    async with traced(program, "loop") as (app, pilot):
        await settle(app, pilot, until=lambda: "ready" in "".join(app.output_pane.text_lines))
        pid = app.models.processes.roots()[0].pid
        await pilot.press("p")
        await settle(app, pilot, until=lambda: proc_state(pid) in "tT", timeout=20)
        assert proc_state(pid) in "tT"
        assert app.status.state == "PAUSED"
        count = len(app.store)
        await settle(app, pilot, until=lambda: False, timeout=0.3)
        assert len(app.store) == count, "no events while paused"
        await pilot.press("p")
        await settle(app, pilot, until=lambda: len(app.store) > count + 20, timeout=20)
        assert len(app.store) > count + 20, "the program runs again"
        assert app.status.state == "RUNNING"


async def open_detail(app, pilot, row: int) -> str:
    app.syscall_list.move_to(app.syscall_list.index_of(row))
    app.syscall_list.focus()
    await pilot.press("enter")
    await settle(app, pilot, until=lambda: isinstance(app.screen, SyscallDetailScreen))
    assert isinstance(app.screen, SyscallDetailScreen)
    return screen_text(app)


@run_async
async def test_enter_opens_the_syscall_detail(program):
    """Enter on a failed open shows the errno meaning; on a long write, the whole buffer."""
    script, missing = program
    async with traced(program, "exit") as (app, pilot):
        await settle(app, pilot)
        text = await open_detail(app, pilot, failed_open_rows(app.store, missing[:20])[0])
        assert "ENOENT" in text and "No such file or directory" in text
        assert "config.toml" in text
        await pilot.press("escape")
        await settle(app, pilot, until=lambda: not isinstance(app.screen, SyscallDetailScreen))
        assert not isinstance(app.screen, SyscallDetailScreen)

        write = [r for r in rows_named(app.store, "write") if "long:" in app.store.line(r)][0]
        assert "z" * 60 not in app.store.line(write), "the list truncates buffers (strsize)"
        text = await open_detail(app, pilot, write)
        assert "z" * 60 in text, "the detail shows the buffer untruncated"
        assert "7a 7a 7a 7a" in text, "and a hex dump of the captured memory"


@run_async
async def test_selecting_a_process_narrows_the_list(program):
    """Enter on the child in the processes pane: only the child's events remain."""
    async with traced(program, "exit") as (app, pilot):
        await settle(app, pilot)
        tree = app.models.processes
        parent = tree.roots()[0]
        child = tree.children(parent.pid)[0]
        pane = app.query_one(ProcessesPane)
        await pilot.press("1")
        pane.focus()
        await settle(app, pilot, until=lambda: pane.row_count >= 2)
        while pane.highlighted_pid != child.pid:
            await pilot.press("down")
        await pilot.press("enter")
        expected = [r for r in range(len(app.store)) if app.store.pid(r) == child.pid]
        await settle(app, pilot, until=lambda: app.syscall_list.count == len(expected))
        lst = app.syscall_list
        assert [lst.row_at(i) for i in range(lst.count)] == expected
        assert str(child.pid) in app.status.view_label
        await pilot.press("a")  # all processes again
        await settle(app, pilot, until=lambda: app.syscall_list.count == len(app.store))
        assert app.syscall_list.count == len(app.store)


@run_async
async def test_errors_pane_groups_the_repeated_failure(program):
    """The three failed opens of the same missing file are one group of 3; Enter lists them."""
    script, missing = program
    async with traced(program, "exit") as (app, pilot):
        await settle(app, pilot)
        expected = failed_open_rows(app.store, missing[:20])
        assert len(expected) == 3
        await pilot.press("3")
        pane = app.query_one(ErrorsPane)
        await settle(app, pilot, until=lambda: pane.row_count > 0)
        groups = app.models.error_rows()
        ours = [
            g for g in groups if g.syscall == "openat" and g.errno == "ENOENT" and g.path == missing
        ]
        assert len(ours) == 1 and ours[0].count == 3
        pane.focus()
        pane.move_cursor(row=groups.index(ours[0]))
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: app.syscall_list.count == 3)
        lst = app.syscall_list
        assert [lst.row_at(i) for i in range(lst.count)] == expected


@run_async
async def test_output_pane_shows_output_and_takes_input(program):
    """The program's coloured output appears; keys typed in the Output pane reach it."""
    async with traced(program, "echo") as (app, pilot):
        await settle(app, pilot, until=lambda: "ready" in app.output_pane.text_lines)
        assert "ready" in app.output_pane.text_lines  # colours parsed, not shown as escapes
        await pilot.press("o", *"hello", "enter")
        await settle(app, pilot, until=lambda: "got: hello" in app.output_pane.text_lines)
        assert "got: hello" in app.output_pane.text_lines
        assert app.trace_ended
        assert app.status.state == "EXITED"  # the trace stays open after the program exits
