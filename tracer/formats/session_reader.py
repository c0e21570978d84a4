"""Reading a session file in a process of its own, for the explorer (`tracetui -r FILE`).

Reopening a million events on the app's thread was a third reading and decoding the
file and half storing the rows, Python work per row while the other CPU idled. A
forked reader process does both: it reads the file, decodes its records and turns runs
of complete calls into the store's own columns (`CallColumns`); the app's thread
extends its columns with them (a memcpy each) and decodes only the rest (process
events, calls with stacks, calls of threads that overlap), a few per process.

The reader cuts its chunks so that appending them as they come gives the rows the
store's time order gives (`EventStore._append_with_columns` checks, and falls back to
calls where a batch of the app crosses two of the reader's messages out of order):

- a chunk is a run of consecutive complete calls whose starts ascend;
- an event that belongs before some of a chunk's calls (a thread's call that started
  before them, a process event that happened before they started) takes those calls
  out of the chunk, back to single calls in the stream.

The protocol is a pipe of marshal messages (never pickle: the file may come from
anyone, and nothing of it runs as code), each a list of stream items: a record as the
file holds it, `(tag, body)`, or a chunk, `(CHUNK, CallColumns.to_message())`; then
`(END,)` or `(ERROR, text)`.
"""

from __future__ import annotations

import marshal
import operator
import os
import queue
import signal
import sqlite3
import struct
import threading
from bisect import bisect_right
from collections.abc import Iterator
from itertools import count
from operator import itemgetter
from typing import Any

from tracer.formats.pipeline import CALL_TAGS, decode
from tracer.formats.session_rows import format_version, row_decoder
from tracer.store.call_columns import BlobNumbers, CallColumns

READ_BATCH = 4096  # records read from SQLite per message
READERS = 2  # for a large file
AHEAD = 64  # messages a reader's thread in the app holds before the app takes them
MIN_CHUNK = 64  # shorter runs of calls go as single calls: a chunk has a fixed cost
_START = itemgetter(5)  # of a call's tuple (CALL_ROW)
_STACK = itemgetter(11)
CHUNK = -1  # message item tags beside the pipeline's own (>= 0)
END = -2
ERROR = -3
_LEN = struct.Struct("<I")
_PIPE_SIZE = 1 << 20  # the reader may run a few messages ahead of the app
_F_SETPIPE_SZ = 1031


def _syscall_tag() -> int:
    from tracer.events import Syscall
    from tracer.formats.pipeline import encode

    return encode(Syscall(0, 0, 0, 0, (), 0.0))[0]


_SYSCALL_TAG = _syscall_tag()


def _item_time(tag: int, body: tuple) -> float:
    """When the store places a record's row (`event_store._time_key`)."""
    if tag in CALL_TAGS:
        return body[5]
    return getattr(decode((tag, body)), "time", 0.0)


class ChunkCutter:
    """Stream items in, message items out: runs of complete calls become chunks."""

    def __init__(self, layouts: dict) -> None:
        self.layouts = layouts
        self.blobs = BlobNumbers()
        self.horizon = float("-inf")  # the latest time of anything already cut

    def cut(self, items: Iterator[tuple]) -> list:
        items = list(items)
        if items:  # the usual message: one run of calls, starts ascending from the last
            tags, bodies = zip(*items, strict=True)
            if tags.count(_SYSCALL_TAG) == len(tags) and list(map(_STACK, bodies)).count(
                None
            ) == len(bodies):
                starts = list(map(_START, bodies))
                if starts[0] >= self.horizon and all(map(operator.le, starts, starts[1:])):
                    self.horizon = starts[-1]
                    return self._chunks([list(bodies)])
        return self._cut(items)

    def cut_fields(self, fields: tuple | None) -> list | None:
        """`cut` of a message that is one run of plain calls, given as fields
        (`RowDecoder.calls`): the chunk `cut` makes of them, built with no tuple per
        call; None where `cut` must look at them one by one."""
        if fields is None:
            return None
        starts = fields[5]
        if len(starts) < MIN_CHUNK or starts[0] < self.horizon:
            return None
        if not all(map(operator.le, starts, starts[1:])):
            return None
        try:
            chunk = CallColumns.of_fields(fields, self.blobs, self.layouts)
        except (OverflowError, TypeError, ValueError):  # (`cut` then: the store's own path)
            return None
        self.horizon = starts[-1]
        return [(CHUNK, chunk.to_message())]

    def _cut(self, items: list) -> list:
        out: list = []  # message items; runs of calls kept as lists until the end
        run: list = []
        horizon = self.horizon
        syscall_tag = _SYSCALL_TAG
        for item in items:
            tag, body = item
            if tag == syscall_tag and body[11] is None:
                start = body[5]
                if start >= horizon:
                    run.append(body)
                    horizon = start
                    continue
                key = start
            else:
                key = _item_time(tag, body)
            if run:
                out.append(run)
                run = []
            if key < horizon:
                _take_back(out, key)
            out.append(item)
            horizon = max(horizon, key)
        if run:
            out.append(run)
        self.horizon = horizon
        return self._chunks(out)

    def _chunks(self, out: list) -> list:
        msg: list = []
        for part in out:
            if type(part) is not list:
                msg.append(part)
            elif len(part) < MIN_CHUNK:
                msg.extend((_SYSCALL_TAG, body) for body in part)
            else:
                try:
                    chunk = CallColumns.build(part, self.blobs, self.layouts)
                except (OverflowError, TypeError, ValueError):  # the store's general path
                    msg.extend((_SYSCALL_TAG, body) for body in part)
                    continue
                msg.append((CHUNK, chunk.to_message()))
        return msg


