"""System V IPC prints as strace does: keys, creation flags with the mode, *ctl commands,
the shmid/semid/msqid structures and *info tables, sembuf arrays, message buffers.

The program prints the strace line for each call from the ids, pids and times it got;
tracetui must produce exactly those lines (and strace does, which keeps them honest).
"""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_sysv_ipc_calls_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "ipc")
    assert any(line.startswith("semctl(") and "IPC_STAT, {sem_perm=" in line for line in expected)
    assert any(line.startswith("msgrcv(") and "mtype=1" in line for line in expected)
