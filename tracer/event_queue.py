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


class EventQueue:
    def __init__(self, maxlen: int = 200_000) -> None:
        self._items: deque[Any] = deque()
        self.maxlen = maxlen
        self._space = threading.Event()
        self._closed = threading.Event()

    # producer side (worker thread)
    def put(self, item: Any) -> None:
        self._items.append(item)

    def full(self) -> bool:
        return len(self._items) >= self.maxlen

    def wait_for_space(self, interrupted: Callable[[], bool]) -> None:
        while len(self._items) >= self.maxlen // 2 and not interrupted():
            self._space.clear()
            if len(self._items) < self.maxlen // 2:
                break
            self._space.wait(0.1)

    def close(self) -> None:
        self._closed.set()

    # consumer side
    @property
    def closed(self) -> bool:
        """True once the producer is done (there may still be items to drain)."""
        return self._closed.is_set()

    def __len__(self) -> int:
        return len(self._items)

    def drain(self, max_items: int | None = None) -> list[Any]:
        items = self._items
        n = len(items) if max_items is None else min(max_items, len(items))
        pop = items.popleft
        out = [pop() for _ in range(n)]
        self._space.set()
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
