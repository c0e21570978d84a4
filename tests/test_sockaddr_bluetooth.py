"""AF_BLUETOOTH socket addresses (issue #14): sockaddr_hci, _sco, _rc and _l2, told apart
by length as strace 6.1 does, with L2CAP PSMs and CIDs named, offset into their dynamic
ranges or unknown, under the default style, each -X style and -xx; and sendmmsg's vector,
which strace prints whole even when the call fails or sends only some of it. strace is
the oracle: both tracers run tests/decode_programs/bluetooth.c with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

STYLES = {
    "default": [],
    "raw": ["-X", "raw"],
    "verbose": ["-X", "verbose"],
    "abbrev": ["-X", "abbrev"],
    "hex": ["-xx"],
}


@pytest.mark.parametrize("style", STYLES)
def test_bluetooth_sockaddrs_print_as_strace(tmp_path, style):
    lines = compare_with_strace(tmp_path, "bluetooth", STYLES[style])
    joined = "\n".join(lines)
    for field in ("hci_dev=htobs(5), hci_channel=", "sco_bdaddr=", "rc_channel=200",
                  "l2_psm=htobs(", "l2_cid=htobs(", "l2_bdaddr_type="):  # fmt: skip
        assert field in joined, field
    assert "bind(3, {sa_family=" in joined and "msg_name={sa_family=" in joined
    sendmmsg = [line for line in lines if line.startswith("sendmmsg(")]
    assert [line.count("msg_hdr=") for line in sendmmsg] == [2, 3]  # every message
    assert [line.count("msg_len=") for line in sendmmsg] == [0, 1]  # of those sent
