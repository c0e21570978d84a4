"""Headless text lines carry the same pid prefixes as strace's, so scripts for its logs read ours."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import run_tracetui

pytestmark = [
    pytest.mark.usefixtures("tracer_loop"),
    pytest.mark.timeout(120),
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
]

FILE_PREFIX = re.compile(r"^\d+ +\S")
SHELL = ["sh", "-c", "/bin/true; exit 3"]


def strace_lines(*args: str, to_file=None) -> list[str]:
    cmd = ["strace", "-f", *(["-o", str(to_file)] if to_file else []), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    text = to_file.read_text() if to_file else proc.stderr
    return [ln for ln in text.splitlines() if "strace: Process" not in ln]


def tracetui_lines(*args: str, to_file=None) -> list[str]:
    proc = run_tracetui("--no-ui", "-f", *(["-o", str(to_file)] if to_file else []), *args)
    text = to_file.read_text() if to_file else proc.stderr
    return text.splitlines()


def equals_column(line: str) -> int:
    """Column of the ` = ` before the return value (strace pads short calls to 40)."""
    return line.rindex(" = ") + 1


@pytest.mark.parametrize("tool", [strace_lines, tracetui_lines], ids=["strace", "tracetui"])
def test_to_a_file_every_line_starts_with_the_pid(tmp_path, tool):
    lines = tool(*SHELL, to_file=tmp_path / "log")
    assert lines and all(FILE_PREFIX.match(ln) for ln in lines), lines[:3]
    short = [ln for ln in lines if " brk(NULL)" in ln]
    assert short and all(equals_column(ln) == 40 for ln in short), short


@pytest.mark.parametrize("tool", [strace_lines, tracetui_lines], ids=["strace", "tracetui"])
def test_to_the_terminal_the_prefix_shows_while_two_tasks_run(tool):
    alone = tool("/bin/true")
    assert alone and not any(ln.startswith("[pid") for ln in alone), alone[:3]
    lines = tool(*SHELL)
    assert not lines[0].startswith("[pid")  # sh's execve: one task
    child_exit = next(ln for ln in lines if "exit_group(0)" in ln)
    assert child_exit.startswith("[pid") and equals_column(child_exit) == 40, child_exit
    parent_exit = next(ln for ln in lines if "exit_group(3)" in ln)
    assert not parent_exit.startswith("[pid"), parent_exit  # the child is gone again
