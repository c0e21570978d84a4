"""The Summary pane: strace -c of the rows the list shows, live.

Per syscall: calls, errors, total/average/longest time and % of the time, over
every row or the current filter's matches (the list's own filter, process
selection included). The stats come from `StoreSummary`, which reads the store's
columns a batch at a time; the pane only sorts and draws them, and only while it
is on screen. `t` sorts by the next column, `r` reverses; a click on a header
sorts by it (a second click reverses).
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from tracer.summary.counts import NS, CallStats
from tracer.summary.store_summary import StoreSummary
from tracer.summary.table import (
    AVG_TIME,
    CALLS,
    ERRORS,
    MAX_TIME,
    NAME,
    TIME_PERCENT,
    TOTAL_TIME,
    sorted_numbers,
)
from tui.widgets.panes import TablePane

# (header, the column it shows and sorts by, width)
COLUMNS = (
    ("syscall", NAME, 16),
    ("calls", CALLS, 7),
    ("errors", ERRORS, 8),
    ("% time", TIME_PERCENT, 8),  # before the times: a narrow pane still shows it
    ("seconds", TOTAL_TIME, 10),
    ("avg us", AVG_TIME, 8),
    ("max us", MAX_TIME, 8),
)
SORTS = tuple(c[1] for c in COLUMNS)
REFRESH = 0.5  # seconds between looks at the store while the pane is on screen


class SummaryPane(TablePane):
    """Per-syscall totals of the shown rows; sortable by any column."""

    BINDINGS = [
        Binding("t", "next_sort", "Summary: sort by the next column"),
        Binding("r", "reverse_sort", "Summary: reverse the order"),
    ]

    sort_by: str = TOTAL_TIME  # strace's default order: most time first
    reverse: bool = False
    summary: StoreSummary | None = None  # set by the app (watch_store)
    view = None  # the list's ViewFilter

    def on_mount(self) -> None:
        for header, _, width in COLUMNS:
            self.add_column(header, width=width)
        self._show_sort()
        self.set_interval(REFRESH, self._tick)

    def watch_store(self, store, view) -> None:
        """Summarise `store`'s rows as `view` (the list's ViewFilter) selects them."""
        self.summary = StoreSummary(store)
        self.view = view
        self._signature = None

    def _tick(self) -> None:
        if self.is_on_screen:  # a new filter shows here even when no event comes
            self.refresh_summary()

    def refresh_summary(self) -> None:
        summary, view = self.summary, self.view
        if summary is None:
            return
        if view is None or view.filter is None:
            rows, key = None, None
        elif view.partial or view.rows is None:
            return  # the filter's whole result is still being matched
        else:
            rows, key = view.rows, view.filter
        summary.update(rows, key)
        self._draw(summary.by_nr, summary.store.table.name)

    def _draw(self, by_nr: dict[int, CallStats], name) -> None:
        numbers = sorted_numbers(by_nr, self.sort_by, name)
        if self.reverse:
            numbers.reverse()
        stats = [by_nr[n] for n in numbers]
        total_ns = sum(s.total_ns for s in stats)
        rows = [self._row_cells(name(n), s, total_ns) for n, s in zip(numbers, stats, strict=True)]
        keys = [str(n) for n in numbers]
        if stats:
            total = CallStats()
            for s in stats:
                total.merge(s.calls, s.errors, s.total_ns, s.min_ns, s.max_ns)
            rows.append(self._row_cells("total", total, total_ns, bold=True))
            keys.append("total")
        signature = (
            self.sort_by,
            self.reverse,
            tuple(
                (n, s.calls, s.errors, s.total_ns, s.max_ns)
                for n, s in zip(numbers, stats, strict=True)
            ),
        )
        self._replace(signature, rows, keys)

    @staticmethod
    def _row_cells(label: str, s: CallStats, total_ns: int, bold: bool = False) -> tuple:
        percent = 100.0 * s.total_ns / total_ns if total_ns else 0.0
        style = "bold" if bold else ""
        return (
            Text(label, style="bold" if bold else "bold cyan"),
            Text(str(s.calls), style=style, justify="right"),
            Text(str(s.errors) if s.errors else "", style="bold red", justify="right"),
            Text(f"{percent:.2f}", style=style, justify="right"),
            Text(f"{s.total_ns / NS:.6f}", style=style, justify="right"),
            Text(str(s.avg_ns // 1000), style=style, justify="right"),
            Text(str(s.max_ns // 1000), style=style, justify="right"),
        )

    def _show_sort(self) -> None:
        for index, (header, column, _) in enumerate(COLUMNS):
            mark = ""
            if column == self.sort_by:
                ascending = (column == NAME) != self.reverse
                mark = " ▲" if ascending else " ▼"
            self.ordered_columns[index].label = Text(header + mark)
        self._signature = None
        self.refresh()

    def sort_summary(self, column: str, reverse: bool = False) -> None:
        self.sort_by, self.reverse = column, reverse
        self._show_sort()
        self.refresh_summary()

    def action_next_sort(self) -> None:
        self.sort_summary(SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)])

    def action_reverse_sort(self) -> None:
        self.sort_summary(self.sort_by, not self.reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = COLUMNS[event.column_index][1]
        self.sort_summary(column, not self.reverse if column == self.sort_by else False)
