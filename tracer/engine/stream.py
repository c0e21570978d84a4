"""What the ptrace thread sends, and how it becomes the events consumers know.

Both loops (the C capture core and the Python loop) send a call as *parts*, in
the order the stops happened: its entry (a `Syscall` not yet done), then its
exit (`CallExit`), or `CallGone` when it never returns. The C core sends its
parts packed in `CoreBatch`es (`tracer/engine/core_records.py` unpacks them).
Process events (started, exec, signal, exit...) travel between them, in order.

`CallAssembler` runs on the consumer's side (the app's thread, the headless
writer process), never on the ptrace thread, and applies strace's rule: a call
is emitted whole at its exit unless another task's event is emitted first, in
which case it goes out as `Unfinished` and later as `Resumed`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tracer.events import (
    BreakpointHit,
    Exec,
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    Unfinished,
)


@dataclass(slots=True, eq=False)
class CallExit:
    """The exit of task `tid`'s call in progress: its result and what was read at exit."""

    tid: int
    end: float
    ret: int
    error: int = 0  # positive errno when the call failed
    mem: dict[Any, Any] | None = None
    fds: dict[int, str] | None = None


@dataclass(slots=True, eq=False)
class CallGone:
    """Task `tid`'s call in progress will never return (exit_group, the task died or exec'd)."""

    tid: int


@dataclass(slots=True, eq=False)
class CallMoved:
    """A non-leader thread exec'd: its call in progress now belongs to the leader's tid."""

    from_tid: int
    to_tid: int


@dataclass(slots=True, eq=False)
class CoreBatch:
    """Parts packed by the C capture core: `count` records in `data`."""

    data: bytes
    count: int


# Events that close other tasks' calls as Unfinished before they are emitted (as the
# Python worker always did); a new process or an exec does not.
_FLUSHING = (Stopped, SignalDelivered, Exited)


class CallAssembler:
    """Merges call parts into `Syscall` / `Unfinished` / `Resumed`, numbering events in order."""

    def __init__(self, unpack_batch: Callable[[CoreBatch], Iterable[Any]] | None = None) -> None:
        self.pending: dict[int, Syscall] = {}  # tid -> entered call, in entry order
        self._emitted: set[int] = set()  # tids whose pending call went out as Unfinished
        self.seq = 0
        self._unpack = unpack_batch
        # Breakpoint hits, in order, for the app (`TraceSession.take_breakpoint_hits`).
        self.hits: list[BreakpointHit] = []

    def inflight(self) -> list[Syscall]:
        """Calls entered and not returned yet (a blocked read, accept, wait4)."""
        return list(self.pending.values())

    def feed(self, items: Iterable[Any]) -> list[Any]:
        out: list[Any] = []
        for item in items:
            self._one(item, out)
        return out

    def _one(self, item: Any, out: list[Any]) -> None:
        t = type(item)
        if t is Syscall:
            if item.done:  # entry and exit at once (the C core's adjacent pair)
                if item.tid in self.pending:  # an entry with no exit seen: it did not return
                    self._gone(item.tid, out)
                self._close(item, out)
            else:
                self._entry(item, out)
        elif t is CallExit:
            self._exit(item, out)
        elif t is CoreBatch:
            assert self._unpack is not None, "a CoreBatch needs the core's record reader"
            pending = self.pending
            emitted = self._emitted
            append = out.append
            for part in self._unpack(item):
                tp = type(part)
                if tp is CallExit:
                    self._exit(part, out)
                    continue
                if tp is not Syscall:
                    self._one(part, out)
                elif not part.done:
                    self._entry(part, out)
                else:  # `_close`, inlined: most parts
                    tid = part.tid
                    if tid in pending:  # an entry with no exit seen: it did not return
                        self._gone(tid, out)
                    self.seq += 1
                    part.seq = self.seq
                    if len(pending) > len(emitted):
                        self._flush(tid, out)
                    if emitted and tid in emitted:
                        emitted.discard(tid)
                        append(Resumed(part, 0))
                    else:
                        append(part)
        elif t is CallGone:
            self._gone(item.tid, out)
        elif t is BreakpointHit:
            # The held call becomes a row now, in progress (strace's `<unfinished ...>`).
            call = self.pending.get(item.tid)
            if call is not None and item.tid not in self._emitted:
                self._emitted.add(item.tid)
                out.append(Unfinished(call))
            self.hits.append(item)
        elif t is CallMoved:
            # As strace: the thread's execve goes out unfinished under the thread, the
            # leader's own call ends (`= ?`), and the execve returns under the
            # process's id, which the thread now has (`<... execve resumed>`).
            call = self.pending.pop(item.from_tid, None)
            if call is not None and item.from_tid in self._emitted:
                self._emitted.discard(item.from_tid)
            elif call is not None:
                # No leader's call to end in between: strace goes on the same line.
                moved = item.to_tid if item.to_tid not in self.pending else 0
                out.append(Unfinished(call, moved))
            self._gone(item.to_tid, out)
            if call is not None:
                self.pending[item.to_tid] = call
                self._emitted.add(item.to_tid)
        else:
            if t in _FLUSHING:
                self._flush(item.tid, out)
            elif t is not ProcessStarted and t is not Exec and hasattr(item, "tid"):
                # Detached: the task's call in progress will never be seen to return.
                self.pending.pop(item.tid, None)
                self._emitted.discard(item.tid)
            if hasattr(item, "seq"):
                self.seq += 1
                item.seq = self.seq
            out.append(item)

    def _entry(self, call: Syscall, out: list[Any]) -> None:
        if call.tid in self.pending:  # an entry with no exit seen: it did not return
            self._gone(call.tid, out)
        self.pending[call.tid] = call

    def _exit(self, x: CallExit, out: list[Any]) -> None:
        call = self.pending.pop(x.tid, None)
        if call is None:
            return
        call.end = x.end
        call.ret = x.ret
        call.error = x.error
        call.done = True
        if x.mem:
            if call.mem:
                call.mem.update(x.mem)
            else:
                call.mem = x.mem
        if x.fds:
            if call.fds:
                call.fds.update(x.fds)
            else:
                call.fds = x.fds
        self._close(call, out, x.tid)

    def _gone(self, tid: int, out: list[Any]) -> None:
        call = self.pending.pop(tid, None)
        if call is None:
            return
        call.done = True
        call.no_return = True
        self._close(call, out, tid)

    def _close(self, call: Syscall, out: list[Any], tid: int | None = None) -> None:
        if tid is None:
            tid = call.tid
        self.seq += 1
        call.seq = self.seq
        if len(self.pending) > len(self._emitted):
            self._flush(tid, out)
        if self._emitted and tid in self._emitted:
            self._emitted.discard(tid)
            out.append(Resumed(call, tid if tid != call.tid else 0))
        else:
            out.append(call)

    def _flush(self, except_tid: int, out: list[Any]) -> None:
        """Emit other tasks' entered calls as Unfinished before an event of `except_tid`."""
        if len(self.pending) <= len(self._emitted):
            return
        emitted = self._emitted
        for tid, call in self.pending.items():
            if tid != except_tid and tid not in emitted:
                emitted.add(tid)
                out.append(Unfinished(call))
