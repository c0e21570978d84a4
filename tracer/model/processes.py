"""The process tree: who started whom, what each runs, and how it ended.

Built from store rows (`update(store, store_update)` after each batch), so it
can be rebuilt from a saved store as well as followed live.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from tracer.events import Detached, Exec, Exited, ProcessStarted, SignalDelivered, Stopped
from tracer.store import EventStore, StoreUpdate
from tracer.store.event_store import K_SYSCALL


@dataclass(slots=True)
class ProcessInfo:
    """One process (thread group). `state`: running, stopped, paused, exited, killed, detached."""

    pid: int
    ppid: int = 0
    comm: str = ""
    argv: list[str] = field(default_factory=list)
    exe: str = ""
    state: str = "running"
    exit_code: int | None = None
    signal: int | None = None  # the killing signal
    core: bool = False
    syscalls: int = 0
    errors: int = 0
    signals: int = 0  # signals delivered
    threads: set[int] = field(default_factory=set)  # live thread ids other than pid
    all_threads: set[int] = field(default_factory=set)  # every thread id seen
    start_row: int | None = None
    end_row: int | None = None
    start_time: float = 0.0
    end_time: float | None = None
    attached: bool = False

    @property
    def alive(self) -> bool:
        return self.state not in ("exited", "killed", "detached")

    @property
    def title(self) -> str:
        """`comm` or the argv, as a short label."""
        if self.argv:
            return " ".join(self.argv)
        return self.comm or str(self.pid)


class ProcessTree:
    """Processes keyed by pid, with parent links; threads folded into their process."""

    def __init__(self) -> None:
        self.processes: dict[int, ProcessInfo] = {}
        self._children: dict[int, list[int]] = {}
        self._leader: dict[int, int] = {}  # tid -> pid of its thread group
        self.paused = False

    # ---- feeding -----------------------------------------------------------

    def rows_dropped(self, k: int) -> None:
        """The store forgot its oldest `k` rows and renumbered the rest (None: gone)."""
        for info in self.processes.values():
            if info.start_row is not None:
                info.start_row = info.start_row - k if info.start_row >= k else None
            if info.end_row is not None:
                info.end_row = info.end_row - k if info.end_row >= k else None

    def update(self, store: EventStore, update: StoreUpdate) -> None:
        """Apply one `store.append` result (its `effects`, in order)."""
        self.apply_rows(store, update.effects)

    def apply_rows(self, store: EventStore, rows) -> None:
        kinds, errnos, pids, tids = store.kinds, store.errnos, store.pids, store.tids
        if self._one_thread_calls(store, rows):
            return
        # Runs of syscall rows are counted per (pid, tid) at once; other rows (process
        # events) are applied one by one, in order.
        for kind, group in groupby(rows, kinds.__getitem__):
            if kind != K_SYSCALL:
                for row in group:
                    self.apply(store.event(row), row)
                continue
            run = list(group)
            keys = list(zip(map(pids.__getitem__, run), map(tids.__getitem__, run), strict=True))
            first = dict(zip(reversed(keys), reversed(run), strict=True))
            for key, n in Counter(keys).items():
                self._info(key[0], key[1], first[key]).syscalls += n
            failed = [r for r in run if errnos[r]]
            for r in failed:
                self._info(pids[r], tids[r], r).errors += 1

    def _one_thread_calls(self, store: EventStore, rows) -> bool:
        """`apply_rows` of consecutive rows that are all calls of one single-threaded
        process (a flood, or a reopened recording's chunk) on slices of the columns; False
        (nothing done) for any other rows."""
        n = len(rows)
        if not n or type(rows) is not array:
            return False
        a = rows[0]
        b = a + n
        if rows[-1] != b - 1 or rows != array(rows.typecode, range(a, b)):
            return False
        if store.kinds[a:b].count(K_SYSCALL) != n:
            return False
        pids = store.pids[a:b]
        pid = pids[0]
        if pids.count(pid) != n or store.tids[a:b].count(pid) != n:
            return False
        info = self._info(pid, pid, a)
        info.syscalls += n
        info.errors += n - store.errnos[a:b].count(0)
        return True

    def apply_many(self, events, first_row: int | None = None) -> None:
        """Apply events directly (no store); rows are numbered from `first_row` if given."""
        for i, ev in enumerate(events):
            self.apply(ev, None if first_row is None else first_row + i)

    def apply(self, ev, row: int | None = None) -> None:
        t = type(ev)
        if t is ProcessStarted:
            self._started(ev, row)
        elif t is Exec:
            info = self._info(ev.pid, ev.tid, row)
            info.exe = ev.filename
            info.argv = list(ev.argv)
            info.comm = ev.filename.rsplit("/", 1)[-1][:15]
            if ev.former_tid and ev.former_tid != ev.pid:
                info.threads.discard(ev.former_tid)
            # execve kills every other thread of the group.
            info.threads.clear()
        elif t is Exited:
            self._exited(ev, row)
        elif t is Stopped:
            info = self._info(ev.pid, ev.tid, row)
            if info.alive:
                info.state = "running" if ev.resumed else "stopped"
                if info.state == "running" and self.paused:
                    info.state = "paused"
        elif t is SignalDelivered:
            self._info(ev.pid, ev.tid, row).signals += 1
        elif t is Detached:
            info = self._info(ev.pid, ev.tid, row)
            if ev.tid == ev.pid or ev.tid == 0:
                info.state = "detached"
                info.end_row, info.end_time = row, ev.time
            else:
                info.threads.discard(ev.tid)
        elif hasattr(ev, "pid") and hasattr(ev, "nr"):  # a Syscall
            info = self._info(ev.pid, ev.tid, row)
            info.syscalls += 1
            if ev.error:
                info.errors += 1

    def _started(self, ev: ProcessStarted, row: int | None) -> None:
        if ev.is_thread:
            leader = self._leader.get(ev.pid, ev.pid)
            info = self._info(leader, leader, row)
            if ev.tid != leader:
                info.threads.add(ev.tid)
                info.all_threads.add(ev.tid)
            self._leader[ev.tid] = leader
            return
        info = self.processes.get(ev.pid)
        if info is None:
            info = ProcessInfo(pid=ev.pid)
            self.processes[ev.pid] = info
        info.ppid = ev.parent
        info.comm = ev.comm or info.comm
        if ev.argv:
            info.argv = list(ev.argv)
        elif not info.argv and ev.parent in self.processes:
            info.argv = list(self.processes[ev.parent].argv)
            info.exe = self.processes[ev.parent].exe
        if not info.comm and ev.parent in self.processes:
            info.comm = self.processes[ev.parent].comm
        info.attached = ev.attached
        info.start_time = ev.time
        if info.start_row is None:
            info.start_row = row
        info.state = "paused" if self.paused else "running"
        self._leader[ev.pid] = ev.pid
        siblings = self._children.setdefault(ev.parent, [])
        if ev.pid not in siblings:
            siblings.append(ev.pid)

    def _exited(self, ev: Exited, row: int | None) -> None:
        leader = self._leader.get(ev.tid, ev.pid)
        info = self._info(leader, ev.tid, row)
        if ev.is_thread or (ev.tid != leader and ev.tid != 0):
            info.threads.discard(ev.tid)
            return
        info.exit_code = ev.code
        info.signal = ev.signal
        info.core = ev.core
        info.state = "killed" if ev.signal else "exited"
        info.end_row, info.end_time = row, ev.time
        info.threads.clear()

    def _info(self, pid: int, tid: int, row: int | None) -> ProcessInfo:
        """The process of `pid`, created on first sight (events can precede ProcessStarted)."""
        pid = self._leader.get(pid, pid)
        info = self.processes.get(pid)
        if info is None:
            info = ProcessInfo(pid=pid, start_row=row, state="paused" if self.paused else "running")
            self.processes[pid] = info
            self._leader[pid] = pid
        if tid and tid != pid and tid not in info.all_threads and tid not in self._leader:
            info.threads.add(tid)
            info.all_threads.add(tid)
            self._leader[tid] = pid
        return info

    # ---- reading -----------------------------------------------------------

    def get(self, pid: int) -> ProcessInfo | None:
        return self.processes.get(self._leader.get(pid, pid))

    def __len__(self) -> int:
        return len(self.processes)

    def __iter__(self):
        return iter(self.processes.values())

    def children(self, pid: int) -> list[ProcessInfo]:
        return [self.processes[c] for c in self._children.get(pid, ()) if c in self.processes]

    def roots(self) -> list[ProcessInfo]:
        """Processes whose parent is not traced (the launched program, attached pids)."""
        return [p for p in self.processes.values() if p.ppid not in self.processes]

    def leader_of(self, tid: int) -> int:
        return self._leader.get(tid, tid)

    def alive_count(self) -> int:
        return sum(1 for p in self.processes.values() if p.alive)

    def set_paused(self, paused: bool) -> None:
        """The UI paused (or resumed) the tracees: live running processes show as paused."""
        self.paused = paused
        for p in self.processes.values():
            if paused and p.state == "running":
                p.state = "paused"
            elif not paused and p.state == "paused":
                p.state = "running"
