"""Side panes on small tables: processes, files (fd table) and error groups.

These tables are small (tens to hundreds of rows), so DataTable is the right
tool here; the app hands each pane plain rows (`show(...)`) and the pane posts
a message when the user picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import DataTable

from tui.messages import ErrorGroupChosen, JumpToRow, ProcessSelected


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


class _Pane(DataTable):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._signature: object = None

    def _replace(self, signature: object, rows: list[tuple], keys: list[str]) -> bool:
        """Rebuild only when the content changed; keep the cursor on the same key."""
        if signature == self._signature:
            return False
        self._signature = signature
        old_key = None
        if self.row_count and 0 <= self.cursor_row < self.row_count:
            old_key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
        self.clear()
        for key, cells in zip(keys, rows, strict=True):
            self.add_row(*cells, key=key)
        if old_key in keys:
            self.move_cursor(row=keys.index(old_key), animate=False)
        return True


class ProcessesPane(_Pane):
    """Process tree: pid, command, state, syscall and error counts. Enter narrows the list."""

    def on_mount(self) -> None:
        # Fixed widths: auto-sized columns settle only after a later refresh, so the
        # pane's layout would depend on timing.
        self.add_column("pid", width=5)
        self.add_column("command", width=17)
        self.add_column("state", width=14)
        self.add_column("calls", width=6)
        self.add_column("errs", width=5)

    def show(self, procs: list[ProcessRow]) -> None:
        rows, keys = [], []
        for p in procs:
            style = STATE_STYLES.get(p.state.split()[0], "")
            rows.append(
                (
                    Text(str(p.pid), style="bold"),
                    Text(
                        "  " * p.depth + ("└ " if p.depth else "") + p.command, overflow="ellipsis"
                    ),
                    Text(p.state, style=style),
                    str(p.syscalls),
                    Text(str(p.errors), style="red" if p.errors else "dim"),
                )
            )
            keys.append(str(p.pid))
        self._replace(
            tuple((p.pid, p.depth, p.command, p.state, p.syscalls, p.errors) for p in procs),
            rows,
            keys,
        )

    @property
    def highlighted_pid(self) -> int | None:
        if not self.row_count:
            return None
        return int(self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(ProcessSelected(int(event.row_key.value)))


class FilesPane(_Pane):
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


class ErrorsPane(_Pane):
    """Failed syscalls grouped by syscall + errno (+ path); Enter shows the occurrences."""

    def on_mount(self) -> None:
        self.add_column("count", width=5)
        self.add_column("syscall", width=10)
        self.add_column("errno", width=8)
        self.add_column("path", width=24)
        self.add_column("first", width=9)
        self.add_column("last", width=9)
        self._filters: dict[str, tuple[str, str]] = {}
        self.t0 = 0.0

    def show(self, groups: list[ErrorRow]) -> None:
        rows, keys = [], []
        self._filters = {}
        for g in groups:
            rows.append(
                (
                    Text(str(g.count), style="bold red"),
                    Text(g.syscall, style="bold"),
                    Text(g.errno, style="red"),
                    Text(g.path, overflow="ellipsis"),
                    f"{g.first - self.t0:.3f}",
                    f"{g.last - self.t0:.3f}",
                )
            )
            keys.append(g.key)
            self._filters[g.key] = (g.filter_text, f"{g.syscall} {g.errno} {g.path}".strip())
        self._replace(tuple((g.key, g.count, g.last) for g in groups), rows, keys)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        got = self._filters.get(event.row_key.value)
        if got:
            self.post_message(ErrorGroupChosen(*got))
