"""Side panes update in place: a growing process tree appends rows and changes only the
cells that changed, instead of rebuilding (and re-measuring) the whole table."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.testing import run_async
from tui.widgets.panes import ProcessesPane, ProcessRow


class _PaneApp(App):
    def compose(self) -> ComposeResult:
        yield ProcessesPane(id="procs")


def _cells(pane: ProcessesPane) -> list[list[str]]:
    return [[str(c) for c in pane.get_row_at(i)] for i in range(pane.row_count)]


def test_process_pane_appends_and_updates_cells_in_place():
    async def go() -> None:
        app = _PaneApp()
        async with app.run_test(size=(80, 20)) as pilot:
            pane = app.query_one(ProcessesPane)
            rows = [ProcessRow(1, 0, "sh", "running", 3, 0)]
            pane.show(rows)
            await pilot.pause()
            pane.move_cursor(row=0)
            first_row = pane.get_row_at(0)
            rows = [
                ProcessRow(1, 0, "sh", "running", 9, 1),
                ProcessRow(2, 1, "true", "exited 0", 31, 0),
            ]
            pane.show(rows)
            await pilot.pause()
            assert _cells(pane) == [
                ["1", "sh", "running", "9", "1"],
                ["2", "  └ true", "exited 0", "31", "0"],
            ]
            assert pane.get_row_at(0)[0] is first_row[0]  # the row was kept, not rebuilt
            exited = pane.get_row_at(1)
            # An order that is not an extension (a process inserted before) rebuilds.
            rows.insert(1, ProcessRow(3, 1, "cat", "running", 1, 0))
            pane.show(rows)
            await pilot.pause()
            assert [r[0] for r in _cells(pane)] == ["1", "3", "2"]
            # A process that did not change keeps the cells made for it (thousands of
            # exited processes in a fork/exec loop are not made again at each refresh).
            assert all(a is b for a, b in zip(pane.get_row_at(2), exited, strict=True))
            assert pane.cursor_row == 0 and pane.highlighted_pid == 1

    run_async(go)()
