"""What the profile exports (Chrome trace events, Firefox Profiler) share: the
event stream turned into time spans and moments on named threads.

A call that other events overtook arrives as `Unfinished` and later `Resumed`;
here it becomes one `CallSpan`, from its entry to its exit. A call that never
returned (exit_group, a task killed in a blocking read) ends at the next thing
its task did: its exit, or the end of the trace. Processes are named after the
program they run (argv[0] of their last exec, else what they inherited or their
comm), and threads after their process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from tracer.events import (
    Detached,
    Exec,
    Exited,
    Frame,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.formats.strace_text import siginfo_text, signal_name
from tracer.syscalls.classes import CLASS_NAMES, Class
from tracer.syscalls.fmt import os_bytes
from tracer.syscalls.render import RenderContext, errno_name, render


def readable(text: str) -> str:
    """A str from the OS (argv, paths) as valid Unicode: undecodable bytes as `\\xNN`."""
    if text.isascii():
        return text
    return os_bytes(text).decode("utf-8", "backslashreplace")


@dataclass(slots=True)
class CallSpan:
    """One syscall from entry to exit (or to where its task went on without it)."""

    call: Syscall
    end: float
    # True when no exit was seen: the span ends at the task's next event.
    cut: bool = False


@dataclass(slots=True)
class Moment:
    """Something that happened at one time on one thread: a signal, exec, exit..."""

    kind: str  # "signal", "exec", "exit", "start", "stop", "detach"
    name: str  # what a viewer shows: "SIGCHLD", "exec ls", "exit 0"
    pid: int
    tid: int
    time: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CallText:
    """A call as strace prints it, for a viewer's details pane."""

    name: str
    arguments: str
    result: str
    errno: str | None
    category: str  # "syscall", or its strace classes: "file,desc"


# The classes named in the category, in strace's order of `%class` names.
_CATEGORY_CLASSES = [
    (name, flag)
    for name, flag in CLASS_NAMES.items()
    if name in ("file", "desc", "network", "process", "signal", "memory", "ipc", "creds", "clock")
]


