"""The app's side of the data road: drain the session on a timer (tui.feed), then tell
the widgets what changed, as often as the screen can afford (a redraw lays out the
whole screen), and keep the status bar and side panes current.

A mixin of `TraceApp`, which owns what it reads (`feed`, `store`, `models`, the widgets)
and sets up its bookkeeping (`_last_redraw`, `_slice_soon`, ...) in `__init__`.
"""

from __future__ import annotations

import time

# While events wait beyond a tick's budget, the next slice is taken this soon, not at the
# next tick: the loop turns in between (a repaint, keys), and a backlog is not ingested
# at the timer's pace (tui/feed.py).
SLICE_GAP = 0.005
# While behind or flooded (tui/feed.py: FLOOD_RATE), the list and status bar are told
# what changed at most this often (two frames a second; `top` is slower still). A redraw
# costs ~30 ms at 160x45 and the traced program pays for it on a 2-CPU machine: with a
# repaint after every 30 ms slice a 1M-event replay took 23 s to ingest, 19 s at 0.1 s
# (2-vCPU Xeon, load ~2); the 180k-call open/read/close flood live cost the app's thread
# 7.5/5.8 s of CPU at 0.1 s, 5.3/5.2 s at 0.25 s (load 3-5); four threads writing 240k
# calls, 5.7/6.3 s at 0.25 s, 4.6/5.6/5.2 s at 0.5 s (2-vCPU AMD EPYC, load ~3). A
# recording being read also waits for nobody, and each of its redraws lays out the whole
# screen again (the scrollbar moved).
REDRAW_BEHIND = 0.5
# While events stream in below the flood rate, the list is told of new rows at most this
# often (ten frames a second), not at every tick: each time it redraws every visible line
# (following, they all moved up), ~10 ms at 150x40. A program making 100 calls/s cost
# the app 39-47% of a CPU at a tick's pace, most of it redrawing (2-vCPU AMD EPYC VM).
REDRAW_STREAM = 0.1
# The status bar's counters (events, rate, shown) change at every tick while events
# come; they are redrawn at most this often, and never in the frame that redraws the
# list. Textual repaints the box around everything dirty in a frame: the list and the
# full-width status bar together are the whole screen, the side pane and the tabs with
# them (two thirds of the lines drawn at every tick, in that same 100 calls/s run).
STATUS_GAP = 0.5
PANE_REFRESH = 0.5  # seconds between side-pane rebuilds while events stream
# ... or longer, so that rebuilding and drawing the side pane takes at most this share of
# the app's time: a process tree of 1,000 rows cost ~100 ms a refresh, a fifth of the
# app's thread at 0.5 s (a fork/exec loop in the explorer), where htop waits 1.5 s.
PANE_SHARE = 0.1
PANE_REFRESH_MAX = 3.0


