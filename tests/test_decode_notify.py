"""inotify and fanotify calls print as strace does: flag order, masks, FAN_NOFD, fd annotations."""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_inotify_and_fanotify_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "notify")
    assert any(line.startswith("inotify_add_watch(") for line in expected)
    assert any(line.startswith("fanotify_init(") for line in expected)
