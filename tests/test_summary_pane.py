"""The Summary pane (key 7): strace -c of the rows the list shows, on a real program.

Its counts are checked against the store's rows counted one by one (another road
to the same numbers), and against what the program is known to do.
"""

from __future__ import annotations

import pytest
from conftest import compile_c

from tracer.summary.table import CALLS, NAME
from tui.testing import run_async, settle, traced_app
from tui.widgets.summary_pane import SummaryPane

pytestmark = pytest.mark.timeout(120)

PROGRAM = r"""
#include <fcntl.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 3; i++)
        open("/nonexistent/tracetui-summary", O_RDONLY);  /* ENOENT, 3 times */
    for (int i = 0; i < 5; i++)
        getppid();
    write(1, "done\n", 5);
    return 0;
}
"""


def traced(command: list[str], size=(200, 45)):
    return traced_app(command, size)


def pane_counts(pane: SummaryPane) -> dict[str, tuple[int, int]]:
    """name -> (calls, errors) as the pane shows them, the total row included."""
    out = {}
    for i in range(pane.row_count):
        cells = [str(c) for c in pane.get_row_at(i)]
        out[cells[0]] = (int(cells[1]), int(cells[2] or 0))
    return out


def store_counts(store, rows=None) -> dict[str, tuple[int, int]]:
    """The same numbers, row by row: every returned call (exit seen) counts."""
    out: dict[str, tuple[int, int]] = {}
    for row in range(len(store)) if rows is None else rows:
        if not store.is_syscall(row) or store.ret(row) is None or store.in_progress(row):
            continue
        call = store.event(row)
        if call.no_return:
            continue
        calls, errors = out.get(store.name(row), (0, 0))
        out[store.name(row)] = (calls + 1, errors + bool(store.failed(row)))
    out["total"] = (sum(c for c, _ in out.values()), sum(e for _, e in out.values()))
    return out


@run_async
async def test_summary_pane_counts_sorts_and_follows_the_filter():
    """7 shows the summary; `t` sorts by calls, `r` reverses; typing a filter narrows it."""
    async with traced([str(compile_c(PROGRAM, name="summary_prog"))]) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("7")
        pane = app.query_one(SummaryPane)
        await settle(app, pilot, until=lambda: pane.row_count > 5)
        shown = pane_counts(pane)
        assert shown == store_counts(app.store)
        assert shown["getppid"] == (5, 0) and shown["openat"][1] == 3
        assert "exit_group" not in shown  # never returns: strace does not count it either

        while pane.sort_by != CALLS:
            await pilot.press("t")
        await settle(app, pilot, until=lambda: True)
        calls = [c for name, (c, _) in pane_counts(pane).items() if name != "total"]
        assert calls == sorted(calls, reverse=True)
        await pilot.press("r")
        await settle(app, pilot, until=lambda: True)
        calls = [c for name, (c, _) in pane_counts(pane).items() if name != "total"]
        assert calls == sorted(calls)
        while pane.sort_by != NAME:
            await pilot.press("t")
        await pilot.press("r")  # name: ascending, then reversed
        await settle(app, pilot, until=lambda: True)
        names = [name for name in pane_counts(pane) if name != "total"]
        assert names == sorted(names, reverse=True)

        await pilot.press("slash", *"err")
        await settle(app, pilot, until=lambda: app.view.filter is not None and not app.view.partial)
        await settle(app, pilot, until=lambda: "getppid" not in pane_counts(pane))
        filtered = pane_counts(pane)
        assert filtered == store_counts(app.store, app.view.rows)
        assert filtered["openat"] == (3, 3) and all(c == e for c, e in filtered.values())


@run_async
async def test_dash_c_opens_the_explorer_on_the_summary_pane():
    """`tracetui -c prog`: strace's summary, live, is what the explorer shows first."""
    from tracer.cli import main
    from tui.launch import _strace_view

    prog = str(compile_c(PROGRAM, name="summary_prog"))
    seen = {}

    def launcher(opts, args) -> int:
        seen["view"] = _strace_view(args)
        return 0

    assert main(["-c", "--", prog], interactive=launcher) == 0
    assert seen["view"]["initial_pane"] == "summary"
    assert main(["--", prog], interactive=launcher) == 0
    assert seen["view"]["initial_pane"] == ""

    async with traced_app([prog], (200, 45), initial_pane="summary") as (app, pilot):
        pane = app.query_one(SummaryPane)
        await settle(app, pilot, until=lambda: pane.row_count > 5)
        assert app.side_panes.tabs.active == "summary"
        assert pane_counts(pane) == store_counts(app.store)
