"""Side panes on small tables: processes, files (fd table) and error groups.

These tables are small (tens to hundreds of rows), so DataTable is the right
tool here; the app hands each pane plain rows (`show(...)`) and the pane posts
a message when the user picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.containment import ContainedPump
from tui.messages import ErrorGroupChosen, JumpToRow, ProcessSelected
from tui.widgets.drawing_time import DrawingTime


@dataclass(slots=True)
class ProcessRow:
    pid: int
    depth: int
    command: str
    state: str
    syscalls: int
    errors: int


@dataclass(slots=True)
class FdRow:
    fd: int
    kind: str
    target: str
    flags: str
    created_by: str
    created_row: int | None
    open: bool


@dataclass(slots=True)
class ErrorRow:
    key: str
    syscall: str
    errno: str
    path: str
    count: int
    first: float
    last: float
    filter_text: str


STATE_STYLES = {
    "running": "green",
    "stopped": "yellow",
    "paused": "yellow",
    "exited": "dim",
    "killed": "red",
}


def _cell_sig(cell: object) -> tuple:
    if isinstance(cell, Text):
        return (cell.plain, str(cell.style), tuple(cell.spans))
    return (cell, None, ())


class TablePane(DrawingTime, ContainedPump, DataTable):
    """A side pane that is a table of the rows the app hands it (`show`)."""

    BINDINGS = [
        # DataTable's Home/End scroll sideways; in a table of rows they mean the first/last row.
        Binding("home,g", "first_row", "First row", show=False),
        Binding("end,G", "last_row", "Last row", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._signature: object = None
        self._keys: list[str] = []  # the rows shown, in order
        self._cells: dict[str, tuple] = {}  # their cells, to update only what changed

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1, animate=False)

    def _replace(self, signature: object, rows: list[tuple], keys: list[str]) -> bool:
        """Show `rows`: nothing when the content is unchanged; when the old rows are a
        prefix of the new ones (a process tree growing, counts moving), update the
        changed cells and append the rest; else rebuild, keeping the cursor's key.

        A thousand processes must not cost a rebuild (and a re-measure of every
        cell) at each refresh while events pour in."""
        if signature == self._signature:
            return False
        self._signature = signature
        cells_of = self._cells
        old_keys = self._keys
        if old_keys and len(old_keys) == self.row_count and keys[: len(old_keys)] == old_keys:
            columns = [c.key for c in self.ordered_columns]
            for key, cells in zip(old_keys, rows, strict=False):
                before = cells_of[key]
                if cells is before:
                    continue
                for i, cell in enumerate(cells):
                    if _cell_sig(cell) != _cell_sig(before[i]):
                        self.update_cell(key, columns[i], cell)
                cells_of[key] = cells
            for key, cells in zip(keys[len(old_keys) :], rows[len(old_keys) :], strict=True):
                self.add_row(*cells, key=key)
                cells_of[key] = cells
            self._keys = list(keys)
            return True
        old_key = None
        if self.row_count and 0 <= self.cursor_row < self.row_count:
            old_key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
        self.clear()
        self._cells = {}
        for key, cells in zip(keys, rows, strict=True):
            self.add_row(*cells, key=key)
            self._cells[key] = cells
        self._keys = list(keys)
        if old_key in keys:
            self.move_cursor(row=keys.index(old_key), animate=False)
        return True

    def _set_width(self, index: int, width: int) -> None:
        column = self.ordered_columns[index]
        if column.width != width:
            column.width = width
            self._require_update_dimensions = True
            self.refresh()


class ProcessesPane(TablePane):
    """Process tree: pid, command, state, syscall and error counts. Enter narrows the list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._made: dict[tuple, tuple] = {}  # a row's cells by what they show

    def on_mount(self) -> None:
        # Fixed widths: auto-sized columns settle only after a later refresh, so the
        # pane's layout would depend on timing.
        self.add_column("pid", width=5)
        self.add_column("command", width=17)
        self.add_column("state", width=14)
        self.add_column("calls", width=6)
        self.add_column("errs", width=5)

    FIXED = 5 + 14 + 6 + 5 + 4 * 2  # pid, state, calls, errs and cell padding

    def on_resize(self) -> None:
        self._signature = None  # the command column follows the pane's width

    def show(self, procs: list[ProcessRow]) -> None:
        # The command takes the width the other columns leave (all of it when maximised).
        room = max(17, self.scrollable_content_region.width - self.FIXED - 2)
        signature = tuple((p.pid, p.depth, p.command, p.state, p.syscalls, p.errors) for p in procs)
        # A row's cells are made again only when its process changed: in a fork/exec loop
        # most of thousands of rows are processes that exited long ago, and making every
        # row's Texts each refresh took a seventh of the app's thread (2-vCPU AMD EPYC VM).
        made = self._made
        rows = []
        for sig in signature:
            cells = made.get(sig)
            if cells is None:
                cells = made[sig] = self._cells_of(*sig)
            rows.append(cells)
        if len(made) > 2 * len(signature) + 64:  # what changed since, forgotten
            self._made = {sig: cells for sig, cells in zip(signature, rows, strict=True)}
        keys = [str(p.pid) for p in procs]
        if self._replace((room, signature), rows, keys):
            self._set_width(1, room)

    @staticmethod
    def _cells_of(pid: int, depth: int, command: str, state: str, calls: int, errors: int) -> tuple:
        style = STATE_STYLES.get(state.split()[0], "")
        return (
            Text(str(pid), style="bold"),
            Text("  " * depth + ("└ " if depth else "") + command, overflow="ellipsis"),
            Text(state, style=style),
            str(calls),
            Text(str(errors), style="red" if errors else "dim"),
        )

    @property
    def highlighted_pid(self) -> int | None:
        if not self.row_count:
            return None
        return int(self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(ProcessSelected(int(event.row_key.value)))


class FilesPane(TablePane):
    """fd table of one process, open and closed; Enter jumps to the creating syscall."""

    def on_mount(self) -> None:
        self.add_column("fd", width=3)
        self.add_column("kind", width=6)
        self.add_column("path / endpoint", width=28)
        self.add_column("flags", width=16)
        self.add_column("created by", width=12)
        self._created: dict[str, int | None] = {}

    def show(self, fds: list[FdRow]) -> None:
        rows, keys = [], []
        self._created = {}
        for i, f in enumerate(fds):
            style = "" if f.open else "dim strike"
            rows.append(
                (
                    Text(str(f.fd), style="bold" if f.open else "dim"),
                    Text(f.kind, style="dim" if not f.open else "cyan"),
                    Text(f.target, style=style, overflow="ellipsis"),
                    Text(f.flags, style="dim"),
                    Text(f.created_by, style="dim" if not f.open else ""),
                )
            )
            key = f"{i}:{f.fd}"
            keys.append(key)
            self._created[key] = f.created_row
        self._replace(
            tuple((f.fd, f.target, f.open, f.created_row, f.flags) for f in fds), rows, keys
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._created.get(event.row_key.value)
        if row is not None:
            self.post_message(JumpToRow(row))


class ErrorsPane(TablePane):
    """Failed syscalls grouped by syscall + errno (+ path); Enter shows the occurrences.

    `t` changes the order: most frequent, first seen (the one-off culprit that came
    before the flood) or last seen. Paths are shown whole: the table scrolls sideways.
    """

    ORDERS = ("count", "first", "last")
    ORDER_TITLES = {"count": "count ▼", "first": "first ▲", "last": "last ▼"}
    BINDINGS = [Binding("t", "next_order", "Order: count / first / last seen")]

    class OrderChanged(Message):
        """The user asked for another order; the app rebuilds the pane."""

    order: str = "count"

    def on_mount(self) -> None:
        self.add_column("count", width=7)
        self.add_column("first", width=9)
        self.add_column("last", width=9)
        self.add_column("syscall", width=10)
        self.add_column("errno", width=8)
        self.add_column("path", width=24)
        self._filters: dict[str, tuple[str, str]] = {}
        self.t0 = 0.0
        self._show_order()

    def _show_order(self) -> None:
        for index, name in enumerate(("count", "first", "last")):
            label = self.ORDER_TITLES[name] if name == self.order else name
            self.ordered_columns[index].label = Text(label)
        self.refresh()

    def action_next_order(self) -> None:
        self.order = self.ORDERS[(self.ORDERS.index(self.order) + 1) % len(self.ORDERS)]
        self._signature = None
        self._show_order()
        self.post_message(self.OrderChanged())

    def show(self, groups: list[ErrorRow]) -> None:
        rows, keys = [], []
        self._filters = {}
        for g in groups:
            rows.append(
                (
                    Text(str(g.count), style="bold red"),
                    f"{g.first - self.t0:.3f}",
                    f"{g.last - self.t0:.3f}",
                    Text(g.syscall, style="bold"),
                    Text(g.errno, style="red"),
                    Text(g.path),
                )
            )
            keys.append(g.key)
            self._filters[g.key] = (g.filter_text, f"{g.syscall} {g.errno} {g.path}".strip())
        signature = (self.order, tuple((g.key, g.count, g.last) for g in groups))
        if self._replace(signature, rows, keys):
            self._set_width(5, max([24, *(len(g.path) for g in groups)]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        got = self._filters.get(event.row_key.value)
        if got:
            self.post_message(ErrorGroupChosen(*got))
