"""Failed syscalls grouped by (syscall, errno, path), for the errors pane.

One group per distinct failure, with its count and the rows to jump to, so
`openat ENOENT /etc/foo x 120` reads as one line instead of 120.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import repeat

from tracer.store import EventStore, StoreUpdate
from tracer.store.event_store import K_SYSCALL
from tracer.syscalls.render import errno_name


@dataclass(slots=True)
class ErrorGroup:
    name: str
    errno: int
    path: str | None
    count: int = 0
    first_row: int = 0
    last_row: int = 0
    first_time: float = 0.0
    last_time: float = 0.0
    rows: array = field(default_factory=lambda: array("I"))
    pids: set[int] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, int, str | None]:
        return (self.name, self.errno, self.path)

    @property
    def errno_name(self) -> str:
        return errno_name(self.errno)

    def describe(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.name} {self.errno_name}{where} x{self.count}"


class ErrorGroups:
    """Failed calls grouped; groups keep first-seen order (`groups()` can sort)."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, int, str | None], ErrorGroup] = {}
        self.total = 0
        self.version = 0  # bumped on every change, for cheap "did it change" checks

    def update(self, store: EventStore, update: StoreUpdate) -> None:
        """Apply one `store.append` result (its `effects`)."""
        self.apply_rows(store, update.effects)

    def rows_dropped(self, k: int) -> None:
        """The store forgot its oldest `k` rows and renumbered the rest: follow.

        Counts and times stay those of the whole trace; a row that is gone is -1."""
        for g in self._groups.values():
            i = bisect_left(g.rows, k)
            g.rows = array("I", map(operator.sub, g.rows[i:], repeat(k)))
            g.first_row = g.first_row - k if g.first_row >= k else -1
            g.last_row = g.last_row - k if g.last_row >= k else -1
        self.version += 1

    def apply_rows(self, store: EventStore, rows) -> None:
        kinds, errnos = store.kinds, store.errnos
        for row in rows:
            err = errnos[row]
            if not err or kinds[row] != K_SYSCALL:
                continue
            name = store.name(row)
            key = (name, err, failure_path(store, row))
            g = self._groups.get(key)
            if g is None:
                g = self._groups[key] = ErrorGroup(
                    name, err, key[2], first_row=row, first_time=store.starts[row]
                )
            g.count += 1
            g.last_row = row
            g.last_time = store.starts[row]
            g.rows.append(row)
            g.pids.add(store.pids[row])
            self.total += 1
            self.version += 1

    def groups(self, order: str = "first") -> list[ErrorGroup]:
        """Groups ordered by 'first' (first seen), 'count' (most frequent) or 'last' (most recent)."""
        gs = list(self._groups.values())
        if order == "count":
            gs.sort(key=lambda g: (-g.count, g.first_row))
        elif order == "last":
            gs.sort(key=lambda g: -g.last_row)
        return gs

    def __len__(self) -> int:
        return len(self._groups)

    def get(self, name: str, errno: int, path: str | None = None) -> ErrorGroup | None:
        return self._groups.get((name, errno, path))


def failure_path(store: EventStore, row: int) -> str | None:
    """The path a failed call was about: its first path argument, else its fd's path."""
    rc = store.rendered(row)
    if rc is None:
        return None
    for a in rc.args:
        if a.kind == "path":
            return a.value if isinstance(a.value, str) else a.text.strip('"')
    fds = store.fds_of(row)
    if fds:
        for a in rc.args:
            if a.kind == "fd" and isinstance(a.value, int) and a.value in fds:
                return fds[a.value]
    return None
