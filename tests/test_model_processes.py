"""ProcessTree bookkeeping the UI relies on: threads fold into their process, pause state."""

from __future__ import annotations

from tracer.events import Exited, ProcessStarted, Stopped
from tracer.model import ProcessTree
from tracer.store import EventStore


def test_threads_fold_into_process_and_pause_shows():
    s, tree = EventStore(), ProcessTree()
    u = s.append(
        [
            ProcessStarted(0, 50, 50, 1, 0.0, comm="srv"),
            ProcessStarted(1, 50, 51, 50, 0.1, is_thread=True),
            ProcessStarted(2, 60, 60, 50, 0.2),
            Stopped(3, 60, 60, 0.3, 19),
        ]
    )
    tree.update(s, u)
    srv, child = tree.get(50), tree.get(60)
    assert srv.threads == {51} and tree.get(51) is srv and len(tree) == 2
    assert child.state == "stopped" and child.comm == "srv"
    tree.set_paused(True)
    assert srv.state == "paused" and child.state == "stopped"
    tree.set_paused(False)
    tree.update(s, s.append([Exited(4, 50, 51, 0.4, code=0, is_thread=True)]))
    assert srv.threads == set() and srv.state == "running"
    tree.update(s, s.append([Exited(5, 60, 60, 0.5, signal=9)]))
    assert child.state == "killed" and child.signal == 9 and not child.alive
    assert [p.pid for p in tree.roots()] == [50]
