"""strace's lines -> tracetui's events, as a live trace of the same program gives them.

A call printed whole becomes a `Syscall`; `name(args <unfinished ...>` and its
`<... name resumed>rest) = ret` become `Unfinished` and `Resumed` of one call
(its arguments joined, those printed at the resumption marked as exit
arguments). Tasks get `ProcessStarted` when first seen (threads folded into
their process, parents from the fork-like calls: `Lineage`), successful execs
an `Exec`, `+++`/`---` lines `Exited`, `SignalDelivered`, `Stopped`. -k's
` > frame` lines become the stack of the call printed just before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracer.events import (
    Detached,
    Event,
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
from tracer.formats.strace_log.lines import Kind, LogLine, resumed_name
from tracer.formats.strace_log.values import (
    fd_names,
    parse_return,
    scan,
    siginfo_bytes,
    signal_number,
    split_args,
    string_list,
)
from tracer.syscalls.imported import leading_number, unquote
from tracer.syscalls.render import STRACE_TEXT
from tracer.syscalls.table import COMPAT_BASE, SyscallTable

UNFINISHED = "<unfinished ...>"
DETACHED = "<detached ...>"  # strace let go of the task mid-call (Ctrl-C on strace -p)
FORK_LIKE = frozenset({"clone", "clone3", "fork", "vfork"})
UNPREFIXED = -1  # the parent of a fork printed with no pid: the log's first task
_U64 = (1 << 64) - 1
_UNKNOWN_NR = re.compile(r"syscall_(0x[0-9a-f]+|\d+)")
_EXITED = re.compile(r"exited with (-?\d+)")
_KILLED = re.compile(r"killed by (\S+)( \(core dumped\))?")
_FRAME = re.compile(r"(?P<where>.*) \[(?P<addr>0x[0-9a-fA-F]+)\]$")


@dataclass(slots=True)
class Lineage:
    """Who created whom, from the fork-like calls of the whole log (read before the events:
    a child's first line often comes before its parent's clone returns)."""

    parent: dict[int, int] = field(default_factory=dict)  # child tid -> the tid that made it
    threads: set[int] = field(default_factory=set)  # tids made with CLONE_THREAD
    _pending: dict[int | None, str] = field(default_factory=dict)

    def note(self, line: LogLine) -> None:
        """Feed a line that may be a fork-like call (or its resumption)."""
        body = line.body
        if line.kind is Kind.CALL:
            name = body[: body.find("(")]
            if name not in FORK_LIKE:
                return
            if body.endswith(UNFINISHED):
                self._pending[line.tid] = body
                return
            self._child(line.tid, body)
        elif line.kind is Kind.RESUMED:
            got = resumed_name(body)
            start = self._pending.pop(line.tid, None)
            if start is None:  # begun while one task ran (no prefix), resumed with one
                start = self._pending.pop(None, None)
            if got is not None and got[0] in FORK_LIKE and start is not None:
                self._child(line.tid, start[: -len(UNFINISHED)] + body[got[1] :])

    def _child(self, tid: int | None, text: str) -> None:
        _, close = scan(text, text.find("(") + 1)
        if close < 0:
            return
        got = parse_return(text[close + 1 :].strip().removeprefix("=").strip())
        if got is None or got[0] is None or got[0] <= 0:
            return
        child = got[0]
        self.parent[child] = tid if tid is not None else UNPREFIXED
        if "CLONE_THREAD" in text[:close]:
            self.threads.add(child)

    def name_root(self, root: int) -> None:
        """The task the unprefixed lines' forks came from (`UNPREFIXED`) is `root`."""
        for child, parent in self.parent.items():
            if parent == UNPREFIXED:
                self.parent[child] = root

    def pid_of(self, tid: int) -> int:
        """The process (thread group) of a task."""
        seen = 0
        while tid in self.threads and seen < 64:
            tid = self.parent[tid]
            seen += 1
        return tid


@dataclass(slots=True)
class _Pending:
    call: Syscall
    entry: str  # the arguments' text as printed before ` <unfinished ...>`


