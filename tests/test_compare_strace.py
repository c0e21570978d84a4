"""Decoding-quality gate: tracetui's strace-style output agrees with strace's.

Runs bench/compare_strace.py on a small, fast subset of its corpus (C programs
from tests/programs and a shell pipeline), each traced by strace and by
`python -m tracer.cli --no-ui`, and asserts the agreement targets. Two checks
of the harness itself come first: strace against strace must agree exactly,
and a single corrupted event must be noticed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUBSET = ["file_ops", "process", "signals", "net_tcp", "poll_epoll", "threads", "sh_pipe"]

pytestmark = [
    pytest.mark.usefixtures("tracer_loop"),
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed"),
    pytest.mark.timeout(120),
]


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location(
        "compare_strace", REPO / "bench" / "compare_strace.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_strace"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


def test_strace_against_itself_agrees_exactly(harness):
    """Normalisation removes run-to-run noise: two strace runs compare as (nearly) identical.

    A loaded machine can still change a timing-dependent value or two between runs,
    so a tiny tolerance; a normalisation bug shows up as far more than that.
    """
    deterministic = [name for name in SUBSET if name != "sh_pipe"]  # sh's SIGCHLD may race
    totals, per_case = harness.run_corpus(harness.select_cases(deterministic), "strace", None)
    assert totals.reference > 300
    ratios = totals.ratios()
    off = {name: s.problems for name, s in totals.by_name.items() if s.problems}
    # Whether a child ends before its parent enters wait4 (one call) or during it
    # (`<unfinished ...>` then `<... resumed>`), and where its SIGCHLD lands (the next
    # fork may be restarted), can still change between two runs under load: `process`
    # once differed so in one wait4 of 147 events (a full suite run; reproduced with two
    # CPU hogs, 2-vCPU AMD EPYC VM). That race may account for a few differences in the
    # calls it touches, never for anything else.
    racy = {"---SIGCHLD", "rt_sigreturn", "clone", "vfork", "wait4", "restart_syscall"}
    if off and off.keys() <= racy:
        assert sum(off.values()) <= 8, (off, per_case)
    else:
        assert ratios["coverage"] == 1.0 and ratios["returns"] == 1.0, (off, per_case)
    assert ratios["args"] >= 0.995, per_case


def test_a_single_wrong_return_value_is_noticed(harness, tmp_path):
    """The comparison is not blind: corrupting one event lowers the returns ratio."""
    [case] = harness.select_cases(["file_ops"])
    out = tmp_path / "file_ops.strace"
    subprocess.run(
        ["strace", "-f", "-y", "-s", "64", "-o", str(out), *case.argv],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )
    reference = harness.normalise(harness.parse_trace(out.read_text()))
    candidate = list(reference)
    index = next(i for i, e in enumerate(candidate) if e.name == "openat" and "ENOENT" in e.ret)
    wrong = candidate[index]
    candidate[index] = harness.Event(wrong.pid, wrong.name, wrong.args, "3", wrong.line)
    del candidate[index + 1]
    totals = harness.Totals()
    harness.compare(reference, candidate, totals, "file_ops")
    ratios = totals.ratios()
    assert ratios["coverage"] == (len(reference) - 1) / len(reference)
    assert ratios["returns"] == (totals.matched - 1) / totals.matched
    assert ratios["args"] == 1.0


def test_tracetui_decodes_like_strace(harness):
    """The regression gate: coverage, return values and arguments meet the targets."""
    totals, per_case = harness.run_corpus(harness.select_cases(SUBSET), "tracetui", None)
    ratios = totals.ratios()
    report = harness.report_text(totals, per_case, "tracetui")
    for key, target in harness.TARGETS.items():
        assert ratios[key] >= target, report
