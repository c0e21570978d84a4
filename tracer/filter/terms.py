"""Filter terms and the `Filter` that ANDs them, evaluated on the store's columns.

Each term narrows a sorted candidate row list. Structured terms read array
columns through `map`/`compress`, so the per-row work runs in C; only plain
words need the rendered text (`store.text`), and only `path:` renders calls,
for the few rows whose captured strings contain the needle.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, filterfalse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.store import EventStore, StoreUpdate

Rows = "array | range"


def _is_all(rows: array | range, col: array) -> bool:
    return isinstance(rows, range) and rows.start == 0 and rows.step == 1 and rows.stop == len(col)


def _values(col: array, rows: array | range) -> Iterable:
    """Column values for `rows` (the column itself when rows is everything)."""
    if _is_all(rows, col):
        return col
    return map(col.__getitem__, rows)


@dataclass(slots=True)
class Term:
    """One ANDed condition; `negate` for `-term`. `cost` orders evaluation (cheap first)."""

    negate: bool = field(default=False, kw_only=True)
    cost = 1

    def select(self, store: EventStore, rows: array | range) -> Iterator[int] | None:
        """The rows among `rows` (ascending) that satisfy the term, ignoring `negate`."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def implies(self, other: Term) -> bool:
        """True if every row matching self also matches `other` (for refinement)."""
        return self == other


@dataclass(slots=True)
class NumberSetTerm(Term):
    """Rows whose syscall number is in `nrs` (name: and class: terms)."""

    nrs: frozenset[int] = frozenset()
    label: str = ""

    def select(self, store, rows):
        return compress(rows, map(self.nrs.__contains__, _values(store.nrs, rows)))

    def describe(self):
        return self.label

    def implies(self, other):
        if self == other:
            return True
        return (
            isinstance(other, NumberSetTerm)
            and not self.negate
            and not other.negate
            and self.nrs <= other.nrs
        )


@dataclass(slots=True)
class PidTerm(Term):
    """Rows of any of `pids` (process id or thread id)."""

    pids: frozenset[int] = frozenset()

    def select(self, store, rows):
        has = self.pids.__contains__
        return compress(
            rows,
            map(
                operator.or_,
                map(has, _values(store.pids, rows)),
                map(has, _values(store.tids, rows)),
            ),
        )

    def describe(self):
        return "pid " + ",".join(map(str, sorted(self.pids)))

    def implies(self, other):
        return self == other or (
            isinstance(other, PidTerm)
            and not self.negate
            and not other.negate
            and self.pids <= other.pids
        )


@dataclass(slots=True)
class FailedTerm(Term):
    """Failed syscalls; with `errnos`, only those errors."""

    errnos: frozenset[int] | None = None
    label: str = "failed"

    def select(self, store, rows):
        vals = _values(store.errnos, rows)
        if self.errnos is None:
            return compress(rows, vals)
        return compress(rows, map(self.errnos.__contains__, vals))

    def describe(self):
        return self.label

    def implies(self, other):
        if self == other:
            return True
        if not isinstance(other, FailedTerm) or self.negate or other.negate:
            return False
        if other.errnos is None:
            return True
        return self.errnos is not None and self.errnos <= other.errnos


_COMPARE = {
    # `threshold OP-method duration` spelled as the method of the threshold.
    ">": "__lt__",
    "<": "__gt__",
    ">=": "__le__",
    "<=": "__ge__",
    "=": "__eq__",
}


@dataclass(slots=True)
class DurationTerm(Term):
    """Syscalls whose duration compares with `seconds` (non-syscall rows never match)."""

    op: str = ">"
    seconds: float = 0.0
    label: str = ""
    cost = 2

    def select(self, store, rows):
        cmp = getattr(self.seconds, _COMPARE[self.op])
        hits = array("I", compress(rows, map(cmp, _values(store.durations, rows))))
        # Keep syscalls only: their kind is 0.
        return compress(hits, map(operator.not_, map(store.kinds.__getitem__, hits)))

    def describe(self):
        return self.label


@dataclass(slots=True)
class FdTerm(Term):
    """Syscalls taking fd `fd` as an argument, or returning it as a new fd."""

    fd: int = 0
    cost = 3

    def select(self, store, rows):
        idx = store.fd_index.rows(self.fd)
        if isinstance(rows, range) and rows.step == 1:
            return iter(idx[bisect_left(idx, rows.start) : bisect_left(idx, rows.stop)])
        if not len(rows) or not len(idx):
            return iter(())
        part = set(idx[bisect_left(idx, rows[0]) : bisect_right(idx, rows[-1])])
        return compress(rows, map(part.__contains__, rows))

    def describe(self):
        return f"fd {self.fd}"


