"""EventStore: every event of a session as columns, built to hold a million rows.

A row is one displayed line: a syscall (complete or still in progress), a
signal, or a process event (start, exec, exit, stop, detach). Syscalls are
kept as parallel `array` columns (about 90 bytes a row) and rebuilt as
`Syscall` objects only when asked (`event(row)`); captured memory, fd names
and stacks are kept sparsely, only for rows that have them, and identical
small dicts are shared (the same `{3: '/dev/pts/0'}` repeats all day).
Rare non-syscall events are kept as the objects themselves.

A call first seen as `Unfinished` gets its row at once; its `Resumed` fills
the row in place and is reported in `StoreUpdate.changed_rows`, so views and
filters learn which rows changed.

One ordering rule, strace's: a row stands where strace prints its line, i.e.
at its time (a call's start, an event's moment), and the time column shows
it. The tracer emits a call when it returns, so within a batch the store
sorts by that time: an `execve` comes before the `+++ exec` it caused, a
`clone` before the `+++ process started` of its child, and calls of two
threads in the order they began. A call that other rows overtook while it
ran (emitted `Unfinished`, then `Resumed`) keeps its place at its start and
its line ends with how long it took, ` <2.003417>` (strace -T), so a wait4
above its child's exit says that it spanned it.
"""

from __future__ import annotations

import operator
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain, groupby
from typing import Any

