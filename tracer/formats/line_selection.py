"""Which events the strace-style text prints: -e status=, -z/-Z, -P PATH, -e signal=."""

from __future__ import annotations

import os

from tracer.events import Syscall
from tracer.formats.text_options import TextOptions
from tracer.syscalls.classes import Class
from tracer.syscalls.render import RenderContext, RenderedCall


def call_status(call: Syscall, ctx: RenderContext) -> str:
    """strace's status of a returned call: successful, failed or unfinished."""
    if call.ret is None:
        return "unfinished"  # exit_group, a task killed mid-call, an execve from another thread
    return "failed" if call.error else "successful"


def _path_variants(paths: tuple[str, ...]) -> frozenset[str]:
    """strace -P matches the path as given and the file it resolves to."""
    out = set()
    for p in paths:
        out.add(p)
        try:
            out.add(os.path.realpath(p))
        except OSError:
            pass
    return frozenset(out)


# Calls whose fds in memory (pollfd arrays, fd sets: the capture's `_fds`) -P matches too.
_FDS_IN_MEMORY = frozenset({"poll", "ppoll", "select", "pselect6"})


class LineSelection:
    def __init__(self, opts: TextOptions) -> None:
        self.statuses = opts.statuses
        self.signals = opts.signals
        self.paths = _path_variants(opts.paths) if opts.paths else None

    def status_ok(self, call: Syscall, ctx: RenderContext) -> bool:
        if self.statuses is None:
            return True
        d = ctx.table.get(call.nr)
        if call.ret is None and d is not None and d.classes & Class.NEVER_RETURNS:
            return "unfinished" in self.statuses
        return call_status(call, ctx) in self.statuses

    def path_ok(self, call: Syscall, r: RenderedCall) -> bool:
        """-P: a path argument names one of the paths, or an fd argument refers to one."""
        paths = self.paths
        if paths is None:
            return True
        fds = call.fds or {}
        if r.name in _FDS_IN_MEMORY and call.mem:
            if any(fds.get(fd) in paths for fd in call.mem.get("_fds") or ()):
                return True
        for a in r.args:
            if a.kind == "path" and a.value in paths:
                return True
            if a.kind == "fd" and isinstance(a.value, int):
                if (a.path if a.path is not None else fds.get(a.value)) in paths:
                    return True
        return False

    def signal_ok(self, signo: int) -> bool:
        return self.signals is None or signo in self.signals
