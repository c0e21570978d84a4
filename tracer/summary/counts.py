"""Per-syscall counts, errors and times: what `strace -c` adds up.

One rule for what counts, strace's (`count_syscall` runs at a call's exit): a
call counts once its exit was seen, so `exit_group`, a successful `execve` seen
from the old image of a multi-threaded program and calls cut short by their
task's death do not. Times are in integer nanoseconds, as strace's timespecs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracer.events import Resumed, Syscall

NS = 1_000_000_000


@dataclass(slots=True)
class CallStats:
    """One syscall's line of the table."""

    calls: int = 0
    errors: int = 0
    total_ns: int = 0
    min_ns: int = 0
    max_ns: int = 0

    def add(self, ns: int, failed: bool) -> None:
        if self.calls == 0 or ns < self.min_ns:
            self.min_ns = ns
        if ns > self.max_ns:
            self.max_ns = ns
        self.calls += 1
        self.errors += failed
        self.total_ns += ns

    def merge(self, calls: int, errors: int, total_ns: int, min_ns: int, max_ns: int) -> None:
        """Add a group of calls at once (the app's column scans)."""
        if not calls:
            return
        if self.calls == 0 or min_ns < self.min_ns:
            self.min_ns = min_ns
        self.max_ns = max(self.max_ns, max_ns)
        self.calls += calls
        self.errors += errors
        self.total_ns += total_ns

    @property
    def avg_ns(self) -> int:
        return self.total_ns // self.calls if self.calls else 0


def counted(call: Syscall) -> bool:
    """The call's exit was seen (strace counts a call at its exit stop)."""
    return call.done and call.ret is not None and not call.no_return


class SyscallCounts:
    """Stats per syscall number, fed the headless writer's events (or calls one by one).

    `overhead_ns` (strace's -O) is taken off every call's time, never below zero.
    `known` says which numbers the syscall table has: strace counts no other (a
    call to number 1000 fails with ENOSYS, uncounted).
    """

    def __init__(self, overhead_ns: int = 0, known: Callable[[int], bool] | None = None) -> None:
        self.by_nr: dict[int, CallStats] = {}
        self.overhead_ns = overhead_ns
        self.known = known

    def add_call(self, call: Syscall) -> None:
        if not counted(call) or (self.known is not None and not self.known(call.nr)):
            return
        ns = max(0, round((call.end - call.start) * NS) - self.overhead_ns)
        stats = self.by_nr.get(call.nr)
        if stats is None:
            stats = self.by_nr[call.nr] = CallStats()
        stats.add(ns, call.error != 0)

    def feed(self, events: Iterable[object]) -> None:
        """A call is whole either as a `Syscall` or, split by other tasks' lines, as its
        `Resumed` (its `Unfinished` part is skipped: the same call, not yet returned)."""
        for ev in events:
            tp = type(ev)
            if tp is Syscall:
                self.add_call(ev)
            elif tp is Resumed:
                self.add_call(ev.call)

    def __bool__(self) -> bool:
        return bool(self.by_nr)
