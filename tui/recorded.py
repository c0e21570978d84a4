"""A session read back from a recording (`tracetui -r FILE`): nothing runs, the events
come from the file as the app asks for them, so the first screen does not wait for
the whole file.

A session file is read in the store's bulk form (`SessionBatches.store_rows`): its
calls reach `EventStore.append` as the tuples marshal made of them, with no `Syscall`
object per record; a million-event file is loaded in a few seconds. An strace log's
batches are events.
"""

from __future__ import annotations

from collections.abc import Iterator

from tracer.events import Event, ProcessStarted
from tui.replay import ReplaySession


class RecordedSession(ReplaySession):
    def __init__(self, batches: Iterator[list[Event]]) -> None:
        super().__init__([], launched=False)
        store_rows = getattr(batches, "store_rows", None)
        self._batches = store_rows() if store_rows is not None else batches
        self._exhausted = False
        self.recorded = True

    def _load(self) -> None:
        """The next batch of the file, once the app has taken the last one."""
        if self._exhausted or self._pos < len(self._events):
            return
        batch = next(self._batches, None)
        if batch is None:
            self._exhausted = True
            return
        self._events, self._pos = batch, 0
        new = {e.pid for e in batch if type(e) is ProcessStarted}
        if new - set(self.pids):
            self.pids = sorted(set(self.pids) | new)

    def drain(self, max_items: int | None = None) -> list[Event]:
        """Up to `max_items` events, across the file's batches: fewer only at its end (the
        feed ends a tick on a short drain). None: the rest of the batch read last."""
        self._load()
        out = super().drain(max_items)
        if max_items is None:
            return out
        while len(out) < max_items and not self.paused and not self._exhausted:
            self._load()
            more = super().drain(max_items - len(out))
            if not more:
                break
            out.extend(more)
        return out

    @property
    def finished(self) -> bool:
        self._load()
        return self._exhausted and self._pos >= len(self._events)
