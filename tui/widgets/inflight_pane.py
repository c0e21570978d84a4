"""The In-flight pane: every live thread and the syscall it is in now, longest wait first.

A hung service reads at a glance: which thread waits in which call, on which fd
(and what that fd is), for how long. The timer runs: the pane looks again every
second while it is on screen. Enter goes to the call in the list: its row when the
list already shows it (in progress), else the thread's last row (the call has no
row until it returns; while the list follows the unfiltered end it is drawn dimmed
below the last row).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import DataTable

from tracer.model.inflight import InflightRow, format_wait, inflight_rows
from tui.messages import JumpToRow
from tui.widgets.panes import TablePane

TICK = 1.0  # seconds between looks while on screen: the timers move once a second


class InflightSource:
    """What the pane reads, handed down by the app: the session's calls in flight, the
    live threads (process tree), fd names (fd tables) and the store, for Enter."""

    def __init__(self, session, store, models, ended) -> None:
        self.session = session
        self.store = store
        self.models = models
        self.ended = ended  # () -> the trace ended: nothing is in flight any more

    def rows(self) -> list[InflightRow]:
        inflight = getattr(self.session, "inflight", None)
        if self.ended() or inflight is None:
            return []
        threads = [
            (p.pid, tid) for p in self.models.processes if p.alive for tid in (p.pid, *p.threads)
        ]
        fds = self.models.fds

        def fd_name(pid: int, fd: int) -> str | None:
            entry = fds.get(self.models.processes.leader_of(pid), fd)
            return entry.path if entry is not None and entry.is_open else None

        return inflight_rows(inflight(), threads, time.time(), self.store.ctx, fd_name)

    def row_of(self, r: InflightRow) -> int | None:
        """The store row of `r`'s call if the list has it (emitted in progress), else the
        thread's last row; None if the thread has none."""
        store = self.store
        rows = store.pid_index.rows(r.tid)
        last = None
        for row in reversed(rows):
            if store.tids[row] != r.tid:
                continue  # the leader's id also indexes its process's other threads
            if last is None:
                last = row
            call = r.call
            if call is None or store.starts[row] < call.start:
                break
            if store.in_progress(row) and store.nrs[row] == call.nr:
                return row
        return last


class InflightPane(TablePane):
    """Live threads and their calls in flight; Enter goes to the call (or the thread's last row)."""

    source: InflightSource | None = None  # set by the app
    _shown: dict[str, InflightRow] = {}  # noqa: RUF012 - replaced, never mutated

    def on_mount(self) -> None:
        self.add_column("tid", width=7)
        self.add_column("waiting", width=7)
        self.add_column("call", width=40)
        self.set_interval(TICK, self._tick)

    def on_resize(self) -> None:
        self._signature = None  # the call column takes the pane's width

    def _tick(self) -> None:
        if self.is_on_screen:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        if self.source is None:
            return
        got = self.source.rows()
        rows, keys = [], []
        for r in got:
            if r.call is None:
                cells = (
                    Text(str(r.tid), style="dim"),
                    Text(""),
                    Text("(not in a syscall)", style="dim"),
                )
            else:
                cells = (
                    Text(str(r.tid), style="bold" if r.tid == r.pid else ""),
                    Text(
                        format_wait(r.waited),
                        style="yellow" if r.waited >= 1 else "",
                        justify="right",
                    ),
                    Text(r.text, style="italic"),
                )
            rows.append(cells)
            keys.append(str(r.tid))
        self._shown = dict(zip(keys, got, strict=True))
        room = max(40, self.scrollable_content_region.width - 7 - 7 - 3 * 2 - 2)
        signature = (
            room,
            tuple((k, c[1].plain, c[2].plain) for k, c in zip(keys, rows, strict=True)),
        )
        if self._replace(signature, rows, keys):
            self._set_width(2, max([room, *(len(r.text) for r in got)]))

    @property
    def waits(self) -> dict[int, float]:
        """tid -> seconds waited, as last drawn (threads in a call only)."""
        return {r.tid: r.waited for r in self._shown.values() if r.call is not None}

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        r = self._shown.get(event.row_key.value)
        if r is None or self.source is None:
            return
        row = self.source.row_of(r)
        if row is None:
            self.notify(f"thread {r.tid} has no row in the list yet")
            return
        if r.call is not None and not self.source.store.in_progress(row):
            self.notify(
                f"thread {r.tid}: its call has no row until it returns; its last call is shown"
            )
        self.post_message(JumpToRow(row))