class LogAssembler:
    """Feeds on `LogLine`s in log order; `out` collects the events."""

    def __init__(self, table: SyscallTable, lineage: Lineage, root: int | None) -> None:
        self.table = table
        self.lineage = lineage
        self.root = root
        self.out: list[Event] = []
        self.calls = 0
        self.seq = 0
        self.last_time = 0.0
        self.exit_status = 0
        self._pending: dict[int, _Pending] = {}
        self._known: set[int] = set()
        self._live: list[int] = []  # tasks seen and not exited, in order of appearance
        # Per file: what -k's ` > ` lines belong to, the call printed last (None after a
        # signal: strace prints the stack where it was delivered, which no event keeps).
        self._frames_of: dict[int, Syscall | None] = {}
        self._numbers: dict[str, int | None] = {}

    def take(self) -> list[Event]:
        out, self.out = self.out, []
        return out

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    # ---- tasks -----------------------------------------------------------------

    def _tid(self, line: LogLine) -> int:
        """The task of a line; one without a pid prefix (strace -f to a terminal prints
        none while a single task is traced) is the one task alive, else the root."""
        if line.tid is not None:
            return line.tid
        if len(self._live) == 1:
            return self._live[0]
        if self.root is None:
            self.root = 1  # the log never says; any number names the one process
        return self.root

    def _see(self, tid: int, when: float, attached: bool = False) -> None:
        if tid in self._known:
            return
        self._known.add(tid)
        self._live.append(tid)
        if self.root is None:
            self.root = tid
        lineage = self.lineage
        parent = lineage.parent.get(tid)
        pid = lineage.pid_of(tid) if parent is not None else tid
        if tid in lineage.threads and parent is not None:
            self._see(parent, when)
            self.out.append(ProcessStarted(self._next(), pid, tid, pid, when, is_thread=True))
            return
        ppid = lineage.pid_of(parent) if parent is not None else 0
        if parent is not None:
            self._see(parent, when)
        self.out.append(ProcessStarted(self._next(), pid, tid, ppid, when, attached=attached))

    def _gone(self, tid: int) -> None:
        if tid in self._live:
            self._live.remove(tid)

    # ---- lines -----------------------------------------------------------------

    def feed(self, line: LogLine, when: float) -> bool:
        """Take one line; False if it was not understood (the caller counts it)."""
        kind = line.kind
        if kind is Kind.STACK:
            return self._frame(line)
        if kind is Kind.NOTE:
            return True
        if kind is Kind.UNKNOWN:
            return False
        self.last_time = max(self.last_time, when)
        if kind is Kind.ATTACHED:  # strace -p's; with -f, a new child's (not attached)
            self._see(line.tid, when, attached=line.tid not in self.lineage.parent)
            return True
        tid = self._tid(line)
        if kind is Kind.DETACHED:
            self._see(tid, when)
            self.out.append(Detached(self._next(), self.lineage.pid_of(tid), tid, when))
            self._gone(tid)
            return True
        if kind is Kind.CALL:
            return self._call(line, tid, when)
        if kind is Kind.RESUMED:
            return self._resumed(line, tid, when)
        if kind is Kind.SIGNAL:
            self._frames_of[line.source] = None
            return self._signal(line.body[4:-4], tid, when)
        return self._exit(line.body[4:-4], tid, when)

    def _number(self, name: str) -> int | None:
        if name in self._numbers:
            return self._numbers[name]
        nr = self.table.number(name)
        if nr is None:
            m = _UNKNOWN_NR.fullmatch(name)
            if m is not None:
                nr = int(m.group(1), 0)
            else:  # a 32-bit process's call (strace names it from the i386 table)
                compat = [n for n in self.table.numbers_named(name) if n >= COMPAT_BASE]
                nr = compat[0] if compat else None
        self._numbers[name] = nr
        return nr

    def _call(self, line: LogLine, tid: int, when: float) -> bool:
        body = line.body
        open_at = body.find("(")
        name = body[:open_at]
        nr = self._number(name)
        if nr is None:
            return False
        marker = UNFINISHED if body.endswith(UNFINISHED) else DETACHED
        if body.endswith(marker):
            entry = body[open_at + 1 : -len(marker)]
            fds: dict[int, str] = {}
            parts, close = scan(entry, 0, fds)
            if close >= 0:
                return False
            self._see(tid, when)
            call = self._new_call(tid, nr, when)
            self._set_text(call, parts, len(parts) - (parts[-1:] == [""]), "")
            call.fds = fds or None
            old = self._pending.pop(tid, None)
            if old is not None:  # never resumed: strace lost it (the task vanished)
                self._end_unresumed(old.call)
            self._pending[tid] = _Pending(call, entry)
            self.out.append(Unfinished(call))
            self._frames_of[line.source] = call
            return True
        fds = {}
        parts, close = scan(body, open_at + 1, fds)
        if close < 0:
            return False  # cut short: a truncated line
        ret_text = _ret_text(body[close + 1 :])
        outcome = parse_return(ret_text) if ret_text is not None else None
        if outcome is None:
            return False
        entry = len(parts)
        no_return = outcome[0] is None
        if parts and parts[-1].endswith(UNFINISHED):
            # `read(3,  <unfinished ...>) = ?`: the task died in the call
            last = parts[-1][: -len(UNFINISHED)].rstrip()
            parts[-1] = last
            if not last and len(parts) == 1:
                parts = []
            entry = len(parts) - (not last)
            no_return = True
        self._see(tid, when)
        call = self._new_call(tid, nr, when)
        self._set_text(call, parts, entry, ret_text)
        self._finish(call, outcome, when, line.duration, fds, no_return)
        self.out.append(call)
        self._frames_of[line.source] = call
        self._after(call, name, parts, when)
        return True

    def _resumed(self, line: LogLine, tid: int, when: float) -> bool:
        body = line.body
        name, at = resumed_name(body)
        nr = self._number(name)
        if nr is None:
            return False
        fds: dict[int, str] = {}
        _, close = scan(body, at, fds)
        if close < 0:
            return False
        ret_text = _ret_text(body[close + 1 :])
        outcome = parse_return(ret_text) if ret_text is not None else None
        if outcome is None:
            return False
        tail = body[at:close]
        no_return = outcome[0] is None
        if tail.rstrip().endswith(UNFINISHED):  # `<... read resumed> <unfinished ...>) = ?`
            tail = tail.rstrip()[: -len(UNFINISHED)]
            no_return = True
        self._see(tid, when)
        pending = self._pending.get(tid)
        if pending is None or pending.call.nr != nr:
            # The log began (or strace attached) while the call was in progress.
            call = self._new_call(tid, nr, when)
            parts = split_args(tail)
            self._set_text(call, parts, 0, ret_text)
            self._finish(call, outcome, when, line.duration, fds, no_return)
            self.out.append(call)
        else:
            del self._pending[tid]
            call = pending.call
            entry = pending.entry
            parts = split_args(entry + tail)
            first = split_args(entry)
            n_entry = len(first) - (first[-1:] == [""])
            stripped = tail.strip()
            if n_entry and stripped and not entry.rstrip().endswith(",") and stripped[0] != ",":
                n_entry -= 1  # the last entry argument goes on at the exit (`{...} => {...}`)
            self._set_text(call, parts, n_entry, ret_text)
            self._finish(call, outcome, when, line.duration, fds, no_return)
            self.out.append(Resumed(call))
        self._frames_of[line.source] = call
        self._after(call, name, parts, when)
        return True

    def _new_call(self, tid: int, nr: int, when: float) -> Syscall:
        self.calls += 1
        return Syscall(self._next(), self.lineage.pid_of(tid), tid, nr, (), when)

    def _set_text(self, call: Syscall, parts: list[str], entry: int, ret: str) -> None:
        args = []
        for p in parts[:6]:
            n = leading_number(p)
            args.append(n & _U64 if n is not None else 0)
        call.args = tuple(args)
        call.mem = {STRACE_TEXT: (tuple(parts), max(entry, 0), ret)}

    def _finish(
        self,
        call: Syscall,
        outcome: tuple[int | None, int],
        when: float,
        duration: float | None,
        names: dict[int, str],
        no_return: bool,
    ) -> None:
        call.ret, call.error = outcome
        call.done = True
        call.no_return = no_return
        if duration is not None:
            call.end = call.start + duration
        else:
            call.end = max(when, call.start)
        ret = call.mem[STRACE_TEXT][2]
        if "<" in ret:
            names.update(fd_names(ret))
        if names:
            call.fds = {**(call.fds or {}), **names}

    def _end_unresumed(self, call: Syscall) -> None:
        call.done = True
        call.no_return = True
        call.end = call.start
        self.out.append(Resumed(call))

    def _after(self, call: Syscall, name: str, parts: list[str], when: float) -> None:
        """The process events a call implies: a child (fork-like calls), an exec."""
        if call.error or call.ret is None:
            return
        if name in FORK_LIKE and call.ret > 0:
            self._see(call.ret, when)
        elif name in ("execve", "execveat") and call.ret == 0:
            at = 0 if name == "execve" else 1
            filename = unquote(parts[at]) if len(parts) > at and parts[at][:1] == '"' else ""
            argv = string_list(parts[at + 1]) if len(parts) > at + 1 else []
            end = call.end or when
            self.out.append(Exec(self._next(), call.pid, call.tid, end, filename, argv))

    def _signal(self, inner: str, tid: int, when: float) -> bool:
        if inner.startswith("stopped by "):
            signo = signal_number(inner[len("stopped by ") :])
            if signo is None:
                return False
            self._see(tid, when)
            self.out.append(Stopped(self._next(), self.lineage.pid_of(tid), tid, when, signo))
            return True
        name, _, info = inner.partition(" ")
        signo = signal_number(name)
        if signo is None:
            return False
        self._see(tid, when)
        siginfo = siginfo_bytes(info, signo) if info.startswith("{") else b""
        pid = self.lineage.pid_of(tid)
        self.out.append(SignalDelivered(self._next(), pid, tid, when, signo, siginfo))
        return True

    def _exit(self, inner: str, tid: int, when: float) -> bool:
        if inner.startswith("superseded by execve"):
            return True  # the thread's exec: the process's own lines say the rest
        code = signal = None
        core = False
        m = _EXITED.fullmatch(inner)
        if m is not None:
            code = int(m.group(1))
        else:
            m = _KILLED.fullmatch(inner)
            if m is None:
                return False
            signal = signal_number(m.group(1))
            if signal is None:
                return False
            core = bool(m.group(2))
        self._see(tid, when)
        pending = self._pending.pop(tid, None)
        if pending is not None:  # in a call when it ended, and strace printed no more of it
            self._end_unresumed(pending.call)
        is_thread = tid in self.lineage.threads
        pid = self.lineage.pid_of(tid)
        self.out.append(Exited(self._next(), pid, tid, when, code, signal, core, is_thread))
        if tid == self.root:
            self.exit_status = code if code is not None else 128 + (signal or 0)
        self._gone(tid)
        return True

    def _frame(self, line: LogLine) -> bool:
        m = _FRAME.fullmatch(line.body)
        if m is None or line.source not in self._frames_of:
            return False
        call = self._frames_of[line.source]
        if call is None:
            return True  # a signal's stack
        where, addr = m.group("where"), int(m.group("addr"), 16)
        frame = Frame(addr, module_offset=addr)
        paren = where.find("(")
        if paren > 0 and where.endswith(")"):
            frame.module = where[:paren]
            inner = where[paren + 1 : -1]
            function, plus, offset = inner.rpartition("+")
            if plus and offset.startswith("0x"):
                frame.function, frame.offset = function or None, int(offset, 16)
            elif inner:
                frame.function = inner
        elif where not in ("?", "unexpected_backtracing_error"):
            frame.module = where
        if call.stack is None:
            call.stack = []
        call.stack.append(frame)
        return True

    def finish(self, error: str | None = None) -> None:
        """The end of the log: calls still unfinished stay so (strace printed no more)."""
        self.out.append(TraceEnded(self.last_time, self.exit_status, error))


def _ret_text(after: str) -> str | None:
    """`   = 3</x>` -> `3</x>`; None if there is no ` = `."""
    after = after.strip()
    if not after.startswith("="):
        return None
    return after[1:].strip()
