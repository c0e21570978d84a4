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
# What an event costs to take *and* ingest (store, models, view), first guessed, then
# measured tick by tick: a tick takes no more events than its budget can ingest.
FIRST_COST = 20e-6  # seconds per event
# A call in flight this long is shown below the last row: blocked calls stay on screen,
# calls that are merely between entry and exit do not flicker in and out.
INFLIGHT_AFTER = 0.2
RATE_WINDOW = 2.0  # seconds the event rate is averaged over
# Seconds per tick spent indexing rows for search (tracer/store/search_text.py) when the
# session is not flooding us: while it is, the traced program waits for every CPU cycle
# the app takes, so indexing waits for a lull (or for a filter that needs it).
INDEX_BUDGET = 0.004
INDEX_BUDGET_QUIET = 0.03  # the trace ended, or events come slower than QUIET_RATE
QUIET_RATE = 2_000  # events/s
# Past this rate (events/s, FLOOD_WINDOW) the program floods us even if the app keeps
# up: no indexing then, and the screen is told of new rows at the pace it is while behind
# (tui/data_road.py). On a 2-vCPU VM the app's thread shares the CPUs with the program
# and the ptrace thread, and each of its milliseconds slows the traced program down
# (open/read/close at ~20,000 calls/s: indexing and a repaint every tick took a third of
# the app thread's time). A rate, not the last tick's count: a slice taken 5 ms after a
# busy tick brings few events, and counted as a lull it indexed for 30 ms.
FLOOD_RATE = 10_000
# ... measured over this last stretch: over the status bar's 2 s, a burst (`find` over
# 30,000 files, 35,000 calls in 1.7 s) counted as a lull for its first second, and was
# indexed 30 ms a tick while it ran (explorer 1.8x headless, 2-vCPU AMD EPYC VM, quiet).
FLOOD_WINDOW = 0.3
MIN_SPAN = 0.05  # a tick (tui/app.py: POLL_INTERVAL)
# The memory bound: past `max_rows` rows the oldest are dropped, down to this share of it
# (so a drop, which renumbers every row holder, happens once per quarter of the bound).
KEEP_AFTER_DROP = 0.75
BYTES_PER_ROW = 400  # what the app keeps per event, measured (README); sizes the default
DEFAULT_MAX_ROWS = 10_000_000
# Rows held at which the store's objects are first taken out of the cyclic collector's
# scans (gc.freeze, after a full collection); each later freeze waits for twice as many.
FREEZE_FIRST_ROWS = 1_000_000