from tracer.events import (
    Detached,
    Event,
    Exec,
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.store.call_columns import CallColumns, flat_items
from tracer.store.fd_columns import FdIndex, fd_layout
from tracer.store.lines import render_event_line, render_syscall_line
from tracer.store.row_text import RowText
from tracer.store.rows_by_key import RowsByKey
from tracer.store.search_text import SearchText
from tracer.syscalls.render import RenderContext, RenderedCall, render, to_int

# Row kinds (the `kinds` column).
K_SYSCALL = 0
K_SIGNAL = 1
K_STARTED = 2
K_EXEC = 3
K_EXITED = 4
K_STOPPED = 5
K_DETACHED = 6
KIND_NAMES = ("syscall", "signal", "started", "exec", "exited", "stopped", "detached")
# Coarse kind for display: what `kind(row)` returns.
_COARSE = ("syscall", "signal", "process", "process", "process", "signal", "process")
_KIND_OF_TYPE = {
    SignalDelivered: K_SIGNAL,
    ProcessStarted: K_STARTED,
    Exec: K_EXEC,
    Exited: K_EXITED,
    Stopped: K_STOPPED,
    Detached: K_DETACHED,
}

# Bits of the `flags` column.
F_DONE = 1  # exit seen (or never returns)
F_HAS_RET = 2  # `ret` holds a value (else None)
F_NO_RETURN = 4
F_IN_PROGRESS = 8  # emitted as Unfinished, not resumed yet
F_OVERTAKEN = 128  # was in progress while later rows arrived: its line shows its duration
_NARGS_SHIFT = 4  # bits 4..6: len(args)

NO_NR = -1  # nr column value of non-syscall rows
_SHARE_MAX_ITEMS = 4  # dicts with at most this many hashable items are shared
_SHARE_INDEX_MAX = 1 << 16  # entries kept to find equal blobs (fd names repeat all day)


# A complete call's fields in CALL_ROW order: `append` also takes a call as a plain tuple
# in this order (the pipeline's own tuple, `tracer/formats/pipeline.py`, with its stack as
# Frames), so a session file's records become rows with no Syscall object each.
CALL_ROW = (
    "seq", "pid", "tid", "nr", "args", "start", "end", "ret", "error", "mem", "fds", "stack",
    "done", "no_return",
)  # fmt: skip
_CALL_FIELDS = operator.attrgetter(*CALL_ROW)
# A column of a run of calls at a time: no 14-tuple per call. Transposing those tuples
# took a tenth of the live app's thread on a fork/exec loop (py-spy, 2-vCPU AMD EPYC VM),
# and all of them alive at once were what the collector promoted and scanned again.
_CALL_FIELD_GETTERS = tuple(map(operator.attrgetter, CALL_ROW))
_U64 = 0xFFFFFFFFFFFFFFFF


_ROW_START = operator.itemgetter(5)  # a CALL_ROW's start
_FIRST = operator.itemgetter(0)
_ARG_PADS = tuple((0,) * (6 - k) for k in range(7))  # args + pad: six values


def _returned_fd(ret: int | None, err: int) -> bool:
    return ret is not None and not err and 0 <= ret < 1 << 31


def _placeholder_row(ev: Event) -> tuple:
    """A process event or signal as a CALL_ROW: the columns its own row has (no number,
    no arguments, done at its time), so it can be appended with the calls around it."""
    return (ev.seq, ev.pid, ev.tid, NO_NR, (), ev.time, ev.time, None, 0, None, None, None,
            True, False)  # fmt: skip


def _placeholder_call(ev: Event) -> Syscall:
    """`_placeholder_row` as a `Syscall`, for a run of `Syscall`s."""
    return Syscall(ev.seq, ev.pid, ev.tid, NO_NR, (), ev.time, ev.time, done=True)


def _chunks_keep_time_order(parts: list) -> bool:
    """Whether appending `parts` (CallColumns, and lists of events between them) one
    after the other gives the rows a sort of the whole batch by time gives: nothing
    before a chunk starts after its first call, nothing after it before its last."""
    last = None  # the last start of the chunk before, if the previous part is one
    for i, part in enumerate(parts):
        if type(part) is CallColumns:
            first = part.starts[0]
            if last is not None and last > first:
                return False
            if i and type(parts[i - 1]) is list and max(map(_time_key, parts[i - 1])) > first:
                return False
            last = part.starts[-1]
        else:
            if last is not None and min(map(_time_key, part)) < last:
                return False
            last = None
    return True


def _time_key(ev: Event) -> float:
    """When strace would print the event's line: a call's start, other events' own time."""
    t = type(ev)
    if t is Syscall:
        return ev.start
    if t is tuple:  # a complete call in CALL_ROW form
        return ev[5]
    if t is Unfinished:
        return ev.call.start
    if t is Resumed:  # after its Unfinished all the same: the sort is stable
        return ev.call.start
    return getattr(ev, "time", 0.0)


@dataclass(slots=True)
class StoreUpdate:
    """What one `append` changed.

    Rows `first_new_row .. first_new_row + count_new - 1` are new.
    `changed_rows` were completed in place (a `Resumed`), ascending, and may
    include rows new in this batch. `effects` lists rows in the order their
    effect happened (a syscall when it completed, other events when they
    arrived): models (fd tables, process tree, errors) replay it in order.
    `ended` is the `TraceEnded` event if one arrived.
    """

    first_new_row: int
    count_new: int
    changed_rows: list[int] = field(default_factory=list)
    effects: array = field(default_factory=lambda: array("I"))
    ended: TraceEnded | None = None

    @property
    def new_rows(self) -> range:
        return range(self.first_new_row, self.first_new_row + self.count_new)


class EventStore:
    """Append-only, columnar store of tracer events; rows are numbered from 0 in stream order."""

    def __init__(self, strsize: int = 32, line_cache_size: int = 8192) -> None:
        self.ctx = RenderContext(strsize=strsize)
        self.table = self.ctx.table
        self.kinds = array("B")
        self.pids = array("i")
        self.tids = array("i")
        self.nrs = array("i")
        self.seqs = array("q")
        self.starts = array("d")
        self.ends = array("d")  # == start while a call is in progress
        self.durations = array("f")  # end - start (float32 is plenty), for fast filters
        self.rets = array("q")
        self.errnos = array("H")
        self.flags = array("B")
        self.args = tuple(array("Q") for _ in range(6))
        self.fd_index = FdIndex()  # rows by the fds they are about
        self.pid_index = RowsByKey()  # rows by process id and by thread id
        self.nr_index = RowsByKey()  # syscall rows by syscall number
        # 0, 1, 2, ...: a filter that matches a whole run of rows copies it from here
        # (a memcpy) instead of making a Python int per row.
        self.row_ids = array("I")
        self._fd_layout = fd_layout(self.table)
        # Captured memory and fd names: per-row indexes into `blobs` (0: none), where each
        # dict is kept flattened as a tuple (k1, v1, k2, v2, ...); equal ones are shared.
        self.mem_ix = array("I")
        self.fds_ix = array("I")
        self.blobs: list[tuple | None] = [None]
        self._fds_index: dict[tuple, int] = {}
        self._mem_index: dict[tuple, int] = {}
        self.stacks: dict[int, list] = {}
        self.others: dict[int, Event] = {}  # non-syscall rows: the event itself
        self._live: dict[int, Syscall] = {}  # row -> in-progress call object
        self._row_of_live: dict[int, int] = {}  # id(call) -> row
        self._lines: OrderedDict[int, str] = OrderedDict()
        self._line_cache_size = line_cache_size
        self.text = SearchText(self)
        self._row_text = RowText(self.ctx)
        # Path arguments and fd names of each row, interned: `path:` decides once per
        # distinct tuple, then scans this int column.
        self.path_ix = array("I")
        self.paths: list[tuple[str, ...]] = [()]
        self._path_ids: dict[tuple[str, ...], int] = {(): 0}
        self.ended: TraceEnded | None = None
        self.dropped = 0  # rows forgotten so far (drop_oldest): the explorer's memory bound
        self._launching: set[int] = set()  # launched by tracetui, first exec still to come
        self._exec_nrs = frozenset(
            n for name in ("execve", "execveat") for n in self.table.numbers_named(name)
        )

    # ---- appending -------------------------------------------------------

    def append(self, events: Iterable[Event]) -> StoreUpdate:
        """Add a batch of events (stream order); returns the rows added and changed.

        Rows are numbered in time order (see the module docstring); `effects` keep the
        stream order, the order in which the calls took effect. A complete call may come
        as a CALL_ROW tuple instead of a `Syscall` (the bulk form of a reopened session:
        `session_file.SessionBatches.store_rows`), and runs of them as `CallColumns`
        (a session file's reader process); the rows are the same.
        """
        first = len(self.kinds)
        changed: list[int] = []
        events = events if isinstance(events, list) else list(events)
        effect_of: dict[int, int] = {}  # id(event) -> its row, for `effects`
        if events:
            types = set(map(type, events))
            if types == {tuple}:
                return self._append_call_rows(events)
            if CallColumns in types:
                return self._append_with_columns(events)
        keys = list(map(_time_key, events))
        if all(map(operator.le, keys, keys[1:])):
            ordered = events  # the usual case: one thread, or threads taking turns
        else:
            ordered = [events[i] for _, i in sorted(zip(keys, range(len(events)), strict=False))]
        run: list = []  # consecutive calls of one form: appended column by column
        run_type: type = Syscall
        # Process events and signals inside `run`: (offset, event, kind), their rows a
        # placeholder call in `run`, made theirs after (`_add_calls`).
        run_others: list[tuple[int, Event, int]] = []
        in_progress: list[int] = []  # rows of `run` that are unfinished calls
        fills: list[tuple[int, Syscall]] = []  # resumed rows, written after the rows
        for ev in ordered:
            t = type(ev)
            if t is Syscall or t is tuple:
                if t is not run_type and run:
                    self._add_calls(run, effect_of, run_others)
                    run = []
                    run_others = []
                run_type = t
                run.append(ev)
                continue
            if t is Unfinished or t is Resumed:
                # Threads interleave: these come every few calls, so they join the run
                # of complete calls (a row each, or a fill once the rows are in) instead of
                # ending it: the run's rows stay column appends.
                if run_type is not Syscall and run:
                    self._add_calls(run, effect_of, run_others)
                    run = []
                    run_others = []
                run_type = Syscall
                call = ev.call
                next_row = len(self.kinds) + len(run)
                if t is Unfinished:
                    if id(call) in self._row_of_live:
                        continue  # already shown as in progress
                    self._live[next_row] = call
                    self._row_of_live[id(call)] = next_row
                    in_progress.append(next_row)
                    run.append(call)
                    continue
                row = self._row_of_live.pop(id(call), -1)
                if row < 0:  # never saw it unfinished: just a complete call
                    effect_of[id(ev)] = next_row
                    run.append(call)
                    continue
                fills.append((row, call))
                changed.append(row)
                effect_of[id(ev)] = row
                continue
            kind = _KIND_OF_TYPE.get(t)
            if kind is not None and self._joins_run(ev, t):
                # A fork/exec loop brings one every few calls: ending the run at each
                # cost more than its rows (runs of ~13 calls, 2-vCPU AMD EPYC VM).
                run_others.append((len(run), ev, kind))
                run.append(_placeholder_row(ev) if run_type is tuple else _placeholder_call(ev))
                continue
            if run:
                self._add_calls(run, effect_of, run_others)
                run = []
                run_others = []
            if t is TraceEnded:
                self.ended = ev
            else:
                if kind is None:
                    continue
                if t is ProcessStarted:
                    if not ev.attached and ev.parent not in self.pid_index:
                        self._launching.add(ev.pid)  # forked by tracetui, not yet exec'd
                elif t is Exec:
                    self._launching.discard(ev.pid)
                row = len(self.kinds)
                self._index_pid(row, ev.pid, ev.tid)
                self.kinds.append(kind)
                self.pids.append(ev.pid)
                self.tids.append(ev.tid)
                self.nrs.append(NO_NR)
                self.seqs.append(ev.seq)
                self.starts.append(ev.time)
                self.ends.append(ev.time)
                self.durations.append(0.0)
                self.rets.append(0)
                self.errnos.append(0)
                self.flags.append(F_DONE)
                self.mem_ix.append(0)
                self.fds_ix.append(0)
                self.path_ix.append(0)
                for a in self.args:
                    a.append(0)
                self.others[row] = ev
                effect_of[id(ev)] = row
        if run:
            self._add_calls(run, effect_of, run_others)
        for row in in_progress:
            self.flags[row] |= F_IN_PROGRESS
        last = len(self.kinds) - 1
        for row, call in fills:
            del self._live[row]
            # Overtaken: a later row started before it ended (strace printed that line
            # between its <unfinished ...> and its <... resumed>), whichever batch it came in.
            overtaken = row < last and self.starts[row + 1] < (call.end or call.start)
            self._fill_call(row, call, overtaken=overtaken)
            self.text.invalidate(row)  # after the row is rewritten: see SearchText
            self._lines.pop(row, None)
        effects = array("I", [effect_of[id(ev)] for ev in events if id(ev) in effect_of])
        changed.sort()
        self.row_ids.extend(range(len(self.row_ids), len(self.kinds)))
        self.text.add_rows(len(self.kinds) - first)
        return StoreUpdate(first, len(self.kinds) - first, changed, effects, self.ended)

    def _append_call_rows(self, rows: list[tuple]) -> StoreUpdate:
        """`append` of a batch of complete calls in CALL_ROW form only (most batches of a
        reopened session): the same rows and update, without a look at each event."""
        first = len(self.kinds)
        keys = list(map(_ROW_START, rows))
        effect_of: dict[int, int] = {}
        if all(map(operator.le, keys, keys[1:])):
            self._add_calls(rows, effect_of)
            effects = array("I", range(first, first + len(rows)))
        else:
            order = sorted(
                zip(keys, range(len(rows)), strict=True), key=_FIRST
            )  # stable, as `append`
            self._add_calls([rows[i] for _, i in order], effect_of)
            effects = array("I", map(effect_of.__getitem__, map(id, rows)))
        self.row_ids.extend(range(len(self.row_ids), len(self.kinds)))
        self.text.add_rows(len(self.kinds) - first)
        return StoreUpdate(first, len(self.kinds) - first, [], effects, self.ended)

    def _append_with_columns(self, events: list) -> StoreUpdate:
        """`append` of a batch holding `CallColumns`: each chunk's columns are extended as
        they are, the events between chunks appended as usual, when that gives the rows
        time order gives, i.e. when no event between chunks belongs inside one (the
        reader cuts its chunks so; `session_reader`). Otherwise the chunks are taken
        back to calls and the batch is appended as any other."""
        parts: list = []  # CallColumns, and lists of the events between them
        loose: list = []
        for ev in events:
            if type(ev) is CallColumns:
                if loose:
                    parts.append(loose)
                    loose = []
                parts.append(ev)
            else:
                loose.append(ev)
        if loose:
            parts.append(loose)
        if not _chunks_keep_time_order(parts):
            calls: list = []
            for ev in events:
                if type(ev) is CallColumns:
                    calls.extend(ev.call_rows(self.blobs))
                else:
                    calls.append(ev)
            return self.append(calls)
        first = len(self.kinds)
        changed: list[int] = []
        effects = array("I")
        for part in parts:
            if type(part) is CallColumns:
                effects.extend(self._append_columns(part))
            else:
                update = self.append(part)
                changed.extend(update.changed_rows)
                effects.extend(update.effects)
        changed.sort()
        return StoreUpdate(first, len(self.kinds) - first, changed, effects, self.ended)

    def _append_columns(self, c: CallColumns) -> range:
        """Rows for a chunk of complete calls given as columns (no stacks); their rows."""
        r0 = len(self.kinds)
        n = c.count
        c.register_blobs(self.blobs)
        self.kinds.frombytes(bytes(n))  # K_SYSCALL == 0
        self.pids.extend(c.pids)
        self.tids.extend(c.tids)
        self.nrs.extend(c.nrs)
        self.seqs.extend(c.seqs)
        self.starts.extend(c.starts)
        self.ends.extend(c.ends)
        self.durations.extend(c.durations)
        self.rets.extend(c.rets)
        self.errnos.extend(c.errnos)
        self.flags.extend(c.flags)
        for col, ix in ((self.mem_ix, c.mem_ix), (self.fds_ix, c.fds_ix)):
            if ix.count(0) == n:
                col.frombytes(bytes(4 * n))  # no captures (a getppid flood)
            else:
                col.extend(map(c.blob_map.__getitem__, ix))
        self.path_ix.frombytes(bytes(4 * n))
        for col, values in zip(self.args, (c.a0, c.a1, c.a2, c.a3, c.a4, c.a5), strict=True):
            col.extend(values)
        rows = range(r0, r0 + n)
        self.pid_index.add_many(rows, c.pids)
        if c.tids != c.pids:
            threads = [(r, t) for r, p, t in zip(rows, c.pids, c.tids, strict=True) if t != p]
            self.pid_index.add_many([r for r, _ in threads], [t for _, t in threads])
        self.nr_index.add_many(rows, c.nrs)
        for fd_rows, fds in c.fd_groups(r0):
            self.fd_index.add_many(fd_rows, fds)
        self.row_ids.extend(range(len(self.row_ids), len(self.kinds)))
        self.text.add_rows(n)
        return rows

    def _add_calls(
        self, calls: list, effect_of: dict[int, int], others: list | None = None
    ) -> None:
        """Append complete calls (all `Syscall`s, or all CALL_ROW tuples) as rows, a column
        at a time (the hot path of the app's ingest).

        Same rows as `_add_call` on each, in a fraction of the time: the per-row work
        runs in C (`map`, `zip`, list comprehensions) instead of 20 method calls a row.
        `others` are (offset, event, kind) of the process events and signals whose
        placeholders (`_placeholder_row`, `_placeholder_call`) are among `calls`: their rows are written as
        calls with no number, then made theirs.
        """
        if type(calls[0]) is tuple:
            columns = zip(*calls, strict=False)
        else:
            columns = [tuple(map(get, calls)) for get in _CALL_FIELD_GETTERS]
        r0 = len(self.kinds)
        self._add_call_columns(calls, columns, effect_of, not others)
        if not others:
            return
        kinds = self.kinds
        for offset, ev, kind in others:
            row = r0 + offset
            kinds[row] = kind
            self.others[row] = ev
            effect_of[id(ev)] = row

    def _add_call_columns(
        self, calls: list, columns: Iterable[tuple], effect_of: dict, numbered: bool = True
    ) -> None:
        """Append complete calls given as columns, one tuple per CALL_ROW field; `calls`
        are what the rows stand for (their ids key `effect_of`). Not `numbered`: some rows
        have NO_NR (process events), and stay out of the index by number."""
        (seqs, pids, tids, nrs, argss, starts, ends, rets, errors, mems, fdss, stacks, dones,
         no_returns) = columns  # fmt: skip
        r0 = len(self.kinds)
        n = len(calls)
        self.kinds.frombytes(bytes(n))  # K_SYSCALL == 0
        self.pids.extend(pids)
        self.tids.extend(tids)
        self.nrs.extend(nrs)
        self.seqs.extend(seqs)
        self.starts.extend(starts)
        ends = [e if d and e else s for s, e, d in zip(starts, ends, dones, strict=False)]
        self.ends.extend(ends)
        self.durations.extend(map(operator.sub, ends, starts))
        self.rets.extend([0 if r is None else r for r in rets])
        self.errnos.extend(errors)
        self.flags.extend(
            [
                (min(len(a), 6) << _NARGS_SHIFT)
                | (F_DONE if d else 0)
                | (0 if r is None else F_HAS_RET)
                | (F_NO_RETURN if nor else 0)
                for a, d, r, nor in zip(argss, dones, rets, no_returns, strict=False)
            ]
        )
        self.mem_ix.extend(self._blob_column(mems, self._mem_index))
        self.fds_ix.extend(self._blob_column(fdss, self._fds_index))
        self.path_ix.frombytes(bytes(4 * n))
        self._extend_args(argss)
        rows = range(r0, r0 + n)
        effect_of.update(zip(map(id, calls), rows, strict=False))
        # Indexes: by pid (and tid), by syscall number, by fd; a key at a time.
        self.pid_index.add_many(rows, pids)
        if tids != pids:
            threads = [(r, t) for r, p, t in zip(rows, pids, tids, strict=False) if t != p]
            self.pid_index.add_many([r for r, _ in threads], [t for _, t in threads])
        if numbered:
            self.nr_index.add_many(rows, nrs)
        else:
            kept = [(r, nr) for r, nr in zip(rows, nrs, strict=True) if nr != NO_NR]
            self.nr_index.add_many([r for r, _ in kept], [nr for _, nr in kept])
        if not self._fd_layout.keys().isdisjoint(nrs):
            self._index_fds(r0, nrs, argss, rets, errors)
        if any(stacks):
            for row, pid, nr, stack in zip(rows, pids, nrs, stacks, strict=False):
                if stack and not (pid in self._launching and nr in self._exec_nrs):
                    self.stacks[row] = stack

    def _extend_args(self, argss: tuple) -> None:
        """The six argument columns from each call's argument tuple: padded to six and
        transposed in C. A value outside 0..2**64-1 (or a seventh argument) takes the
        masking path, from where the columns stood."""
        cols = self.args
        n0 = len(cols[0])
        try:
            pads = _ARG_PADS
            padded = zip(*[a + pads[len(a)] for a in argss], strict=True)
            for col, values in zip(cols, padded, strict=True):
                col.extend(values)
            return
        except (OverflowError, IndexError, TypeError, ValueError):
            for col in cols:
                del col[n0:]
        for i, col in enumerate(cols):
            col.extend([a[i] & _U64 if len(a) > i else 0 for a in argss])

    def _index_fds(self, r0: int, nrs: tuple, argss: tuple, rets: tuple, errors: tuple) -> None:
        """Index new call rows by their fd arguments and returned fds (`fd_layout`), a
        syscall number and an argument position at a time (RowsByKey.add_many)."""
        layouts = self._fd_layout
        add_many = self.fd_index.add_many
        picked = [i for i, nr in enumerate(nrs) if nr in layouts]
        picked.sort(key=nrs.__getitem__)  # stable: rows stay ascending within a number
        for nr, group in groupby(picked, nrs.__getitem__):
            idx = list(group)
            positions, returns_fd = layouts[nr]
            for pos in positions:
                have = [i for i in idx if len(argss[i]) > pos]
                if have:
                    fds = [to_int(argss[i][pos]) for i in have]
                    add_many([r0 + i for i in have], fds)
            if returns_fd:
                ok = [i for i in idx if _returned_fd(rets[i], errors[i])]
                if ok:
                    add_many([r0 + i for i in ok], [rets[i] for i in ok])

    def _joins_run(self, ev: Event, t: type) -> bool:
        """Whether a process event or signal can be appended with the calls around it:
        not when it changes which processes are still being launched (`_launching`, which
        the calls before it must see unchanged), nor when that is not known yet."""
        if t is ProcessStarted:
            return ev.attached or ev.parent in self.pid_index
        if t is Exec:
            return ev.pid not in self._launching
        return True

    def _index_pid(self, row: int, pid: int, tid: int) -> None:
        self.pid_index.add(row, pid)
        if tid != pid:
            self.pid_index.add(row, tid)

    def _fill_call(
        self, row: int, call: Syscall, in_progress: bool = False, overtaken: bool = False
    ) -> None:
        """(Re)write the parts of a row that change at syscall exit."""
        flags = min(len(call.args), 6) << _NARGS_SHIFT
        if call.done:
            flags |= F_DONE
            self.ends[row] = call.end if call.end else call.start
            self.durations[row] = self.ends[row] - call.start
        if call.ret is not None:
            flags |= F_HAS_RET
            self.rets[row] = call.ret
            if not call.error and 0 <= call.ret < 1 << 31:
                layout = self._fd_layout.get(call.nr)
                if layout is not None and layout[1]:
                    self.fd_index.add(row, call.ret)
        if call.no_return:
            flags |= F_NO_RETURN
        if in_progress:
            flags |= F_IN_PROGRESS
        if overtaken:
            flags |= F_OVERTAKEN
        self.flags[row] = flags
        self.errnos[row] = call.error
        if call.mem:
            self.mem_ix[row] = self._blob(call.mem, self._mem_index)
        if call.fds:
            self.fds_ix[row] = self._blob(call.fds, self._fds_index)
        if call.stack and not (call.pid in self._launching and call.nr in self._exec_nrs):
            # (The first exec of a launched program was called by tracetui's launcher:
            # those frames are ours, not the program's.)
            self.stacks[row] = call.stack

    def compose_search_text(self, row: int) -> str:
        """A row's search text (and its `path_ix`), from its columns: `SearchText` calls this."""
        try:
            if self.kinds[row] != K_SYSCALL:
                return render_event_line(self.others[row]).lower()
            text, paths = self._row_text.syscall(
                self.event(row), bool(self.flags[row] & F_IN_PROGRESS)
            )
        except Exception:  # never leave a row unbuildable: its name is still searchable
            return self.name(row).lower() + "("
        if paths:
            pid = self._path_ids.get(paths)
            if pid is None:
                pid = self._path_ids[paths] = len(self.paths)
                self.paths.append(paths)
            self.path_ix[row] = pid
        elif self.path_ix[row]:
            self.path_ix[row] = 0
        return text

    def drop_oldest(self, k: int) -> int:
        """Forget the oldest `k` rows (fewer if a call among them is still in progress);
        the rest are renumbered from 0. Returns how many went.

        The explorer's memory bound (tui/feed.py): a long trace keeps its newest rows.
        Everything here that holds a row number follows; holders outside the store
        (models, the view) are told by the caller.
        """
        k = max(0, min(k, len(self.kinds), min(self._live, default=k)))
        if not k:
            return 0
        with self.text.lock:
            for col in (
                self.kinds, self.pids, self.tids, self.nrs, self.seqs, self.starts,
                self.ends, self.durations, self.rets, self.errnos, self.flags,
                self.mem_ix, self.fds_ix, self.path_ix, *self.args,
            ):  # fmt: skip
                del col[:k]
            del self.row_ids[len(self.kinds) :]
            self.text.drop_below(k)
        self.others = {r - k: ev for r, ev in self.others.items() if r >= k}
        self.stacks = {r - k: st for r, st in self.stacks.items() if r >= k}
        self._live = {r - k: c for r, c in self._live.items()}
        self._row_of_live = {i: r - k for i, r in self._row_of_live.items()}
        self._lines.clear()
        for index in (self.fd_index, self.pid_index, self.nr_index):
            index.drop_below(k)
        self._compact_blobs()
        self.dropped += k
        return k

    def _compact_blobs(self) -> None:
        """Free the blobs no row points at any more (dropped rows' captures).

        Freed in place (set to None); the list itself is compacted, renumbering the
        rows' indexes, only once most of it is dead, so a drop stays cheap."""
        blobs = self.blobs
        used = set(self.mem_ix)
        used.update(self.fds_ix)
        used.add(0)
        if len(used) == len(blobs):
            return
        if len(used) * 2 > len(blobs):
            for i in set(range(len(blobs))) - used:
                blobs[i] = None
        else:
            order = sorted(used)  # 0 first: stays "none"
            new_ix = dict(zip(order, range(len(order)), strict=True))
            self.blobs = [blobs[u] for u in order]
            self.mem_ix = array("I", map(new_ix.__getitem__, self.mem_ix))
            self.fds_ix = array("I", map(new_ix.__getitem__, self.fds_ix))
        self._mem_index.clear()
        self._fds_index.clear()

    def _blob_column(self, ds: tuple, index: dict[tuple, int]) -> list[int]:
        """`_blob` of each dict of a column (0 for none), the lookups of repeats in C: a
        flood's calls mostly carry what an earlier call did (one fd's name, one buffer)."""
        flats = flat_items(ds)
        index[()] = 0  # no dict: no blob (`_blob_flat` never sees an empty one)
        try:
            found = list(map(index.get, flats))
        except TypeError:  # an unhashable value somewhere: one at a time
            return [self._blob(d, index) if d else 0 for d in ds]
        if None not in found:
            return found
        blob = self._blob_flat
        return [g if g is not None else blob(f, index) for f, g in zip(flats, found, strict=True)]

    def _blob(self, d: dict, index: dict[tuple, int]) -> int:
        """Index of `d`, flattened, in `blobs`; an equal small blob already stored is reused."""
        return self._blob_flat(tuple(chain.from_iterable(d.items())), index)

    def _blob_flat(self, flat: tuple, index: dict[tuple, int]) -> int:
        if len(flat) <= 2 * _SHARE_MAX_ITEMS:
            try:
                got = index.get(flat)
            except TypeError:  # unhashable values (lists): keep as is
                got = None
                index = None
            if got is not None:
                return got
            if index is not None:
                if len(index) >= _SHARE_INDEX_MAX:
                    index.clear()  # bound the index; recent repeats still share
                index[flat] = len(self.blobs)
        self.blobs.append(flat)
        return len(self.blobs) - 1

    def mem_of(self, row: int) -> dict[Any, Any] | None:
        """Captured memory of a syscall row (a fresh dict), None if none."""
        flat = self.blobs[self.mem_ix[row]]
        return dict(zip(flat[::2], flat[1::2], strict=True)) if flat else None

    def fds_of(self, row: int) -> dict[int, str] | None:
        """What the fds a syscall row mentions referred to (strace -y), None if unknown."""
        flat = self.blobs[self.fds_ix[row]]
        return dict(zip(flat[::2], flat[1::2], strict=True)) if flat else None

    # ---- reading ---------------------------------------------------------

    def __len__(self) -> int:
        return len(self.kinds)

    def kind(self, row: int) -> str:
        """'syscall', 'signal' (signals and group stops) or 'process' (start/exec/exit/detach)."""
        return _COARSE[self.kinds[row]]

    def event_type(self, row: int) -> str:
        """The precise kind: one of KIND_NAMES."""
        return KIND_NAMES[self.kinds[row]]

    def is_syscall(self, row: int) -> bool:
        return self.kinds[row] == K_SYSCALL

    def in_progress(self, row: int) -> bool:
        return bool(self.flags[row] & F_IN_PROGRESS)

    def pid(self, row: int) -> int:
        return self.pids[row]

    def tid(self, row: int) -> int:
        return self.tids[row]

    def time(self, row: int) -> float:
        return self.starts[row]

    def nr(self, row: int) -> int:
        """Syscall number, -1 for non-syscall rows."""
        return self.nrs[row]

    def name(self, row: int) -> str:
        """Syscall name, or the event type for other rows."""
        nr = self.nrs[row]
        if nr == NO_NR:
            return KIND_NAMES[self.kinds[row]]
        return self.table.name(nr)

    def ret(self, row: int) -> int | None:
        return self.rets[row] if self.flags[row] & F_HAS_RET else None

    def failed(self, row: int) -> bool:
        return self.errnos[row] != 0

    def errno(self, row: int) -> int:
        return self.errnos[row]

    def duration(self, row: int) -> float:
        """Seconds between entry and exit; 0.0 while in progress and for non-syscall rows."""
        return self.ends[row] - self.starts[row]

    def event(self, row: int) -> Event:
        """The event of a row; syscalls are rebuilt from the columns (a fresh object)."""
        if self.kinds[row] != K_SYSCALL:
            return self.others[row]
        live = self._live.get(row)
        if live is not None:
            return live
        flags = self.flags[row]
        nargs = (flags >> _NARGS_SHIFT) & 7
        done = bool(flags & F_DONE)
        return Syscall(
            seq=self.seqs[row],
            pid=self.pids[row],
            tid=self.tids[row],
            nr=self.nrs[row],
            args=tuple(self.args[i][row] for i in range(nargs)),
            start=self.starts[row],
            end=self.ends[row] if done else 0.0,
            ret=self.rets[row] if flags & F_HAS_RET else None,
            error=self.errnos[row],
            mem=self.mem_of(row),
            fds=self.fds_of(row),
            stack=self.stacks.get(row),
            done=done,
            no_return=bool(flags & F_NO_RETURN),
        )

    def rendered(self, row: int) -> RenderedCall | None:
        """Structured, rendered arguments of a syscall row (None for other rows); not cached."""
        if self.kinds[row] != K_SYSCALL:
            return None
        return render(self.event(row), self.ctx)

    def line(self, row: int) -> str:
        """The strace-style text of a row, without the pid prefix (cached, LRU)."""
        cache = self._lines
        text = cache.get(row)
        if text is not None:
            cache.move_to_end(row)
            return text
        text = self._render_line(row)
        cache[row] = text
        if len(cache) > self._line_cache_size:
            cache.popitem(last=False)
        return text

    def _render_line(self, row: int) -> str:
        """Uncached rendering."""
        if self.kinds[row] != K_SYSCALL:
            return render_event_line(self.others[row])
        flags = self.flags[row]
        line = render_syscall_line(render(self.event(row), self.ctx), bool(flags & F_IN_PROGRESS))
        if flags & F_OVERTAKEN:
            line += f" <{self.ends[row] - self.starts[row]:.6f}>"
        return line
