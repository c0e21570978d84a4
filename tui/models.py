"""The app's derived state (tracer.model) and the plain rows the side panes draw from it."""

from __future__ import annotations

from tracer.model.errors import ErrorGroups
from tracer.model.fds import FdTables
from tracer.model.processes import ProcessTree
from tracer.store.lines import signal_name
from tui.endpoints import socket_target
from tui.widgets.panes import ErrorRow, FdRow, ProcessRow

CLOSED_SHOWN = 1000  # closed fds the Files pane lists (the most recent)


class Models:
    def __init__(self, read_proc: bool = True) -> None:
        self.processes = ProcessTree()
        self.fds = FdTables(read_proc=read_proc)
        self.errors = ErrorGroups()

    def update(self, store, update) -> None:
        self.processes.update(store, update)
        self.fds.update(store, update)
        self.errors.update(store, update)

    def defer_fds(self) -> None:
        """Build the fd tables when read, not as rows arrive (a recording reopened)."""
        self.fds.defer()

    def catch_up(self, budget: float) -> bool:
        """Spend up to `budget` seconds on deferred work; True if some is left."""
        return self.fds.catch_up(budget)

    @property
    def fds_building(self) -> bool:
        """A reopened recording's fd tables are not built up to its last row yet."""
        return self.fds.pending > 0

    def rows_dropped(self, k: int) -> None:
        """The store forgot its oldest `k` rows (the memory bound): renumber with it."""
        self.processes.rows_dropped(k)
        self.fds.rows_dropped(k)
        self.errors.rows_dropped(k)

    # -- processes pane -----------------------------------------------------------
    def process_rows(self) -> list[ProcessRow]:
        out: list[ProcessRow] = []

        def walk(info, depth: int) -> None:
            out.append(
                ProcessRow(
                    info.pid, depth, info.title, self.state_text(info), info.syscalls, info.errors
                )
            )
            for child in self.processes.children(info.pid):
                walk(child, depth + 1)

        for root in self.processes.roots():
            walk(root, 0)
        return out

    @staticmethod
    def state_text(info) -> str:
        if info.state == "exited":
            return f"exited {info.exit_code}"
        if info.state == "killed":
            core = " (core)" if info.core else ""
            return f"killed {signal_name(info.signal or 0)}{core}"
        if info.threads:
            return f"{info.state} +{len(info.threads)}thr"
        return info.state

    # -- files pane -----------------------------------------------------------------
    def fd_rows(self, pid: int | None, budget: float | None = None) -> list[FdRow]:
        """Open fds by number, then the closed ones, the most recently closed first, at
        most CLOSED_SHOWN of them: a loop that opens and closes a file keeps every entry,
        and a table of 333,000 rows (a million-call recording) kept the app's thread
        measuring rows for minutes. Older ones are a filter away (`fd:N`).

        With a `budget`, a reopened recording's tables are built for about that many
        seconds first and the rows are the tables as far as they are built
        (`fds_building` says whether that is the end); without, they are built whole."""
        if pid is None:
            return []
        self.fds.catch_up(budget)
        entries = self.fds.entries(pid, include_closed=True, current=False)
        opened = sorted((e for e in entries if e.is_open), key=lambda e: e.fd)
        closed = [e for e in entries if not e.is_open][-CLOSED_SHOWN:]
        return [self._fd_row(e) for e in (*opened, *reversed(closed))]

    @staticmethod
    def _fd_row(e) -> FdRow:
        target = e.path
        if e.kind == "socket":
            target = socket_target(e.path, e.local, e.peer, e.created_by.startswith("accept"))
        by = e.created_by or "inherited"
        if e.closed_by:
            by += f", closed by {e.closed_by}"
        return FdRow(e.fd, e.kind, target, e.flags, by, e.created_row, e.is_open)

    def open_count(self, pid: int | None) -> int:
        """Open fds as far as the tables are built (see `fd_rows`)."""
        return self.fds.open_count(pid, current=False) if pid is not None else 0

    def fd_limit(self, pid: int | None) -> int | None:
        """RLIMIT_NOFILE as far as the tables are built (see `fd_rows`)."""
        return self.fds.nofile_limit(pid, current=False) if pid is not None else None

    # -- errors pane ------------------------------------------------------------------
    def error_rows(self, order: str = "count") -> list[ErrorRow]:
        """Groups by 'count' (most frequent first), 'first' or 'last' seen."""
        return [self._error_row(g) for g in self.errors.groups(order)]

    @staticmethod
    def _error_row(g) -> ErrorRow:
        name, err, path = g.name, g.errno_name, g.path or ""
        return ErrorRow(
            f"{name}|{err}|{path}",
            name,
            err,
            path,
            g.count,
            g.first_time,
            g.last_time,
            error_filter(name, err, path),
        )


def error_filter(name: str, err: str, path: str) -> str:
    """The filter text that shows one error group's occurrences."""
    text = f"name:{name} errno:{err}"
    if path and not any(c.isspace() for c in path) and '"' not in path:
        text += f" path:{path}"
    return text