def default_max_rows() -> int:
    """The default bound: a quarter of the memory available now, at most 10M rows."""
    try:
        with open("/proc/meminfo") as f:
            avail = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        return 2_000_000
    return max(100_000, min(DEFAULT_MAX_ROWS, avail // 4 // BYTES_PER_ROW))


def _release_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc's malloc_trim). A drop
    frees a quarter of the store's columns at once; without this, the freed pages
    stay with the process and the live app's RSS crept up by ~20 B/event past the
    bound, with no Python object growing (bench/memory_bench.py)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            import ctypes

            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


class LongLivedObjects:
    """Takes what the store holds out of the cyclic collector's scans, rarely and cleanly.

    Full collections walk every tracked object, so millions of stored objects would make
    a keystroke wait behind one. `gc.freeze()` hides them, but it hides *everything*
    tracked at that moment, forever: Textual's Strips are cyclic (a strip caches itself
    as its own extend/crop result) and need the collector. Frozen after every ingest,
    the strips painted each tick and the garbage of each tick were never freed: the live
    app crept by ~25 B/event past `--max-events` (bench/memory_bench.py, 4M events
    through a 500k bound: 157 -> 245 MiB), while nothing in `gc.get_objects()` grew (it
    does not list frozen objects; `gc.get_freeze_count()` rose by ~150k per 1M events).

    So: freeze only after a full collection (no garbage is frozen), and only when the
    rows held reach FREEZE_FIRST_ROWS, then twice as many, ...: the few live strips
    frozen with the store at each freeze are a bounded, logarithmic cost, and a bounded
    store below the first mark never freezes at all.
    """

    def __init__(self, first_rows: int = FREEZE_FIRST_ROWS) -> None:
        self.next_rows = first_rows

    def freeze_startup(self) -> None:
        """What is alive when the program has made its app (modules, the decoder tables)
        lives as long as it: out of the scans from the start, before a Strip is painted
        (`run_app`; not for apps a test process makes, whose earlier objects do die).
        Each full collection walked it all, ~80 ms a time, five times while `find`
        traced 35,000 calls (a third of the app thread's time on that run; 2-vCPU AMD
        EPYC VM)."""
        gc.collect()
        gc.freeze()

    def note_rows(self, rows: int) -> bool:
        """Called after an ingest with the rows the store holds; True if it froze."""
        if rows < self.next_rows:
            return False
        gc.collect()  # cost ~ the objects tracked since the last freeze
        gc.freeze()
        self.next_rows = max(self.next_rows, rows) * 2
        return True


class TraceFeed:
    def __init__(self, session, store: EventStore, models, view, max_rows: int = 0) -> None:
        self.session = session
        self.max_rows = max_rows  # 0: no bound
        self.store = store
        self.models = models
        self.view = view
        self.ended = False  # the TraceEnded event is in the store
        self._unfinished: set[int] = set()  # id() of calls in the store as in-progress rows
        self._rate_window: deque[tuple[float, int]] = deque()
        self.behind = False  # the last drain left events waiting
        self.last_drop = 0  # rows the last drain dropped (the memory bound), 0 if none
        self.flight = None  # a FlightRecorder (--ring/--trigger) fed every batch, or None
        self.long_lived = LongLivedObjects()
        self.cost = FIRST_COST  # seconds to take and ingest one event, measured

    @property
    def trace_ended(self) -> bool:
        """The session finished and its last event is in the store."""
        return self.ended or bool(self.session.finished)

    def drain(self, budget: float = TICK_BUDGET) -> StoreUpdate | None:
        """Take what the session has into the store, as one batch that fits `budget` seconds.

        One batch, so the store orders the rows of the whole tick by time; None if nothing came.
        The budget covers the ingest, not only the taking: taking from a replay or a queue
        that filled before the app started is a list slice, and a tick that took what
        30 ms of slicing gives (100k events) ingested for seconds before the first paint.

        Without the cyclic collector: a batch's events, and the store's columns of them,
        are thousands of objects alive at once and freed (by their counts) at its end.
        Each 700 of them started a collection that scanned them and promoted them to the
        older generations, whose full collections then came every second: in the live
        app on a fork/exec loop (3,000 iterations, 2-vCPU AMD EPYC VM) 1.0-1.4 s of the
        app's thread went to 1,200 collections, 9 of them full ones of ~150 ms each.
        """
        if not gc.isenabled():
            return self._drain(budget)
        gc.disable()
        try:
            return self._drain(budget)
        finally:
            gc.enable()

    def _drain(self, budget: float) -> StoreUpdate | None:
        started = time.perf_counter()
        deadline = started + budget
        most = max(CHUNK, int(budget / self.cost))
        events: list = []
        taken = 0  # events: a recording's chunk of calls as columns counts as its calls
        step = getattr(self.session, "drain_step", CHUNK)
        self.behind = False
        while True:
            want = min(step, most - taken)
            got = self.session.drain(want)
            if not got:
                break
            events.extend(got)
            n = getattr(got, "events", 0) or len(got)
            taken += n
            if n < want:
                break
            if taken >= most or time.perf_counter() > deadline:
                self.behind = True
                break
        if self.flight is not None:  # the flight recorder's ring (tracer/flight)
            if events:
                self.flight.write(events)
            else:
                self.flight.poll()
        flush = getattr(self.session, "flush_recording", None)
        if flush is not None:
            flush()  # the explorer's -w: what was drained goes to the recorder now
        if not events:
            return None
        update = self.ingest(events)
        if taken >= CHUNK:  # a few events measure timer noise, not the ingest
            took = (time.perf_counter() - started) / taken
            self.cost = (self.cost + took) / 2
        self.last_drop = self._bound()
        self.long_lived.note_rows(len(self.store))
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

    def _bound(self) -> int:
        """Hold the memory bound: drop the oldest rows past `max_rows`; how many went."""
        store = self.store
        if not self.max_rows or len(store) <= self.max_rows:
            return 0
        k = store.drop_oldest(len(store) - int(self.max_rows * KEEP_AFTER_DROP))
        if k:
            self.models.rows_dropped(k)
            self.view.rows_dropped(k)
            _release_free_memory()
        return k

    @property
    def flooding(self) -> bool:
        """Events pour in: the last drain left a backlog, or they come at FLOOD_RATE or more."""
        return self.behind or (not self.trace_ended and self.rate(FLOOD_WINDOW) >= FLOOD_RATE)

    def index_idle(self) -> int:
        """Index rows for search while events are not flooding in; rows looked at.
        Deferred model work (a reopened recording's fd tables) goes first."""
        if self.flooding:
            return 0
        quiet = self.trace_ended or self.rate(FLOOD_WINDOW) < QUIET_RATE
        catch_up = getattr(self.models, "catch_up", None)
        if catch_up is not None and catch_up(INDEX_BUDGET_QUIET if quiet else INDEX_BUDGET):
            return 0
        if not self.store.text.pending:
            return 0
        return self.store.text.build_some(INDEX_BUDGET_QUIET if quiet else INDEX_BUDGET)

    def rate(self, over: float = RATE_WINDOW) -> float:
        """Events per second over the last RATE_WINDOW seconds, or (shorter) over the
        entries of the last `over` seconds."""
        now = time.monotonic()
        window = self._rate_window
        while window and now - window[0][0] > RATE_WINDOW:
            window.popleft()
        if over >= RATE_WINDOW:
            return sum(n for _, n in window) / RATE_WINDOW
        # Over the stretch the entries span (a tick at least): a burst's first ticks count
        # at their own rate, not averaged with the quiet before them.
        total = 0
        first = now
        for t, n in reversed(window):
            if now - t > over:
                break
            total += n
            first = t
        return total / max(now - first, MIN_SPAN)

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
