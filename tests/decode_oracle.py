"""Run an oracle program (tests/decode_programs/*.c) under tracetui or strace and compare.

Each program writes, to the file named by its first argument, the exact line
strace 6.1 (`-f -y -s 64`) prints for each call it makes, using the fds,
ports and addresses it actually got. The same expectations are checked
against strace itself (when installed), which keeps the oracles honest.
"""

from __future__ import annotations

import difflib
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


_MARKER = re.compile(r"write\(-1, \S+, 5\) = -1 EBADF")  # "start", in any -x style
_VOLATILE = (
    (re.compile(r"0x[0-9a-f]{8,}"), "ADDR"),  # pointers (and -X raw's 64-bit words)
    (re.compile(r"(tv_n?sec|tv_usec)=\d+"), r"\1=N"),
    (re.compile(r"(:\[)\d+(->\d+)?"), r"\1INODE"),  # -yy socket inodes
)


def compare_with_strace(
    tmp_path: Path, program: str, options: list[str], masks: tuple = ()
) -> list[str]:
    """Trace `program` (given an empty directory) under strace and tracetui with the same
    options; the lines after its `write(-1, "start", 5)` marker must be equal once pids,
    addresses, times and socket inodes are masked (and `masks`, (pattern, replacement)
    pairs for what else differs between two runs). strace is the oracle: the expected
    text is whatever it prints on this machine. Returns tracetui's lines."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    prog = compile_c(PROGRAMS / f"{program}.c", f"-I{PROGRAMS}")
    traces = {}
    for runner in RUNNERS:
        work = tmp_path / runner
        work.mkdir()
        # The same directory name for both runs: paths are part of the compared text.
        scratch = tmp_path / "scratch"
        scratch.mkdir(exist_ok=True)
        out = work / "trace.txt"
        args = [*options, "-o", str(out), str(prog), str(scratch)]
        if runner == "strace":
            subprocess.run(["strace", *args], capture_output=True, timeout=60, check=False)
            lines = [_STRACE_PID.sub("", line) for line in out.read_text().splitlines()]
        else:
            proc = run_tracetui("--no-ui", *args)
            assert out.exists(), proc.stderr
            lines = [strip_pid(line) for line in out.read_text().splitlines()]
        traces[runner] = _after_marker([_normalize(line) for line in lines])
    assert traces["tracetui"], "tracetui printed nothing after the marker"
    # Both runs' pids are masked on both sides: a value the program prints that happens
    # to equal one run's pid (end=2000 with pid 2000) is then masked in both texts alike.
    pids = {p for p in (_pid_of(traces["strace"]), _pid_of(traces["tracetui"])) if p}
    got = _mask(traces["tracetui"], pids, masks)
    want = _mask(traces["strace"], pids, masks)
    diff = "\n".join(difflib.unified_diff(want, got, "strace", "tracetui", lineterm=""))
    assert got == want, diff
    return traces["tracetui"]


def _after_marker(lines: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if _MARKER.match(line):
            return [x for x in lines[i + 1 :] if not x.startswith("+++")]
    return []


def _pid_of(lines: list[str]) -> str | None:
    for line in lines:
        m = re.match(r"getpid\(\) = (\d+)", line)
        if m:
            return m.group(1)
    return None


def _mask(lines: list[str], pids: set[str], masks: tuple = ()) -> list[str]:
    out = []
    for line in lines:
        for pid in pids:
            # (not after a backslash: an octal escape such as \377, whatever the pid)
            line = re.sub(rf"(?<!\\)\b{pid}\b", "PID", line)
        for pattern, repl in (*_VOLATILE, *masks):
            line = pattern.sub(repl, line)
        out.append(line)
    return out