class DataRoad:
    """poll_session and what it redraws; mixed into TraceApp."""

    _error_shown = False
    _drop_noticed = False
    _pane_gap = PANE_REFRESH  # seconds until the side pane is rebuilt again (PANE_SHARE)
    _status_at = 0.0  # when the status bar's counters were last set

    def poll_session(self) -> None:
        """Take the session's new events into the store (tui.feed), then redraw what changed."""
        update = self.feed.drain()
        if self.feed.last_drop:
            self._unshown_changes = None  # the list forgets every painted row
            self._rows_dropped(self.feed.last_drop)
        if update is not None:
            if self._unshown_changes is None:
                self._unshown_changes = []
            self._unshown_changes.extend(update.changed_rows)
            self._panes_dirty = True
        now = time.monotonic()
        flooding = self.feed.flooding
        ended = self.feed.ended
        due = ended or now - self._last_redraw >= (REDRAW_BEHIND if flooding else REDRAW_STREAM)
        listed = False
        if due:
            self._last_redraw = now
            listed = self.show_pending_rows()
        if due or not flooding:
            self._update_inflight()
        self._update_status(counters=ended or (not listed and now - self._status_at >= STATUS_GAP))
        self.steer_poll()  # breakpoint hits: select the held call, ask (tui/steer_control.py)
        if self.flight is not None:
            self.flight.update()
        if self._panes_dirty and (now - self._last_pane_refresh >= self._pane_gap or ended):
            self.refresh_panes()
        building = self.models.fds_building
        self.feed.index_idle()
        if building and not self.models.fds_building:
            self._panes_dirty = True  # the Files pane showed a recording's fd tables part-built
        if self.feed.behind and not self._slice_soon:
            self._slice_soon = True
            self.set_timer(SLICE_GAP, self._next_slice)

    def show_pending_rows(self) -> bool:
        """Tell the list of the rows ingested since it was last told (poll_session paces
        it; a jump to a row must not wait for that). True if there were any."""
        if self._unshown_changes is None:
            return False
        self.syscall_list.rows_added(self._unshown_changes)
        self._unshown_changes = None
        return True

    def _next_slice(self) -> None:
        self._slice_soon = False
        self.poll_session()

    def _rows_dropped(self, k: int) -> None:
        """The memory bound dropped the oldest `k` rows: every row number moved down by k."""
        if self.highlighted_row is not None:
            self.highlighted_row = self.highlighted_row - k if self.highlighted_row >= k else None
        lst = self.syscall_list
        lst.rows_dropped(k, self.view.rows if self.view.filter is not None else None)
        if self.view.filter is not None and self.view.awaiting:
            self.apply_filter_text(self.view.user_text)  # its worker counted in old numbers
        if not self._drop_noticed:
            self._drop_noticed = True
            self.notify(
                f"Memory bound: the explorer keeps the newest {self.feed.max_rows:,} events; "
                "older ones are dropped as new ones come (--max-events N to change).",
                title="oldest events dropped",
                severity="warning",
                timeout=15,
            )

    def _update_inflight(self) -> None:
        """Show calls in progress (a blocked read, accept, wait4) below the tail.

        Only while following the unfiltered list; a call already in the store as an
        in-progress row (emitted Unfinished) is not shown twice, nor one that has returned.
        """
        if self.feed.behind:
            # Events still wait: the exits of calls that look in flight may be among them
            # (on one CPU, a lagging app showed and hid such calls every tick, each time
            # repainting the list). What is shown stays until the app has caught up.
            return
        lst = self.syscall_list
        calls = []
        if lst.following and self.view.filter is None:
            calls = self.feed.blocked_calls()
        shown = tuple(id(c) for c in calls)
        if shown != self._inflight_shown:
            self._inflight_shown = shown
            lst.set_inflight([self.painter.paint_inflight(c) for c in calls])

    def _update_status(self, counters: bool = True) -> None:
        """The status bar from the app's state; `counters` False keeps the event counts
        and rate as they are (poll_session: STATUS_GAP), the state is always current."""
        status = self.status
        if counters:
            self._status_at = time.monotonic()
            status.rate = self.feed.rate()
            status.events = len(self.store) + self.store.dropped
            status.dropped = self.store.dropped
            # What the list shows once told (its own count lags between redraws, and with
            # no filter would read as "shown N" of more events).
            rows = self.syscall_list.rows
            status.shown = len(self.store) if rows is None else len(rows)
        status.following = self.syscall_list.following
        if self.trace_ended:
            status.state = "EXITED"
            ended = self.store.ended
            if ended is not None:
                status.exit_status = ended.exit_status
                if ended.error and not self._error_shown:
                    # Why tracing ended early (an exec failure, an internal error of the
                    # tracer): said on screen, not only in the exit status.
                    self._error_shown = True
                    self.notify(ended.error, title="tracing ended", severity="error", timeout=30)
            status.note = (
                f"{ended.error}; q quits" if ended is not None and ended.error else "q quits"
            )
        elif getattr(self, "_held", None):
            status.state = "HELD"  # a breakpoint holds a thread (stopped, state t)
        elif self.session.paused:
            status.state = "PAUSED"
        elif getattr(self.session, "recorded", False):
            status.state = "LOADING"  # a recording still being read (`-r FILE`)
        else:
            status.state = "RUNNING"

    def refresh_panes(self) -> None:
        """Rebuild the visible side pane from the models (small tables, throttled)."""
        if not self.is_running or not self.side_panes.is_attached:  # the app is closing
            return
        started = time.monotonic()
        self._last_pane_refresh = started
        side = self.side_panes
        # (A pane not mounted yet stays dirty: the next tick shows it.)
        self._panes_dirty = not side.refresh_from(
            self.models, self._files_pid(), self.painter.t0 or 0.0
        )
        # What the last refresh cost: this rebuild and the drawing that followed the one
        # before it (the table redraws what it shows after each change).
        cost = time.monotonic() - started + side.take_drawing_time()
        self._pane_gap = min(PANE_REFRESH_MAX, max(PANE_REFRESH, cost / PANE_SHARE))

    def _files_pid(self) -> int | None:
        if self.selected_pid is not None:
            return self.selected_pid
        if self.highlighted_row is not None and self.highlighted_row < len(self.store):
            return self.models.processes.leader_of(self.store.pid(self.highlighted_row))
        roots = self.models.processes.roots()
        return roots[0].pid if roots else None
