"""The Files pane of a recording being reopened: its fd tables are built a slice at a time.

A reopened recording's fd tables are built when read (`FdTables.defer`). Shown while a
million open/read/close calls loaded, the Files pane built them whole on the app's
thread, 2 s at a time, and `?` went unanswered (found by hand in tmux). Checked by the
work done in one step, never by time: no step on the app's thread applies more than a
slice of the deferred rows.
"""

from __future__ import annotations

import pytest
from conftest import compile_c, run_tracetui

from tracer.model import fds as fd_model
from tui.testing import run_async, settle
from tui.widgets import side_panes

pytestmark = pytest.mark.timeout(120)

OPENS = 20_000

# Keeps /etc/passwd open, opens and closes /etc/hostname argv[1] times.
OPEN_CLOSE_LOOP = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    int keep = open("/etc/passwd", O_RDONLY);
    for (int i = 0; i < n; i++) close(open("/etc/hostname", O_RDONLY));
    return keep < 0;
}
"""


def test_the_files_pane_of_a_reopened_recording_builds_its_tables_a_slice_at_a_time(
    tmp_path, monkeypatch
):
    """The user opens a recording of 40,000 opens and closes with the Files pane shown:
    it says it is building, the app never applies more than a slice of fd rows in one
    step, and once built the pane lists the fd the program kept open."""
    from tracer.formats.session_file import read_session
    from tui.app import TraceApp
    from tui.models import CLOSED_SHOWN
    from tui.recorded import RecordedSession

    prog = compile_c(OPEN_CLOSE_LOOP, name="open_close_loop")
    db = tmp_path / "run.db"
    done = run_tracetui("--no-ui", "-w", str(db), str(prog), str(OPENS))
    assert done.returncode == 0, done.stderr

    # The pane builds nothing itself here, so a refresh while building is seen building
    # (the app's idle slices build the tables, a slice a step).
    monkeypatch.setattr(side_panes, "FILES_CATCH_UP", 0.0)

    async def go() -> None:
        app = TraceApp(RecordedSession(read_session(str(db))), None, "r", read_proc=False)
        fds = app.models.fds
        steps: list[int] = []  # deferred rows applied per step
        apply_rows = fds.apply_rows

        def counted(store, rows) -> None:
            steps.append(len(rows))
            apply_rows(store, rows)

        fds.apply_rows = counted
        app.initial_pane = "files"  # as pressing 2 at once does
        async with app.run_test(size=(160, 50)) as pilot:
            tab = app.side_panes.tabs.get_tab("files")
            # Each refresh of the pane: were the tables still being built, and its label.
            shown: list[tuple[bool, str]] = []
            refresh_active = app.side_panes._refresh_active

            def recorded(*args) -> None:
                refresh_active(*args)
                if app.side_panes.tabs.active == "files":
                    shown.append((app.models.fds_building, str(tab.label)))

            app.side_panes._refresh_active = recorded
            saw_pending = False
            while fds.pending or not app.trace_ended or not steps:
                if fds.pending:
                    saw_pending = True
                    if not any(building for building, _ in shown):
                        # (the pane refreshes on its own schedule, which a fast machine
                        # may not hit while building: one refresh is asked for now)
                        app.refresh_panes()
                await pilot.pause(0.01)
            await settle(app, pilot, until=lambda: "building" not in str(tab.label))
            assert "building" not in str(tab.label), "the pane is shown again once built"
            assert sum(steps) >= 2 * OPENS, "every open and close is applied"
            assert max(steps) <= fd_model._CATCH_UP_SLICE, max(steps)
            while_building = [label for building, label in shown if building]
            assert while_building or not saw_pending, shown
            assert all(label.endswith(" (building)") for label in while_building), shown
            pid = app.models.processes.roots()[0].pid
            assert str(tab.label).startswith(f"Files {pid}: ")
            rows = app.models.fd_rows(pid)
            kept = [r for r in rows if r.open and r.target == "/etc/passwd"]
            assert len(kept) == 1
            assert sum(not r.open and r.target == "/etc/hostname" for r in rows) == CLOSED_SHOWN

    run_async(go)()
