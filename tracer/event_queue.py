"""The bounded, thread-safe channel from the ptrace worker to consumers.

A deque (append and popleft are atomic in CPython) rather than queue.Queue:
the worker appends once per event with no lock. Backpressure: when more than
`maxlen` events wait, the worker blocks (the tracee waits in its stop) until
a consumer drains; nothing is ever dropped.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from tracer.engine.core import TAKE_RECORDS
from tracer.engine.stream import CoreBatch


class EventQueue:
    def __init__(self, maxlen: int = 200_000) -> None:
        self._items: deque[Any] = deque()
        # Events beyond one per item (a CoreBatch holds many), as two counters each
        # written by one thread only: `x += n` is not atomic across threads.
        self._put_extra = 0  # the producer's
        self._taken_extra = 0  # the consumer's
        self._core: Any = None
        self.tap: Any = None  # a RecordingTap: what is drained is also recorded (-w)
        self.maxlen = maxlen
        self._space = threading.Event()
        self._closed = threading.Event()

    # producer side (worker thread)
    def put(self, item: Any, weight: int = 1) -> None:
        """Append an item that carries `weight` events (a batch of the C core's records)."""
        if weight != 1:
            self._put_extra += weight - 1
        self._items.append(item)

    def full(self) -> bool:
        return len(self) >= self.maxlen

    def wait_for_space(self, interrupted: Callable[[], bool]) -> None:
        while len(self) >= self.maxlen // 2 and not interrupted():
            self._space.clear()
            if len(self) < self.maxlen // 2:
                break
            self._space.wait(0.1)

    def attach_core(self, core: Any) -> None:
        """Records the C core finishes while it runs are taken from it by `drain`, so
        the ptrace thread need not take the GIL to hand them over."""
        self._core = core

    def close(self) -> None:
        self._closed.set()

    # consumer side
    @property
    def closed(self) -> bool:
        """True once the producer is done (there may still be items to drain)."""
        return self._closed.is_set()

    def __len__(self) -> int:
        """Events waiting (a batch counts as the events it holds)."""
        return len(self._items) + max(0, self._put_extra - self._taken_extra)

    def drain(self, max_items: int | None = None) -> list[Any]:
        """Up to `max_items` items (a batch is one item)."""
        core = self._core
        epoch = core.epoch if core is not None else 0
        items = self._items
        n = len(items) if max_items is None else min(max_items, len(items))
        pop = items.popleft
        out = [pop() for _ in range(n)]
        if self._put_extra != self._taken_extra:
            self._taken_extra += sum(x.count - 1 for x in out if type(x) is CoreBatch)
        if core is not None and not items and (max_items is None or n < max_items):
            # Everything queued is taken: what the core finished since is next.
            got = core.take_running(epoch, TAKE_RECORDS)
            if got is not None:
                out.append(CoreBatch(*got))
        self._space.set()
        if self.tap is not None and out:
            self.tap.forward(out)
        return out

    def wait(self, timeout: float) -> bool:
        """Block until an item is available or the producer closed; True if items wait."""
        if self._items:
            return True
        self._closed.wait(timeout)
        return bool(self._items)

    async def batches(self, interval: float = 0.02) -> AsyncIterator[list[Any]]:
        """Async consumer: yields non-empty batches until the producer closes and all is drained."""
        import asyncio  # only the app needs it; keep headless start-up lean

        while True:
            batch = self.drain()
            if batch:
                yield batch
            elif self.closed:
                if not self._items:
                    return
            else:
                await asyncio.sleep(interval)
