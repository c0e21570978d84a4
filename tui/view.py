"""Which store rows the syscall list shows: everything, or the rows an (effective) filter matches.

The effective filter is the user's text plus the selected process (`pid:N`).
Matching a whole store runs in a worker; new rows are matched on arrival, in
batches, on the UI thread (cheap: a batch is small). The worker matches the
newest rows first and posts them as a partial result, so the list (which
usually shows the newest rows) answers a keystroke before the older rows
are matched; the full result replaces it. A refined filter (typing
`ope` after `op`) starts from the previous result instead of the whole store,
when that result is small enough to be worth it (`prefer_refine`): reading
rows by index costs more per row than scanning whole columns.
"""

from __future__ import annotations

import operator
import threading
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from itertools import repeat

from textual.message import Message

from tracer.filter import Filter, prefer_refine


@dataclass
class FilterResult(Message):
    """Posted by the filter worker (thread-safe post_message): rows < `upto` matched."""

    filter: Filter
    rows: array
    upto: int
    generation: int
    partial: bool = False  # only the newest candidates were matched yet; the rest follows
    painted: threading.Event | None = None  # set once the list has drawn this result


@dataclass(slots=True)
class Base:
    """Candidate rows for a refining filter: complete for store rows < `upto`."""

    rows: array
    upto: int


class ViewFilter:
    def __init__(self) -> None:
        self.user_text = ""
        self.filter: Filter | None = None
        self.rows: array | None = None
        self.upto = 0
        self.generation = 0
        self.partial = False  # rows hold only the newest matches; the full result follows
        # Rows completed in place (a call returning) since a refilter was asked for: the
        # worker may have matched them before they changed.
        self.awaiting = False
        self.changed: list[int] = []

    @staticmethod
    def compose_text(text: str, pid: int | None) -> str:
        return f"pid:{pid} {text}".strip() if pid is not None else text

    def next_generation(self) -> int:
        self.generation += 1
        self.awaiting = True
        self.changed = []
        return self.generation

    def note_changed(self, update) -> None:
        """Keep the rows of `update` completed in place while a worker result is awaited."""
        if self.awaiting and update.changed_rows:
            self.changed.extend(r for r in update.changed_rows if r < update.first_new_row)

    def set_all(self) -> None:
        self.next_generation()  # any pending worker result is now stale
        self.awaiting = False
        self.filter = None
        self.rows = None
        self.upto = 0
        self.partial = False

    def base_for(self, flt: Filter, store_rows: int) -> Base | None:
        """The previous result to refine `flt` from, or None for a fresh scan of the store."""
        if self.filter is None or self.rows is None or self.partial:
            return None
        if not flt.refines(self.filter):
            return None
        if not prefer_refine(len(self.rows), store_rows):
            return None
        return Base(array("I", self.rows), self.upto)

    def accept(self, store, result: FilterResult) -> bool:
        """Adopt a worker result unless a newer one was asked for; catch up on rows since."""
        if result.generation != self.generation:
            return False
        rows = array("I", result.rows)
        end = len(store)
        # Rows the worker matched that changed since (a call returned) are matched again.
        result.filter.recheck(store, rows, [r for r in self.changed if r < result.upto])
        if result.upto < end:
            rows.extend(result.filter.match_rows(store, range(result.upto, end)) or ())
        self.filter, self.rows, self.upto = result.filter, rows, end
        self.partial = result.partial
        if not result.partial:
            self.awaiting = False
            self.changed = []
        return True

    def rows_dropped(self, k: int) -> None:
        """The store forgot its oldest `k` rows and renumbered the rest.

        A worker result still to come counts in the old numbers: it is dropped
        (generation), and the caller matches the filter again."""
        if self.rows is not None:
            i = bisect_left(self.rows, k)
            self.rows = array("I", map(operator.sub, self.rows[i:], repeat(k)))
        self.upto = max(0, self.upto - k)
        self.changed = [r - k for r in self.changed if r >= k]
        if self.awaiting:
            self.next_generation()

    def extend(self, store, update) -> None:
        """Match the rows of one `store.append`: new rows, and completed rows that may now match."""
        if self.filter is None or self.rows is None:
            return
        self.rows = self.filter.apply_update(store, self.rows, update)
        self.upto = len(store)
