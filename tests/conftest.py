"""Shared fixtures: compile small C programs, run tracetui headless, trace in-process."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "programs"
BUILD = Path(__file__).resolve().parent / ".build"


def compile_c(source: str | Path, *flags: str, name: str | None = None) -> Path:
    """Compile C source (a path, or code text) once per content+flags; returns the binary."""
    if isinstance(source, Path) or (
        isinstance(source, str) and source.endswith(".c") and "\n" not in source
    ):
        path = Path(source)
        if not path.is_absolute():
            path = PROGRAMS / path
        code = path.read_text()
        stem = path.stem
    else:
        code = source
        stem = name or "prog"
    key = hashlib.sha1((code + "\0".join(flags)).encode()).hexdigest()[:12]
    BUILD.mkdir(exist_ok=True)
    out = BUILD / f"{stem}-{key}"
    if not out.exists():
        src = BUILD / f"{stem}-{key}.c"
        src.write_text(code)
        tmp = out.with_suffix(".tmp")
        subprocess.run(
            ["gcc", "-O1", "-g", "-o", str(tmp), str(src), *flags, "-lpthread"],
            check=True,
        )
        tmp.rename(out)
    return out


@pytest.fixture
def cc() -> Callable[..., Path]:
    return compile_c


def tracetui_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "tracer.cli", *args]


def run_tracetui(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        tracetui_cmd(*args), capture_output=True, text=True, timeout=timeout, env=env, **kw
    )


def trace_jsonl(
    tmp_path: Path, *command: str, extra: tuple[str, ...] = ()
) -> tuple[list[dict], subprocess.CompletedProcess]:
    out = tmp_path / "trace.jsonl"
    proc = run_tracetui(
        "--no-ui", "-y", "-s", "64", "--format", "jsonl", "-o", str(out), *extra, *command
    )
    events = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return events, proc


def trace_text(
    tmp_path: Path, *command: str, extra: tuple[str, ...] = ()
) -> tuple[list[str], subprocess.CompletedProcess]:
    out = tmp_path / "trace.txt"
    proc = run_tracetui("--no-ui", "-y", "-s", "64", "-o", str(out), *extra, *command)
    lines = out.read_text().splitlines() if out.exists() else []
    return lines, proc


_PID_PREFIX = re.compile(r"^(?:\[pid\s+(\d+)\] |(\d+)\s+)")


def split_pid(line: str) -> tuple[int | None, str]:
    """`123   openat(...)` (to a file) or `[pid  123] openat(...)` -> (123, `openat(...)`)."""
    m = _PID_PREFIX.match(line)
    if m is None:
        return None, line
    return int(m.group(1) or m.group(2)), line[m.end() :]


def strip_pid(line: str) -> str:
    return split_pid(line)[1]


def wait_for(pred: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def proc_state(pid: int) -> str | None:
    """The state letter from /proc/PID/stat (R, S, T, t, Z...), None if gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return data[data.rfind(")") + 2]


def tracer_of(pid: int) -> int:
    """The process (tgid) tracing `pid`, 0 if none (TracerPid names the tracing thread)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("TracerPid:"):
            tid = int(line.split()[1])
            if tid == 0:
                return 0
            for l2 in Path(f"/proc/{tid}/status").read_text().splitlines():
                if l2.startswith("Tgid:"):
                    return int(l2.split()[1])
            return tid
    return 0


def collect(session, timeout: float = 30) -> list:
    """Every event of a started TraceSession, until the trace ends (fails if it does not)."""
    events: list = []
    deadline = time.monotonic() + timeout
    while not session.finished and time.monotonic() < deadline:
        events.extend(session.drain())
        time.sleep(0.01)
    events.extend(session.drain())
    assert session.finished, "trace did not finish"
    return events


@pytest.fixture(params=["c", "python"])
def tracer_loop(request, monkeypatch) -> str:
    """Run a test under each worker loop: the C capture core and the Python loop.

    The C core must be built here (`pip install .` builds it where gcc exists, and
    the tests need gcc anyway): a missing core fails, it is not skipped.
    """
    monkeypatch.setenv("TRACETUI_LOOP", request.param)
    if request.param == "c":
        from tracer.engine.core import load_core

        assert load_core() is not None, "the C capture core is not built (pip install .)"
    return request.param
