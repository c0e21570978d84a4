"""What each successful syscall does to its process's fd table, one small function per family.

Raw values come from the store's columns; text (paths, flags, addresses) from
the rendered call, computed only for these rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from tracer.syscalls.render import RenderedCall, to_int

if TYPE_CHECKING:
    from tracer.model.fds import FdEntry, FdTables
    from tracer.store import EventStore

F_DUPFD = 0
F_SETFD = 2
F_DUPFD_CLOEXEC = 1030
FD_CLOEXEC = 1
CLOSE_RANGE_UNSHARE = 2
CLOSE_RANGE_CLOEXEC = 4
RLIMIT_NOFILE = 7
_CLOEXEC_WORD = re.compile(r"\b[A-Z]*_?CLOEXEC\b")
_FD_LIST = re.compile(r"(-?\d+)(?:<[^>]*>)?")
_RLIM_CUR = re.compile(r"rlim_cur=(\w+)(\*1024)?")
_RLIM_MAX = re.compile(r"rlim_max=(\w+)(\*1024)?")


class FdEffectContext:
    """One syscall row being applied, with lazy access to its rendering."""

    __slots__ = ("tables", "store", "row", "pid", "name", "_rc")

    def __init__(self, tables: FdTables, store: EventStore, row: int, pid: int, name: str) -> None:
        self.tables, self.store, self.row, self.pid, self.name = tables, store, row, pid, name
        self._rc: RenderedCall | None = None

    @property
    def ret(self) -> int:
        return self.store.rets[self.row]

    def arg(self, i: int) -> int:
        """Argument `i` as a C int."""
        return to_int(self.store.args[i][self.row])

    def raw(self, i: int) -> int:
        return self.store.args[i][self.row]

    @property
    def rendered(self) -> RenderedCall:
        if self._rc is None:
            self._rc = self.store.rendered(self.row)
        return self._rc

    def arg_text(self, i: int) -> str:
        args = self.rendered.args
        return args[i].text if i < len(args) else ""

    def fd_name(self, fd: int) -> str | None:
        """What `fd` referred to at this call (strace -y), if the worker recorded it."""
        fds = self.store.fds_of(self.row)
        return fds.get(fd) if fds else None

    def cloexec(self) -> bool:
        return any(_CLOEXEC_WORD.search(a.text) for a in self.rendered.args)

    def flags_text(self) -> str:
        return next((a.text for a in self.rendered.args if a.kind == "flags"), "")

    def path_arg(self) -> str:
        for a in self.rendered.args:
            if a.kind == "path":
                return a.value if isinstance(a.value, str) else a.text.strip('"')
        return ""

    def new_entry(self, fd: int, path: str, **kw) -> FdEntry:
        from tracer.model.fds import FdEntry, kind_of

        name = self.fd_name(fd) or path
        entry = FdEntry(
            fd, kind_of(name, self.name), name, kw.pop("flags", ""), self.row, self.name, **kw
        )
        self.tables.table(self.pid).add(entry, self.row)
        return entry


Effect = Callable[[FdEffectContext], None]
FD_EFFECTS: dict[str, Effect] = {}


def effect(*names: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        for n in names:
            FD_EFFECTS[n] = fn
        return fn

    return register


# open and openat, the commonest fd creators: (path argument, flags argument). Their
# entry is made from raw values, without rendering the call (the app does this for
# every open, as it arrives).
_OPEN_ARGS = {"open": (0, 1), "openat": (1, 2)}
_O_CLOEXEC = 0o2000000


@lru_cache(maxsize=1024)
def _open_flags_text(flags: int) -> str:
    """O_RDONLY|O_CLOEXEC: a program opens with a handful of flag sets, all day."""
    from tracer.syscalls.decoders.file import open_flags

    return open_flags(flags)


@effect("open", "openat", "creat", "openat2", "open_by_handle_at", "open_tree", "fspick")
def opened(c: FdEffectContext) -> None:
    fast = _OPEN_ARGS.get(c.name)
    if fast is not None:
        mem = c.store.mem_of(c.row)
        path = mem.get(fast[0]) if mem else None
        if type(path) is bytes:
            flags = c.raw(fast[1]) & 0xFFFFFFFF
            c.new_entry(
                c.ret,
                path.decode("utf-8", "surrogateescape") or c.name,
                flags=_open_flags_text(flags),
                cloexec=bool(flags & _O_CLOEXEC),
            )
            return
    c.new_entry(c.ret, c.path_arg() or c.name, flags=c.flags_text(), cloexec=c.cloexec())


def _flat_get(flat: tuple | None, key: object) -> object:
    """`key`'s value in a blob the store keeps flattened (k1, v1, k2, v2, ...), or None."""
    if flat:
        for i in range(0, len(flat), 2):
            if flat[i] == key:
                return flat[i + 1]
    return None


