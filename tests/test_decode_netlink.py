"""Netlink messages print as strace 6.1 prints them: on a NETLINK_ROUTE socket, the
RTM_GETADDR dump glibc's getaddrinfo sends (sendto) and its replies (recvmsg, recv) with
their ifaddrmsg headers and IFA_* attributes, NLMSG_DONE, an NLMSG_ERROR answer, a buffer
shorter than a header and an unknown type, under -v, -s and -X. strace itself is the
oracle: both tracers run the same program with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize(
    "options",
    [[], ["-v"], ["-s", "8"], ["-X", "raw"], ["-X", "verbose"]],
    ids=["default", "v", "short-strings", "raw", "verbose"],
)
def test_route_messages_print_as_strace_does(tmp_path, options):
    lines = compare_with_strace(tmp_path, "netlink", ["-f", *options])
    assert any(line.startswith("recvmsg(") and "nlmsg_len=" in line for line in lines)
    assert any(line.startswith("recvfrom(") and "error=" in line for line in lines)
