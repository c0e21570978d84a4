"""A session read back from a recording (`tracetui -r FILE`): nothing runs, the events
come from the file as the app asks for them, so the first screen does not wait for
the whole file."""

from __future__ import annotations

from collections.abc import Iterator

from tracer.events import Event, ProcessStarted
from tui.replay import ReplaySession


class RecordedSession(ReplaySession):
    def __init__(self, batches: Iterator[list[Event]]) -> None:
        super().__init__([], launched=False)
        self._batches = batches
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
        new = {e.pid for e in batch if isinstance(e, ProcessStarted)}
        if new - set(self.pids):
            self.pids = sorted(set(self.pids) | new)

    def drain(self, max_items: int | None = None) -> list[Event]:
        self._load()
        return super().drain(max_items)

    @property
    def finished(self) -> bool:
        self._load()
        return self._exhausted and self._pos >= len(self._events)
