"""-X raw|abbrev|verbose on fcntl F_GETFL's return, statx's flags and mask, statfs's
f_type, sched_getscheduler's return, socket()'s domain, type and protocol, st_rdev, raw
and link-level sockaddrs and real-time signals (issue #14). strace 6.1 is the oracle: both tracers run tests/decode_programs/xstyle.c
with the same options and must print the same lines."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("style", ["raw", "verbose", "abbrev"])
def test_hand_built_values_print_as_strace_under_each_constant_style(tmp_path, style):
    lines = compare_with_strace(tmp_path, "xstyle", ["-f", "-X", style])
    joined = "\n".join(lines)
    for call in ("fcntl(", "statx(", "socket(", "connect(", "rt_sigaction(", "kill(", "statfs("):
        assert call in joined, call
    assert "sll_protocol=" in joined and "x25_addr=" in joined
