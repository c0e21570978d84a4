"""Per-process file descriptor tables, followed from the syscalls that change them.

Each entry remembers the row of the syscall that created it (so the UI can
jump there) and, once closed, the row that closed it. Threads share their
process's table; a forked child starts with a copy (or the same table with
CLONE_FILES); exec closes the close-on-exec entries.
"""

from __future__ import annotations

import os
import re
import time
from array import array
from dataclasses import dataclass

from tracer.events import Exec, Exited, ProcessStarted
from tracer.model.fd_effects import (
    ANON_INODE_CREATORS,
    FD_EFFECTS,
    FdEffectContext,
    fast_effects,
)
from tracer.model.proc_sockets import socket_inode, socket_table
from tracer.store import EventStore, StoreUpdate
from tracer.store.event_store import F_HAS_RET, K_EXEC, K_EXITED, K_STARTED, K_SYSCALL
from tracer.syscalls.decoders.file import open_flags

CLONE_FILES = 0x400
EINPROGRESS = 115
O_LARGEFILE = 0o100000
UNNAMED = "(inherited)"
# Deferred rows applied between looks at the clock: ~2 us a row, so a slice keeps to the
# app's 4 ms idle budget (8,192 rows took 25-240 ms a slice on a loaded 2-CPU machine,
# a reopened recording's keys waiting behind it).
_CATCH_UP_SLICE = 2048


@dataclass(slots=True)
class FdEntry:
    """One descriptor. `kind`: file, socket, pipe, tty, anon, memfd, dir, unknown."""

    fd: int
    kind: str
    path: str  # what it refers to: a path, `socket:[123]`, `pipe:[456]`, `anon_inode:[eventfd]`
    flags: str = ""  # flags text as rendered at creation (`O_RDONLY|O_CLOEXEC`)
    created_row: int | None = None  # None: inherited from before the trace
    created_by: str = ""  # syscall name, or 'inherited'
    peer: str | None = None  # remote address (connect/accept)
    local: str | None = None  # bound address (bind)
    cloexec: bool = False
    closed_row: int | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_row is None and self.closed_by is None


def kind_of(path: str, created_by: str = "") -> str:
    """Classify what an fd refers to from its /proc-style name."""
    if path.startswith("socket:") or created_by in ("socket", "accept", "accept4", "socketpair"):
        return "socket"
    if path.startswith("pipe:") or created_by in ("pipe", "pipe2"):
        return "pipe"
    if path.startswith(("/dev/pts/", "/dev/tty", "/dev/console", "/dev/ptmx")):
        return "tty"
    if path.startswith("/memfd:") or created_by == "memfd_create":
        return "memfd"
    if path.startswith("anon_inode:") or created_by in ANON_INODE_CREATORS:
        return "anon"
    if path.startswith("/"):
        return "file"
    return "unknown"


class FdTable:
    """The descriptors of one process (shared by its threads)."""

    def __init__(self) -> None:
        self.open: dict[int, FdEntry] = {}
        self.closed: list[FdEntry] = []

    def add(self, entry: FdEntry, row: int | None = None) -> None:
        """Install `entry`; an fd already open there is closed implicitly (dup2 semantics)."""
        self.close(entry.fd, row, entry.created_by)
        self.open[entry.fd] = entry

    def close(self, fd: int, row: int | None, by: str) -> FdEntry | None:
        e = self.open.pop(fd, None)
        if e is not None:
            e.closed_row, e.closed_by = row, by
            self.closed.append(e)
        return e

    def copy(self) -> FdTable:
        """A forked child's table: its own entries (each fork copies its parent's: the
        fields by position are 7x faster than `dataclasses.replace`)."""
        t = FdTable()
        t.open = {
            fd: FdEntry(e.fd, e.kind, e.path, e.flags, e.created_row, e.created_by, e.peer,
                        e.local, e.cloexec, e.closed_row, e.closed_by)
            for fd, e in self.open.items()
        }  # fmt: skip
        return t

    def close_on_exec(self, row: int | None) -> None:
        for fd in [fd for fd, e in self.open.items() if e.cloexec]:
            self.close(fd, row, "execve")