@dataclass(slots=True)
class PathTerm(Term):
    """Syscalls with a path argument, or an fd naming a path, containing `needle`."""

    needle: str = ""
    cost = 4

    def select(self, store, rows):
        mem_ix, fds_ix, blobs = store.mem_ix, store.fds_ix, store.blobs
        has_data = map(operator.or_, _values(mem_ix, rows), _values(fds_ix, rows))
        needle = self.needle
        needle_b = needle.encode("utf-8", "surrogateescape")
        # Blobs are shared between rows: decide once per blob.
        fd_memo: dict[int, bool] = {0: False}
        mem_memo: dict[int, bool] = {0: False}
        confirmed: dict[tuple[int, int], bool] = {}
        out = array("I")
        for row in compress(rows, has_data):
            f = fds_ix[row]
            hit = fd_memo.get(f)
            if hit is None:
                flat = blobs[f]
                hit = fd_memo[f] = any(needle in v for v in flat[1::2] if isinstance(v, str))
            if hit:
                out.append(row)
                continue
            m = mem_ix[row]
            hit = mem_memo.get(m)
            if hit is None:
                hit = mem_memo[m] = _bytes_contain(blobs[m][1::2], needle_b)
            if not hit:
                continue
            # Captured bytes contain it: check it is in a path argument, not a data buffer.
            key = (store.nrs[row], m)
            ok = confirmed.get(key)
            if ok is None:
                rc = store.rendered(row)
                ok = confirmed[key] = rc is not None and any(
                    a.kind == "path" and needle in (a.value if isinstance(a.value, str) else a.text)
                    for a in rc.args
                )
            if ok:
                out.append(row)
        return iter(out)

    def describe(self):
        return f"path ~ {self.needle}"

    def implies(self, other):
        return self == other or (
            isinstance(other, PathTerm)
            and not self.negate
            and not other.negate
            and other.needle in self.needle
        )


def _bytes_contain(values: tuple, needle: bytes) -> bool:
    for v in values:
        if isinstance(v, (bytes, bytearray)) and needle in v:
            return True
        if isinstance(v, (list, tuple)):
            for x in v:
                if isinstance(x, (bytes, bytearray)) and needle in x:
                    return True
    return False


@dataclass(slots=True)
class WordTerm(Term):
    """A plain word: anywhere in the row's rendered line, case-insensitive."""

    word: str = ""
    cost = 5

    def select(self, store, rows):
        return store.text.rows_containing(self.word, rows)

    def describe(self):
        return repr(self.word)

    def implies(self, other):
        return self == other or (
            isinstance(other, WordTerm)
            and not self.negate
            and not other.negate
            and other.word in self.word
        )


class Filter:
    """A parsed filter: terms ANDed. Build with `parse_filter(text)`."""

    def __init__(self, text: str, terms: list[Term]) -> None:
        self.text = text
        self.terms = sorted(terms, key=lambda t: t.cost)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def needs_text(self) -> bool:
        """True when matching renders every row once (plain words): slow the first time."""
        return any(isinstance(t, WordTerm) for t in self.terms)

    def describe(self) -> str:
        """Short human form for the status bar."""
        if not self.terms:
            return "all events"
        return " and ".join(("not " if t.negate else "") + t.describe() for t in self.terms)

    def refines(self, previous: Filter | None) -> bool:
        """True if every row this filter matches also matches `previous`.

        Then the new result can be computed from the previous result only
        (`match_rows(store, rows=previous_result)`), as when typing `ope` after `op`.
        """
        if previous is None:
            return False
        return all(any(t.implies(p) for t in self.terms) for p in previous.terms)

    def match_rows(
        self,
        store: EventStore,
        rows: Iterable[int] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> array | None:
        """Matching rows among `rows` (ascending; default all) as array('I').

        Returns None if `should_stop()` became true (checked between terms
        and while building the search text).
        """
        cands: array | range
        if rows is None:
            cands = range(len(store))
        elif isinstance(rows, (array, range)):
            cands = rows
        else:
            cands = array("I", rows)
        if self.needs_text:
            top = cands[-1] + 1 if len(cands) else 0
            if not store.text.ensure(top, should_stop):
                return None
        for term in self.terms:
            if not len(cands):
                break
            hits = term.select(store, cands)
            if term.negate:
                drop = set(hits)
                cands = array("I", filterfalse(drop.__contains__, cands))
            else:
                cands = array("I", hits)
            if should_stop is not None and should_stop():
                return None
        return cands if isinstance(cands, array) else array("I", cands)

    def apply_update(self, store: EventStore, matches: array, update: StoreUpdate) -> array:
        """Bring `matches` (this filter's result so far) up to date after `store.append`.

        New rows are matched and appended; older rows completed in place are
        re-checked (a call in progress can start or stop matching once it returns).
        """
        old = [r for r in update.changed_rows if r < update.first_new_row]
        if old:
            now = set(self.match_rows(store, array("I", old)) or ())
            for r in old:
                i = bisect_left(matches, r)
                present = i < len(matches) and matches[i] == r
                if r in now and not present:
                    matches.insert(i, r)
                elif present and r not in now:
                    del matches[i]
        if update.count_new:
            new = self.match_rows(store, update.new_rows)
            if new:
                matches.extend(new)
        return matches
