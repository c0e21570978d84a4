"""The explorer on real traced programs: what a user does, and what they must see.

Each test launches a small Python program under a real TraceSession with its
own pty, drives the app with Textual's pilot and checks the screen state
against facts the program or the store computes (never pasted output).
"""

from __future__ import annotations

import json
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
from tui.testing import run_async, screen_text, settle, traced_app
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


def traced(program, mode: str, size=(150, 40)):
    script, missing = program
    return traced_app([sys.executable, str(script), missing, mode], size)


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


NET_PROGRAM = textwrap.dedent(
    """
    import json, os, socket, sys
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.connect(srv.getsockname())
    conn, _ = srv.accept()
    with open(sys.argv[1]) as f:
        f.read()
    r, w = os.pipe()
    for _ in range(300):  # rows after the accept: jumping back to it must scroll
        os.getppid()
    with open(sys.argv[2], "w") as f:  # the facts the screen must show
        json.dump({
            "server_port": srv.getsockname()[1], "client_port": cli.getsockname()[1],
            "srv_fd": srv.fileno(), "cli_fd": cli.fileno(), "conn_fd": conn.fileno(),
            "pipe_r": r, "pipe_w": w,
        }, f)
    os.read(r, 1)  # blocks until the test writes into the pipe
    os.read(r, 1)  # and once more, so the process is still there afterwards
    """
)


@asynccontextmanager
async def traced_net(tmp_path: Path, size=(160, 40)):
    script = tmp_path / "net.py"
    script.write_text(NET_PROGRAM)
    readme = tmp_path / "readme.txt"
    readme.write_text("x")
    facts_file = tmp_path / "facts.json"
    master, slave = os.openpty()
    session = TraceSession(
        TraceOptions(
            command=[sys.executable, str(script), str(readme), str(facts_file)], tty_fd=slave
        )
    )
    try:
        session.start()
    finally:
        os.close(slave)
    app = TraceApp(session, master, "test")
    try:
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot, until=lambda: facts_file.exists(), timeout=20)
            await settle(app, pilot, until=lambda: "}" in facts_file.read_text())
            facts = json.loads(facts_file.read_text())
            yield app, pilot, facts, str(readme)
    finally:
        session.stop()
        os.close(master)


def reads_of(store, fd: int) -> list[int]:
    """Reads of `fd` since the program's last pipe (earlier files had that number too)."""
    pipes = rows_named(store, "pipe2") or rows_named(store, "pipe")
    return [
        r
        for r in rows_named(store, "read")
        if r > pipes[-1] and store.rendered(r).args[0].raw == fd
    ]


@run_async
async def test_a_blocked_read_shows_as_in_progress_below_the_last_row(tmp_path):
    """The program blocks reading a pipe: its read is on screen, dimmed, but not a store row."""
    async with traced_net(tmp_path) as (app, pilot, facts, _):
        lst = app.syscall_list
        r = facts["pipe_r"]
        await settle(app, pilot, until=lambda: lst.inflight_count == 1, timeout=20)
        assert lst.inflight_count == 1 and lst.following
        last_lines = [ln for ln in screen_text(app).splitlines() if f" read({r}" in ln]
        assert last_lines and "in progress" in last_lines[-1]
        assert reads_of(app.store, r) == [], "the call in flight is not in the store"
        assert lst.cursor == lst.count - 1, "the cursor stays on the last real row"

        pid = app.models.processes.roots()[0].pid
        with open(f"/proc/{pid}/fd/{facts['pipe_w']}", "wb", buffering=0) as pipe:
            pipe.write(b"!")
        await settle(app, pilot, until=lambda: len(reads_of(app.store, r)) == 1, timeout=20)
        done = reads_of(app.store, r)
        assert len(done) == 1 and app.store.ret(done[0]) == 1, "the read arrives once, complete"
        # The second read blocks in its turn: one call in flight again, not two.
        await settle(app, pilot, until=lambda: lst.inflight_count == 1, timeout=20)
        assert lst.inflight_count == 1

        await pilot.press("up")  # not following the tail: in-flight rows are not shown
        await settle(app, pilot, until=lambda: lst.inflight_count == 0)
        assert lst.inflight_count == 0


