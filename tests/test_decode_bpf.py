"""bpf(2)'s attrs, clone3's struct and seccomp's operations and filters print as strace
6.1 prints them: attrs cut at the caller's size, zero-filled or followed by extra bytes,
LINK_CREATE's union by attach type, programs and the map info under -v, fds named under
-y (inside attrs too, and the fds bpf returns), clone3's fields within the size given
and past it, and what the kernel stored after `=>` when a result is injected; and the
LIRC and perf ioctls and perf_event_open's flags. strace itself is the oracle: both
tracers run the same program with the same options.

One capture loop: bpf, clone3 and seccomp have Python captures, which both loops run
alike (the C core hands those calls over); the ioctls' data captures are run under both
loops by test_decode_ioctl."""

from __future__ import annotations

import re

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120)]

_TRACE = ["-e", "trace=bpf,clone3,seccomp,prctl,ioctl,perf_event_open,write,getpid"]
# A map's id is the kernel's count of maps made: each run gets the next one, and a
# union field a call leaves unread shows it too (BPF_MAP_GET_NEXT_ID's next_id, 240
# against 241 in a full run).
_MASKS = ((re.compile(r"\b(id|next_id)=\d+"), r"\1=N"),)
_RUNS = {
    "plain -y": ["-y"],
    "verbose": ["-v"],
    "injected": ["-y", "-e", "inject=bpf,clone3,seccomp,ioctl:retval=42"],
}


@pytest.mark.parametrize("run", list(_RUNS))
def test_bpf_clone3_seccomp_lirc_and_perf_print_as_strace_prints_them(tmp_path, run):
    lines = compare_with_strace(tmp_path, "bpf_misc", [*_TRACE, *_RUNS[run]], _MASKS)
    assert any(line.startswith("bpf(BPF_LINK_CREATE, {link_create=") for line in lines)
    assert any(line.startswith("clone3({flags=") for line in lines)
    assert any(
        line.startswith("prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=4") for line in lines
    )
