"""Headless output rendered in a separate process, in parallel with tracing.

The worker thread holds the GIL while it handles a stop; rendering text in the
same process would take turns with it and slow the tracee. So in headless mode
the worker's events go, as plain tuples in marshal batches, down a pipe to a
forked writer process that renders and writes them on the other core. The
pipe is the backpressure: when the writer falls behind, the worker blocks on
the write and the tracee waits; nothing is dropped.
"""

from __future__ import annotations

import marshal
import os
import pickle
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import fields
from typing import Any

from tracer import events as ev_mod
from tracer.engine.stream import CallAssembler, CallExit, CallGone, CallMoved, CoreBatch
from tracer.events import Frame, Resumed, Syscall, Unfinished

_TYPES: list[type] = [
    ev_mod.Syscall,
    ev_mod.Unfinished,
    ev_mod.Resumed,
    ev_mod.ProcessStarted,
    ev_mod.Exec,
    ev_mod.Exited,
    ev_mod.SignalDelivered,
    ev_mod.Stopped,
    ev_mod.Detached,
    ev_mod.TraceEnded,
    CallExit,
    CallGone,
    CallMoved,
    CoreBatch,
    ev_mod.BreakpointHit,  # (the app's -w tap forwards what the queue held)
]
_TAG = {t: i for i, t in enumerate(_TYPES)}
CALL_TAGS = frozenset(_TAG[t] for t in (Syscall, Unfinished, Resumed))  # bodies: a call's tuple
_FIELDS = {t: tuple(f.name for f in fields(t)) for t in _TYPES}
RESUMED_TAG = _TAG[Resumed]
SYSCALL_TAG = _TAG[Syscall]


def type_name(tp: type) -> str:
    """A record type's name as files and SQL show it: `SignalDelivered` -> `signal_delivered`."""
    return "".join("_" + c.lower() if c.isupper() else c for c in tp.__name__).lstrip("_")


def tags_by_name() -> dict[str, int]:
    """Each record type's tag under its `type_name`: a session file names its event types,
    so its own codes outlive a change in this module's numbering."""
    return {type_name(t): tag for t, tag in _TAG.items()}


_SYSCALL_FIELDS = _FIELDS[Syscall]
_HEADER = struct.Struct("<BI")  # codec (0 marshal, 1 pickle), length
PIPE_TAKE_RECORDS = 16384  # C records per message to the writer (a few MB of events there)
PIPE_TAKES = 16  # messages per flush at most: the lock is held meanwhile


def _frames(stack: list[Frame] | None) -> Any:
    """Frames as tuples, unresolved: the writer resolves them from module and offset,
    so symbol and line-table parsing never runs on the ptrace thread."""
    if stack is None:
        return None
    return [(f.pc, f.module, f.function, f.offset, f.file, f.line, f.module_offset) for f in stack]


def _call_tuple(c: Syscall) -> tuple:
    return (
        c.seq,
        c.pid,
        c.tid,
        c.nr,
        c.args,
        c.start,
        c.end,
        c.ret,
        c.error,
        c.mem,
        c.fds,
        _frames(c.stack),
        c.done,
        c.no_return,
    )


def _call_from(t: tuple) -> Syscall:
    c = Syscall(t[0], t[1], t[2], t[3], tuple(t[4]), t[5], t[6], t[7], t[8], t[9], t[10])
    if t[11] is not None:
        c.stack = [Frame(*f) for f in t[11]]
    c.done = t[12]
    c.no_return = t[13]
    return c


def encode(ev: Any) -> tuple:
    tp = type(ev)
    if tp is Syscall:
        return (0, _call_tuple(ev))
    if tp is Unfinished:
        return (_TAG[tp], _call_tuple(ev.call))
    if tp is Resumed:
        return (_TAG[tp], (*_call_tuple(ev.call), ev.tid))
    return (_TAG[tp], tuple(getattr(ev, f) for f in _FIELDS[tp]))


def decode(item: tuple) -> Any:
    tag, body = item
    tp = _TYPES[tag]
    if tp is Syscall:
        return _call_from(body)
    if tp is Unfinished:
        return tp(_call_from(body))
    if tp is Resumed:
        return tp(_call_from(body), body[14] if len(body) > 14 else 0)
    return tp(*body)


