"""Policy calls print as strace 6.1 prints them, in every -X style and with -v: NUMA
memory policies (modes and flags, node masks and page arrays cut at -s or where memory
ends), quotactl's commands and quota structures (setters at entry, getters at exit,
shown on an injected success), Landlock rulesets and rules (the parent fd under -y),
and io_uring_setup/io_uring_enter. strace itself is the oracle: both tracers run the
same program with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = "trace=write,set_mempolicy,mbind,get_mempolicy,move_pages,quotactl,quotactl_fd,landlock_create_ruleset,landlock_add_rule,io_uring_setup,io_uring_enter"  # fmt: skip
_OPTIONS = {
    "abbrev": ["-y", "-s", "2"],
    "raw-verbose-structs": ["-y", "-X", "raw", "-v"],
    "verbose-injected": ["-y", "-X", "verbose", "-v", "-e", "inject=quotactl:retval=0"],
}


@pytest.mark.parametrize("options", list(_OPTIONS))
def test_policy_calls_print_as_strace_does(tmp_path, options):
    lines = compare_with_strace(tmp_path, "policy_calls", ["-e", _TRACE, *_OPTIONS[options]])
    assert any(line.startswith("quotactl(") for line in lines)