class FdTables:
    """Fd tables of every traced process, updated from store rows."""

    def __init__(self, read_proc: bool = True) -> None:
        self.tables: dict[int, FdTable] = {}
        # id() of the tables that processes share (clone with CLONE_FILES): looked up
        # at each exec, where a scan of every process made a fork/exec loop quadratic.
        self.shared: set[int] = set()
        self.read_proc = read_proc  # seed new roots from /proc (off for replayed stores)
        self._nofile: dict[int, tuple[int | None, int | None]] = {}
        self._unnamed = False  # some inherited entry's target is not known yet
        # (pid, fd-names blob) pairs already used to name inherited fds: the same few
        # blobs repeat on every call, and a blob names what it can the first time.
        self._named_from: set[tuple[int, int]] = set()
        # Rows not applied yet (`defer`): a reopened recording's tables are built when
        # something reads them, or while the app idles (`catch_up`).
        self._pending: array | None = None
        self._store: EventStore | None = None

    # ---- feeding -----------------------------------------------------------

    def defer(self) -> None:
        """From now on, keep the rows `update` brings and apply them when the tables are
        read (or `catch_up` is called): a recording being reopened needs no fd table
        until its Files pane is shown, and a million open/close rows cost seconds."""
        if self._pending is None:
            self._pending = array("I")

    @property
    def pending(self) -> int:
        """Rows kept by `defer` and not applied yet."""
        return len(self._pending) if self._pending is not None else 0

    def catch_up(self, budget: float | None = None) -> bool:
        """Apply the deferred rows: all of them, or for about `budget` seconds. True if
        some are left."""
        pending = self._pending
        if not pending:
            return False
        store = self._store
        if budget is None:
            self._pending = array("I")
            self.apply_rows(store, pending)
            return False
        deadline = time.perf_counter() + budget
        done = 0
        while done < len(pending) and time.perf_counter() < deadline:
            self.apply_rows(store, pending[done : done + _CATCH_UP_SLICE])
            done += _CATCH_UP_SLICE
        del pending[:done]
        return bool(pending)

    def rows_dropped(self, k: int) -> None:
        """The store forgot its oldest `k` rows and renumbered the rest.

        Entries closed among the dropped rows go too: a program that opens and closes
        files all day would otherwise keep one entry per open, without bound. An open
        entry created there keeps its fd, name and flags; its row is gone (None)."""
        self.catch_up()  # (deferred rows are in the old numbers)
        for t in {id(t): t for t in self.tables.values()}.values():  # CLONE_FILES: shared
            t.closed = [e for e in t.closed if e.closed_row is None or e.closed_row >= k]
            for e in (*t.open.values(), *t.closed):
                if e.created_row is not None:
                    e.created_row = e.created_row - k if e.created_row >= k else None
                if e.closed_row is not None:
                    e.closed_row -= k
        self._named_from.clear()

    def update(self, store: EventStore, update: StoreUpdate) -> None:
        """Apply one `store.append` result (its `effects`, in order)."""
        if self._pending is not None:
            self._store = store
            self._pending.extend(update.effects)
            return
        self.apply_rows(store, update.effects)

    def apply_rows(self, store: EventStore, rows) -> None:
        kinds, nrs, errnos, flags = store.kinds, store.nrs, store.errnos, store.flags
        table = store.table
        fast_of = self._fast_effects(table)
        connect_nr = table.number("connect")
        # Only process events and calls with an fd effect matter: skip the rest in a
        # comprehension, not the loop below (a flood of getppid costs nothing here).
        # While inherited fds are unnamed (or a process starts in the batch: its
        # inherited fds may be), calls that carry fd names (-y) matter too: they name them.
        effect_nrs = self._effect_nrs(table)
        if not self._unnamed and K_STARTED not in map(kinds.__getitem__, rows):
            rows = [r for r in rows if kinds[r] or nrs[r] in effect_nrs]
        else:
            fds_ix = store.fds_ix
            rows = [r for r in rows if kinds[r] or nrs[r] in effect_nrs or fds_ix[r]]
        for row in rows:
            k = kinds[row]
            if k == K_SYSCALL:
                if self._unnamed and store.fds_ix[row]:
                    key = (store.pids[row], store.fds_ix[row])
                    if key not in self._named_from:
                        if len(self._named_from) >= 1 << 16:
                            self._named_from.clear()  # bounded: distinct blobs never end
                        self._named_from.add(key)
                        self._name_inherited(key[0], store.fds_of(row))
                if not flags[row] & F_HAS_RET:
                    continue  # in progress, or never returned
                if errnos[row] and not (errnos[row] == EINPROGRESS and nrs[row] == connect_nr):
                    continue
                fast = fast_of.get(nrs[row])
                if fast is not None and fast(self, store, row):
                    continue
                d = table.get(nrs[row])
                if d is None:
                    continue
                effect = FD_EFFECTS.get(d.name)
                if effect is not None:
                    effect(FdEffectContext(self, store, row, store.pids[row], d.name))
            elif k == K_STARTED:
                self._started(store.event(row), row)
            elif k == K_EXEC:
                ev: Exec = store.event(row)
                t = self.table(ev.pid)
                if id(t) in self.shared:
                    t = self.tables[ev.pid] = t.copy()  # exec unshares a CLONE_FILES table
                t.close_on_exec(row)
            elif k == K_EXITED:
                ev2: Exited = store.event(row)
                if not ev2.is_thread and ev2.tid in (ev2.pid, 0):
                    pass  # keep the table for inspection after the process ended

    _effect_nrs_cache: tuple[object, frozenset[int]] | None = None
    _fast_cache: tuple[object, dict] | None = None

    def _fast_effects(self, table) -> dict:
        """nr -> fd_effects' fast effect (open, openat, close), per table."""
        cached = self._fast_cache
        if cached is None or cached[0] is not table:
            cached = self._fast_cache = (table, fast_effects(table))
        return cached[1]

    def _effect_nrs(self, table) -> frozenset[int]:
        """Syscall numbers that have an fd effect (FD_EFFECTS), per table."""
        cached = self._effect_nrs_cache
        if cached is None or cached[0] is not table:
            nrs = frozenset(nr for nr, d in table.by_nr.items() if d.name in FD_EFFECTS)
            cached = self._effect_nrs_cache = (table, nrs)
        return cached[1]

    def _name_inherited(self, pid: int, names: dict[int, str]) -> None:
        """Name inherited fds (unreadable in /proc when seeded) from the fds a syscall mentions."""
        t = self.tables.get(pid)
        if t is None:
            return
        for fd, name in names.items():
            e = t.open.get(fd)
            if e is not None and e.created_by == "inherited" and e.path == UNNAMED:
                e.path, e.kind = name, kind_of(name)

    def _started(self, ev: ProcessStarted, row: int) -> None:
        if ev.is_thread:
            return  # threads share the group's table (rows carry the group's pid)
        parent = self.tables.get(ev.parent)
        if parent is not None:
            self.tables[ev.pid] = parent.copy()
            if ev.parent in self._nofile:
                self._nofile[ev.pid] = self._nofile[ev.parent]
            return
        if ev.pid in self.tables:
            return
        if ev.attached and self.read_proc:
            self.seed_from_proc(ev.pid)
        else:
            self.seed_std(ev.pid)

    def seed_std(self, pid: int) -> FdTable:
        """A launched program's table: 0, 1, 2 (named from /proc when it is still alive)."""
        t = self.tables.setdefault(pid, FdTable())
        for fd in (0, 1, 2):
            if fd in t.open:
                continue
            path = _readlink(pid, fd) if self.read_proc else None
            if path is None:
                self._unnamed = True
            t.open[fd] = FdEntry(fd, kind_of(path or ""), path or UNNAMED, "", None, "inherited")
        return t

    def seed_from_proc(self, pid: int) -> FdTable:
        """An attached process's table as /proc/PID/fd shows it now (empty if unreadable)."""
        t = self.tables.setdefault(pid, FdTable())
        try:
            names = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            return self.seed_std(pid)
        sockets = None
        for name in sorted(names, key=lambda n: int(n) if n.isdigit() else -1):
            if not name.isdigit():
                continue
            fd = int(name)
            path = _readlink(pid, fd) or "?"
            flags, cloexec = _proc_fdinfo_flags(pid, fd)
            entry = FdEntry(fd, kind_of(path), path, flags, None, "inherited", cloexec=cloexec)
            inode = socket_inode(path)
            if inode is not None:
                if sockets is None:
                    sockets = socket_table(pid)
                info = sockets.get(inode)
                if info is not None:  # the endpoints a traced bind/connect would have shown
                    entry.path = f"{info.description} {path}"
                    entry.local, entry.peer = info.local, info.peer
            t.open[fd] = entry
        return t

    # ---- reading -----------------------------------------------------------

    def table(self, pid: int) -> FdTable:
        t = self.tables.get(pid)
        if t is None:
            t = self.tables[pid] = FdTable()
        return t

    # Reading applies the deferred rows first (`defer`), all of them: a reader that cannot
    # wait seconds for a million rows (the app's thread) says `current=False`, and reads
    # the tables as far as `catch_up` has built them.

    def open_count(self, pid: int, current: bool = True) -> int:
        if current:
            self.catch_up()
        t = self.tables.get(pid)
        return len(t.open) if t else 0

    def get(self, pid: int, fd: int) -> FdEntry | None:
        self.catch_up()
        t = self.tables.get(pid)
        return t.open.get(fd) if t else None

    def entries(self, pid: int, include_closed: bool = True, current: bool = True) -> list[FdEntry]:
        """Open entries by fd number, then (optionally) closed ones, most recently closed last."""
        if current:
            self.catch_up()
        t = self.tables.get(pid)
        if t is None:
            return []
        out = [t.open[fd] for fd in sorted(t.open)]
        if include_closed:
            out.extend(t.closed)
        return out

    def nofile_limit(self, pid: int, current: bool = True) -> int | None:
        """Soft RLIMIT_NOFILE: as last set by a traced setrlimit/prlimit64, else from /proc."""
        if current:
            self.catch_up()
        got = self._nofile.get(pid)
        if got is not None and got[0] is not None:
            return got[0]
        soft, hard = read_proc_nofile(pid)
        if soft is not None or hard is not None:
            self._nofile[pid] = (soft, hard)
        return soft

    def set_nofile(self, pid: int, soft: int | None, hard: int | None) -> None:
        old = self._nofile.get(pid, (None, None))
        self._nofile[pid] = (
            soft if soft is not None else old[0],
            hard if hard is not None else old[1],
        )


def _readlink(pid: int, fd: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None


def _proc_fdinfo_flags(pid: int, fd: int) -> tuple[str, bool]:
    """Open flags by name (fdinfo gives them in octal) and close-on-exec of a live fd."""
    try:
        with open(f"/proc/{pid}/fdinfo/{fd}") as f:
            for line in f:
                if line.startswith("flags:"):
                    value = int(line.split()[1], 8)
                    # O_LARGEFILE is implied on 64-bit; strace does not show it either.
                    return open_flags(value & ~O_LARGEFILE), bool(value & 0o2000000)
    except (OSError, ValueError, IndexError):
        pass
    return "", False


_LIMIT_LINE = re.compile(r"Max open files\s+(\S+)\s+(\S+)")


def read_proc_nofile(pid: int) -> tuple[int | None, int | None]:
    """(soft, hard) RLIMIT_NOFILE of a live process from /proc/PID/limits; None if unknown."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            m = _LIMIT_LINE.search(f.read())
    except OSError:
        return None, None
    if not m:
        return None, None

    def num(s: str) -> int | None:
        return None if s == "unlimited" else int(s)

    return num(m.group(1)), num(m.group(2))
