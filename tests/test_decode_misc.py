"""Terminal ioctls on a fresh pty, futex, prctl and resource limits, checked against the program's own expectations."""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

from tracer.syscalls.decoders.ioctl import request_name

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_ioctl_futex_prctl_rlimit_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "misc")
    assert any("TCGETS" in line for line in expected), "the pty did not have default termios"


def test_unknown_ioctl_requests_use_ioc_notation():
    assert request_name(0x5401) == "TCGETS"
    assert request_name(0x80081234) == "_IOC(_IOC_READ, 0x12, 0x34, 0x8)"
    assert request_name(0x00000E01) == "_IOC(_IOC_NONE, 0xe, 0x1, 0)"
    assert request_name(0x0000AB01) == "NBD_SET_BLKSIZE"


def test_clock_ticks_carry_strace_seconds_comment():
    """times(2)'s fields: strace adds the seconds at the kernel's USER_HZ, never under -X raw
    and never for zero; the epoch itself gets no date comment either."""
    from tracer.syscalls import fmt
    from tracer.syscalls.decoders import misc

    if misc._CLK_TCK != 100:
        pytest.skip("USER_HZ is not 100 here")
    assert misc.clock_ticks(36) == "36 /* 0.36 s */"
    assert misc.clock_ticks(12345) == "12345 /* 123.45 s */"
    assert misc.clock_ticks(0) == "0"
    fmt.configure(constants="raw")
    try:
        assert misc.clock_ticks(36) == "36"
    finally:
        fmt.configure()
    assert fmt.timestamp_comment(0, 0) == ""
    assert fmt.timestamp_comment(0, 1).startswith("1970-01-01T")
