"""bpf(2)'s attrs, clone3's struct and seccomp's operations and filters print as strace
6.1 prints them: attrs cut at the caller's size, zero-filled or followed by extra bytes,
LINK_CREATE's union by attach type, programs and the map info under -v, fds named under
-y (inside attrs too, and the fds bpf returns), clone3's fields within the size given
and past it, and what the kernel stored after `=>` when a result is injected. strace
itself is the oracle: both tracers run the same program with the same options.

These calls' captures are Python functions, so both capture loops take them the same
way (the C core hands them over): one loop is enough."""

from __future__ import annotations

import re

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120)]

_TRACE = ["-e", "trace=bpf,clone3,seccomp,prctl,write,getpid"]
# A map's id is the kernel's count of maps made: each run gets the next one.
_MASKS = ((re.compile(r"\bid=\d+"), "id=N"),)
_RUNS = {
    "plain -y": ["-y"],
    "verbose": ["-v"],
    "injected": ["-y", "-e", "inject=bpf,clone3,seccomp:retval=42"],
}


@pytest.mark.parametrize("run", list(_RUNS))
def test_bpf_clone3_and_seccomp_structures_print_as_strace_prints_them(tmp_path, run):
    lines = compare_with_strace(tmp_path, "bpf_clone3", [*_TRACE, *_RUNS[run]], _MASKS)
    assert any(line.startswith("bpf(BPF_LINK_CREATE, {link_create=") for line in lines)
    assert any(line.startswith("clone3({flags=") for line in lines)
    assert any(
        line.startswith("prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=4") for line in lines
    )
