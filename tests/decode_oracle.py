"""Run an oracle program (tests/decode_programs/*.c) under tracetui or strace and compare.

Each program writes, to the file named by its first argument, the exact line
strace 6.1 (`-f -y -s 64`) prints for each call it makes, using the fds,
ports and addresses it actually got. The same expectations are checked
against strace itself (when installed), which keeps the oracles honest.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui, strip_pid

PROGRAMS = Path(__file__).resolve().parent / "decode_programs"
RUNNERS = ["tracetui", "strace"]
_PADDING = re.compile(r"\) +(= .*)$")
_STRACE_PID = re.compile(r"^\d+ +")


def _normalize(line: str) -> str:
    return _PADDING.sub(r") \1", line.rstrip("\n"))


def trace_lines(runner: str, prog: Path, expect_file: Path, out: Path) -> list[str]:
    if runner == "strace":
        if shutil.which("strace") is None:
            pytest.skip("strace is not installed")
        cmd = ["strace", "-f", "-y", "-s", "64", "-o", str(out), str(prog), str(expect_file)]
        subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        lines = [_STRACE_PID.sub("", line) for line in out.read_text().splitlines()]
    else:
        proc = run_tracetui(
            "--no-ui", "-y", "-s", "64", "-o", str(out), str(prog), str(expect_file)
        )
        assert out.exists(), proc.stderr
        lines = [strip_pid(line) for line in out.read_text().splitlines()]
    return [_normalize(line) for line in lines]


def check_oracle(tmp_path: Path, runner: str, program: str) -> list[str]:
    """Trace `program`; every line it expected must appear, in order. Returns the expectations."""
    prog = compile_c(PROGRAMS / f"{program}.c", f"-I{PROGRAMS}")
    expect_file = tmp_path / "expected.txt"
    got = trace_lines(runner, prog, expect_file, tmp_path / f"{runner}.txt")
    expected = expect_file.read_text().splitlines()
    assert expected, "the oracle program wrote no expectations"
    missing = []
    pos = 0
    for line in expected:
        try:
            pos = got.index(line, pos) + 1
        except ValueError:
            missing.append(line)
    assert not missing, "missing or out of order:\n" + "\n".join(missing)
    return expected