class PipeSink:
    """Stands in for EventQueue on the worker side: batches events to the writer process."""

    BATCH = 512

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._items: deque[Any] = deque()
        self._weight = 0
        self._core: Any = None
        self._lock = threading.Lock()
        self._closed = False
        self.broken = False  # the writer went away; tracing should end

    def put(self, item: Any, weight: int = 1) -> None:
        self._items.append(item)
        self._weight += weight
        if self._weight >= self.BATCH:
            self.flush()

    def full(self) -> bool:
        return False  # the blocking pipe write is the backpressure

    def attach_core(self, core: Any) -> None:
        """As EventQueue.attach_core: `flush` also takes what the C core finished."""
        self._core = core

    def wait_for_space(self, interrupted: Callable[[], bool]) -> None:
        return

    def flush(self) -> None:
        """Send what is pending; called by the worker and, when idle, by the main thread."""
        with self._lock:
            self._send_pending()
            core = self._core
            if core is None:
                return
            # Then what the C core finished, in bounded batches: the writer turns a whole
            # batch into events at once, and everything the core held (up to queue_max
            # records when the writer lags) in one batch cost it 100 MB for a moment.
            epoch = core.epoch
            for _ in range(PIPE_TAKES):
                if self._fd < 0:
                    break
                got = core.take_running(epoch, PIPE_TAKE_RECORDS)
                if got is None:
                    break
                self._items.append(CoreBatch(*got))
                self._send_pending()

    def _send_pending(self) -> None:
        """Send the queued items as one message (the lock held)."""
        items = self._items
        n = len(items)
        if not n or self._fd < 0:
            return
        pop = items.popleft
        batch = [encode(pop()) for _ in range(n)]
        self._weight = 0
        if not _send(self._fd, batch):  # the writer process ended: its output is gone
            self._fd = -1
            self.broken = True

    def close(self) -> None:
        self.flush()
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def __len__(self) -> int:
        return len(self._items)

    def drain(self, max_items: int | None = None) -> list[Any]:
        return []


def _read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        data = os.read(fd, min(n, 1 << 20))
        if not data:
            break
        chunks.append(data)
        n -= len(data)
    return b"".join(chunks)


# Exit statuses of the writer process, read by the CLI.
WRITER_OK = 0
WRITER_FAILED = 1  # an internal error (already reported in one line)
WRITER_CANNOT_WRITE = 2  # the output refused a write (already reported in one line)
WRITER_READER_GONE = 3  # the output is a pipe whose reader went away (like SIGPIPE)


# SIGUSR1 too: tracetui forwards it to the writer (the flight recorder's dump request),
# whose writer then handles it; ignored until then, so an early one cannot kill it.
_WRITER_IGNORES = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1")


