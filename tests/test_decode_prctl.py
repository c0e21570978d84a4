"""prctl's hand-built values and result notes print as strace 6.1 prints them, in every
-X style and with injected results (strace's own prctl-*-success tests do the same):
vector lengths, tagged-address words, PR_SCHED_CORE, speculation controls, PR_SET_NAME's
15-byte cut, and the getters strace shows in hex with their meaning. strace itself is
the oracle: both tracers run the same program with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = ["-e", "trace=prctl,write,getpid"]  # the marker, and the pid to mask
_STYLES = {"abbrev": ["-X", "abbrev"], "raw": ["-X", "raw"], "verbose": ["-X", "verbose"]}
# A result with a flag bit in every getter's table and bits none of them names.
_INJECT = ["-e", "inject=prctl:retval=0x20103"]


@pytest.mark.parametrize("style", list(_STYLES))
def test_hand_built_prctl_values_follow_the_constant_style(tmp_path, style):
    lines = compare_with_strace(tmp_path, "prctl_styles", [*_TRACE, *_STYLES[style]])
    assert any(line.startswith("prctl(0x3e") or "PR_SCHED_CORE" in line for line in lines)


@pytest.mark.parametrize("style", list(_STYLES))
def test_prctl_results_are_explained_as_strace_does(tmp_path, style):
    options = [*_TRACE, *_INJECT, *_STYLES[style]]
    lines = compare_with_strace(tmp_path, "prctl_styles", options)
    assert all(line.endswith("(INJECTED)") for line in lines if line.startswith("prctl("))


def test_a_zero_result_keeps_the_getters_notes(tmp_path):
    options = [*_TRACE, "-e", "inject=prctl:retval=0"]
    lines = compare_with_strace(tmp_path, "prctl_styles", options)
    assert any("(!PR_TAGGED_ADDR_ENABLE|PR_MTE_TCF_NONE)" in line for line in lines)
