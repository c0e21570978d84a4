"""What each live thread waits in now: the call it entered and has not returned from.

The In-flight pane's rows, built from the session's calls in flight (entered, exit
not seen), the live threads of the process tree and the fd tables, so that a hung
service reads at a glance: which thread waits on which fd (and what that fd is),
for how long. Pure: no UI, the caller gives the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from tracer.events import Syscall
from tracer.store.fd_columns import fd_layout
from tracer.syscalls.render import RenderContext, render, to_int


@dataclass(slots=True)
class InflightRow:
    """One live thread: `call` None when it is not in a syscall we saw it enter."""

    pid: int
    tid: int
    call: Syscall | None
    waited: float  # seconds since the call's entry (0.0 without a call)
    text: str  # the call's entry arguments, decoded; "" without a call


def entry_text(call: Syscall, ctx: RenderContext, fd_name: Callable[[int, int], str | None]) -> str:
    """`read(3</tmp/fifo>, …, 16)`: the entry arguments decoded, `…` for those known only
    at the exit; fds the tracer did not name at entry are named from the fd tables
    (`fd_name(pid, fd)`)."""
    layout = fd_layout(ctx.table).get(call.nr)
    if layout is not None:
        fds = dict(call.fds or {})
        for pos in layout[0]:
            if pos < len(call.args):
                fd = to_int(call.args[pos])
                if fd >= 0 and fd not in fds:
                    name = fd_name(call.pid, fd)
                    if name:
                        fds[fd] = name
        if fds != (call.fds or {}):
            call = replace(call, fds=fds)
    try:
        rc = render(call, ctx)
    except RuntimeError:  # the tracer thread completed it while we read its captures
        return f"{ctx.table.name(call.nr)}(…)"
    return f"{rc.name}({', '.join('…' if a.at_exit else a.text for a in rc.args)})"


def inflight_rows(
    calls: Iterable[Syscall],
    threads: Iterable[tuple[int, int]],
    now: float,
    ctx: RenderContext,
    fd_name: Callable[[int, int], str | None] = lambda pid, fd: None,
) -> list[InflightRow]:
    """Threads in a call, longest wait first, then the live `threads` ((pid, tid)) that
    are in none (running, or between calls), by tid."""
    rows = [
        InflightRow(c.pid, c.tid, c, max(0.0, now - c.start), entry_text(c, ctx, fd_name))
        for c in calls
        if not c.done
    ]
    rows.sort(key=lambda r: (-r.waited, r.tid))
    busy = {r.tid for r in rows}
    idle = sorted((tid, pid) for pid, tid in threads if tid not in busy)
    rows.extend(InflightRow(pid, tid, None, 0.0, "") for tid, pid in idle)
    return rows


def format_wait(seconds: float) -> str:
    """`850ms`, `12.4s`, `3m07s`, `2h05m`: short enough for a narrow pane."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"
