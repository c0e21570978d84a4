"""One side of a diff: a recording's events, gathered into tasks with their calls in order.

The diff compares tasks (processes and threads), not the stream: two runs interleave
their tasks differently, but each task's own calls come in the order it made them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracer.events import Exec, Exited, ProcessStarted, Resumed, Syscall, TraceEnded, Unfinished


@dataclass(slots=True, eq=False)
class Task:
    """A process or a thread, and the calls it made (in entry order)."""

    tid: int
    pid: int
    parent: int  # the task that made it (0: none we saw)
    is_thread: bool = False
    argv: list[str] | None = None  # the command it was started with, if known
    execs: list[list[str]] = field(default_factory=list)  # argv of each successful exec
    calls: list[Syscall] = field(default_factory=list)
    children: list[Task] = field(default_factory=list)  # in the order they started
    exit_code: int | None = None
    exit_signal: int | None = None
    parent_task: Task | None = None

    @property
    def title(self) -> str:
        """Its command line, or what it was forked from."""
        if self.command:
            return " ".join(self.command)
        what = "thread" if self.is_thread else "fork"
        up = self.parent_task
        return f"{what} of {up.title}" if up is not None else f"{what} {self.tid}"

    @property
    def command(self) -> list[str]:
        """What the task ran last (its last exec, else what it started with)."""
        if self.execs:
            return self.execs[-1]
        return self.argv or []

    @property
    def ending(self) -> str:
        if self.exit_signal is not None:
            return f"killed by signal {self.exit_signal}"
        if self.exit_code is not None:
            return f"exited with {self.exit_code}"
        return "did not end in the trace"


@dataclass(slots=True, eq=False)
class Trace:
    """A whole recording: its tasks (as a tree) and every event, for the explorer."""

    label: str  # the file, or the command that was traced
    kind: str  # "recorded", "strace log", "traced"
    events: list[Any]
    tasks: dict[int, Task]
    roots: list[Task]
    exit_status: int | None = None

    @property
    def call_count(self) -> int:
        return sum(len(t.calls) for t in self.tasks.values())

    def pids(self) -> set[int]:
        return {t.tid for t in self.tasks.values()} | {t.pid for t in self.tasks.values()}


def gather(batches: Iterable[list[Any]], label: str, kind: str) -> Trace:
    """Read every batch and build the task tree.

    A call overtaken by other events arrives as `Unfinished` then `Resumed`; read back
    from a file the two carry separate objects, so the resumed one's outcome is copied
    into the first and the event list refers to one object (the explorer's store shows
    one row for it, as it does live).
    """
    events: list[Any] = []
    tasks: dict[int, Task] = {}
    # tid -> its unfinished call (a task has one call at a time; a recorded unfinished
    # call may not carry its number yet)
    open_calls: dict[int, Syscall] = {}
    ended: TraceEnded | None = None
    order: list[Task] = []

    def task_of(pid: int, tid: int) -> Task:
        t = tasks.get(tid)
        if t is None:  # a task whose start we did not see (an attach, a log's first line)
            t = tasks[tid] = Task(tid, pid, 0 if pid == tid else pid, is_thread=pid != tid)
            order.append(t)
        return t

    for batch in batches:
        for ev in batch:
            tp = type(ev)
            if tp is Syscall:
                task_of(ev.pid, ev.tid).calls.append(ev)
            elif tp is Unfinished:
                call = ev.call
                open_calls[call.tid] = call
                task_of(call.pid, call.tid).calls.append(call)
            elif tp is Resumed:
                first = open_calls.pop(ev.call.tid, None)
                if first is not None and first.nr != ev.call.nr:
                    first = None
                if first is None:
                    task_of(ev.call.pid, ev.call.tid).calls.append(ev.call)
                elif first is not ev.call:
                    _complete(first, ev.call)
                    first.seq = first.seq or ev.call.seq
                    ev = Resumed(first, ev.tid)
            elif tp is ProcessStarted:
                t = tasks.get(ev.tid)
                if t is None:
                    t = tasks[ev.tid] = Task(ev.tid, ev.pid, ev.parent, ev.is_thread)
                    order.append(t)
                t.parent = ev.pid if ev.is_thread else ev.parent
                t.is_thread = ev.is_thread
                if ev.argv:
                    t.argv = list(ev.argv)
            elif tp is Exec:
                task_of(ev.pid, ev.pid).execs.append(list(ev.argv))
            elif tp is Exited:
                t = task_of(ev.pid, ev.tid)
                t.exit_code, t.exit_signal = ev.code, ev.signal
            elif tp is TraceEnded:
                ended = ev
            events.append(ev)
    roots = []
    for t in order:
        parent = tasks.get(t.parent) if t.parent != t.tid else None
        if parent is None:
            roots.append(t)
        else:
            parent.children.append(t)
            t.parent_task = parent
    status = ended.exit_status if ended is not None else None
    if status is None and roots:
        status = roots[0].exit_code
    return Trace(label, kind, events, tasks, roots, status)


def _complete(first: Syscall, later: Syscall) -> None:
    first.end, first.ret, first.error = later.end, later.ret, later.error
    first.done, first.no_return = later.done, later.no_return
    if later.mem:
        first.mem = {**(first.mem or {}), **later.mem}
    if later.fds:
        first.fds = {**(first.fds or {}), **later.fds}
    if later.stack:
        first.stack = later.stack
