"""Session files: a trace recorded to SQLite (`-w FILE`) and read back (`-r FILE`).

The recorder runs in the headless writer process, off the ptrace thread: each
batch of events is one transaction (WAL mode), so a killed tracer leaves a file
readable up to its last batch. Every event is kept whole: its columns, there for SQL,
and `raw`, the rest of the pipeline's own tuple (`session_rows`), which reading back
puts together again with them (`docs/FORMAT.md`).
"""

from __future__ import annotations

import marshal
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from operator import itemgetter
from typing import Any

from tracer.events import Exec, ProcessStarted, Syscall, Unfinished
from tracer.formats.pipeline import CALL_TAGS, decode, encode, tags_by_name
from tracer.formats.session_rows import (
    RowDecoder,
    call_columns,
    dumps,
    other_raw,
    row_decoder,
    time_ns,
)
from tracer.syscalls.render import RenderContext, errno_name, render

FORMAT_VERSION = 2
READS_VERSIONS = (1, 2)  # (format 1 repeated the columns in `raw`: it reads as it is)
APPLICATION = "tracetui-session"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_READ_BATCH = 4096
_ROWS_BATCH = 4096  # (the app's ticks take what their budget allows, across batches)

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE event_types(code INTEGER PRIMARY KEY, type TEXT NOT NULL);
CREATE TABLE syscall_names(nr INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE event_rows(
    id INTEGER PRIMARY KEY,      -- stream order
    type INTEGER NOT NULL,       -- event_types.code
    pid INTEGER, tid INTEGER,
    nr INTEGER,                  -- syscalls only (syscall_names.nr)
    start_ns INTEGER, dur_ns INTEGER,
    ret INTEGER, errno TEXT,     -- errno's name (ENOENT), NULL on success
    args TEXT,                   -- the arguments as strace prints them
    raw BLOB NOT NULL            -- the rest of the event, as tracetui reads it back
);
CREATE TABLE frames(             -- stack frames resolved when the recording ended
    module TEXT, module_offset INTEGER, is_return INTEGER,
    function TEXT, offset INTEGER, file TEXT, line INTEGER,
    PRIMARY KEY (module, module_offset, is_return)
);
-- (LEFT JOINs: SQLite keeps event_rows the outer loop, so rows come in stream order)
CREATE VIEW events AS
    SELECT e.id, t.type, e.pid, e.tid, e.nr, n.name, e.start_ns, e.dur_ns, e.ret,
           e.errno, e.args
    FROM event_rows e
    LEFT JOIN event_types t ON t.code = e.type
    LEFT JOIN syscall_names n ON n.nr = e.nr;
CREATE VIEW syscalls AS
    SELECT e.pid, e.tid, n.name, e.start_ns, e.dur_ns, e.ret, e.errno, e.args
    FROM event_rows e LEFT JOIN syscall_names n ON n.nr = e.nr
    WHERE e.type IN ({calls});
"""
_INSERT = "INSERT INTO event_rows VALUES (NULL,?,?,?,?,?,?,?,?,?,?)"


class SessionFileError(Exception):
    """A file that is not a readable session; the message is one line."""


class SessionRecorder:
    """Writes events to a new session file: one transaction per batch."""

    target = "the session file"

    def __init__(
        self,
        path: str,
        ctx: RenderContext,
        command: list[str] | None = None,
        extra_meta: dict[str, str] | None = None,
    ) -> None:
        self.target = path
        self.ctx = ctx
        if os.path.exists(path):
            os.unlink(path)  # a new recording replaces the old file, as -o does
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        tags = tags_by_name()
        self.db.executescript(_SCHEMA.format(calls=f"{tags['syscall']}, {tags['resumed']}"))
        types = sorted((tag, name) for name, tag in tags.items())
        self.db.executemany("INSERT INTO event_types VALUES (?, ?)", types)
        meta = {
            "application": APPLICATION,
            "format_version": str(FORMAT_VERSION),
            "command": "\0".join(command or []),
            "strsize": str(ctx.strsize),
            # "1" once close() has run; a file left at "0" lost its recorder mid-run.
            "complete": "0",
            **(extra_meta or {}),
        }
        self.db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        self.db.commit()
        # Call sites of the stacks recorded, resolved to symbols and lines at close(), so
        # the file reads on a machine without the binaries.
        self._sites: set[tuple[str, int, bool]] = set()
        self._launching: set[int] = set()  # launched, first exec to come: tracetui's frames
        self._known: set[int | None] = set()  # pids seen in process events
        self._named: set[int] = set()  # syscall numbers in syscall_names

    def write(self, events: list[Any]) -> None:
        rows = [self._row(ev) for ev in events]
        if rows:
            self._insert(rows)
            self.db.commit()

    def write_blobs(self, blobs: list[bytes]) -> None:
        """Events already encoded (`event_blob`): the flight recorder's dumps."""
        for i in range(0, len(blobs), _READ_BATCH):
            items = [marshal.loads(raw) for raw in blobs[i : i + _READ_BATCH]]
            self._insert([self._row(decode(item), item) for item in items])
        self.db.commit()

    def _insert(self, rows: list[tuple]) -> None:
        self.db.executemany(_INSERT, rows)
        new = {nr for nr in map(itemgetter(3), rows) if nr is not None} - self._named
        if new:
            name = self.ctx.table.name
            names = [(nr, name(nr)) for nr in sorted(new)]
            self.db.executemany("INSERT INTO syscall_names VALUES (?, ?)", names)
            self._named |= new

    def _row(self, ev: Any, item: tuple | None = None) -> tuple:
        """The event's row of event_rows; `item` its encoded tuple, if it was encoded."""
        tag, body = _shown_args_only(encode(ev) if item is None else item)
        call = ev if type(ev) is Syscall else getattr(ev, "call", None)
        if call is not None and call.stack:
            self._note_sites(call)
        elif type(ev) is ProcessStarted and not ev.attached and not ev.is_thread:
            if ev.parent not in self._known:
                self._launching.add(ev.pid)
        elif type(ev) is Exec:
            self._launching.discard(ev.pid)
        if call is None:
            self._known.add(getattr(ev, "pid", None))
            start = getattr(ev, "time", None)
            start_ns = time_ns(start) if start is not None else None
            pid, tid = getattr(ev, "pid", None), getattr(ev, "tid", None)
            return (tag, pid, tid, None, start_ns, None, None, None, None, other_raw(body))
        tid, start_ns, dur_ns, raw = call_columns(tag, body)
        errno = errno_name(call.error) if call.error else None
        args = None
        if type(ev) is not Unfinished:
            try:
                args = render(call, self.ctx).args_text()
            except Exception:  # a decoder bug must not lose the recording
                args = None
        return (tag, body[1], tid, body[3], start_ns, dur_ns, body[7], errno, args, raw)

    def _note_sites(self, call: Syscall) -> None:
        if call.pid in self._launching and self.ctx.table.name(call.nr).startswith("execve"):
            return  # the launcher's exec of the program: tracetui's own frames
        for i, f in enumerate(call.stack):
            if f.module and f.function is None:
                self._sites.add((f.module, f.module_offset, i > 0))

    def _resolve_sites(self) -> None:
        from tracer.stack.frame import resolve_site

        rows = []
        for module, module_offset, is_return in self._sites:
            try:
                found = resolve_site(module, module_offset, is_return)
            except Exception:  # an unreadable binary: the frame stays an address
                continue
            if found[0] is not None or found[2] is not None:
                rows.append((module, module_offset, int(is_return), *found))
        self.db.executemany("INSERT OR REPLACE INTO frames VALUES (?,?,?,?,?,?,?)", rows)
        self._sites.clear()

    def flush(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self._resolve_sites()
        self.db.execute("UPDATE meta SET value = '1' WHERE key = 'complete'")
        self.db.commit()
        self.db.close()


class Tee:
    """Hands each batch to several writers (text or JSON, and a recorder)."""

    def __init__(self, *writers: Any) -> None:
        self.writers = writers
        self.target = writers[0].target

    def write(self, events: list[Any]) -> None:
        for w in self.writers:
            w.write(events)

    def flush(self) -> None:
        for w in self.writers:
            w.flush()

    def close(self) -> None:
        for w in self.writers:
            w.close()


def event_blob(ev: Any) -> bytes:
    """An event whole, marshalled (what `decode_blob` reads back): the flight recorder's
    ring holds these, and `write_blobs` writes them as rows."""
    return dumps(_shown_args_only(encode(ev)))


def _shown_args_only(item: tuple) -> tuple:
    """An encoded event with its call's arguments cut to the syscall's own count: the
    registers past it hold whatever was there (nothing shows them, strace neither), and
    as large integers they were half of a getppid's bytes in the file. Unknown syscalls
    keep six. (Cut in the encoded tuple: copying the event cost more than writing it.)"""
    tag, body = item
    if tag not in CALL_TAGS:
        return item
    d = _table().get(body[3])
    args = body[4]
    if d is None or len(args) <= d.nargs:
        return item
    return (tag, (*body[:4], args[: d.nargs], *body[5:]))


@cache
def _table() -> Any:
    from tracer.syscalls.table import get_table

    return get_table()


_SYSCALL_TAG = encode(Syscall(0, 0, 0, 0, (), 0.0))[0]


def decode_blob(raw: bytes) -> Any:
    return decode(marshal.loads(raw))


def _resolved_sites(db: sqlite3.Connection) -> dict[tuple, tuple]:
    """The frames table: (module, module_offset, is_return) -> (function, offset, file, line).
    Empty for a file recorded before it existed, or by a tracer killed before the end."""
    try:
        rows = db.execute("SELECT * FROM frames").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {(r[0], r[1], bool(r[2])): r[3:] for r in rows}


def _apply_sites(events: list[Any], sites: dict[tuple, tuple]) -> None:
    for ev in events:
        call = ev if type(ev) is Syscall else getattr(ev, "call", None)
        if call is None or not call.stack:
            continue
        for i, f in enumerate(call.stack):
            if f.function is None and f.module:
                found = sites.get((f.module, f.module_offset, i > 0))
                if found is not None:
                    f.function, f.offset, f.file, f.line = found


def is_session_file(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    except OSError:
        return False


def read_session(path: str) -> SessionBatches:
    """The recorded events in stream order, in batches. Raises SessionFileError."""
    if not os.path.exists(path):
        raise SessionFileError(f"cannot read {path}: no such file")
    if not is_session_file(path):
        raise SessionFileError(f"{path} is not a tracetui session file")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.Error as e:
        raise SessionFileError(f"{path} is not a readable session file: {e}") from None
    if meta.get("application") != APPLICATION:
        raise SessionFileError(f"{path} is an SQLite file, not a tracetui session")
    version = meta.get("format_version", "?")
    if version not in map(str, READS_VERSIONS):
        known = " and ".join(map(str, READS_VERSIONS))
        raise SessionFileError(f"{path}: session format {version}, this tracetui reads {known}")
    try:
        rows = row_decoder(db, int(version))
    except sqlite3.Error as e:
        raise SessionFileError(f"{path} is not a readable session file: {e}") from None
    batches = SessionBatches(db, path, rows)
    # (files written before the key existed have none: nothing is known of them)
    batches.cut_short = meta.get("complete") == "0"
    return batches


class SessionBatches:
    """A session file's events in stream order, in batches: iterate for events.

    `store_rows()` reads the same records in the bulk form `EventStore.append` takes
    instead: a complete call stays the tuple marshal made of it (CALL_ROW order, its
    stack as Frames), so reopening a session builds no `Syscall` per record; other
    events (a few per process) are events. `store_columns()` has the same read in a
    process of its own (`session_reader`), with runs of calls as `CallColumns`.
    Choose one before the first batch.
    """

    def __init__(self, db: sqlite3.Connection, path: str, rows: RowDecoder) -> None:
        self._db = db
        self._path = path
        self._rows = rows
        self.cut_short = False  # its recorder never finished it (killed): see read_session
        self._it: Iterator[list[Any]] | None = None

    def __iter__(self) -> SessionBatches:
        return self

    def __next__(self) -> list[Any]:
        if self._it is None:
            events = self._rows.events
            self._it = _batches(
                self._db,
                self._path,
                self._rows,
                lambda got, sites: _with_sites(events(got), sites),
                _READ_BATCH,
            )
        return next(self._it)

    def store_rows(self) -> Iterator[list[Any]]:
        """Batches of events where complete calls are CALL_ROW tuples (`EventStore.append`)."""
        if self._it is not None:
            raise RuntimeError("store_rows() after the first batch was read")
        items = self._rows.items
        self._it = _batches(
            self._db,
            self._path,
            self._rows,
            lambda got, sites: _decode_rows(items(got), sites),
            _ROWS_BATCH,
        )
        return self._it

    def store_columns(self) -> Iterator[list[Any]]:
        """`store_rows()`, read and decoded by forked reader processes, with runs of
        complete calls as `CallColumns` (each counts as its `count` events). The first
        READ_BATCH records are read here, as `store_rows()` reads them: the first screen
        waits for no process. Where no process can be forked, `store_rows()`."""
        from tracer.formats import session_reader

        if self._it is not None:
            raise RuntimeError("store_columns() after the first batch was read")
        try:
            sites = _resolved_sites(self._db)
            table = self._rows.table
            lo, hi = self._db.execute(  # (one aggregate each: SQLite reads an end of the
                # rowid tree for a lone min() or max(), and scans the table for both at once)
                f"SELECT (SELECT min(id) FROM {table}), (SELECT max(id) FROM {table})"
            ).fetchone()
            if lo is None:
                return self.store_rows()
            rest = lo + session_reader.READ_BATCH
            head = self._db.execute(self._rows.select("WHERE id < ?"), (rest,))
            first = _decode_rows(self._rows.items(head.fetchall()), sites)
            messages = iter(())
            if rest <= hi:
                messages = session_reader.read_in_processes(self._path, (rest, hi))
        except (OSError, sqlite3.Error, ValueError, EOFError, TypeError, IndexError):
            return self.store_rows()  # (a damaged file says so from there)
        self._db.close()
        self._it = _ColumnBatches(first, messages, sites, self._path)
        return self._it


def _with_sites(batch: list[Any], sites: dict[tuple, tuple]) -> list[Any]:
    if sites:
        _apply_sites(batch, sites)
    return batch


def _decode_rows(items: Iterable[tuple], sites: dict[tuple, tuple]) -> list[Any]:
    """Records as the store's bulk form: a call without a stack is its tuple as read,
    untouched (the pipeline's call tuple is CALL_ROW); anything else is decoded."""
    return [
        body if tag == _SYSCALL_TAG and body[11] is None else _decode_row(tag, body, sites)
        for tag, body in items
    ]


class _ColumnBatches:
    """`first`, then the readers' batches (`_column_batches`). `ready()`: whether the
    next batch is there to take without waiting; `close()` (the app leaving) ends the
    readers."""

    def __init__(
        self, first: list[Any], messages: Any, sites: dict[tuple, tuple], path: str
    ) -> None:
        self._first: list[Any] | None = first
        self._messages = messages
        self._rest = _column_batches(messages, sites, path)

    def __iter__(self) -> _ColumnBatches:
        return self

    def __next__(self) -> list[Any]:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        return next(self._rest)

    def ready(self) -> bool:
        ready = getattr(self._messages, "ready", None)
        return self._first is not None or ready is None or ready()

    def close(self) -> None:
        self._rest.close()
        close = getattr(self._messages, "close", None)
        if close is not None:
            close()


def _column_batches(
    messages: Iterator[list], sites: dict[tuple, tuple], path: str
) -> Iterator[list[Any]]:
    """The reader processes' messages as store batches: their chunks as they are, other
    records as `_decode_rows` gives them."""
    from tracer.store.call_columns import CallColumns

    try:
        for items in messages:
            yield [
                item
                if type(item) is CallColumns
                else item[1]
                if item[0] == _SYSCALL_TAG and item[1][11] is None
                else _decode_row(item[0], item[1], sites)
                for item in items
            ]
    except (ValueError, EOFError, TypeError, IndexError) as e:
        raise SessionFileError(f"{path} is damaged: {e}") from None
    finally:
        close = getattr(messages, "close", None)
        if close is not None:
            close()


def _decode_row(tag: int, body: tuple, sites: dict[tuple, tuple]) -> Any:
    ev = decode((tag, body))
    if sites:
        _apply_sites([ev], sites)
    if tag != _SYSCALL_TAG:
        return ev
    return (*body[:11], ev.stack, *body[12:])  # its frames as Frames, named from `frames`


def _batches(
    db: sqlite3.Connection,
    path: str,
    rows: RowDecoder,
    decode_batch: Callable[[list[tuple], dict[tuple, tuple]], list[Any]],
    size: int,
) -> Iterator[list[Any]]:
    try:
        sites = _resolved_sites(db)
        cursor = db.execute(rows.select())
        while True:
            got = cursor.fetchmany(size)
            if not got:
                return
            yield decode_batch(got, sites)
    except (sqlite3.Error, ValueError, EOFError, TypeError, IndexError) as e:
        raise SessionFileError(f"{path} is damaged: {e}") from None
    finally:
        db.close()
