"""Network decoding: a program using loopback TCP, IPv6, unix sockets and SCM_RIGHTS.

It prints the strace line for each socket call (fds with their socket inodes,
the ephemeral ports it got); tracetui must produce exactly those lines.
"""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_socket_calls_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "net")
    assert any(line.startswith("accept4(") for line in expected)
    assert any("cmsg_type=SCM_RIGHTS" in line for line in expected)
