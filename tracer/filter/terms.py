"""Filter terms and the `Filter` that ANDs them, evaluated on the store's columns.

Each term narrows a sorted candidate row list. Most terms give a per-row
boolean `mask` over array columns through `map`, so the per-row work runs in
C and a negated term is the same mask inverted (no set difference). Plain
words read the store's search text (`store.text`), `path:` decides once per
distinct path tuple (`store.paths`) and then scans the `path_ix` column.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, filterfalse, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.store import EventStore, StoreUpdate

Rows = "array | range"


def _is_all(rows: array | range, col: array) -> bool:
    return isinstance(rows, range) and rows.start == 0 and rows.step == 1 and rows.stop == len(col)


def _within(idx: array, rows: array | range) -> Iterable[int]:
    """The rows of a sorted index `idx` that are among `rows` (ascending)."""
    if isinstance(rows, range) and rows.step == 1:
        return idx[bisect_left(idx, rows.start) : bisect_left(idx, rows.stop)]
    if not len(rows) or not len(idx):
        return ()
    part = idx[bisect_left(idx, rows[0]) : bisect_right(idx, rows[-1])]
    if len(part) == len(rows) and part == rows:  # refining a result this term made
        return rows[:]
    return compress(rows, map(set(part).__contains__, rows))


_FLIP = bytes.maketrans(b"\x00\x01", b"\x01\x00")


def _outside(idx: array, rows: array | range) -> Iterable[int]:
    """The rows among `rows` (ascending) that are not in the sorted index `idx`."""
    if isinstance(rows, range) and rows.step == 1:
        part = idx[bisect_left(idx, rows.start) : bisect_left(idx, rows.stop)]
        if rows.start:
            part = map(operator.sub, part, repeat(rows.start))
        marks = bytearray(len(rows))
        any(map(marks.__setitem__, part, repeat(1)))  # scatter in C: no Python code per row
        return compress(rows, marks.translate(_FLIP))
    if not len(rows) or not len(idx):
        return rows[:]
    drop = set(idx[bisect_left(idx, rows[0]) : bisect_right(idx, rows[-1])])
    return filterfalse(drop.__contains__, rows)


def _is_span(rows: array | range) -> bool:
    return isinstance(rows, range) and rows.step == 1


def _marks_outside(
    idx: array, span: range, should_stop: Callable[[], bool] | None
) -> bytearray | None:
    """A byte per row of `span`: 1 where the row is not in the sorted index `idx`.

    Scattered in slices of the index (each a C-level pass), checking `should_stop`
    between them; None if it became true.
    """
    part = idx[bisect_left(idx, span.start) : bisect_left(idx, span.stop)]
    marks = bytearray(b"\x01") * len(span)
    for start in range(0, len(part), SLICE):
        chunk: Iterable[int] = part[start : start + SLICE]
        if span.start:
            chunk = map(operator.sub, chunk, repeat(span.start))
        any(map(marks.__setitem__, chunk, repeat(0)))  # scatter in C
        if should_stop is not None and should_stop():
            return None
    return marks


def _extend_masked(
    out: array, part: array | range, mask: Iterable, whole: bool, row_ids: array
) -> bool:
    """Append the rows of `part` whose mask value is true; True if that was all of them.

    With `whole` (0/1 mask values, and the last slice matched whole), the mask is made
    bytes first: counting its ones answers a slice where every row matches, the
    common case for a first letter typed, with a memcpy from `row_ids` (0, 1, 2, ...)
    instead of a Python int made per row. Once a slice does not match whole, the
    rest compress directly: the bytes step would cost ~10 ns a row for nothing.
    """
    if not whole:
        out.extend(compress(part, mask))
        return False
    flags = bytes(mask)
    hits = flags.count(1)
    if hits == len(flags) and _is_span(part) and part.stop <= len(row_ids):
        out.extend(row_ids[part.start : part.stop])
        return True
    if hits:
        out.extend(compress(part, flags))
    return hits == len(flags)


def _values(col: array, rows: array | range) -> Iterable:
    """Column values for `rows` (the column itself when rows is everything)."""
    if _is_all(rows, col):
        return col
    if isinstance(rows, range) and rows.step == 1:
        return col[rows.start : rows.stop]  # a C-level copy, then a plain scan
    return map(col.__getitem__, rows)


@dataclass(slots=True)
class Term:
    """One ANDed condition; `negate` for `-term`. `cost` orders evaluation (cheap first)."""

    negate: bool = field(default=False, kw_only=True)
    cost = 1
    mask_is_bool = True  # `mask` yields only True/False (or 0/1)

    def select(self, store: EventStore, rows: array | range) -> Iterator[int] | None:
        """The rows among `rows` (ascending) that satisfy the term, ignoring `negate`."""
        return compress(rows, self.mask(store, rows))

    def mask(self, store: EventStore, rows: array | range) -> Iterable | None:
        """Truth values of the term for each of `rows` (ignoring `negate`); None if the term
        only knows how to `select`."""
        return None

    def index_rows(self, store: EventStore) -> array | None:
        """All rows satisfying the term, ascending, when an index of the store has them
        (then matching costs the size of the answer, not of the store); else None."""
        return None

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

    def index_rows(self, store):
        # A class spans dozens of numbers: merging their rows costs more than a scan.
        return store.nr_index.rows_of_any(self.nrs) if len(self.nrs) <= 8 else None

    def mask(self, store, rows):
        return map(self.nrs.__contains__, _values(store.nrs, rows))

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

    def index_rows(self, store):
        return store.pid_index.rows_of_any(self.pids)

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

    @property
    def mask_is_bool(self) -> bool:
        return self.errnos is not None  # else the mask is the errno itself

    def mask(self, store, rows):
        vals = _values(store.errnos, rows)
        if self.errnos is None:
            return vals
        return map(self.errnos.__contains__, vals)

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

    def mask(self, store, rows):
        cmp = getattr(self.seconds, _COMPARE[self.op])
        is_call = map(operator.not_, _values(store.kinds, rows))
        return map(operator.and_, map(cmp, _values(store.durations, rows)), is_call)

    def describe(self):
        return self.label


@dataclass(slots=True)
class FdTerm(Term):
    """Syscalls taking fd `fd` as an argument, or returning it as a new fd."""

    fd: int = 0
    cost = 3

    def index_rows(self, store):
        return store.fd_index.rows(self.fd)

    def select(self, store, rows):
        return _within(store.fd_index.rows(self.fd), rows)

    def describe(self):
        return f"fd {self.fd}"


@dataclass(slots=True)
class PathTerm(Term):
    """Syscalls with a path argument, or an fd naming a path, containing `needle`."""

    needle: str = ""
    cost = 4

    def mask(self, store, rows):
        needle = self.needle
        paths = store.paths
        hit_ids = {i for i in range(1, len(paths)) if any(needle in p for p in paths[i])}
        if not hit_ids:
            return repeat(False, len(rows))
        return map(hit_ids.__contains__, _values(store.path_ix, rows))

    def describe(self):
        return f"path ~ {self.needle}"

    def implies(self, other):
        return self == other or (
            isinstance(other, PathTerm)
            and not self.negate
            and not other.negate
            and other.needle in self.needle
        )


@dataclass(slots=True)
class WordTerm(Term):
    """A plain word: anywhere in the row's rendered line, case-insensitive."""

    word: str = ""
    cost = 5

    def select(self, store, rows):
        return store.text.rows_containing(self.word, rows)

    def mask(self, store, rows):
        return store.text.contains_mask(self.word, rows)

    def describe(self):
        return repr(self.word)

    def implies(self, other):
        return self == other or (
            isinstance(other, WordTerm)
            and not self.negate
            and not other.negate
            and other.word in self.word
        )


