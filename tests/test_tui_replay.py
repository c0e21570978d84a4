"""Explorer behaviour on a replayed event sequence (deterministic; no ptrace needed).

The tracing itself is covered by tests/test_tui_live.py; these check what the
user does with the list: following, the command palette, error groups, the
program's terminal output.
"""

from __future__ import annotations

import subprocess
import sys

from tui.commands import ACTION_TITLES, ARGUMENT_COMMANDS
from tui.messages import RowChosen
from tui.replay import ReplaySession, demo_events, demo_output, replay_app
from tui.testing import run_async, screen_text, settle
from tui.widgets.panes import ErrorsPane


def many_events(n: int) -> list:
    """The demo story's syscalls repeated with fresh sequence numbers (n rows)."""
    from dataclasses import replace

    from tracer.events import Syscall

    base = [e for e in demo_events() if isinstance(e, Syscall)]
    return [replace(base[i % len(base)], seq=i, start=base[0].start + i * 1e-4) for i in range(n)]


@run_async
async def test_list_follows_until_the_user_scrolls_up_and_end_resumes():
    """Like less +F: new rows are followed at the bottom; moving up stops it; End resumes."""
    from tui.app import TraceApp

    # The stream holds itself after 300 events, so the keys land mid-trace on any machine.
    session = ReplaySession(many_events(3000), batch=100, pause_at=300)
    app = TraceApp(session, None, "follow", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        lst = app.syscall_list
        await settle(app, pilot, until=lambda: len(app.store) >= 300)
        assert session.paused and len(app.store) == 300
        assert lst.following and lst.cursor == lst.count - 1
        await pilot.press("up", "up")
        held = lst.cursor
        assert not lst.following
        session.resume()
        await settle(app, pilot, until=lambda: len(app.store) >= held + 500)
        assert lst.cursor == held, "the cursor stays where the user put it"
        assert lst.count > held + 400
        await pilot.press("end")
        assert lst.following and lst.cursor == lst.count - 1
        await settle(app, pilot, until=lambda: session.finished)
        assert lst.cursor == lst.count - 1 == len(app.store) - 1


@run_async
async def test_every_action_is_in_the_command_palette():
    """Ctrl+P lists the app's actions (pause, filter, errors only, quit ...)."""
    app = replay_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        listed = [c.title for c in app.get_system_commands(app.screen)]
        titles = set(listed)
        for title, _ in ACTION_TITLES.values():
            assert title in titles
        for title, *_ in ARGUMENT_COMMANDS:
            assert title in titles
        bound = {b.action.split("(")[0] for b in app.BINDINGS}
        with_args = {c[2] for c in ARGUMENT_COMMANDS}
        assert bound - {"show_pane", "focus_next_region"} <= set(ACTION_TITLES) | with_args
        twice = sorted(t for t in titles if listed.count(t) > 1)
        assert not twice, f"listed twice in the palette: {twice}"


@run_async
async def test_error_group_enter_shows_its_occurrences():
    """Enter on the openat ENOENT group of the device path lists exactly that failure."""
    app = replay_app()
    async with app.run_test(size=(140, 34)) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        pane = app.query_one(ErrorsPane)
        await settle(app, pilot, until=lambda: pane.row_count == 4)
        groups = app.models.error_rows()
        target = next(i for i, g in enumerate(groups) if g.path == "/dev/vhost-net-example")
        pane.focus()
        pane.move_cursor(row=target)
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: app.syscall_list.count == 1)
        row = app.syscall_list.row_at(0)
        assert "/dev/vhost-net-example" in app.store.line(row) and app.store.failed(row)
        assert "vhost" in app.view.user_text