def _take_back(out: list, key: float) -> None:
    """An item that belongs at time `key` comes next: the calls of this message's runs
    that started after it leave their runs (as single calls, where they stand)."""
    for i in range(len(out) - 1, -1, -1):
        part = out[i]
        if type(part) is not list:
            if _item_time(*part) <= key:
                return  # (items before it were placed before it already)
            continue
        starts = [body[5] for body in part]
        j = bisect_right(starts, key)
        if j == len(part):
            return
        out[i : i + 1] = [part[:j], *((_SYSCALL_TAG, body) for body in part[j:])]
        if j:
            return


def serve(path: str, fd: int, ids: tuple[int, int], part: int = 0, parts: int = 1) -> None:
    """A reader process: the records of the file at `path` with ids in `ids` (first,
    last), as messages on `fd`: of every `parts` messages of READ_BATCH ids, the
    `part`th (the others are another reader's)."""
    from tracer.store.fd_columns import fd_layout
    from tracer.syscalls.table import get_table

    out = os.fdopen(fd, "wb", buffering=0)

    def send(obj: Any) -> None:
        data = marshal.dumps(obj)
        out.write(_LEN.pack(len(data)))
        out.write(data)

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        decoder = row_decoder(db, format_version(db))
        cutter = ChunkCutter(fd_layout(get_table()))
        lo, hi = ids
        query = decoder.select("WHERE id >= ? AND id < ?")
        for k in count(part, parts):
            start = lo + k * READ_BATCH
            if start > hi:
                break
            rows = db.execute(query, (start, start + READ_BATCH)).fetchall()
            msg = None if decoder.calls is None else cutter.cut_fields(decoder.calls(rows))
            if msg is None:
                msg = cutter.cut(decoder.items(rows))
            send(msg)  # (empty too: turns alternate)
        send([(END,)])
    except BrokenPipeError:
        return  # the app went away (q while loading)
    except Exception as e:  # noqa: BLE001 - a damaged file: the app says so, in one line
        try:
            send([(ERROR, str(e))])
        except BrokenPipeError:
            pass


def read_in_processes(path: str, ids: tuple[int, int]) -> Iterator[list]:
    """The messages of readers forked for the file at `path` (records `ids`: first and
    last), in stream order: two readers taking turns when the file is large enough and
    there are CPUs for them (the app's thread takes a third of the work), else one.
    Raises OSError where no process can be forked."""
    from tracer.store.fd_columns import fd_layout
    from tracer.syscalls.table import get_table

    fd_layout(get_table())  # (cached: the readers inherit it, the app needs it too)
    parts = 1
    if ids[1] - ids[0] >= 4 * READ_BATCH and (os.cpu_count() or 1) >= 2:
        parts = READERS
    return _InTurn(path, ids, parts)


def _fork_readers(path: str, ids: tuple[int, int], parts: int) -> list[ReaderProcess]:
    readers: list[ReaderProcess] = []
    try:
        for part in range(parts):
            readers.append(ReaderProcess(path, ids, part, parts))
    except OSError:
        for r in readers:
            r.close()
        raise
    return readers


class _InTurn:
    """The readers' messages, one reader's after the other's; `close` ends them all
    (also before the first message was asked for).

    The readers are forked when their first message is asked for, not when the file is
    opened: the app starts and paints its first screen (from the records read
    in-process) before a fork copies its memory (forked at the start, the first screen
    took 2.4-2.6 s instead of 1.65, copy-on-write and CPUs shared with the readers)."""

    def __init__(self, path: str, ids: tuple[int, int], parts: int) -> None:
        self._spec: tuple[str, tuple[int, int], int] | None = (path, ids, parts)
        self.readers: list[ReaderProcess] = []
        self._streams: list = []
        self._turn = 0

    def _begin(self) -> None:
        if self._spec is not None:
            path, ids, parts = self._spec
            self._spec = None
            self.readers = _fork_readers(path, ids, parts)
            self._streams = [r.messages() for r in self.readers]

    def __iter__(self) -> _InTurn:
        return self

    def __next__(self) -> list:
        if not self._turn:  # the app wants the readers' records: let them run ahead
            self._begin()
            for r in self.readers:
                r.start()
        items = next(self._streams[self._turn % len(self._streams)], None)
        if items is None:  # (the others end there too: their next ids are past the last)
            self.close()
            raise StopIteration
        self._turn += 1
        return items

    def ready(self) -> bool:
        """Whether the next message is there (or the readers ended): taking it now
        does not wait."""
        if not self._turn:
            self._begin()
            for r in self.readers:
                r.start()
        return self.readers[self._turn % len(self.readers)].ready()

    def close(self) -> None:
        self._spec = None  # (never forked: nothing to end)
        for r in self.readers:
            r.close()


