"""Lowercased row text for plain-word search and `path:`, built lazily, off the ingest path.

A row's search text is composed from its columns (`RowText`, ~2-4 µs, no
decoders; see `row_text.py` for exactly what it covers). Composing it when a
row is appended cost the explorer half of its ingest time per event, time the
traced program waited for on a busy machine; so rows arrive unindexed (an
empty string) and the text is built when something needs it:

- a filter with plain words or `path:` (`Filter.match_rows` calls `ensure_rows`
  for exactly the rows it scans, cancellable between chunks);
- the app, a few milliseconds per tick while events are not flooding in
  (`build_some`), so by the time a user types a filter there is little left.

The texts live in one flat list: matching runs as C-level `map`/`compress`
over it, with no Python code per row (~50 ms for a million rows). Equal texts
share one string object. The same pass fills the store's `path_ix` column.

Two threads use it (the app's and the filter worker's), so building and
invalidating take `lock`; a row completed in place is invalidated after the
store rewrote it, so a text built from the half-written row is thrown away.
"""

from __future__ import annotations

import operator
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.store.event_store import EventStore

UNBUILT = ""  # no row's text is empty: every line has a name and parentheses
_CHUNK = 1024  # rows built under one hold of the lock, between `should_stop` checks


class SearchText:
    def __init__(self, store: EventStore) -> None:
        self._store = store
        self.lines: list[str] = []  # lowercase search text of every row, UNBUILT if not yet
        self.low = 0  # every row below this is built
        self.lock = threading.Lock()
        self.epoch = 0  # rows renumbered (the store dropped its oldest) this many times

    @property
    def built_upto(self) -> int:
        """Rows below this have search text."""
        return self.low

    @property
    def pending(self) -> int:
        """Rows not indexed yet (an upper bound: rows above `low` may be built)."""
        return len(self.lines) - self.low

    # -- the store's side ------------------------------------------------------------
    def add_rows(self, count: int) -> None:
        """`count` new rows, unindexed."""
        with self.lock:
            self.lines.extend(repeat(UNBUILT, count))

    def set(self, row: int, text: str) -> None:
        """Text of a row known now (non-syscall rows: their displayed line)."""
        self.lines[row] = text

    def invalidate(self, row: int) -> None:
        """A row was rewritten (a call completed in place): its text is built again when needed."""
        with self.lock:
            if row < len(self.lines):  # (a row new in this batch is not listed yet)
                self.lines[row] = UNBUILT
                if row < self.low:
                    self.low = row

    def drop_below(self, k: int) -> None:
        """The store forgot its oldest `k` rows (the lock held by the caller)."""
        del self.lines[:k]
        self.low = max(0, self.low - k)
        self.epoch += 1

    # -- building --------------------------------------------------------------------
    def _build(self, rows: Iterable[int]) -> None:
        """Build the given unbuilt rows (the lock held)."""
        lines = self.lines
        compose = self._store.compose_search_text
        for row in rows:
            lines[row] = compose(row)

    def _advance_low(self) -> None:
        lines, low, n = self.lines, self.low, len(self.lines)
        while low < n:
            part = lines[low : low + 4096]
            if UNBUILT in part:
                low += part.index(UNBUILT)
                break
            low += len(part)
        self.low = low

    def ensure_rows(
        self, rows: Iterable[int] | None = None, should_stop: Callable[[], bool] | None = None
    ) -> bool:
        """Build the text of `rows` (ascending; default all); False if stopped first."""
        lines = self.lines
        if self.low >= len(lines):
            return True  # all built: a keystroke on an indexed store pays nothing here
        epoch = self.epoch
        if rows is None:
            rows = range(len(lines))
        if isinstance(rows, range) and rows.step == 1:
            start = max(rows.start, self.low)
            if start >= rows.stop:
                return True
            todo = list(
                compress(range(start, rows.stop), map(operator.not_, lines[start : rows.stop]))
            )
        else:
            if not hasattr(rows, "__len__"):
                rows = list(rows)
            todo = list(compress(rows, map(operator.not_, map(lines.__getitem__, rows))))
        for at in range(0, len(todo), _CHUNK):
            if should_stop is not None and should_stop():
                return False
            with self.lock:
                if self.epoch != epoch:
                    return False  # rows were renumbered under us: the caller starts again
                lines = self.lines
                self._build(r for r in todo[at : at + _CHUNK] if not lines[r])
        with self.lock:
            self._advance_low()
        return True

    def ensure(
        self, upto: int | None = None, should_stop: Callable[[], bool] | None = None
    ) -> bool:
        """Build every row below `upto` (default: all rows); False if stopped first."""
        n = len(self.lines)
        return self.ensure_rows(range(0, n if upto is None else min(upto, n)), should_stop)

    def build_some(self, budget: float) -> int:
        """Index the oldest unindexed rows for about `budget` seconds; rows looked at."""
        deadline = time.perf_counter() + budget
        done = 0
        lines = self.lines
        while time.perf_counter() < deadline:
            with self.lock:
                self._advance_low()
                start = self.low
                if start >= len(lines):
                    break
                stop = min(len(lines), start + 256)
                self._build(compress(range(start, stop), map(operator.not_, lines[start:stop])))
                done += stop - start
                self._advance_low()
        return done

    # -- matching (rows must be built: `ensure_rows` first) --------------------------------
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
