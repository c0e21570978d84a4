"""`tracetui diff`: two runs of real programs compared, as a report and in the explorer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_tracetui
from tracer.diff.command import DiffRequest, DiffSide, compute, diff_request
from tracer.formats.recording import is_recording
from tui.testing import run_async, screen_text, settle

LOGGER = str(ROOT / "examples" / "logger_silent_without_term.py")
WITH_TERM = ["env", "TERM=xterm", sys.executable, LOGGER]
WITHOUT_TERM = ["env", "-u", "TERM", sys.executable, LOGGER]
# Forks and execs two children: pids, addresses and fds change from run to run.
DETERMINISTIC = ["sh", "-c", "ls / >/dev/null; cat /etc/hostname"]


@pytest.fixture(scope="module")
def term_report():
    """The logger traced with TERM set (A) and unset (B)."""
    return compute(DiffRequest([DiffSide(command=WITH_TERM), DiffSide(command=WITHOUT_TERM)]))


def difference_lines(report_text: str) -> list[str]:
    """The lines of the first process pair's differences, in the report's order."""
    lines = report_text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("== ")) + 1
    out = []
    for ln in lines[start:]:
        if not ln.strip():
            break
        out.append(ln)
    return out


def test_the_terminfo_lookups_head_the_report_of_a_run_without_term():
    """The logger that goes silent without TERM: the terminfo files it looked up with
    TERM set, and never without, are the report's first differences."""
    done = run_tracetui("--no-ui", "diff", "--", *WITH_TERM, "--", *WITHOUT_TERM)
    assert done.returncode == 1, done.stderr  # diff(1)'s status: the runs differ
    lines = difference_lines(done.stdout)
    top = lines[:3]
    assert all("terminfo" in ln and "never tried in B" in ln for ln in top), done.stdout
    assert any("/etc/terminfo/x/xterm" in ln for ln in top)
    # The writes the silent run never made are reported too, after the lookups.
    writes = next(i for i, ln in enumerate(lines) if "write(1)" in ln)
    assert writes >= 3 and "×5" in lines[writes]
    # The first divergence is the first lookup, not the start of the programs.
    first = done.stdout.split("first divergence:")[1].splitlines()
    changed = [ln for ln in first if ln.startswith("    A ")]
    assert "/etc/terminfo/" in changed[0]


def test_a_wrapper_run_in_one_side_only_does_not_bury_the_program_s_differences():
    """As a user types it: the program itself against `env -u TERM` and the program.
    env's own calls (its exec, its locale files) are one line, and the program is
    compared from its exec on: the terminfo lookups still head the report."""
    done = run_tracetui("--no-ui", "diff", "--", sys.executable, LOGGER, "--", *WITHOUT_TERM)
    assert done.returncode == 1, done.stderr
    lines = difference_lines(done.stdout)
    top = lines[:3]
    assert all("terminfo" in ln and "never tried in B" in ln for ln in top), done.stdout
    wrapper = [ln for ln in lines if "B ran env first" in ln]
    assert len(wrapper) == 1, done.stdout
    assert not any("/usr/lib/locale" in ln for ln in lines), done.stdout