@lru_cache(maxsize=4096)
def _kind(name: str, created_by: str) -> str:
    from tracer.model.fds import kind_of

    return kind_of(name, created_by)


# The calls a flood of files is made of, applied from the store's columns without an
# FdEffectContext, a dict of the call's memory or a rendering: a recording of a
# million open/read/close calls spent half its reopening here. Each gives exactly the
# entry its generic effect above gives; False leaves a row to it.
FastEffect = Callable[["FdTables", "EventStore", int], bool]


def _fast_open(name: str, path_pos: int, flags_pos: int) -> FastEffect:
    def fast_open(tables: FdTables, store: EventStore, row: int) -> bool:
        blobs = store.blobs
        path = _flat_get(blobs[store.mem_ix[row]], path_pos)
        if type(path) is not bytes:
            return False
        from tracer.model.fds import FdEntry

        fd = store.rets[row]
        flags = store.args[flags_pos][row] & 0xFFFFFFFF
        shown = _flat_get(blobs[store.fds_ix[row]], fd) or (
            path.decode("utf-8", "surrogateescape") or name
        )
        entry = FdEntry(
            fd,
            _kind(shown, name),
            shown,
            _open_flags_text(flags),
            row,
            name,
            cloexec=bool(flags & _O_CLOEXEC),
        )
        tables.table(store.pids[row]).add(entry, row)
        return True

    return fast_open


def _fast_close(name: str) -> FastEffect:
    def fast_close(tables: FdTables, store: EventStore, row: int) -> bool:
        tables.table(store.pids[row]).close(to_int(store.args[0][row]), row, name)
        return True

    return fast_close


def fast_effects(table) -> dict[int, FastEffect]:
    """nr -> its fast effect, for the syscalls that have one in `table`."""
    out: dict[int, FastEffect] = {}
    for nr, d in table.by_nr.items():
        if d.name in _OPEN_ARGS and FD_EFFECTS.get(d.name) is opened:
            out[nr] = _fast_open(d.name, *_OPEN_ARGS[d.name])
        elif d.name == "close" and FD_EFFECTS.get(d.name) is closed:
            out[nr] = _fast_close(d.name)
    return out


# Calls whose new fd is an anonymous inode (the fd kind "anon" in the files pane).
ANON_INODE_CREATORS = frozenset(
    {
        "eventfd",
        "eventfd2",
        "epoll_create",
        "epoll_create1",
        "signalfd",
        "signalfd4",
        "timerfd_create",
        "inotify_init",
        "inotify_init1",
        "fanotify_init",
        "userfaultfd",
        "perf_event_open",
        "pidfd_open",
        "pidfd_getfd",
        "io_uring_setup",
    }
)


@effect(
    *sorted(
        ANON_INODE_CREATORS
        | {
            "memfd_create",
            "memfd_secret",
            "mq_open",
            "fsopen",
            "fsmount",
            "landlock_create_ruleset",
        }
    )
)
def created_anon(c: FdEffectContext) -> None:
    if c.name == "signalfd" or c.name == "signalfd4":
        if c.arg(0) != -1:  # an existing signalfd updated in place
            return
    c.new_entry(c.ret, f"anon_inode:[{c.name}]", flags=c.flags_text(), cloexec=c.cloexec())


@effect("socket")
def socket(c: FdEffectContext) -> None:
    desc = ", ".join(a.text for a in c.rendered.args[:3])
    c.new_entry(c.ret, f"socket({desc})", flags=c.arg_text(1), cloexec=c.cloexec())


@effect("accept", "accept4")
def accepted(c: FdEffectContext) -> None:
    peer = c.arg_text(1)
    c.new_entry(
        c.ret, "socket", peer=peer if peer not in ("", "NULL") else None, cloexec=c.cloexec()
    )


@effect("connect")
def connected(c: FdEffectContext) -> None:
    e = c.tables.get(c.pid, c.arg(0))
    if e is not None:
        e.peer = c.arg_text(1)


@effect("bind")
def bound(c: FdEffectContext) -> None:
    e = c.tables.get(c.pid, c.arg(0))
    if e is not None:
        e.local = c.arg_text(1)


