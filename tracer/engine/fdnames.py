"""What each fd of a process refers to at the time of a call (strace -y).

Resolved with readlink(/proc/TGID/fd/N), the same source strace uses, and
cached per process so a busy loop on one fd costs one readlink, not one per
call. The worker drops entries whenever a call may have changed the table.
"""

from __future__ import annotations

from tracer.engine.ptrace_api import read_link


class FdNames:
    """`cache=False` reads the link at every call, as strace does: needed when only
    some calls are traced, since the untraced ones (open, close, dup2) could not
    invalidate the cache."""

    def __init__(self, cache: bool = True) -> None:
        self._by_pid: dict[int, dict[int, str]] = {}
        self._cache = cache

    def lookup(self, tgid: int, fd: int) -> str | None:
        if not self._cache:
            if fd < 0:
                return None
            return read_link(f"/proc/{tgid}/fd/{fd}")
        table = self._by_pid.get(tgid)
        if table is None:
            table = self._by_pid[tgid] = {}
        name = table.get(fd)
        if name is None:
            if fd < 0:
                return None
            name = read_link(f"/proc/{tgid}/fd/{fd}")
            if name is None:
                return None
            table[fd] = name
        return name

    def drop(self, tgid: int, fd: int) -> None:
        table = self._by_pid.get(tgid)
        if table is not None:
            table.pop(fd, None)

    def clear(self, tgid: int) -> None:
        self._by_pid.pop(tgid, None)

    def copy(self, parent: int, child: int) -> None:
        """A forked child starts with its parent's table (until either changes it)."""
        table = self._by_pid.get(parent)
        if table:
            self._by_pid[child] = dict(table)


class CoreFdNames:
    """FdNames kept by the C capture core, so the calls C handles and those Python
    handles keep one cache true (same interface, same rules)."""

    def __init__(self, core) -> None:
        self._core = core

    def lookup(self, tgid: int, fd: int) -> str | None:
        return self._core.fd_lookup(tgid, fd)

    def drop(self, tgid: int, fd: int) -> None:
        self._core.fd_drop(tgid, fd)

    def clear(self, tgid: int) -> None:
        self._core.fd_clear(tgid)

    def copy(self, parent: int, child: int) -> None:
        self._core.fd_copy(parent, child)
