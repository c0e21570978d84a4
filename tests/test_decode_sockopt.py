"""Socket options print as strace 6.1 prints them: level and option names at every level
it names (`SOL_??`, `/* SO_??? */` for unknown ones), the structures it decodes (linger,
ucred, ip_mreq/ip_mreqn, group_req, ipv6_mreq, packet_mreq, tpacket_req/stats, socket
filters, ICMP filters, netlink memberships), strings for the rest (timevals, TCP_INFO),
getsockopt's `[in => out]`, short lengths and failures, under -v, -X, -e verbose= and -s.
strace itself is the oracle: both tracers run the same program with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize(
    "options",
    [[], ["-v"], ["-X", "raw"], ["-X", "verbose"], ["-e", "verbose=none"], ["-s", "4", "-xx"]],
    ids=["default", "v", "raw", "verbose", "not-dereferenced", "short-strings"],
)
def test_socket_options_print_as_strace_does(tmp_path, options):
    lines = compare_with_strace(tmp_path, "sockopt", ["-f", *options])
    dereferenced = options != ["-e", "verbose=none"]
    assert (
        any(line.startswith("setsockopt(") and "imr_multiaddr=" in line for line in lines)
        == dereferenced
    )
    assert any(line.startswith("getsockopt(") and "=>" in line for line in lines) == dereferenced