@effect("getsockname")
def named(c: FdEffectContext) -> None:
    """The kernel's answer beats the bind: `bind(port 0)` then `getsockname` gives the real port."""
    e = c.tables.get(c.pid, c.arg(0))
    text = c.arg_text(1)
    if e is not None and text.startswith("{"):
        e.local = text


@effect("getpeername")
def peer_named(c: FdEffectContext) -> None:
    e = c.tables.get(c.pid, c.arg(0))
    text = c.arg_text(1)
    if e is not None and text.startswith("{"):
        e.peer = text


@effect("pipe", "pipe2", "socketpair")
def fd_pair(c: FdEffectContext) -> None:
    pos = 3 if c.name == "socketpair" else 0
    args = c.rendered.args
    if pos >= len(args):
        return
    a = args[pos]
    if isinstance(a.value, (list, tuple)) and all(isinstance(x, int) for x in a.value):
        fds = list(a.value)
    else:
        fds = [int(x) for x in _FD_LIST.findall(a.text)]
    kind = "socket" if c.name == "socketpair" else "pipe"
    for i, fd in enumerate(fds[:2]):
        end = ("read end", "write end")[i] if kind == "pipe" else f"end {i}"
        c.new_entry(fd, f"{kind} ({end})", cloexec=c.cloexec())


@effect("dup", "dup2", "dup3")
def duplicated(c: FdEffectContext) -> None:
    _dup(c, c.arg(0), c.ret, cloexec=c.name == "dup3" and c.cloexec())


@effect("fcntl")
def fcntl(c: FdEffectContext) -> None:
    cmd = c.arg(1)
    if cmd in (F_DUPFD, F_DUPFD_CLOEXEC):
        _dup(c, c.arg(0), c.ret, cloexec=cmd == F_DUPFD_CLOEXEC)
    elif cmd == F_SETFD:
        e = c.tables.get(c.pid, c.arg(0))
        if e is not None:
            e.cloexec = bool(c.arg(2) & FD_CLOEXEC)


def _dup(c: FdEffectContext, old: int, new: int, cloexec: bool) -> None:
    if old == new:
        return  # dup2(fd, fd) changes nothing
    src = c.tables.get(c.pid, old)
    path = src.path if src else (c.fd_name(old) or "?")
    entry = c.new_entry(new, path, flags=src.flags if src else "", cloexec=cloexec)
    if src is not None:
        entry.peer, entry.local = src.peer, src.local
        if src.kind != "unknown":
            entry.kind = src.kind


@effect("close")
def closed(c: FdEffectContext) -> None:
    c.tables.table(c.pid).close(c.arg(0), c.row, c.name)


@effect("close_range")
def closed_range(c: FdEffectContext) -> None:
    first, last, flags = c.raw(0) & 0xFFFFFFFF, c.raw(1) & 0xFFFFFFFF, c.raw(2)
    tables = c.tables
    if flags & CLOSE_RANGE_UNSHARE:
        table = tables.table(c.pid)
        if id(table) in tables.shared:
            tables.tables[c.pid] = table.copy()
    table = tables.table(c.pid)
    for fd in [fd for fd in table.open if first <= fd <= last]:
        if flags & CLOSE_RANGE_CLOEXEC:
            table.open[fd].cloexec = True
        else:
            table.close(fd, c.row, c.name)


@effect("clone")
def cloned(c: FdEffectContext) -> None:
    """CLONE_FILES without CLONE_THREAD: the child shares the parent's table itself."""
    flags = c.raw(0)
    if flags & 0x400 and not flags & 0x10000 and c.ret > 0:
        table = c.tables.tables[c.ret] = c.tables.table(c.pid)
        c.tables.shared.add(id(table))


@effect("setrlimit", "prlimit64")
def rlimit(c: FdEffectContext) -> None:
    if c.name == "setrlimit":
        resource, target, new_pos = c.arg(0), c.pid, 1
    else:
        target = c.arg(0) or c.pid
        resource, new_pos = c.arg(1), 2
    if resource != RLIMIT_NOFILE or not c.raw(new_pos):
        return
    text = c.arg_text(new_pos)
    c.tables.set_nofile(target, _rlim(_RLIM_CUR, text), _rlim(_RLIM_MAX, text))


def _rlim(pattern: re.Pattern, text: str) -> int | None:
    m = pattern.search(text)
    if not m:
        return None
    word = m.group(1)
    if "INFINITY" in word:
        return None
    try:
        value = int(word, 0)
    except ValueError:
        return None
    return value * 1024 if m.group(2) else value
