"""An index from a value (fd, pid, syscall number) to the ascending rows that have it.

Filters on the value become a lookup instead of a scan of every row: the
cost is the size of the answer, not of the store. Rows arrive in order,
except a call completed in place whose value is added late (a returned fd):
that key's rows are then re-sorted on the next lookup.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import compress, groupby, repeat

_FEW_KEYS = 4


class RowsByKey:
    def __init__(self) -> None:
        self._rows: dict[int, array] = {}
        self._unsorted: set[int] = set()

    def __contains__(self, key: int) -> bool:
        return key in self._rows

    def add(self, row: int, key: int) -> None:
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = array("I")
        elif rows and rows[-1] >= row:
            if rows[-1] == row:
                return
            self._unsorted.add(key)
        rows.append(row)

    def add_many(self, rows: Sequence[int], keys: Sequence[int]) -> None:
        """`add` for each (row, key) pair, rows ascending: a batch of the app's ingest
        costs one sort and one extend per distinct key instead of a call per row."""
        if not rows:
            return
        first = keys[0]
        if keys.count(first) == len(keys):  # one process, one syscall: the usual flood
            self._extend(first, rows)
            return
        distinct = set(keys)
        if len(distinct) <= _FEW_KEYS:  # a few syscalls or fds, all day: a pass each, in C
            for key in sorted(distinct):
                self._extend(key, compress(rows, map(key.__eq__, keys)))
            return
        order = sorted(range(len(keys)), key=keys.__getitem__)  # stable: rows stay ascending
        for key, idx in groupby(order, keys.__getitem__):
            self._extend(key, map(rows.__getitem__, idx))

    def _extend(self, key: int, rows: Iterable[int]) -> None:
        have = self._rows.get(key)
        if have is None:
            self._rows[key] = array("I", rows)
            return
        n = len(have)
        last = have[-1] if n else -1
        have.extend(rows)
        if len(have) > n and have[n] <= last:
            self._unsorted.add(key)  # (an equal row is a duplicate: rows() drops it)

    def rows(self, key: int) -> array:
        rows = self._rows.get(key)
        if rows is None:
            return array("I")
        if key in self._unsorted:
            self._unsorted.discard(key)
            rows = self._rows[key] = array("I", sorted(set(rows)))
        return rows

    def rows_of_any(self, keys: Iterable[int]) -> array:
        """Ascending rows having any of `keys` (each row once)."""
        parts = [r for r in (self.rows(k) for k in keys) if len(r)]
        if not parts:
            return array("I")
        if len(parts) == 1:
            return parts[0]
        return array("I", sorted(set().union(*parts)))

    def drop_below(self, k: int) -> None:
        """Forget rows below `k` and renumber the rest from 0 (the store dropped its oldest)."""
        kept: dict[int, array] = {}
        for key in list(self._rows):
            rows = self.rows(key)  # (sorted)
            i = bisect_left(rows, k)
            if i < len(rows):
                kept[key] = array("I", map(operator.sub, rows[i:], repeat(k)))
        self._rows = kept
        self._unsorted.clear()
