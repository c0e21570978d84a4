"""The app's drain runs without the cyclic collector: a batch's events and the store's
column work are thousands of objects alive at once and freed at its end (tui/feed.py)."""

from __future__ import annotations

import gc

import pytest

from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.store import EventStore
from tui.feed import TraceFeed
from tui.models import Models
from tui.view import ViewFilter

pytestmark = pytest.mark.timeout(60)


def _finished_feed() -> TraceFeed:
    session = TraceSession(
        TraceOptions(command=["sh", "-c", "for i in $(seq 30); do /bin/true; done"])
    )
    session.start()
    assert session.wait(50)
    return TraceFeed(session, EventStore(), Models(read_proc=False), ViewFilter())


def test_a_drain_starts_no_collection_and_leaves_the_collector_on():
    feed = _finished_feed()
    collections = []
    gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(info))
    try:
        assert gc.isenabled()
        gc.collect()
        collections.clear()
        update = feed.drain(budget=30.0)
        during = len(collections)  # (before anything here allocates: that may collect)
        assert gc.isenabled(), "the collector is back on after the drain"
    finally:
        gc.callbacks.pop()
    assert update is not None and feed.ended and update.count_new > 1000
    assert during == 0, f"{during} collections ran inside the drain"


def test_a_drain_leaves_the_collector_off_if_it_was_off():
    feed = _finished_feed()
    gc.disable()
    try:
        assert feed.drain(budget=30.0) is not None
        assert not gc.isenabled()
    finally:
        gc.enable()
