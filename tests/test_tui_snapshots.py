"""SVG snapshots of the explorer on a replayed, fixed event sequence (tui.replay.demo_events).

Each test is one thing a user does; the screen must match tests/snapshots/<name>.svg.
Update after an intended change:  TRACETUI_UPDATE_SNAPSHOTS=1 pytest tests/test_tui_snapshots.py
"""

from __future__ import annotations

import difflib
import os
import re
import time
from pathlib import Path

import pytest

from tui.replay import blocked_demo, demo_output, replay_app
from tui.testing import run_async, screen_text, settle

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("TRACETUI_UPDATE_SNAPSHOTS") == "1"
SIZE = (140, 34)


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """The detail screen prints wall-clock times: pin the zone so snapshots match anywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _normalise(svg: str) -> str:
    # Rich names its CSS classes after a hash of the content; the content check is what matters.
    return re.sub(r"terminal-\d+", "terminal", svg)


def assert_snapshot(app, name: str) -> None:
    svg = _normalise(app.export_screenshot(title=name))
    path = SNAPSHOTS / f"{name}.svg"
    if UPDATE or not path.exists():
        if not UPDATE:
            path.write_text(svg, encoding="utf-8")
            pytest.fail(f"snapshot {path.name} did not exist; written, check it and re-run")
        path.write_text(svg, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if svg != expected:
        (SNAPSHOTS / f"{name}.actual.svg").write_text(svg, encoding="utf-8")
        diff = "\n".join(
            list(difflib.unified_diff(expected.splitlines(), svg.splitlines(), lineterm=""))[:40]
        )
        pytest.fail(f"{name}: screen differs from the snapshot\n{screen_text(app)}\n{diff}")


@run_async
async def test_main_screen():
    """The user starts tracetui: the syscall list shows the whole story, processes on the right."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert_snapshot(app, "main_screen")


@pytest.mark.parametrize("key,pane", [("2", "files"), ("3", "errors"), ("5", "output")])
@run_async
async def test_side_panes(key, pane):
    """The user switches the side pane with a number key."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        assert_snapshot(app, f"pane_{pane}")


@run_async
async def test_stack_pane_of_selected_call():
    """The user moves to a failed openat that has a stack and opens the Stack pane."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(7):
            await pilot.press("up")
        await pilot.press("4")
        await settle(app, pilot)
        assert_snapshot(app, "pane_stack")


@run_async
async def test_filter_bar_with_error():
    """The user types an invalid filter: an inline message, the list unchanged."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"name:nosuchcall")
        await settle(app, pilot)
        assert_snapshot(app, "filter_error")


@run_async
async def test_detail_screen():
    """The user presses Enter on the failed open of the device."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(7):
            await pilot.press("up")
        await pilot.press("enter")
        await settle(app, pilot)
        assert_snapshot(app, "detail_screen")


@run_async
async def test_help_screen():
    """The user presses ? to see every key."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # The output pane behind it, not a table: a DataTable under a modal screen sizes its
        # columns on a refresh that may or may not have happened (a flaky snapshot).
        await pilot.press("5")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert_snapshot(app, "help_screen")


@run_async
async def test_blocked_read_at_the_tail():
    """The program waits for input: its read(0, ...) is the dimmed last line, not a row."""
    events, inflight = blocked_demo()
    app = replay_app(events, output=demo_output(), inflight=inflight)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, until=lambda: app.syscall_list.inflight_count == 1)
        assert app.syscall_list.count == len(app.store)
        # The rate shown while running is a 2-second window: let it empty, so the bar is fixed.
        await settle(app, pilot, until=lambda: app.status.rate == 0)
        assert_snapshot(app, "blocked_read")


@run_async
async def test_list_scrolled_sideways():
    """The user presses Right three times: the lines move, time and pid stay."""
    app = replay_app(output=demo_output())
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("right", "right", "right")
        await settle(app, pilot)
        assert_snapshot(app, "scrolled_sideways")