@run_async
async def test_calls_shown_in_flight_stay_while_events_wait(tmp_path):
    """While the last drain left events waiting, the exits of calls that look in flight may
    be among them: the rows below the tail are left as they are (a lagging app on one CPU
    showed and hid such calls every tick, repainting the list each time)."""
    async with traced_net(tmp_path) as (app, pilot, facts, _):
        lst = app.syscall_list
        await settle(app, pilot, until=lambda: lst.inflight_count == 1, timeout=20)
        feed = app.feed
        drain = feed.drain

        def lagging_drain():  # the real drain, then a backlog as a slow app would leave
            update = drain()
            feed.behind = True
            return update

        feed.drain = lagging_drain
        try:
            await pilot.press("up")  # not following: with nothing waiting, this hides them
            polls = app._last_redraw
            await settle(app, pilot, until=lambda: app._last_redraw > polls + 0.3)
            assert lst.inflight_count == 1, "changed while events were waiting"
        finally:
            feed.drain = drain
        await settle(app, pilot, until=lambda: lst.inflight_count == 0)
        assert lst.inflight_count == 0


@run_async
async def test_files_pane_shows_socket_endpoints_closed_fds_and_jumps(tmp_path):
    """Files pane: the sockets' addresses, the closed file, and Enter jumps to accept4."""
    from tui.widgets.panes import FilesPane

    async with traced_net(tmp_path) as (app, pilot, facts, readme):
        await pilot.press("2")
        pane = app.query_one(FilesPane)
        pid = app.models.processes.roots()[0].pid
        await settle(app, pilot, until=lambda: pane.row_count > 5)
        rows = app.models.fd_rows(pid)
        by_fd = {r.fd: r for r in rows if r.open}
        assert f"-> 127.0.0.1:{facts['server_port']}" in by_fd[facts["cli_fd"]].target
        # bind() asked for port 0; getsockname() told the program (and us) the real one.
        assert f"on 127.0.0.1:{facts['server_port']}" in by_fd[facts["srv_fd"]].target
        conn = by_fd[facts["conn_fd"]].target  # the accepted end: the client is its peer
        assert f"from 127.0.0.1:{facts['client_port']}" in conn or conn.endswith(
            f"-> 127.0.0.1:{facts['client_port']}  {conn.rsplit(maxsplit=1)[-1]}"
        )
        closed = [r for r in rows if not r.open and r.target == readme]
        assert len(closed) == 1 and "closed by close" in closed[0].created_by
        assert f"127.0.0.1:{facts['client_port']}" in screen_text(app)

        app.apply_filter_text("name:getppid")  # the accept is hidden: Enter clears the filter
        await settle(app, pilot, until=lambda: app.syscall_list.count < len(app.store))
        target = next(i for i, r in enumerate(rows) if r.open and r.fd == facts["conn_fd"])
        pane.focus()
        pane.move_cursor(row=target)
        await pilot.press("enter")
        lst = app.syscall_list
        await settle(app, pilot, until=lambda: app.store.name(lst.current_row).startswith("accept"))
        row = lst.current_row
        assert app.store.name(row) in ("accept", "accept4")
        assert app.store.ret(row) == facts["conn_fd"] and lst.has_focus
        top = lst.scroll_offset.y
        assert top <= lst.cursor < top + lst.size.height, "the list scrolled to the call"
        assert any(" accept" in line for line in screen_text(app).splitlines())


@run_async
async def test_k_switches_stack_traces_on_and_off(program):
    """k: STACKS ON in the status bar and new calls carry a stack; k again: off."""
    async with traced(program, "loop") as (app, pilot):
        await settle(app, pilot, until=lambda: "ready" in "".join(app.output_pane.text_lines))
        assert not app.session.stack_traces and "STACKS" not in screen_text(app)
        await pilot.press("k")
        await settle(app, pilot, until=lambda: app.status.stacks)
        assert app.session.stack_traces and "STACKS ON" in screen_text(app)
        mark = len(app.store)
        await settle(app, pilot, until=lambda: any(r >= mark for r in app.store.stacks))
        assert any(r >= mark and app.store.stacks[r] for r in app.store.stacks)
        await pilot.press("k")
        await settle(app, pilot, until=lambda: not app.status.stacks)
        assert not app.session.stack_traces and "STACKS ON" not in screen_text(app)
