"""The data road on the app's side: session batches -> store -> models -> the view's filter.

`TraceFeed` knows nothing of widgets: the app calls `drain()` on a timer and
tells the widgets what changed (the returned updates). It also answers which
calls are in flight (entered, not returned, not yet rows) and the event rate.
"""

from __future__ import annotations

import gc
import time
from collections import deque

from tracer.events import Resumed, Unfinished
from tracer.store import EventStore, StoreUpdate

CHUNK = 1000  # events drained at a time
TICK_BUDGET = 0.03  # seconds of ingesting per tick: under a flood the UI still gets 40% of the time
# A call in flight this long is shown below the last row: blocked calls stay on screen,
# calls that are merely between entry and exit do not flicker in and out.
INFLIGHT_AFTER = 0.2
RATE_WINDOW = 2.0  # seconds the event rate is averaged over


class TraceFeed:
    def __init__(self, session, store: EventStore, models, view) -> None:
        self.session = session
        self.store = store
        self.models = models
        self.view = view
        self.ended = False  # the TraceEnded event is in the store
        self._unfinished: set[int] = set()  # id() of calls in the store as in-progress rows
        self._rate_window: deque[tuple[float, int]] = deque()

    @property
    def trace_ended(self) -> bool:
        """The session finished and its last event is in the store."""
        return self.ended or bool(self.session.finished)

    def drain(self, budget: float = TICK_BUDGET) -> StoreUpdate | None:
        """Take what the session has (for at most `budget` seconds) into the store, as one batch.

        One batch, so the store orders the rows of the whole tick by time; None if nothing came.
        """
        deadline = time.perf_counter() + budget
        events: list = []
        while True:
            got = self.session.drain(CHUNK)
            if not got:
                break
            events.extend(got)
            if len(got) < CHUNK or time.perf_counter() > deadline:
                break
        if not events:
            return None
        update = self.ingest(events)
        # What the store holds lives until the app ends: take it out of the cyclic
        # collector's scans, or each full collection walks millions of objects and
        # a keystroke waits behind it (gc.freeze is O(1)).
        gc.freeze()
        return update

    def ingest(self, events: list) -> StoreUpdate:
        unfinished = self._unfinished
        for ev in events:
            t = type(ev)
            if t is Unfinished:
                unfinished.add(id(ev.call))
            elif t is Resumed:
                unfinished.discard(id(ev.call))
        update = self.store.append(events)
        self.models.update(self.store, update)
        self._rate_window.append((time.monotonic(), update.count_new))
        if update.ended is not None:
            self.ended = True
        self.view.note_changed(update)
        if self.view.filter is not None:
            self.view.extend(self.store, update)
        return update

    def rate(self) -> float:
        """Events per second over the last RATE_WINDOW seconds."""
        now = time.monotonic()
        window = self._rate_window
        while window and now - window[0][0] > RATE_WINDOW:
            window.popleft()
        return sum(n for _, n in window) / RATE_WINDOW

    def blocked_calls(self) -> list:
        """Calls in flight for INFLIGHT_AFTER or longer that are not store rows, oldest first."""
        inflight = getattr(self.session, "inflight", None)
        if self.ended or inflight is None:
            return []
        now = time.time()
        return sorted(
            (
                c
                for c in inflight()
                if not c.done and id(c) not in self._unfinished and now - c.start >= INFLIGHT_AFTER
            ),
            key=lambda c: c.start,
        )
