"""Signal, epoll and timer calls whose captures are data (the C capture core takes them
whole) print as strace 6.1 prints them, under both loops: rt_sigpending, rt_sigsuspend,
rt_sigtimedwait, sigaltstack, rt_sigqueueinfo, rt_tgsigqueueinfo, signalfd/signalfd4,
epoll_ctl, epoll_pwait/epoll_pwait2, timerfd_settime/gettime, timer_create/settime/gettime
and setitimer/getitimer, each with NULL, bad and cut-short pointers and failing calls.
strace itself is the oracle: both tracers run tests/decode_programs/signal_timers.c."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_OPTIONS = {"y": ["-f", "-y"], "v-Xraw": ["-f", "-v", "-y", "-X", "raw"]}
DATA_CALLS = (
    "epoll_ctl epoll_pwait epoll_pwait2 rt_sigtimedwait rt_sigsuspend rt_sigpending "
    "sigaltstack rt_sigqueueinfo rt_tgsigqueueinfo signalfd signalfd4 timerfd_settime "
    "timerfd_gettime timer_create timer_settime timer_gettime getitimer setitimer"
).split()


@pytest.mark.parametrize("options", list(_OPTIONS))
def test_signal_epoll_timer_calls_print_as_strace_prints_them(tmp_path, options):
    lines = compare_with_strace(tmp_path, "signal_timers", _OPTIONS[options])
    names = {line.split("(", 1)[0] for line in lines}
    assert set(DATA_CALLS) <= names, set(DATA_CALLS) - names
    assert any(line.startswith("--- SIGUSR1") for line in lines)