class Timeline:
    """Feeds on event batches; hands back spans and moments in stream order."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.t0: float | None = None  # the earliest time seen in the first batch
        self.last_time = 0.0
        self.process_names: dict[int, str] = {}
        self.command_lines: dict[int, str] = {}
        self.thread_pid: dict[int, int] = {}
        self.thread_first: dict[int, float] = {}
        self.thread_exit: dict[int, float] = {}
        self._unfinished: dict[int, Syscall] = {}  # tid -> call out as Unfinished
        self._open_ended: dict[int, list[Syscall]] = {}  # tid -> calls without an exit
        self._categories: dict[int, str] = {}

    # -- names

    def process_name(self, pid: int) -> str:
        return self.process_names.get(pid) or f"pid {pid}"

    def thread_name(self, tid: int) -> str:
        pid = self.thread_pid.get(tid, tid)
        name = self.process_name(pid)
        return name if tid == pid else f"{name} (thread)"

    def first_command(self) -> str:
        """The command line of the first process seen (its first exec's argv)."""
        for pid, _ in self.threads():
            if pid in self.command_lines:
                return self.command_lines[pid]
        return ""

    def threads(self) -> list[tuple[int, int]]:
        """(pid, tid) of every thread seen, in the order they first appeared."""
        return [(self.thread_pid.get(tid, tid), tid) for tid in self.thread_first]

    # -- the stream

    def feed(self, events: list[Any]) -> list[CallSpan | Moment]:
        if self.t0 is None and events:
            times = [t for t in map(_event_time, events) if t]
            if times:
                self.t0 = min(times)
        out: list[CallSpan | Moment] = []
        for ev in events:
            self._one(ev, out)
        return out

    def finish(self) -> list[CallSpan | Moment]:
        """Spans still open at the end (calls cut short, unfinished ones never resumed)."""
        out: list[CallSpan | Moment] = []
        for tid in list(self._open_ended):
            self._close_open_ended(tid, self.last_time, out)
        for call in self._unfinished.values():
            out.append(CallSpan(call, max(call.start, self.last_time), cut=True))
        self._unfinished.clear()
        return out

    def _seen(self, pid: int, tid: int, when: float) -> None:
        if when > self.last_time:
            self.last_time = when
        self.thread_pid.setdefault(tid, pid)
        self.thread_first.setdefault(tid, when)

    def _one(self, ev: Any, out: list[CallSpan | Moment]) -> None:
        tp = type(ev)
        if tp is Syscall or tp is Resumed:
            call = ev if tp is Syscall else ev.call
            self._unfinished.pop(call.tid, None)
            self._seen(call.pid, call.tid, call.start)
            self._close_open_ended(call.tid, call.start, out)
            if call.done and call.end and not call.no_return:
                self._seen(call.pid, call.tid, call.end)
                out.append(CallSpan(call, call.end))
            else:  # it ends where its task goes on: its next event, its exit
                self._open_ended.setdefault(call.tid, []).append(call)
            if tp is Resumed and ev.tid and ev.tid != call.tid:
                self._close_open_ended(ev.tid, call.end or call.start, out)
            return
        if tp is Unfinished:
            call = ev.call
            self._seen(call.pid, call.tid, call.start)
            self._unfinished[call.tid] = call
            return
        if tp is TraceEnded:
            if ev.time > self.last_time:
                self.last_time = ev.time
            return
        self._seen(ev.pid, ev.tid, ev.time)
        self._close_open_ended(ev.tid, ev.time, out)
        moment = self._moment(ev)
        if moment is not None:
            out.append(moment)

    def _close_open_ended(self, tid: int, when: float, out: list[CallSpan | Moment]) -> None:
        calls = self._open_ended.pop(tid, None)
        if calls:
            out.extend(CallSpan(c, max(c.start, when), cut=True) for c in calls)

    def _moment(self, ev: Any) -> Moment | None:
        tp = type(ev)
        if tp is ProcessStarted:
            if ev.is_thread:
                self.thread_pid[ev.tid] = ev.pid
                return Moment("start", "thread started", ev.pid, ev.tid, ev.time)
            name = self.process_names.get(ev.parent)  # a fork runs its parent's program
            if ev.argv:
                name = _program(ev.argv[0])
                self.command_lines[ev.pid] = " ".join(readable(a) for a in ev.argv)
            elif ev.comm and not name:
                name = readable(ev.comm)
            if name:
                self.process_names[ev.pid] = name
            if ev.parent in self.command_lines and ev.pid not in self.command_lines:
                self.command_lines[ev.pid] = self.command_lines[ev.parent]
            what = "attached" if ev.attached else f"started by {ev.parent}"
            return Moment(
                "start", f"process {what}", ev.pid, ev.tid, ev.time, {"parent": ev.parent}
            )
        if tp is Exec:
            program = _program(ev.argv[0] if ev.argv else ev.filename)
            self.process_names[ev.pid] = program
            command = " ".join(readable(a) for a in ev.argv)
            self.command_lines[ev.pid] = command
            detail = {"filename": readable(ev.filename), "argv": command}
            if ev.former_tid:
                detail["former_tid"] = ev.former_tid
            return Moment("exec", f"exec {program}", ev.pid, ev.tid, ev.time, detail)
        if tp is Exited:
            self.thread_exit[ev.tid] = ev.time
            if ev.signal is not None:
                core = " (core dumped)" if ev.core else ""
                name = f"killed by {signal_name(ev.signal)}{core}"
            else:
                name = f"exit {ev.code}"
            return Moment("exit", name, ev.pid, ev.tid, ev.time, {"thread": ev.is_thread})
        if tp is SignalDelivered:
            name = signal_name(ev.signo)
            return Moment("signal", name, ev.pid, ev.tid, ev.time, {"siginfo": siginfo_text(ev)})
        if tp is Stopped:
            what = "continued" if ev.resumed else f"stopped by {signal_name(ev.signo)}"
            return Moment("stop", what, ev.pid, ev.tid, ev.time)
        if tp is Detached:
            return Moment("detach", "detached", ev.pid, ev.tid, ev.time)
        return None

    # -- texts

    def call_text(self, call: Syscall) -> CallText:
        r = render(call, self.ctx)
        errno = errno_name(call.error) if call.error else None
        return CallText(r.name, r.args_text(), r.ret, errno, self._category(call.nr))

    def _category(self, nr: int) -> str:
        found = self._categories.get(nr)
        if found is None:
            d = self.ctx.table.get(nr)
            classes = d.classes if d is not None else Class.NONE
            names = [name for name, flag in _CATEGORY_CLASSES if classes & flag]
            found = self._categories[nr] = ",".join(names) or "syscall"
        return found


def stack_frames(call: Syscall) -> list[Frame]:
    """The call's stack, innermost first, with symbols and lines resolved."""
    if not call.stack:
        return []
    from tracer.stack.frame import resolve_by_module

    resolve_by_module(call.stack)
    return call.stack


def frame_label(frame: Frame) -> str:
    """`main (prog+0x1149) hello.c:5`: the function if known, where it lies, its line."""
    module = os.path.basename(readable(frame.module)) if frame.module else None
    where = f"{module}+{frame.module_offset:#x}" if module else f"{frame.pc:#x}"
    text = f"{frame.function} ({where})" if frame.function else where
    if frame.file and frame.line:
        text += f" {readable(frame.file)}:{frame.line}"
    return text


def _program(path: str) -> str:
    return os.path.basename(readable(path)) or readable(path) or "?"


def _event_time(ev: Any) -> float:
    call = ev if type(ev) is Syscall else getattr(ev, "call", None)
    if call is not None:
        return call.start
    return getattr(ev, "time", 0.0) or 0.0
