"""Extended attributes print as strace does: names, values (a trailing NUL hidden), name lists."""

from __future__ import annotations

import os

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_xattr_calls_print_as_strace_does(tmp_path, runner):
    probe = tmp_path / "probe"
    probe.write_text("")
    try:
        os.setxattr(probe, "user.probe", b"1")
    except OSError:
        pytest.skip("the test directory's filesystem has no user xattrs")
    expected = check_oracle(tmp_path, runner, "xattr")
    assert any(line.startswith("getxattr(") for line in expected)
    assert any(line.startswith("listxattr(") and "\\0" in line for line in expected)
