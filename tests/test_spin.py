"""The tracer polls for the next stop only while polling pays off."""

from __future__ import annotations

from tracer.engine.spin import SHORT_SLEEP_S, SpinBudget


def test_budget_stays_full_while_stops_come_back_to_back():
    b = SpinBudget(200)
    for _ in range(10):
        b.hit()
        assert b.polls == 200
    b.slept(SHORT_SLEEP_S / 2)  # just missed: polling a little longer would have caught it
    assert b.polls == 200


def test_long_sleeps_stop_the_polling_and_a_short_one_brings_it_back():
    b = SpinBudget(200)
    seen = []
    for _ in range(5):
        b.slept(0.5)  # the program blocks (a read on a pipe, a sleep)
        seen.append(b.polls)
    assert seen == [50, 12, 3, 0, 0]
    b.slept(SHORT_SLEEP_S / 2)
    assert b.polls == 200


def test_zero_disables_polling():
    b = SpinBudget(0)
    b.hit()
    b.slept(0.0)
    assert b.polls == 0
