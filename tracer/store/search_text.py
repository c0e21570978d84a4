"""Lowercased row text for plain-word search, kept up to date as rows are appended.

Each row's text is composed when the row arrives (`RowText`, ~1-2 µs, no
decoders; see `row_text.py` for exactly what it covers) and kept in one flat
list: matching runs as C-level `map`/`compress` over it, with no Python code
per row (~50 ms for a million rows). Equal texts share one string object.

`exact_rows` checks rows against their fully rendered lines, for a caller
that wants decoder-produced text (flag names, struct fields) too, on the
few rows it shows.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.store.event_store import EventStore


class SearchText:
    def __init__(self, store: EventStore) -> None:
        self._store = store
        self.lines: list[str] = []  # lowercase search text of every row

    @property
    def built_upto(self) -> int:
        """Rows below this have search text (all rows: it is built on append)."""
        return len(self.lines)

    def set(self, row: int, text: str) -> None:
        """Text of a new row (row == len) or of a row completed in place."""
        lines = self.lines
        if row == len(lines):
            lines.append(text)
        else:
            lines[row] = text

    def invalidate(self, row: int) -> None:
        """Kept for callers of the lazy version: the store now refreshes text on completion."""

    def ensure(
        self, upto: int | None = None, should_stop: Callable[[], bool] | None = None
    ) -> bool:
        """Always built (kept for API compatibility); True."""
        return True

    def rows_containing(self, word: str, rows: Iterable[int] | None = None) -> Iterator[int]:
        """Rows (among `rows`, default all) whose search text contains lowercase `word`."""
        lines = self.lines
        if rows is None or (
            isinstance(rows, range)
            and rows.step == 1
            and rows.start == 0
            and rows.stop >= len(lines)
        ):
            return compress(range(len(lines)), map(operator.contains, lines, repeat(word)))
        if isinstance(rows, range) and rows.step == 1:
            part = lines[rows.start : rows.stop]
            return compress(rows, map(operator.contains, part, repeat(word)))
        if not hasattr(rows, "__len__"):
            rows = list(rows)
        return compress(rows, map(operator.contains, map(lines.__getitem__, rows), repeat(word)))

    def contains_mask(self, word: str, rows: Iterable[int]) -> Iterator[bool]:
        """For each of `rows`, whether its search text contains lowercase `word`."""
        lines = self.lines
        if isinstance(rows, range) and rows.step == 1:
            return map(operator.contains, lines[rows.start : rows.stop], repeat(word))
        return map(operator.contains, map(lines.__getitem__, rows), repeat(word))

    def exact_rows(self, word: str, rows: Iterable[int]) -> list[int]:
        """Rows whose fully rendered line (`store.line`) contains lowercase `word`: for visible rows."""
        line = self._store.line
        return [r for r in rows if word in line(r).lower()]
