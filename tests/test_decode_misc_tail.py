"""More of the long tail prints as strace 6.1 prints it: fsconfig per command and
mount_setattr's extensible struct, kcmp with each process's fds, kexec_load's segments,
futex operation names and futex_waitv's waiters, fcntl's owner structs, getrusage under
-v, message queues, dup2/dup3 onto an open fd, fanotify_mark's FAN_NOFD, a failed
epoll_pwait2, ioprio_set's int, shmget's huge page shift and a PATH_MAX path with no
NUL. strace itself is the oracle: both tracers run tests/decode_programs/misc_tail.c
with the same options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

# The default style, and -v with -X raw (every constant a number, structs in full).
_OPTIONS = {"y": ["-y"], "v-Xraw": ["-v", "-y", "-X", "raw"]}


@pytest.mark.parametrize("options", list(_OPTIONS))
def test_long_tail_calls_print_as_strace_prints_them(tmp_path, options):
    lines = compare_with_strace(tmp_path, "misc_tail", _OPTIONS[options])
    assert any(line.startswith("kcmp(") for line in lines)
    assert any(line.startswith("fsconfig(") for line in lines)
