"""Structures that grow, or that point to further memory, print as strace 6.1 prints
them in every -X style: struct sched_attr in each size (with the size the kernel writes
back on E2BIG). strace itself is the oracle: both tracers run the same program with the
same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = ["-y", "-e", "trace=write,sched_getattr,sched_setattr"]
_STYLES = {"abbrev": [], "raw": ["-X", "raw"], "verbose": ["-X", "verbose"]}


@pytest.mark.parametrize("style", list(_STYLES))
def test_growing_and_pointing_structures_print_as_strace_prints_them(tmp_path, style):
    lines = compare_with_strace(tmp_path, "kernel_objects", [*_TRACE, *_STYLES[style]])
    assert any("=> {size=56}" in line for line in lines)
