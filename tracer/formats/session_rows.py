"""A session file's event rows <-> the pipeline's records, `(tag, body)`.

Format 1 kept each event whole in `raw` (marshal of the pipeline's tuple), beside the
columns SQL users query: a call's id, pid, tid, number, times and return value were on
disk twice, and its type and name were words on every row (171 B an event for an
open/read/close loop, where the goal is 150). Format 2 stores each value once: the
columns hold what they show, `raw` holds only the rest of a call (`CALL_REST`), and
types and syscall names are small integers named in tables of their own (the `events`
and `syscalls` views join them for SQL). Reading puts each call's tuple back together
(CALL_ROW order, as the store takes it), exactly: a time the columns cannot give back
to the bit, or a thread the columns do not hold, travels in `raw` too (`EXACT`).

Eight columns cost more to fetch than one blob, so the common rows skip the tuples
between: a reader's batch of plain calls goes to the store's columns as columns
(`call_fields`), and a plain call read as an event is made a Syscall at once.

Format 1 files still read (their `raw` is the whole record): `row_decoder`.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Callable
from itertools import repeat
from operator import add, itemgetter, truediv
from typing import Any

from tracer.events import Frame, Syscall
from tracer.formats.pipeline import CALL_TAGS, RESUMED_TAG, SYSCALL_TAG, decode, tags_by_name

NS = 1_000_000_000  # (an int: int / int is rounded once, exactly)

# A call's values in `raw`, in this order; the others are columns. EXACT, a ninth value
# only where needed: (start, end, the call's tid, Resumed.tid) as they were.
CALL_REST = ("seq", "args", "error", "mem", "fds", "stack", "done", "no_return")
EXACT = len(CALL_REST)

Items = Callable[[list[tuple]], list[tuple]]
Fields = Callable[[list[tuple]], "tuple | None"]
Events = Callable[[list[tuple]], list[Any]]


def time_ns(t: float) -> int:
    """`t` (seconds) in whole ns, rounded from its exact value: `time_ns(t) / NS == t`
    for any time of day (a double's step there is ~240 ns), where `int(t * 1e9)` is off
    by up to 128 ns and comes back as the neighbouring double now and then."""
    n, d = t.as_integer_ratio()
    return (2 * n * NS + d) // (2 * d)


def call_columns(tag: int, body: tuple) -> tuple[int, int, int | None, bytes]:
    """A call's (tid, start_ns, dur_ns, raw); pid, nr and ret are its body's own."""
    start, end, done = body[5], body[6], body[12]
    start_ns = time_ns(start)
    dur_ns = int((end - start) * 1e9) if done and end else None
    tid = body[2]
    resumed_tid = body[14] if tag == RESUMED_TAG and len(body) > 14 else 0
    rest: tuple = (body[0], body[4], *body[8:14])
    back = start_ns / NS
    if (
        type(start) is not float
        or back != start
        or (None if dur_ns is None else back + dur_ns / 1e9) != end
        or (end is not None and type(end) is not float)
        or resumed_tid
    ):
        rest = (*rest, (start, end, tid, resumed_tid))
    return (resumed_tid or tid), start_ns, dur_ns, dumps(rest)


def dumps(item: Any) -> bytes:
    """marshal, never pickle: a session file may come from anyone, and reading one
    must not run code. A value marshal cannot carry is kept as its repr."""
    try:
        return marshal.dumps(item)
    except ValueError:
        return marshal.dumps(_plain(item))


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, int | float | str | bytes | bool):
        return v
    if isinstance(v, tuple | list):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return {_plain(k): _plain(x) for k, x in v.items()}
    if isinstance(v, set | frozenset):
        return type(v)(_plain(x) for x in v)
    return repr(v)


def other_raw(body: tuple) -> bytes:
    """A process event's `raw`: its whole body (a few per process; no column repeats
    enough of it to be worth the code)."""
    return dumps(body)


class RowDecoder:
    """How one format's event rows are read: `select(where)` the SQL (its `?` bound by
    the caller), `items(rows)` the records they hold, `(tag, body)` each, `events(rows)`
    the same as events; `calls(rows)`, where the format has it, the same calls as fields
    (`call_fields`)."""

    def __init__(
        self,
        table: str,
        columns: str,
        items: Items,
        events: Events | None = None,
        calls: Fields | None = None,
    ) -> None:
        self.table = table
        self._columns = columns
        self.items = items
        self.events = events or (lambda rows: list(map(decode, items(rows))))
        self.calls = calls

    def select(self, where: str = "") -> str:
        return f"SELECT {self._columns} FROM {self.table} {where} ORDER BY id"


def format_version(db: sqlite3.Connection) -> int:
    """The file's format version (its `meta`); raises ValueError where it has none."""
    row = db.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()
    if row is None:
        raise ValueError("no format version")
    return int(row[0])


