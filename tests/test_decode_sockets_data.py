"""The socket calls captured as data (setsockopt, getsockopt, accept, accept4: the C
capture core takes them whole) print as strace 6.1 prints them, edge cases included
(NULL and unreadable pointers, negative, zero and long lengths, values cut by an
unmapped page, socket filters, failures, accept's address asked for or not), under
both loops (`tracer_loop`), by default, with -v (filters whole), -s and -y. strace
itself is the oracle: both tracers run tests/decode_programs/sockets_data.c."""

from __future__ import annotations

import re

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

# The ephemeral ports of the two runs' connections differ (a cut address shows its
# bytes), and so do TCP_INFO's timings.
_VOLATILE = (
    (re.compile(r'TCP_INFO, "(?:[^"\\]|\\.)*"'), 'TCP_INFO, "INFO"'),
    (re.compile(r"htons\(\d+\)"), "htons(PORT)"),
    # a port's two bytes as a string may hold an escaped quote ("\"")
    (re.compile(r'sa_data="(?:[^"\\]|\\.)*"'), 'sa_data="PORT"'),
)


@pytest.mark.parametrize(
    "options",
    [[], ["-v"], ["-s", "300"], ["-s", "4", "-xx"], ["-y"]],
    ids=["default", "v", "long-strings", "short-strings", "y"],
)
def test_data_captured_socket_calls_print_as_strace_does(tmp_path, options):
    lines = compare_with_strace(tmp_path, "sockets_data", ["-f", *options], masks=_VOLATILE)
    assert any(line.startswith("accept4(") and "NULL, NULL" in line for line in lines)
    assert any(line.startswith("getsockopt(") and "TCP_INFO" in line for line in lines)
    if options == ["-v"]:
        assert any("filter=[BPF_STMT(" in line for line in lines)