@run_async
async def test_output_pane_shows_program_output_with_colours_stripped_to_text():
    """What the program printed, CR/LF and colour codes handled, is in the Output pane."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        assert app.output_pane.text_lines == [
            "helper tick 0",
            "helper tick 1",
            "helper tick 2",
            "initialisation failed",
        ]
        await pilot.press("5")
        await settle(app, pilot)
        assert "initialisation failed" in screen_text(app)


@run_async
async def test_enter_in_list_posts_row_chosen_for_the_cursor_row():
    """Enter on the list asks for the detail of the row under the cursor."""
    seen = []
    app = replay_app()
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(app, pilot)
        await pilot.press("home", "down", "down", "enter")
        # The hook sees a message at every node it bubbles through: count distinct ones.
        chosen = {id(m): m.row for m in seen if isinstance(m, RowChosen)}
        assert list(chosen.values()) == [2]


def test_tracer_does_not_import_the_ui():
    """The library stays headless: importing tracer never loads textual or tui."""
    code = (
        "import sys, tracer.session, tracer.store, tracer.filter, tracer.model.fds, "
        "tracer.model.processes, tracer.model.errors\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@run_async
async def test_enter_on_a_stack_frame_shows_its_source(tmp_path):
    """Stack pane, Enter on a frame with a source file: the lines around it, that line marked."""
    from dataclasses import replace

    from tracer.events import Frame, Syscall
    from tui.screens.source import SourceScreen

    source = tmp_path / "server.c"
    source.write_text("".join(f"int line_{n} = {n};\n" for n in range(1, 61)))
    events = demo_events()
    i = next(i for i, e in enumerate(events) if isinstance(e, Syscall) and e.stack)
    frames = [Frame(0x401000, "/usr/bin/server", "handle", 0x10, str(source), 30)]
    events[i] = replace(events[i], stack=frames)
    app = replay_app(events)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        row = next(r for r in range(len(app.store)) if app.store.stacks.get(r) == frames)
        app.syscall_list.move_to(app.syscall_list.index_of(row))
        await pilot.press("4")
        await settle(app, pilot, until=lambda: app.query_one("#stack-view").option_count == 1)
        app.query_one("#stack-view").focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: isinstance(app.screen, SourceScreen))
        assert isinstance(app.screen, SourceScreen)
        text = screen_text(app)
        assert "int line_30 = 30;" in text and "int line_21 = 21;" in text
        assert "int line_5 = 5;" not in text  # only the lines around it


@run_async
async def test_long_lines_scroll_sideways_while_time_and_pid_stay():
    """Right/Shift+Right show the rest of a cut line; the time and pid columns do not move."""
    app = replay_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        lst = app.syscall_list
        width = lst.size.width
        row = next(r for r in range(len(app.store)) if len(app.store.line(r)) > width)
        lst.move_to(lst.index_of(row))
        lst.focus()

        def shown() -> str:
            return lst.render_line(lst.cursor - lst.scroll_offset.y).text.rstrip()

        line = app.store.line(row)
        before = shown()
        prefix = before[: before.index(line[:8])]
        assert prefix.split() == [
            f"{app.store.time(row) - app.painter.t0:.6f}",
            str(app.store.pid(row)),
        ]
        assert line[-12:] not in before and before.endswith("»"), "cut, and marked as cut"
        await pilot.press("right")
        assert lst.column == 8 and shown().startswith(prefix + "«")
        await pilot.press("shift+right")
        after = shown()
        assert after.startswith(prefix + "«") and after.endswith(line[-12:]), after
        await pilot.press(*["right"] * 40)
        stop = lst.column
        await pilot.press("right")
        assert lst.column == stop > 0, "scrolling stops at the end of the longest line shown"
        await pilot.press("shift+left")
        assert shown() == before and lst.column == 0


def test_refining_keystroke_rescans_when_the_previous_result_is_most_of_the_store():
    """Typing `er` after `e`: refine from `e`'s result only when it is small (prefer_refine)."""
    from array import array

    from tracer.filter import parse_filter
    from tui.view import ViewFilter

    view = ViewFilter()
    view.filter, view.upto = parse_filter("e"), 1000
    refined = parse_filter("er")
    view.rows = array("I", range(900))
    assert view.base_for(refined, 1000) is None, "900 of 1000 rows: a fresh scan is cheaper"
    view.rows = array("I", range(0, 1000, 10))
    base = view.base_for(refined, 1000)
    assert base is not None and list(base.rows) == list(range(0, 1000, 10)) and base.upto == 1000
    assert view.base_for(parse_filter("x"), 1000) is None, "not a refinement: fresh scan"


