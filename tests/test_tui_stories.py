"""A strace user's stories, each on a real traced program, driven by keys (pilot).

Keys, panes and values a first-time user met (issue 12): the help screen
scrolls, a handler's bug never ends the trace, keys typed right after `/` land
in the filter, a bad filter leaves the list alone, the Errors, Files and Output
panes show what they must and follow what they must.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import textwrap
from pathlib import Path

import pytest
from textual import events

from tui.messages import RowHighlighted
from tui.screens.detail import SyscallDetailScreen
from tui.screens.help import HelpScreen
from tui.testing import run_async, screen_text, settle, traced_app
from tui.widgets.panes import ErrorsPane

pytestmark = pytest.mark.timeout(120)


def traced(command: list[str], size=(150, 40)):
    return traced_app(command, size)


def script(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "prog.py"
    path.write_text(textwrap.dedent(text))
    return [sys.executable, str(path)]


LS = [shutil.which("ls") or "/bin/ls", "/etc/hostname", "/no-such-file-for-tracetui"]
LOOP = """
    import os, time
    while True:
        os.getppid()
        time.sleep(0.02)
"""


@run_async
async def test_down_and_pagedown_scroll_the_help_screen():
    """? then Down, PageDown, End: the help scrolls; the app and the trace go on."""
    async with traced(LS, size=(100, 24)) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot, until=lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("down", "pagedown", "end")
        await settle(app, pilot, until=lambda: True)
        assert isinstance(app.screen, HelpScreen) and app.is_running
        body = app.screen.query_one("#help-body")
        assert body.scroll_offset.y > 0, "the keys below the fold are reachable"
        await pilot.press("escape")
        await settle(app, pilot, until=lambda: not isinstance(app.screen, HelpScreen))
        assert app.screen is app.main_screen


@run_async
async def test_a_handler_that_raises_costs_a_notification_not_the_trace(tmp_path):
    """A widget posting a row that does not exist (a bug) is reported; the program runs on."""
    async with traced(script(tmp_path, LOOP)) as (app, pilot):
        await settle(app, pilot, until=lambda: len(app.store) > 50, timeout=20)
        app.syscall_list.post_message(RowHighlighted(10**9))
        await settle(app, pilot, until=lambda: bool(app.contained_errors), errors_allowed=True)
        assert app.is_running and "IndexError" in app.contained_errors[0]
        count = len(app.store)
        await settle(app, pilot, until=lambda: len(app.store) > count + 20, errors_allowed=True)
        assert len(app.store) > count + 20, "the trace goes on"
        pid = app.models.processes.roots()[0].pid
        assert Path(f"/proc/{pid}").exists(), "the traced program was not killed"
        app.contained_errors.clear()


@run_async
async def test_the_stack_pane_gone_at_shutdown_does_not_fail_a_row_highlight(tmp_path):
    """While the app tears its panes down, a highlight still queued must be harmless."""
    async with traced(script(tmp_path, LOOP)) as (app, pilot):
        await settle(app, pilot, until=lambda: len(app.store) > 50, timeout=20)
        await app.side_panes.remove()
        app.syscall_list.action_cursor_up()
        await settle(app, pilot, until=lambda: True)
        assert app.is_running and not app.contained_errors


@run_async
async def test_a_burst_of_keys_after_slash_all_land_in_the_filter():
    """`/openat` pasted (the terminal delivers it in one read): every key reaches the bar."""
    async with traced(LS) as (app, pilot):
        await settle(app, pilot)
        for key, char in [("slash", "/"), *[(c, c) for c in "openat"]]:
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await settle(app, pilot, until=lambda: app.filter_bar.input.value == "openat")
        assert app.filter_bar.input.value == "openat"
        assert app.view.user_text == "openat"
        assert app.status.filter_text, "e (errors only) did not reach the list"


@pytest.mark.parametrize("bad", ["fd:x", "pid:abc"])
@run_async
async def test_an_invalid_filter_typed_key_by_key_leaves_the_list_as_it_was(bad):
    """Typing `fd:x`: `fd` filtered on the way, but once invalid the list is whole again."""
    async with traced(LS) as (app, pilot):
        await settle(app, pilot)
        before = app.syscall_list.count
        await pilot.press("slash", *bad)
        await settle(app, pilot, until=lambda: app.syscall_list.count == before)
        error = app.filter_bar.query_one("#filter-error")
        assert error.display
        assert app.syscall_list.count == before and app.view.filter is None


@run_async
async def test_three_focuses_the_errors_pane_with_home_end_and_orders(tmp_path):
    """3 focuses Errors; End/Home move there; t orders by first seen; long paths whole."""
    long_dir = "/no-such-dir-" + "y" * 60
    cmd = script(
        tmp_path,
        f"""
        import os
        try:
            open({long_dir + "/once.conf"!r})  # the one-off culprit, first
        except OSError:
            pass
        for _ in range(5):
            try:
                os.stat("/no-such-flood")
            except OSError:
                pass
        """,
    )
    async with traced(cmd) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("3")
        pane = app.query_one(ErrorsPane)
        await settle(app, pilot, until=lambda: pane.row_count > 1)
        assert pane.has_focus
        await pilot.press("end")
        assert pane.cursor_row == pane.row_count - 1
        await pilot.press("home")
        assert pane.cursor_row == 0
        by_count = app.models.error_rows("count")
        await pilot.press("t")  # first seen
        await settle(app, pilot, until=lambda: pane.order == "first")
        by_first = app.models.error_rows("first")
        assert by_first != by_count
        culprit = next(i for i, g in enumerate(by_first) if "once.conf" in g.path)
        flood = next(i for i, g in enumerate(by_first) if "no-such-flood" in g.path)
        assert culprit < flood
        shown = [
            str(pane.get_row_at(i)[-1]) for i in range(pane.row_count)
        ]  # the path cells, in the order shown
        assert shown == [g.path for g in by_first]
        assert f"{long_dir}/once.conf" in shown, "the path is whole, not cut with an ellipsis"


@run_async
async def test_the_output_pane_follows_the_end_of_long_output():
    """3000 lines then END: the Output pane shows END without scrolling."""
    cmd = [sys.executable, "-c", "print(*range(3000), 'END', sep='\\n', flush=True)"]
    async with traced(cmd) as (app, pilot):
        await settle(app, pilot, until=lambda: "END" in app.output_pane.text_lines, timeout=30)
        await pilot.press("5")
        await settle(app, pilot, until=lambda: True)
        lines = screen_text(app).splitlines()
        assert any(line.rstrip().endswith("END") for line in lines), "END is on screen"


@run_async
async def test_output_line_by_line_is_not_painted_line_by_line(tmp_path):
    """A program writing a line a call (a terminal's line buffering) does not repaint the
    Output pane once per line: hidden, it catches up when shown (`find` printing 30,000
    paths took 21 s in the explorer so; 3 s since)."""
    cmd = script(
        tmp_path,
        """
        import os, time
        for i in range(300):
            os.write(1, b"line %d\\n" % i)
            time.sleep(0.002)
        os.write(1, b"END\\n")
        """,
    )
    async with traced(cmd) as (app, pilot):
        pane = app.output_pane
        repaints = []
        plain_refresh = pane.refresh
        pane.refresh = lambda *a, **k: (repaints.append(1), plain_refresh(*a, **k))[1]
        await settle(app, pilot, until=lambda: "END" in pane.text_lines, timeout=30)
        assert len(pane.text_lines) == 301
        assert len(repaints) < 30, f"{len(repaints)} repaints of a hidden pane for 301 lines"
        await pilot.press("5")
        await settle(app, pilot, until=lambda: True)
        lines = screen_text(app).splitlines()
        assert any(line.rstrip().endswith("END") for line in lines), "END is on screen"


@run_async
async def test_the_files_pane_follows_the_highlighted_process_after_the_trace_ends(tmp_path):
    """Once the program is done, moving to the child's row shows the child's fds."""
    cmd = script(
        tmp_path,
        """
        import os
        pid = os.fork()
        if pid == 0:
            open("/etc/hostname")
            os._exit(0)
        os.waitpid(pid, 0)
        """,
    )
    async with traced(cmd) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("2")
        app.syscall_list.focus()
        parent = app.models.processes.roots()[0].pid
        child = app.models.processes.children(parent)[0].pid
        tab = app.side_panes.tabs.get_tab("files")
        await settle(app, pilot, until=lambda: f"Files {parent}" in str(tab.label))
        lst = app.syscall_list
        lst.move_to(next(i for i in range(lst.count) if app.store.pid(lst.row_at(i)) == child))
        await settle(app, pilot, until=lambda: f"Files {child}" in str(tab.label))
        assert f"Files {child}" in str(tab.label)
        assert any(r.target == "/etc/hostname" for r in app.models.fd_rows(child))


@run_async
async def test_a_kernel_restart_errno_has_its_kernel_name_in_the_detail():
    """sleep stopped and continued: its clock_nanosleep fails with ERESTART_RESTARTBLOCK."""
    async with traced(["sleep", "3"]) as (app, pilot):

        def sleeping() -> int | None:
            calls = [c for c in app.session.inflight() if "sleep" in app.store.table.name(c.nr)]
            return calls[0].pid if calls else None

        await settle(app, pilot, until=lambda: sleeping() is not None, timeout=20)
        pid = sleeping()
        os.kill(pid, signal.SIGSTOP)
        await pilot.pause(0.3)
        os.kill(pid, signal.SIGCONT)
        rows = lambda: [r for r in range(len(app.store)) if app.store.errno(r) == 516]  # noqa: E731
        await settle(app, pilot, until=lambda: bool(rows()), timeout=20)
        app.syscall_list.move_to(app.syscall_list.index_of(rows()[0]))
        app.syscall_list.focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SyscallDetailScreen))
        text = screen_text(app)
        assert "ERESTART_RESTARTBLOCK" in text and "Interrupted by signal" in text
        assert "Unknown error" not in text


@run_async
async def test_an_execs_detail_shows_the_whole_command_line_and_the_environment(tmp_path):
    """The first execve: every argument whole (the list cuts at -s), and the environment."""
    long_arg = "an-argument-longer-than-thirty-two-characters-" + "z" * 20
    cmd = ["/bin/echo", long_arg]
    async with traced(cmd) as (app, pilot):
        await settle(app, pilot)
        execve = next(r for r in range(len(app.store)) if app.store.name(r) == "execve")
        app.syscall_list.move_to(app.syscall_list.index_of(execve))
        app.syscall_list.focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SyscallDetailScreen))
        text = screen_text(app)
        assert long_arg[:32] + '"...' in text, "the argv the tracer cut at -s says so"
        assert f"argv[1]  {long_arg}" in text, "and the exec's command line is whole"
        assert "Environment" in text and app.screen.query("#detail-env")