def start_writer_process(make_writer: Callable[[], Any]) -> tuple[int, int]:
    """Fork the writer; returns (pid, write end of its pipe). Call before any thread starts."""
    import signal

    ignored = {getattr(signal, name) for name in _WRITER_IGNORES}
    rfd, wfd = os.pipe()
    # Blocked across the fork, so a Ctrl-C cannot reach the child before it ignores it.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, ignored)
    pid = os.fork()
    if pid == 0:
        status = WRITER_FAILED
        try:
            # Ctrl-C, `timeout`, a closing terminal signal the whole process group: the
            # parent decides when tracing ends, and the writer ends when its pipe closes.
            for sig in ignored:
                signal.signal(sig, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            status = _writer_main(rfd, wfd, make_writer)
        finally:
            os._exit(status)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(rfd)
    return pid, wfd


def _report(message: str) -> None:
    """One line on stderr, if there is a stderr (`2>&-` closes it)."""
    import sys

    if sys.stderr is None:
        return
    try:
        print(f"tracetui: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _send(fd: int, batch: list) -> bool:
    """One message to the writer process (blocking: its backpressure); False if it is gone."""
    try:
        blob = marshal.dumps(batch)
        codec = 0
    except ValueError:  # a decoder kept something marshal cannot carry
        blob = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        codec = 1
    try:
        os.write(fd, _HEADER.pack(codec, len(blob)))
        view = memoryview(blob)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except BrokenPipeError:
        return False
    return True


class RecordingTap:
    """The explorer's recording (`tracetui -w FILE PROG`): what the app's queue hands the
    app is also sent to a writer process, which records it (`SessionRecorder`), so the
    ptrace thread does nothing more and SQLite runs in another process.

    Items are encoded when forwarded: the app goes on to assemble them into events,
    which changes the entry parts' objects.
    """

    def __init__(self, fd: int, writer_pid: int) -> None:
        self._fd = fd
        self.writer_pid = writer_pid
        self._pending: list = []
        self.broken = False

    def forward(self, items: list) -> None:
        if self._fd >= 0:
            self._pending.extend(map(encode, items))

    def flush(self) -> None:
        if self._pending and self._fd >= 0:
            batch, self._pending = self._pending, []
            if not _send(self._fd, batch):
                os.close(self._fd)
                self._fd = -1
                self.broken = True

    def close(self) -> int:
        """Send the rest, end the writer; its exit status (WRITER_*)."""
        self.flush()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        _, status = os.waitpid(self.writer_pid, 0)
        return os.waitstatus_to_exitcode(status)


def _writer_main(rfd: int, wfd: int, make_writer: Callable[[], Any]) -> int:
    """Render batches until the pipe closes.

    If the output fails (a full disk, /dev/full, a closed stderr), that is reported
    once and the rest is read and dropped: the tracer never blocks on us or sees the
    pipe break, so the traced program runs to its end as it would untraced. Only a
    reader that went away (EPIPE, `| head`) ends tracing, as it ends strace.
    """
    from tracer.engine.core_records import unpack_core_batch

    os.close(wfd)
    status = WRITER_OK
    writer = None
    # The worker sends call parts; they become events here, off the ptrace thread.
    assembler = CallAssembler(unpack_core_batch)
    try:
        writer = make_writer()
    except BrokenPipeError:
        return WRITER_READER_GONE
    except OSError as e:
        _report(f"cannot write the trace: {e.strerror or e}; it is lost, tracing goes on")
        status = WRITER_CANNOT_WRITE
    except Exception as e:
        _report(f"internal error in the output writer: {type(e).__name__}: {e}")
        status = WRITER_FAILED
    _collect_rarely()
    # A writer that acts on its own between batches (the flight recorder: SIGUSR1, its
    # dump writers) waits for the pipe itself.
    wait_readable = getattr(writer, "wait_readable", None)
    while True:
        if wait_readable is not None and writer is not None:
            wait_readable(rfd)
        head = _read_exact(rfd, _HEADER.size)
        if len(head) < _HEADER.size:
            break
        codec, length = _HEADER.unpack(head)
        blob = _read_exact(rfd, length)
        if writer is None:
            continue  # the output failed: drain, so the tracer goes on
        try:
            batch = marshal.loads(blob) if codec == 0 else pickle.loads(blob)
            writer.write(assembler.feed([decode(item) for item in batch]))
            writer.flush()  # a batch is what the worker had: readers see it now
        except BrokenPipeError:
            return WRITER_READER_GONE
        except OSError as e:
            _report(_lost(writer, e))
            writer, status = None, WRITER_CANNOT_WRITE
        except Exception as e:
            _report(f"internal error in the output writer: {type(e).__name__}: {e}")
            writer, status = None, WRITER_FAILED
    if writer is not None:
        try:
            writer.close()
        except BrokenPipeError:
            return WRITER_READER_GONE
        except OSError as e:
            _report(_lost(writer, e))
            status = WRITER_CANNOT_WRITE
    return status


# Allocations between two young-generation collections in the writer (Python's default: 700).
WRITER_GC_THRESHOLD = 50_000


def _collect_rarely() -> None:
    """The writer's events die by reference counting (they hold few cycles), yet they
    allocate enough for a collection every few dozen events, and every hundredth is a
    full one that walks every object the process holds (the tracer's modules, forked
    with it): in a trace of fork/exec, 13-18% of the writer's CPU (bench/writer_bench.py).
    Objects made so far are set aside (`gc.freeze`); collections come less often."""
    import gc

    gc.freeze()
    gc.set_threshold(WRITER_GC_THRESHOLD, 20, 100)


def _lost(writer: Any, e: OSError) -> str:
    target = getattr(writer, "target", None) or "the output"
    return f"cannot write {target}: {e.strerror or e}; the rest of the trace is lost"