def test_two_runs_of_a_deterministic_program_do_not_differ(tmp_path: Path):
    """Identical runs give an empty diff although every pid and address differs."""
    request = DiffRequest([DiffSide(command=DETERMINISTIC), DiffSide(command=DETERMINISTIC)])
    report = compute(request)
    assert report.identical, [d.why for d in report.differences]
    assert len(report.pairs) == 3  # sh and its two children, paired through the tree
    for pair in report.pairs:
        assert pair.a.tid != pair.b.tid
        assert len(pair.a.calls) == len(pair.b.calls) > 0

    def mmaps(trace):
        return [c.ret for t in trace.tasks.values() for c in t.calls if c.nr == 9]

    assert mmaps(report.a) != mmaps(report.b)  # ASLR: the addresses did move
    done = run_tracetui("--no-ui", "diff", "-o", str(tmp_path / "r.txt"), "--", *DETERMINISTIC,
                        "--", *DETERMINISTIC)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "No differences" in (tmp_path / "r.txt").read_text()


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_an_strace_log_against_a_session_file(tmp_path: Path):
    """strace's own log of a run and tracetui's recording of another run of the same
    program: no differences; and a real difference (another file) is found."""
    log = tmp_path / "run.log"
    subprocess.run(
        ["strace", "-f", "-o", str(log), *DETERMINISTIC],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    session = tmp_path / "run.db"
    done = run_tracetui("--no-ui", "-w", str(session), "--", *DETERMINISTIC, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    same = run_tracetui("--no-ui", "diff", str(log), str(session))
    assert same.returncode == 0, same.stdout + same.stderr
    assert "No differences" in same.stdout
    assert "(strace log)" in same.stdout and "(recorded)" in same.stdout
    other = tmp_path / "other.db"
    changed = ["sh", "-c", "ls / >/dev/null; cat /etc/hostname /etc/passwd"]
    run_tracetui("--no-ui", "-w", str(other), "--", *changed, cwd=tmp_path)
    differ = run_tracetui("--no-ui", "diff", str(log), str(other))
    assert differ.returncode == 1
    top = difference_lines(differ.stdout)
    assert any('"/etc/passwd"' in ln and "never tried in A" in ln for ln in top), differ.stdout


def test_a_missing_file_is_one_clear_line(tmp_path: Path):
    session = tmp_path / "run.db"
    run_tracetui("--no-ui", "-w", str(session), "true")
    done = run_tracetui("--no-ui", "diff", str(tmp_path / "missing.db"), str(session))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"tracetui: cannot read {tmp_path / 'missing.db'}: no such file"
    ]
    gone = run_tracetui("--no-ui", "diff", "--", "/no/such/prog", "--", "true")
    assert gone.returncode == 2 and "Traceback" not in gone.stderr
    assert len(gone.stderr.splitlines()) == 1 and "/no/such/prog" in gone.stderr


def test_a_program_named_diff_still_runs(tmp_path: Path):
    """`diff` is the subcommand only before `--` or two recordings (or missing files)."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("x\n")
    b.write_text("x\n")
    assert diff_request(["diff", str(a), str(b)], is_recording) is None
    assert diff_request(["diff", "-u", "x", "y"], is_recording) is None
    assert diff_request(["--", "diff", "x", "y"], is_recording) is None
    assert diff_request(["diff", "x", "y"], is_recording) is not None  # missing: ours
    done = run_tracetui("--no-ui", "-e", "trace=execve", "diff", str(a), str(b))
    assert done.returncode == 0
    assert 'execve("/usr/bin/diff"' in done.stderr


@run_async
async def test_enter_on_a_difference_shows_the_call_in_both_traces(term_report):
    """The diff view lists the terminfo lookups first; Enter shows the two traces side
    by side, A's cursor on the lookup, B's where the silent run went on instead."""
    from tui.diff_app import DiffApp
    from tui.screens.detail import SyscallDetailScreen
    from tui.screens.diff_pair import DiffPairScreen

    app = DiffApp(term_report)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "/etc/terminfo/x/xterm" in text and "never tried in B" in text
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DiffPairScreen)
        row_a, row_b = screen.cursor_rows()
        assert "/etc/terminfo/x/xterm" in app.side_a.store.line(row_a)
        d = term_report.differences[0]
        assert row_b == app.side_b.row_of(d.anchor_b) is not None
        assert app.side_b.store.pid(row_b) == d.pair.b.tid
        await pilot.press("n")  # the one occurrence: the cursor stays on it
        assert screen.cursor_rows()[0] == row_a
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SyscallDetailScreen)
        assert "/etc/terminfo/x/xterm" in screen_text(app)
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert app.screen is app.screen_stack[0]
