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


def test_the_files_pane_of_a_reopened_recording_builds_its_tables_a_slice_at_a_time(tmp_path):
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
            labels = {str(tab.label)}
            while fds.pending or not app.trace_ended or not steps:
                await pilot.pause(0.01)
                labels.add(str(tab.label))
            await settle(app, pilot, until=lambda: "building" not in str(tab.label))
            assert "building" not in str(tab.label), "the pane is shown again once built"
            assert sum(steps) >= 2 * OPENS, "every open and close is applied"
            assert max(steps) <= fd_model._CATCH_UP_SLICE, max(steps)
            assert any("(building)" in label for label in labels), labels
            pid = app.models.processes.roots()[0].pid
            assert str(tab.label).startswith(f"Files {pid}: ")
            rows = app.models.fd_rows(pid)
            kept = [r for r in rows if r.open and r.target == "/etc/passwd"]
            assert len(kept) == 1
            assert sum(not r.open and r.target == "/etc/hostname" for r in rows) == CLOSED_SHOWN

    run_async(go)()