def row_decoder(db: sqlite3.Connection, version: int) -> RowDecoder:
    """The decoder of a file of `version` (1 or 2; the caller checked which it is)."""
    if version == 1:
        first, loads = itemgetter(0), marshal.loads
        return RowDecoder("events", "raw", lambda rows: list(map(loads, map(first, rows))))
    ours = tags_by_name()
    codes = dict(db.execute("SELECT code, type FROM event_types"))
    tags: list[int | None] = [None] * (max(codes, default=-1) + 1)
    for code, name in codes.items():
        tags[code] = ours.get(name)  # (an unknown type: the rows that use it are damaged)
    syscall = tags.index(SYSCALL_TAG) if SYSCALL_TAG in tags else None
    return RowDecoder(
        "event_rows",
        "type, pid, tid, nr, start_ns, dur_ns, ret, raw",
        _items_of(tags),
        _events_of(tags, syscall),
        None if syscall is None else _call_fields_of(syscall),
    )


def _events_of(tags: list[int | None], syscall: int | None) -> Events:
    items = _items_of(tags)

    def events(rows: list[tuple]) -> list[Any]:
        """`items`, decoded; a whole call (most rows) made a Syscall here, as
        `pipeline._call_from` makes it, with no tuple between (it took twice as long)."""
        loads = marshal.loads
        out: list[Any] = []
        append = out.append
        for row in rows:
            code, pid, tid, nr, start_ns, dur_ns, ret, raw = row
            rest = loads(raw)
            if code != syscall or len(rest) != EXACT:
                append(decode(items([row])[0]))
                continue
            seq, args, error, mem, fds, stack, done, no_return = rest
            start = start_ns / NS
            end = None if dur_ns is None else start + dur_ns / 1e9
            call = Syscall(seq, pid, tid, nr, args, start, end, ret, error, mem, fds)
            if stack is not None:
                call.stack = [Frame(*f) for f in stack]
            call.done = done
            call.no_return = no_return
            append(call)
        return out

    return events


def _call_fields_of(syscall: int) -> Fields:
    def call_fields(rows: list[tuple]) -> tuple | None:
        """The rows' calls as fields, CALL_ROW order without stacks (what
        `CallColumns.of_fields` takes), where they are all whole calls that returned,
        with no stack and no EXACT: a reader's usual batch, turned into columns
        without a tuple per call. None for any other batch (`items` then)."""
        if not rows:
            return None
        codes, pids, tids, nrs, start_nss, dur_nss, rets, raws = zip(*rows, strict=True)
        n = len(codes)
        if codes.count(syscall) != n or None in dur_nss:
            return None
        rests = list(map(marshal.loads, raws))
        if list(map(len, rests)).count(EXACT) != n:
            return None
        seqs, argss, errors, mems, fdss, stacks, dones, no_returns = zip(*rests, strict=True)
        if stacks.count(None) != n:
            return None
        starts = list(map(truediv, start_nss, repeat(NS)))
        ends = list(map(add, starts, map(truediv, dur_nss, repeat(1e9))))
        return (seqs, pids, tids, nrs, argss, starts, ends, rets, errors, mems, fdss, dones,
                no_returns)  # fmt: skip

    return call_fields


def _items_of(tags: list[int | None]) -> Items:
    call_tags = CALL_TAGS
    resumed = RESUMED_TAG

    def items(rows: list[tuple]) -> list[tuple]:
        loads = marshal.loads
        out = []
        append = out.append
        for code, pid, tid, nr, start_ns, dur_ns, ret, raw in rows:
            tag = tags[code]
            rest = loads(raw)
            if tag not in call_tags:
                if tag is None:
                    raise ValueError(f"an event of unknown type {code}")
                append((tag, rest))
                continue
            start = start_ns / NS
            end = None if dur_ns is None else start + dur_ns / 1e9
            if len(rest) == EXACT:
                seq, args, error, mem, fds, stack, done, no_return = rest
                resumed_tid = 0
            else:
                seq, args, error, mem, fds, stack, done, no_return, exact = rest
                start, end, tid, resumed_tid = exact
            if tag == resumed:
                body = (seq, pid, tid, nr, args, start, end, ret, error, mem, fds, stack, done,
                        no_return, resumed_tid)  # fmt: skip
            else:
                body = (seq, pid, tid, nr, args, start, end, ret, error, mem, fds, stack, done,
                        no_return)  # fmt: skip
            append((tag, body))
        return out

    return items
