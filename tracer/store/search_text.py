"""Lowercased row text for plain-word search, built lazily and incrementally.

Plain filter words must see the rendered line, and rendering a million rows
takes seconds; so the text is built on demand (`ensure`, resumable and
cancellable between rows) and kept as one flat list of lowercase strings:
matching then runs as C-level `map`/`compress` over the list, with no Python
code per row.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.store.event_store import EventStore

_STEP = 2048  # rows rendered between `should_stop` checks


class SearchText:
    def __init__(self, store: EventStore) -> None:
        self._store = store
        self.lines: list[str] = []  # lowercase text of rows 0 .. len(lines) - 1
        self._stale: set[int] = set()  # rows completed in place since their text was built

    @property
    def built_upto(self) -> int:
        """Rows below this have search text."""
        return len(self.lines)

    def invalidate(self, row: int) -> None:
        if row < len(self.lines):
            self._stale.add(row)

    def ensure(
        self, upto: int | None = None, should_stop: Callable[[], bool] | None = None
    ) -> bool:
        """Build text for rows below `upto` (default: all); False if stopped early."""
        store = self._store
        render_line = store._render_line
        if self._stale:
            for row in sorted(self._stale):
                self.lines[row] = render_line(row).lower()
            self._stale.clear()
        end = len(store) if upto is None else min(upto, len(store))
        lines = self.lines
        while len(lines) < end:
            if should_stop is not None and should_stop():
                return False
            stop = min(end, len(lines) + _STEP)
            lines.extend([render_line(r).lower() for r in range(len(lines), stop)])
        return True

    def rows_containing(self, word: str, rows: Iterable[int] | None = None) -> Iterator[int]:
        """Rows (among `rows`, default all built) whose text contains lowercase `word`."""
        lines = self.lines
        if rows is None:
            return compress(range(len(lines)), map(operator.contains, lines, repeat(word)))
        if not isinstance(rows, (list, tuple, range)) and not hasattr(rows, "__len__"):
            rows = list(rows)
        return compress(rows, map(operator.contains, map(lines.__getitem__, rows), repeat(word)))
