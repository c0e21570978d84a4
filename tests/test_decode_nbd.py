"""Network block device ioctls print as strace 6.1 prints them: no argument where the
request takes none, NBD_SET_SOCK's fd named under -y (in the C loop too: the call is
handed to Python, which names it), sizes as unsigned numbers, the server's flags by name.
tests/decode_programs/nbd.c writes the lines it expects; strace itself is checked
against the same lines."""

from __future__ import annotations

import re

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_nbd_requests_print_as_strace_prints_them(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "nbd")
    assert any(re.match(r"ioctl\(-1, NBD_SET_SOCK, \d+</dev/null>\)", line) for line in expected)
