"""The ring: the last events, each kept as the session file's own blob (marshal of the
pipeline's tuple), so memory is the size of that encoding and a dump writes them back.

Bounded by a count (a `deque` with `maxlen`: eviction runs in C) or by bytes. Besides
the ring, the start (and latest exec) of every live task is kept, so a dump whose
ring begins mid-run still opens with the processes it shows.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tracer.events import Exec, Exited, ProcessStarted
from tracer.formats.session_file import event_blob

ITEM_OVERHEAD = 41  # a bytes object's header and its deque slot, counted in the byte bound


class EventRing:
    def __init__(self, events: int = 0, nbytes: int = 0) -> None:
        self.max_events = events
        self.max_bytes = nbytes
        self.blobs: deque[bytes] = deque(maxlen=events or None)
        self.nbytes = 0  # with a byte bound: what the blobs take
        self.added = 0  # events ever added: the absolute index of the next one
        # tid -> [(absolute index, blob)] of its ProcessStarted and latest Exec.
        self._tasks: dict[int, list[tuple[int, bytes]]] = {}

    def __len__(self) -> int:
        return len(self.blobs)

    @property
    def first(self) -> int:
        """Absolute index of the oldest event held."""
        return self.added - len(self.blobs)

    def fill(self) -> float:
        """How full the ring is, 0..1."""
        if self.max_bytes:
            return min(1.0, self.nbytes / self.max_bytes)
        return len(self.blobs) / self.max_events if self.max_events else 0.0

    def add(self, events: list[Any]) -> None:
        blobs = [event_blob(ev) for ev in events]
        base = self.added
        for i, ev in enumerate(events):
            t = type(ev)
            if t is ProcessStarted:
                self._tasks[ev.tid] = [(base + i, blobs[i])]
            elif t is Exec:
                kept = self._tasks.setdefault(ev.pid, [])
                kept[1:] = [(base + i, blobs[i])]
            elif t is Exited:
                self._tasks.pop(ev.tid, None)
        self.blobs.extend(blobs)
        self.added += len(blobs)
        if self.max_bytes:
            self.nbytes += sum(map(len, blobs)) + ITEM_OVERHEAD * len(blobs)
            popleft, limit = self.blobs.popleft, self.max_bytes
            while self.nbytes > limit and self.blobs:
                self.nbytes -= len(popleft()) + ITEM_OVERHEAD

    def snapshot(self) -> list[bytes]:
        """What a dump writes: the starts of live tasks the ring no longer holds, then the
        ring, oldest first (a list of references: the blobs themselves are shared). With a
        count bound the whole stays within it: the starts take the oldest events' places."""
        first = self.first
        context = sorted(item for kept in self._tasks.values() for item in kept if item[0] < first)
        blobs = list(self.blobs)
        if self.max_events and context:
            room = max(0, self.max_events - len(context))
            blobs = blobs[len(blobs) - room :] if room < len(blobs) else blobs
        return [blob for _, blob in context] + blobs