@run_async
async def test_stack_toggle_from_the_command_palette_on_a_replay():
    """The palette's stack command flips the session's setting and the status bar says so."""
    from tui.app import TraceApp

    session = ReplaySession(many_events(100_000), batch=10)  # still running during the test
    app = TraceApp(session, None, "stacks", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot, until=lambda: len(app.store) > 0)
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Stack traces on / off"
        )
        command.callback()
        await settle(app, pilot, until=lambda: app.status.stacks)
        assert session.stack_traces and "STACKS ON" in screen_text(app)
        command.callback()
        await settle(app, pilot, until=lambda: not app.status.stacks)
        assert not session.stack_traces and "STACKS ON" not in screen_text(app)


@run_async
async def test_refilter_shows_the_newest_matches_first_then_the_whole_result(monkeypatch):
    """The worker matches the newest rows first and the list shows them (status says it is
    still matching); the whole result then replaces them and equals a plain match."""
    import tui.refilter
    from tracer.filter import parse_filter
    from tui.app import TraceApp

    monkeypatch.setattr(tui.refilter, "NEWEST_FIRST", 400)
    monkeypatch.setattr(tui.refilter, "PARTIAL_MIN_ROWS", 20)
    results = []

    class RecordingApp(TraceApp):
        def on_filter_result(self, result) -> None:  # Textual calls TraceApp's after this
            results.append((result.partial, list(result.rows), self.status.matching))

    session = ReplaySession(many_events(2000), batch=500)
    app = RecordingApp(session, None, "partial", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot, until=lambda: session.finished and len(app.store) == 2000)
        assert app.apply_filter_text("read")
        await settle(app, pilot, until=lambda: any(not p for p, _, _ in results))
        whole = list(parse_filter("read").match_rows(app.store))
        assert [p for p, _, _ in results] == [True, False]
        newest = results[0][1]
        assert newest and newest == [r for r in whole if r >= 1600], "the last 400 rows first"
        assert results[0][2], "the status bar says matching while the list is partial"
        assert results[1][1] == whole
        assert list(app.syscall_list.rows) == whole and not app.status.matching
        # A partial result is never the base for a refinement: it lacks the older rows.
        app.view.partial = True
        assert app.view.base_for(parse_filter("read 3"), len(app.store)) is None
        app.view.partial = False

        # Scrolled up to an older row: the partial result is not shown (it lacks that
        # row); the whole one keeps the cursor on it.
        lst = app.syscall_list
        await pilot.press("home")
        await pilot.press("down", "down", "down")
        held = lst.current_row
        assert not lst.following and held is not None and held < 1600
        results.clear()
        assert app.apply_filter_text("")  # everything, so the held row stays shown
        assert app.apply_filter_text("e")
        await settle(app, pilot, until=lambda: any(not p for p, _, _ in results))
        assert [p for p, _, _ in results] == [True, False]
        assert lst.current_row == held and not lst.following


