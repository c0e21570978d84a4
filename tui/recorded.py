"""A session read back from a recording (`tracetui -r FILE`): nothing runs, the events
come from the file as the app asks for them, so the first screen does not wait for
the whole file.

A session file is read by a process of its own (`SessionBatches.store_columns`,
`tracer/formats/session_reader.py`): runs of its calls reach `EventStore.append` as
ready-made columns (`CallColumns`), the rest as the store's bulk form; the app's thread
decodes next to nothing. An strace log's batches are events.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracer.events import Event, ProcessStarted, TraceEnded
from tracer.store.call_columns import CallColumns
from tui.replay import ReplaySession


class Drained(list):
    """What one `drain` took: its items, and how many events they stand for (a chunk of
    calls as columns stands for its `count`)."""

    events = 0


class RecordedSession(ReplaySession):
    # Events the feed asks for at a time (tui/feed.py): a file waits for nobody, and a
    # chunk of calls cut into the feed's usual 1,000 is a copy of every column per cut.
    drain_step = 1 << 15

    def __init__(self, batches: Iterator[list[Event]], cut_short: str | None = None) -> None:
        super().__init__([], launched=False)
        # A file whose recorder was killed ends without its TraceEnded: this one says so.
        self._cut_short = cut_short
        store_columns = getattr(batches, "store_columns", None)
        self._batches = store_columns() if store_columns is not None else batches
        self._exhausted = False
        self.recorded = True
        # The second batch is asked for from the second drain on: its reader processes
        # fork then, after the app painted the first screen from the first batch (read
        # in-process), not while it starts (forked at once, the first screen took 2.4 s
        # instead of 1.5: copy-on-write and CPUs shared with the readers).
        self._drains = 0

    def _load(self) -> None:
        """The next batch of the file, once the app has taken the last one."""
        if self._exhausted or self._pos < len(self._events):
            return
        if self._drains < 2 and self._events:
            return
        ready = getattr(self._batches, "ready", None)
        if ready is not None and not ready():
            return  # the reader processes are behind: the app's thread does not wait
        batch = next(self._batches, None)
        if batch is None:
            self._exhausted = True
            if self._cut_short:
                self._events, self._pos = [TraceEnded(0.0, None, self._cut_short)], 0
                self._cut_short = None
            return
        self._events, self._pos = batch, 0
        new = {e.pid for e in batch if type(e) is ProcessStarted}
        if new - set(self.pids):
            self.pids = sorted(set(self.pids) | new)

    def drain(self, max_items: int | None = None) -> list[Event]:
        """Up to `max_items` events, across the file's batches: fewer at its end, or while
        the next batch is not read yet (the feed ends a tick on a short drain). None: the
        rest of the batch read last.
        A `Drained` list: a chunk of calls counts as its calls (`Drained.events`)."""
        out = Drained()
        if self.paused:
            return out
        self._drains += 1
        self._load()
        while self._pos < len(self._events):  # (none at hand: the end, or not read yet)
            want = None if max_items is None else max_items - out.events
            if want is not None and want <= 0:
                break
            self._take(out, want)
            if max_items is None or self.paused:
                break
            self._load()
        return out

    def _take(self, out: Drained, want: int | None) -> None:
        """Items of the batch at hand into `out`, up to `want` events (None: all)."""
        events, pos = self._events, self._pos
        while pos < len(events) and (want is None or want > 0):
            item = events[pos]
            if type(item) is CallColumns:
                if want is not None and item.count > want:
                    item, events[pos] = item.split(want)
                    pos -= 1  # the rest stays at hand
                n = item.count
            else:
                n = 1
                if type(item) is TraceEnded:
                    self.exit_status = item.exit_status
            out.append(item)
            out.events += n
            if want is not None:
                want -= n
            pos += 1
        self._pos = pos

    def stop(self) -> None:
        """The app is leaving: a reader process still reading the file ends now."""
        super().stop()
        close = getattr(self._batches, "close", None)
        if close is not None:
            close()

    @property
    def finished(self) -> bool:
        self._load()
        return self._exhausted and self._pos >= len(self._events)
