"""The first screen comes before the whole ingest, when every event already waits.

A replay (or a queue that filled before the app started) hands the app all its
events at once. Taking them is a list slice, so a tick that took what 30 ms of
taking gives ingested ~100k events before the first paint (9 s at 1M events in
bench/ui_bench.py). The app must paint rows at once and take the rest in slices,
painting between them. Checked by counts, never by time.
"""

from __future__ import annotations

import pytest

from tracer.events import ProcessStarted, Syscall, TraceEnded
from tui.app import TraceApp
from tui.replay import T0, ReplaySession
from tui.testing import run_async, screen_text, settle
from tui.widgets.syscall_list import SyscallList

pytestmark = pytest.mark.timeout(120)

EVENTS = 250_000
PID = 4242
GETPPID = 110


def waiting_events(n: int) -> list:
    """A process and `n` getppid calls, the last returning a value of its own."""
    events: list = [ProcessStarted(0, PID, PID, 1, T0, argv=["flood"])]
    for i in range(1, n + 1):
        t = T0 + i * 1e-6
        ret = 777_777 if i == n else 1
        events.append(Syscall(i, PID, PID, GETPPID, (), t, t + 5e-7, ret, 0, done=True))
    events.append(TraceEnded(T0 + (n + 1) * 1e-6, exit_status=0))
    return events


@run_async
async def test_a_replay_whose_events_all_wait_shows_rows_before_the_ingest_is_done(
    monkeypatch,
) -> None:
    """A user opens a trace whose 250,000 events are all there: rows show at once, the
    rest arrive in slices with paints between them, and the last call ends on screen."""
    events = waiting_events(EVENTS)
    stored_at_paint: list[int] = []  # rows stored each time the list painted a row
    render_line = SyscallList.render_line

    def noting_render_line(self: SyscallList, y: int):
        if self.row_at(self.scroll_offset.y + y) is not None:
            stored_at_paint.append(len(self.store))
        return render_line(self, y)

    monkeypatch.setattr(SyscallList, "render_line", noting_render_line)
    app = TraceApp(ReplaySession(events), None, "replay", read_proc=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot, timeout=90)
        total = len(app.store)
        text = screen_text(app)
    assert total == len(events) - 1, "every event but the end became a row"
    assert stored_at_paint, "the list painted rows"
    first = stored_at_paint[0]
    assert 0 < first < total, f"the first rows painted waited for {first:,} of {total:,}"
    slices = len(set(stored_at_paint))
    assert slices >= 3, f"the ingest went on between paints ({slices} painted sizes)"
    assert "= 777777" in text, "the last call is on screen once all are in"
