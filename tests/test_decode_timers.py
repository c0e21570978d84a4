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