def test_a_call_completing_while_the_worker_matches_is_matched_again():
    """A worker matched `err` on a store where a read was still in progress; the read then
    failed before the result arrived: the adopted result includes it (and, negated, drops it)."""
    from array import array

    from tracer.events import Resumed, Syscall, Unfinished
    from tracer.filter import parse_filter
    from tracer.store import EventStore
    from tui.view import FilterResult, ViewFilter

    def call(seq, error=0):
        c = Syscall(seq, 10, 10, 0, (3, 0, 64), 1.0 + seq)
        c.end, c.done, c.ret, c.error = 1.5 + seq, True, -error if error else 5, error
        return c

    for text, expect_blocked_row in (("err", True), ("-err", False)):
        store = EventStore()
        blocked = Syscall(0, 10, 10, 0, (3, 0, 64), 1.0)
        store.append([Unfinished(blocked), call(1), call(2, error=2)])
        view = ViewFilter()
        flt = parse_filter(text)
        generation = view.next_generation()
        stale = flt.match_rows(store)  # what the worker saw: row 0 still in progress
        blocked.end, blocked.done, blocked.ret, blocked.error = 9.0, True, -11, 11
        view.note_changed(store.append([Resumed(blocked)]))  # the app's ingest, meanwhile
        assert (0 in stale) != expect_blocked_row
        assert view.accept(store, FilterResult(flt, array("I", stale), 3, generation))
        assert list(view.rows) == list(flt.match_rows(store))
        assert (0 in view.rows) == expect_blocked_row


@run_async
async def test_past_the_memory_bound_the_oldest_rows_go_with_a_notice():
    """--max-events: the store keeps the newest rows; the count, the notice, the filter,
    the cursor of a user scrolled up and the side panes all follow the renumbering."""
    from tracer.filter import parse_filter
    from tracer.store import EventStore
    from tui.app import TraceApp

    events = many_events(6000)
    session = ReplaySession(events, batch=250, pause_at=2000)
    app = TraceApp(session, None, "bound", read_proc=False, max_rows=2000)
    async with app.run_test(size=(140, 34)) as pilot:
        lst = app.syscall_list
        await settle(app, pilot, until=lambda: len(app.store) >= 2000)
        assert app.store.dropped == 0
        app.set_filter_text("openat")
        await settle(app, pilot, until=lambda: not app.status.matching)
        await pilot.press("home")  # scrolled up: the cursor's row is dropped later
        await pilot.press("down", "down")
        session.resume()
        await settle(app, pilot)
        store = app.store
        assert store.dropped > 0 and len(store) <= 2000
        assert len(store) + store.dropped == 6000
        assert app._drop_noticed
        text = screen_text(app)
        assert "6,000 events" in text and f"oldest {store.dropped:,} dropped" in text
        # The filtered list is the filter's result on what is kept, as a fresh store gives.
        kept = EventStore()
        kept.append(events[store.dropped :])
        assert list(app.view.rows) == list(parse_filter("openat").match_rows(kept))
        assert lst.current_row is not None and lst.current_row < len(store)
        # The errors pane counts the whole trace; its rows point into what is kept.
        for g in app.models.errors.groups("count"):
            assert all(r < len(store) for r in g.rows)
            assert g.first_row == -1 or store.failed(g.first_row)
        # Typing a new filter on the renumbered store works as on a fresh one.
        app.set_filter_text("close")
        await settle(app, pilot, until=lambda: not app.status.matching)
        assert list(app.view.rows) == list(parse_filter("close").match_rows(kept))


@run_async
async def test_the_side_pane_refreshes_less_often_when_it_is_dear_to_draw():
    """A refresh that costs (rebuild + the drawing since the last one) more than a tenth
    of the time until the next is followed by a longer gap, up to 3 s; a cheap one by
    the 0.5 s of a live trace."""
    from tui.data_road import PANE_REFRESH, PANE_REFRESH_MAX

    app = replay_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        side = app.side_panes
        side.take_drawing_time()
        app.refresh_panes()
        assert app._pane_gap == PANE_REFRESH
        side.query_one("#processes-table").drawing_seconds = 0.12  # 120 ms of drawing
        app.refresh_panes()
        assert 1.2 <= app._pane_gap < PANE_REFRESH_MAX
        side.query_one("#processes-table").drawing_seconds = 5.0
        app.refresh_panes()
        assert app._pane_gap == PANE_REFRESH_MAX
