"""Interval timers, alarm, priorities and file-time calls print as strace does."""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_timers_priority_and_file_times_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "timers")
    assert any(line.startswith("setitimer(ITIMER_VIRTUAL, {it_interval=") for line in expected)
    assert any(line.startswith("utimes(") and "/*" in line for line in expected)


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_sleep_cut_short_shows_the_time_left_as_strace_does(tmp_path, runner):
    # Read at the failed call's exit (Read.on_error), shown only after ERESTART_* and,
    # for clock_nanosleep, only for a relative sleep.
    expected = check_oracle(tmp_path, runner, "sleeps")
    assert (
        sum("ERESTART_RESTARTBLOCK" in line and "{tv_sec=0, tv_nsec=" in line for line in expected)
        == 2
    )
