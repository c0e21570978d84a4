"""What the explorer redraws while events stream in (tui/data_road.py, the list's lines).

Each redraw costs the app's thread, and so the traced program, CPU time: these check
what is drawn, frame by frame, by recording the regions Textual's compositor repaints.
"""

from __future__ import annotations

import time

from textual._compositor import Compositor

from tests.test_tui_replay import many_events
from tui.app import TraceApp
from tui.data_road import REDRAW_STREAM
from tui.messages import JumpToRow
from tui.replay import ReplaySession
from tui.testing import run_async, settle


@run_async
async def test_the_status_bar_is_never_redrawn_in_a_frame_that_redraws_the_list(monkeypatch):
    """A frame repaints the box around all that changed: the list with the full-width
    status bar is the whole screen. The bar's counters wait for a frame of their own,
    and the list is redrawn at most ten times a second while events stream in."""
    frames: list[tuple[float, list]] = []
    partial = Compositor.render_partial_update

    def recorded(self):
        frames.append((time.monotonic(), list(self._dirty_regions)))
        return partial(self)

    monkeypatch.setattr(Compositor, "render_partial_update", recorded)
    # 10 events a drain, a drain a tick: ~200 events/s, a stream and not a flood.
    session = ReplaySession(many_events(5000), batch=10)
    app = TraceApp(session, None, "redraw", read_proc=False)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(app, pilot, until=lambda: len(app.store) >= 100)
        frames.clear()
        began = time.monotonic()
        start = len(app.store)
        shown = app.status.events
        await settle(app, pilot, until=lambda: len(app.store) >= start + 300)
        took = time.monotonic() - began
        assert not session.finished
        assert app.status.events > shown, "the counters went on"
        lst, bar = app.syscall_list.region, app.status.region
        listed = [regions for _, regions in frames if any(r.overlaps(lst) for r in regions)]
        counted = [regions for _, regions in frames if any(r.overlaps(bar) for r in regions)]
        both = [r for r in listed if any(x.overlaps(bar) for x in r)]
        assert len(listed) >= 5 and counted, (len(listed), len(counted))
        assert both == [], f"{len(both)} of {len(listed)} list frames also redrew the status bar"
        assert len(listed) <= took / REDRAW_STREAM + 2, (len(listed), took)


@run_async
async def test_a_line_that_moved_up_is_the_same_strip_and_a_changed_row_is_drawn_anew():
    """Following, every visible line moves up a place at each redraw: a row's line is
    kept as drawn, so Textual's own caches of it (crops, divisions) serve again."""
    session = ReplaySession(many_events(200), batch=200)
    app = TraceApp(session, None, "strips", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot, until=lambda: session.finished)
        lst = app.syscall_list
        await pilot.press("home")
        await pilot.pause()
        second = lst.render_line(1)
        assert lst.render_line(1) is second
        lst.scroll_to(y=1, animate=False, immediate=True, force=True)
        await pilot.pause()
        assert lst.scroll_offset.y == 1
        assert lst.render_line(0) is second, "the same row one line up: the same strip"
        row = lst.row_at(1)
        lst.rows_added([row])  # its text changed (an unfinished call returned)
        again = lst.render_line(0)
        assert again is not second and again.text == second.text
        cursor_before = lst.render_line(1)
        await pilot.press("down", "down")  # the cursor onto list position 2 (y=1)
        assert lst.cursor == 2
        assert lst.render_line(1) is not cursor_before
        assert lst.render_line(1).text == cursor_before.text


@run_async
async def test_the_list_goes_by_the_rows_it_was_told_of_until_it_is_told_again():
    """Rows ingested since the list's last redraw are not on screen yet: End, the cursor
    and a row's position go by what is shown, and a jump to one first shows them."""
    session = ReplaySession(many_events(3000), batch=100, pause_at=300)
    app = TraceApp(session, None, "pending", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        lst = app.syscall_list
        await settle(app, pilot, until=lambda: len(app.store) >= 300)
        assert lst.count == len(app.store) == 300
        name = app.store.name(0)
        app.set_filter_text(name)  # a filter the jump must keep
        await settle(
            app, pilot, until=lambda: app.view.filter is not None and not app.view.awaiting
        )
        shown = lst.count
        assert 0 < shown < 300
        session.resume()
        app._last_redraw = time.monotonic() + 60  # the list's next redraw is not due
        app.poll_session()  # ingested, as a tick does, and not yet shown
        app.poll_session()
        store = app.store
        ingested = len(store)
        assert ingested > 300 and lst.count == shown
        app._update_status()  # the bar counts what matched, as its event count is live
        assert app.status.shown == len(lst.rows) > shown
        lst.action_last()
        assert lst.cursor == shown - 1
        target = max(r for r in range(300, ingested) if store.name(r) == name)
        assert lst.index_of(target) is None, "not shown yet"
        app.post_message(JumpToRow(target))  # Enter in the Files pane, say
        await pilot.pause()
        assert app.view.filter is not None, "the filter is kept: the row is one it shows"
        assert lst.count > shown and lst.current_row == target
