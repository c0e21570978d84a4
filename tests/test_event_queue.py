"""The queue's event count is kept by two threads at once (worker puts, consumer drains)."""

from __future__ import annotations

import sys
import threading

from tracer.engine.stream import CoreBatch
from tracer.event_queue import EventQueue


def test_count_stays_true_when_put_and_drain_race() -> None:
    # A batch of the C core counts as the records it holds. The count was once one
    # integer both threads did `+=`/`-=` on; a thread switch in between lost updates,
    # the count went negative and len() raised ValueError inside the worker.
    q = EventQueue()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    errors: list[BaseException] = []
    done = threading.Event()

    def produce() -> None:
        try:
            for _ in range(200_000):
                q.put(CoreBatch(b"", 7), 7)
                q.full()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            done.set()

    t = threading.Thread(target=produce)
    t.start()
    taken = 0
    try:
        while not done.is_set() or len(q._items):
            for item in q.drain(50):
                taken += item.count
            assert len(q) >= 0
    finally:
        t.join()
        sys.setswitchinterval(old)
    taken += sum(item.count for item in q.drain())
    assert not errors
    assert taken == 200_000 * 7
    assert len(q) == 0
