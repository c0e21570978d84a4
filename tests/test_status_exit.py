"""The status bar says how the program ended: its exit code, or the signal that killed it."""

from __future__ import annotations

import signal

from conftest import compile_c, run_tracetui

from tui.widgets.status_bar import exit_label

SEGFAULT = r"""
int main(void) { *(volatile int *)0 = 1; return 0; }
"""


def test_a_segfault_shows_as_killed_by_sigsegv():
    """The program dies of SIGSEGV: the bar says `killed by SIGSEGV`, not `EXITED (139)`."""
    proc = run_tracetui("--no-ui", "-o", "/dev/null", str(compile_c(SEGFAULT, name="segfault")))
    assert proc.returncode == 128 + signal.SIGSEGV  # the session's status, as strace's
    assert exit_label(proc.returncode) == "killed by SIGSEGV"
    assert exit_label(3) == "EXITED (3)"
