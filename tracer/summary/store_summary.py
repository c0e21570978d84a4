"""The call summary of an EventStore, kept up to date a batch at a time.

The app's Summary pane shows strace -c over the rows the list shows (all, or a
filter's matches). Walking a million rows as Python objects at each refresh
would stall the app, so this reads the store's array columns: each `update`
looks only at the rows added since the last one, grouped by syscall number with
C-level passes (`map`, `compress`, a sort), and at the few calls that were in
progress then (they count once returned, as strace counts a call at its exit).
A new filter, or rows dropped by the memory bound, start it over.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import compress, groupby, repeat

from tracer.store.event_store import F_DONE, F_HAS_RET, F_IN_PROGRESS, F_NO_RETURN
from tracer.summary.counts import NS, CallStats

_STATE = F_DONE | F_HAS_RET | F_NO_RETURN | F_IN_PROGRESS
_COUNTED = F_DONE | F_HAS_RET  # returned: the exit was seen


class StoreSummary:
    """Per-syscall stats of the store's rows, or of a filter's matching rows."""

    def __init__(self, store) -> None:
        self.store = store
        self.by_nr: dict[int, CallStats] = {}
        self._known = store.table.by_nr
        self._key: object = None
        self._upto = 0  # store rows below this were looked at
        self._dropped = 0
        self._pending: list[int] = []  # rows < _upto in progress when looked at

    def reset(self) -> None:
        self.by_nr = {}
        self._upto = 0
        self._pending = []

    def update(self, rows: Sequence[int] | None = None, key: object = None) -> bool:
        """Take in the rows added since the last update; True if the stats changed.

        `rows`: the ascending store rows a filter matches (None: every row), and `key`
        what identifies that filter: another key starts the summary over.
        """
        store = self.store
        if key != self._key or store.dropped != self._dropped:
            self._key, self._dropped = key, store.dropped
            self.reset()
        end = len(store)
        changed = self._recheck_pending(rows)
        lo = self._upto
        if lo >= end:
            return changed
        flags = store.flags
        # Calls still in progress are looked at again later, matched or not: a filter
        # such as `err` may match one only once it has returned.
        progress = map(F_IN_PROGRESS.__and__, flags[lo:end])
        self._pending.extend(compress(range(lo, end), progress))
        if rows is None:
            new: Sequence[int] = range(lo, end)
        else:
            new = rows[bisect_left(rows, lo) : bisect_left(rows, end)]
        self._upto = end
        return self._add_rows(new) or changed

    def _recheck_pending(self, rows: Sequence[int] | None) -> bool:
        if not self._pending:
            return False
        flags = self.store.flags
        still, done = [], []
        for row in self._pending:
            (still if flags[row] & F_IN_PROGRESS else done).append(row)
        self._pending = still
        if rows is not None:
            done = [r for r in done if _contains(rows, r)]
        return self._add_rows(done) if done else False

    def _add_rows(self, rows: Sequence[int]) -> bool:
        """Group `rows` by syscall number and add the counted ones (C-level passes)."""
        store = self.store
        if isinstance(rows, range):
            nrs, flags = store.nrs[rows.start : rows.stop], store.flags[rows.start : rows.stop]
            durations = store.durations[rows.start : rows.stop]
            errnos = store.errnos[rows.start : rows.stop]
        else:
            nrs = array("i", map(store.nrs.__getitem__, rows))
            flags = array("B", map(store.flags.__getitem__, rows))
            durations = array("f", map(store.durations.__getitem__, rows))
            errnos = array("H", map(store.errnos.__getitem__, rows))
        mask = list(map(operator.eq, map(_STATE.__and__, flags), repeat(_COUNTED)))
        nrs = list(compress(nrs, mask))
        if not nrs:
            return False
        durations = list(compress(durations, mask))
        errnos = list(compress(errnos, mask))
        order = sorted(range(len(nrs)), key=nrs.__getitem__)
        known, by_nr = self._known, self.by_nr
        for nr, group in groupby(order, key=nrs.__getitem__):
            if nr not in known:
                continue  # a number the table does not have: strace does not count it either
            idx = list(group)
            times = list(map(durations.__getitem__, idx))
            failed = len(idx) - list(map(errnos.__getitem__, idx)).count(0)
            stats = by_nr.get(nr)
            if stats is None:
                stats = by_nr[nr] = CallStats()
            stats.merge(
                len(idx),
                failed,
                round(sum(times) * NS),
                round(min(times) * NS),
                round(max(times) * NS),
            )
        return True


def _contains(rows: Sequence[int], row: int) -> bool:
    i = bisect_left(rows, row)
    return i < len(rows) and rows[i] == row
