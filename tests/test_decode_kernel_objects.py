"""Structures that grow, or that point to further memory, print as strace 6.1 prints
them in every -X style: struct sched_attr in each size (with the size the kernel writes
back on E2BIG), keyctl's commands with their strings, buffers, iovecs and parameter
structures, and io_uring_register's opcodes (fd arrays named under -y, structures holding
pointers or larger than the kernel knows, what the kernel writes back when a call
succeeds). strace itself is the oracle: both tracers run the same program with the
same options."""

from __future__ import annotations

import re

import pytest
from decode_oracle import compare_with_strace

pytestmark = pytest.mark.timeout(120)

_TRACE = [
    "-y",
    "-s",
    "10",
    "-e",
    "trace=write,sched_getattr,sched_setattr,keyctl,io_uring_register",
]
# The serial of a keyring the kernel makes for the thread differs between the two runs.
_SERIAL = ((re.compile(r"^(keyctl\((?:0|KEYCTL_GET_KEYRING_ID)\b.*= )\d+$"), r"\1SERIAL"),)


@pytest.mark.usefixtures("tracer_loop")
def test_growing_and_pointing_structures_print_as_strace_prints_them(tmp_path):
    """Under both loops: sched_setattr's reads are data the C core runs itself."""
    lines = compare_with_strace(tmp_path, "kernel_objects", _TRACE, _SERIAL)
    assert any("=> {size=56}" in line for line in lines)
    assert any("{hashname=" in line for line in lines)


# -X verbose also has io_uring_register succeed, for what the kernel writes back.
_STYLES = {
    "raw": ["-X", "raw"],
    "verbose": ["-X", "verbose", "-e", "inject=io_uring_register:retval=0"],
}


@pytest.mark.parametrize("style", list(_STYLES))
def test_their_constants_follow_the_x_style(tmp_path, style):
    lines = compare_with_strace(tmp_path, "kernel_objects", [*_TRACE, *_STYLES[style]], _SERIAL)
    assert any("KEYCTL_???" in line for line in lines) == (style == "verbose")
    assert any(" => {last_op=" in line for line in lines) == (style == "verbose")