class ReaderProcess:
    """The app's end: a forked reader of `path`, its messages as stream items.

    A thread of the app (`start`) takes the reader's messages off the pipe as they come,
    so the reader never waits for the app's thread to want them: on a loaded machine
    each such hand-over waited for a scheduler's turn, and a million events are 250
    messages. It holds at most AHEAD messages (a few MB each at most); the app's thread
    unmarshals them when it takes them."""

    def __init__(self, path: str, ids: tuple[int, int], part: int = 0, parts: int = 1) -> None:
        rfd, wfd = os.pipe()
        try:
            import fcntl

            fcntl.fcntl(wfd, _F_SETPIPE_SZ, _PIPE_SIZE)
        except OSError:
            pass
        pid = os.fork()
        if pid == 0:  # the reader
            code = 0
            try:
                os.close(rfd)
                _quiet_child()
                serve(path, wfd, ids, part, parts)
            except BaseException:  # noqa: BLE001 - never return into the app's code
                code = 1
            finally:
                os._exit(code)
        os.close(wfd)
        self.pid: int | None = pid
        self._in = os.fdopen(rfd, "rb")
        self.blob_map: list[int] = [0]  # the reader's blob numbers -> the store's
        self._queue: queue.Queue[bytes | None] = queue.Queue(AHEAD)
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start taking messages off the pipe (after every reader is forked: a fork
        copies the forking thread only). Until then a reader stops once the pipe is
        full, a message or two ahead: while the app starts and paints its first screen
        (from the records read in-process), the readers do not take the CPUs from it."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._pump, name="session-reader", daemon=True)
            self._thread.start()

    def _pump(self) -> None:
        data: bytes | None = None
        try:
            while not self._closed:
                head = self._in.read(_LEN.size)
                if len(head) < _LEN.size:
                    break
                (n,) = _LEN.unpack(head)
                data = self._in.read(n)
                if len(data) < n:
                    break
                self._put(data)
        except (OSError, ValueError):
            pass
        self._put(None)  # the pipe ended (after END, or early)

    def _put(self, data: bytes | None) -> None:
        while not self._closed:
            try:
                self._queue.put(data, timeout=0.1)
                return
            except queue.Full:
                continue

    def ready(self) -> bool:
        return self.pid is None or not self._queue.empty()

    def messages(self) -> Iterator[list]:
        """Each message's items: records as `(tag, body)`, chunks as `CallColumns`.
        Raises ValueError with the reader's message for a damaged file."""
        self.start()
        try:
            while True:
                data = self._queue.get()
                if data is None:
                    raise ValueError("the reader process ended early")
                items = marshal.loads(data)
                if items and items[-1][0] == END:
                    if len(items) > 1:
                        yield self._items(items[:-1])
                    return
                if items and items[-1][0] == ERROR:
                    raise ValueError(items[-1][1])
                yield self._items(items)
        finally:
            self.close()

    def _items(self, items: list) -> list:
        bmap = self.blob_map
        return [
            CallColumns.from_message(body, bmap) if tag == CHUNK else (tag, body)
            for tag, body in items
        ]

    def close(self) -> None:
        """Stop the reader (if it is still reading) and the thread; reap the process."""
        if self.pid is None:
            return
        self._closed = True
        try:
            os.kill(self.pid, signal.SIGKILL)  # (ours, not reaped yet: the pid is its own)
        except ProcessLookupError:
            pass
        if self._thread is not None:
            self._thread.join()  # (the pipe ends with the reader: its read returns)
        self._in.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.pid = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at interpreter exit
            pass


def _quiet_child() -> None:
    """The forked reader leaves the app's signals to the app: a SIGINT for the app's
    terminal must not run the app's handlers (nor reach its wakeup fd) here."""
    try:
        signal.set_wakeup_fd(-1)
    except (ValueError, OSError):
        pass
    for signo in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1):
        try:
            signal.signal(signo, signal.SIG_DFL)
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # a closed pipe: BrokenPipeError, an end