SLICE = 1 << 15  # rows per C-level pass (~1-3 ms) of a term (see Filter.match_rows)


def prefer_refine(previous_matches: int, store_rows: int) -> bool:
    """Whether refining from a previous result of `previous_matches` rows beats a fresh scan.

    Reading rows by index costs more per row than scanning the columns
    whole, so a result of more than about half the store is better ignored.
    """
    return previous_matches * 2 <= store_rows


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
        """True when plain words are matched: against the store's search text, which covers
        less than the rendered line (see `tracer/store/row_text.py`)."""
        return any(isinstance(t, WordTerm) for t in self.terms)

    @property
    def needs_index(self) -> bool:
        """True when a term reads the lazily built search index (plain words, `path:`)."""
        return any(isinstance(t, (WordTerm, PathTerm)) for t in self.terms)

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

        Each term scans the candidates in slices of `SLICE` rows: between slices
        the thread runs Python code again, so the app's thread gets the GIL (a
        C-level pass over a million rows would hold it for 100 ms) and a
        cancelled match stops early. Returns None if `should_stop()` became true.
        """
        cands: array | range
        if rows is None:
            cands = range(len(store))
        elif isinstance(rows, (array, range)):
            cands = rows
        else:
            cands = array("I", rows)
        if self.needs_index and not store.text.ensure_rows(cands, should_stop):
            return None  # (search text is built lazily: see tracer/store/search_text.py)
        # keep: when set, a byte per row of the range `cands` (1 = still a candidate). A
        # negated index term over a range gives this instead of a row list: most rows
        # survive it, and the next term can then scan the range contiguously.
        keep: bytearray | None = None
        for term in self.terms:
            if not len(cands):
                break
            idx = term.index_rows(store)
            if idx is not None and term.negate and _is_span(cands) and keep is None:
                keep = _marks_outside(idx, cands, should_stop)
                if keep is None:
                    return None
                continue
            if keep is not None and idx is not None:
                cands, keep = array("I", compress(cands, keep)), None
                if not len(cands):
                    break
            out = array("I")
            whole = True  # the last slice matched whole
            for start in range(0, len(cands), SLICE):
                part = cands[start : start + SLICE]
                if idx is not None:
                    out.extend(_outside(idx, part) if term.negate else _within(idx, part))
                elif (mask := term.mask(store, part)) is not None:
                    is_bool = term.mask_is_bool
                    if term.negate:
                        mask, is_bool = map(operator.not_, mask), True
                    if keep is not None:
                        if not is_bool:
                            mask, is_bool = map(operator.truth, mask), True
                        mask = map(operator.and_, mask, keep[start : start + SLICE])
                    whole = _extend_masked(out, part, mask, whole and is_bool, store.row_ids)
                else:
                    if keep is not None:
                        part = array("I", compress(part, keep[start : start + SLICE]))
                    if term.negate:
                        drop = set(term.select(store, part))
                        out.extend(filterfalse(drop.__contains__, part))
                    else:
                        out.extend(term.select(store, part))
                if should_stop is not None and should_stop():
                    return None
            cands, keep = out, None
        if keep is not None:
            cands = array("I", compress(cands, keep))
        return cands if isinstance(cands, array) else array("I", cands)

    def recheck(self, store: EventStore, matches: array, rows: Iterable[int]) -> None:
        """Match `rows` again (rows completed in place) and insert into or delete from
        `matches` (this filter's sorted result) accordingly."""
        rows = sorted(set(rows))
        if not rows:
            return
        now = set(self.match_rows(store, array("I", rows)) or ())
        for r in rows:
            i = bisect_left(matches, r)
            present = i < len(matches) and matches[i] == r
            if r in now and not present:
                matches.insert(i, r)
            elif present and r not in now:
                del matches[i]

    def apply_update(self, store: EventStore, matches: array, update: StoreUpdate) -> array:
        """Bring `matches` (this filter's result so far) up to date after `store.append`.

        New rows are matched and appended; older rows completed in place are
        re-checked (a call in progress can start or stop matching once it returns).
        """
        self.recheck(store, matches, [r for r in update.changed_rows if r < update.first_new_row])
        if update.count_new:
            new = self.match_rows(store, update.new_rows)
            if new:
                matches.extend(new)
        return matches
