"""strace's call summary headless (-c, -C, -S, -U, -O): the table's layout is
strace's, and its call and error counts are strace's own on the same program.

Times differ by nature (strace counts system CPU time, tracetui entry-to-exit
latency), so they are never compared; counts are, per syscall name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, compile_c, run_tracetui, tracer_of, tracetui_cmd, wait_for

from tracer.summary import CallStats, SummaryOptions, format_table
from tracer.summary.table import parse_columns, parse_overhead
from tracer.syscalls.table import get_table

pytestmark = [
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
    pytest.mark.timeout(120),
]

HEADER = "% time     seconds  usecs/call     calls    errors syscall"
ENV = dict(os.environ, PATH="/usr/local/bin:/usr/bin:/bin", LC_ALL="C")


def parse_table(text: str) -> tuple[list[str], dict[str, tuple[int, int]], tuple[int, int]]:
    """(lines of the table, name -> (calls, errors), the total row's (calls, errors)),
    for the default columns; the table is the last one in `text`."""
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if line == HEADER)
    table = lines[start:]
    assert set(table[1]) == {"-", " "} and table[-2] == table[1], table
    counts = {}
    for line in table[2:-2]:
        calls, errors = line[31:40].strip(), line[41:50].strip()
        counts[line[51:]] = (int(calls), int(errors or 0))
    total = table[-1]
    assert total.endswith(" total")
    return table, counts, (int(total[31:40]), int(total[41:50].strip() or 0))


def strace_counts(argv: list[str], cwd: Path) -> dict[str, tuple[int, int]]:
    out = cwd / "strace.txt"
    subprocess.run(
        ["strace", "-f", "-c", "-o", str(out), *argv],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    return parse_table(out.read_text())[1]


def tracetui_summary(argv: list[str], cwd: Path, *options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=ENV["PATH"], LC_ALL="C", PYTHONPATH=str(ROOT))
    return subprocess.run(
        tracetui_cmd("--no-ui", *options, *argv),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,  # as under strace above: ls asks its stdout's size
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )


def scratch(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    d.mkdir()
    return d


@pytest.mark.parametrize("program", ["file_ops.c", "memory.c", "misc.c", "process.c", "ls"])
def test_summary_counts_every_call_and_error_as_strace_c_does(tmp_path, program, tracer_loop):
    """`tracetui --no-ui -c PROG` prints only the table, and each syscall's calls and
    errors are what `strace -f -c PROG` counts on the same program (either loop)."""
    argv = ["ls", "-la", "/"] if program == "ls" else [str(compile_c(program))]
    theirs = strace_counts(argv, scratch(tmp_path, "strace"))
    proc = tracetui_summary(argv, scratch(tmp_path, "tracetui"), "-c")
    assert proc.returncode == 0, proc.stderr
    table, ours, total = parse_table(proc.stderr)
    assert proc.stderr.splitlines()[0] == HEADER, "nothing but the table"
    assert ours == theirs
    assert total == (sum(c for c, _ in ours.values()), sum(e for _, e in ours.values()))


def test_summary_table_is_laid_out_as_strace_prints_it():
    """The layout, for fixed numbers: widths, the blank zero error count, the order by
    time (ties in syscall number order), the total row's average."""
    table = get_table()
    nr = table.number
    by_nr = {
        nr("read"): CallStats(10, 0, 2_500_000, 100_000, 900_000),
        nr("openat"): CallStats(4, 3, 7_500_000, 1_000_000, 3_000_000),
        nr("close"): CallStats(1, 0, 0, 0, 0),
        nr("write"): CallStats(2, 0, 0, 0, 0),
    }
    assert format_table(by_nr, table.name) == (
        f"{HEADER}\n"
        "------ ----------- ----------- --------- --------- ----------------\n"
        " 75.00    0.007500        1875         4         3 openat\n"
        " 25.00    0.002500         250        10           read\n"
        "  0.00    0.000000           0         2           write\n"
        "  0.00    0.000000           0         1           close\n"
        "------ ----------- ----------- --------- --------- ----------------\n"
        "100.00    0.010000         588        17         3 total\n"
    )
    options = SummaryOptions(sort_by="calls", columns=parse_columns("calls,max-time,min-time"))
    assert format_table(by_nr, table.name, options).splitlines()[:3] == [
        "    calls  longest shortest syscall",
        "--------- -------- -------- ----------------",
        "       10 0.000900 0.000100 read",
    ]
    assert format_table({}, table.name) == ""
    assert parse_overhead("1.5ms") == 1_500_000 and parse_overhead("20") == 20_000


def test_C_prints_the_trace_then_the_table_in_the_output_file(tmp_path):
    """-C -o FILE: the trace as usual, and the table after its last line."""
    out = tmp_path / "trace.txt"
    proc = run_tracetui("--no-ui", "-C", "-o", str(out), "/bin/true")
    assert proc.returncode == 0 and proc.stderr == ""
    text = out.read_text()
    head, _, _ = text.partition(HEADER)
    assert "execve(" in head and head.rstrip().endswith("+++ exited with 0 +++")
    _, counts, _ = parse_table(text)
    assert counts["execve"] == (1, 0)
    assert sum(1 for line in head.splitlines() if "execve(" in line) == 1


def test_sort_and_columns_options_change_the_table(tmp_path):
    """-S calls orders by calls (most first); -S name by name; -U picks the columns and
    adds the name last; strace's refusals are ours."""
    exe = str(compile_c("file_ops.c"))
    proc = tracetui_summary([exe], scratch(tmp_path, "a"), "-c", "-S", "calls")
    _, counts, _ = parse_table(proc.stderr)
    calls = [c for c, _ in counts.values()]
    assert calls == sorted(calls, reverse=True) and len(calls) > 5
    proc = tracetui_summary([exe], scratch(tmp_path, "b"), "-c", "-S", "name")
    _, counts, _ = parse_table(proc.stderr)
    assert list(counts) == sorted(counts)
    proc = tracetui_summary([exe], scratch(tmp_path, "c"), "-c", "-U", "errors,calls", "-O", "1s")
    lines = proc.stderr.splitlines()
    assert lines[0] == "   errors     calls syscall"
    assert lines[-1].split() == [str(sum(e for _, e in counts.values())), str(sum(c for c, _ in counts.values())), "total"]  # fmt: skip
    for args, message in [
        (["-c", "-C"], "-c/--summary-only and -C/--summary are mutually exclusive"),
        (["-U", "calls"], "-U/--summary-columns must be given with"),
        (["-c", "-S", "size"], "invalid sortby: 'size'"),
        (["-c", "-ff", "-o", str(tmp_path / "x")], "-ff/--output-separately are mutually"),
    ]:
        proc = run_tracetui("--no-ui", *args, "/bin/true")
        assert proc.returncode == 1 and message in proc.stderr, (args, proc.stderr)


def test_ctrl_c_on_an_attached_program_detaches_and_prints_the_table(tmp_path):
    """Attached with -C, Ctrl-C (SIGINT) detaches: the table of what was seen follows."""
    program = subprocess.Popen(
        [sys.executable, "-c", "import os, time\nwhile True:\n    time.sleep(0.01); os.getppid()"]
    )
    out = tmp_path / "trace.txt"
    tracer = subprocess.Popen(
        tracetui_cmd(
            "--no-ui", "-C", "-e", "trace=getppid", "-o", str(out), "-p", str(program.pid)
        ),
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    try:
        assert wait_for(lambda: out.exists() and "getppid()" in out.read_text(), timeout=30)
        tracer.send_signal(signal.SIGINT)
        assert tracer.wait(30) == 128 + signal.SIGINT
        assert tracer_of(program.pid) == 0 and program.poll() is None
        text = out.read_text()
        _, counts, _ = parse_table(text)
        lines = text.partition(HEADER)[0].splitlines()
        assert counts == {"getppid": (sum("getppid()" in line for line in lines), 0)}
    finally:
        program.kill()
        program.wait()
        if tracer.poll() is None:
            tracer.kill()


def test_app_summary_from_store_columns_matches_the_headless_count(tmp_path):
    """The app's summary, updated batch by batch from the store's columns while calls
    of several threads are still in progress, ends with the headless writer's counts."""
    from conftest import collect

    from tracer.options import TraceOptions
    from tracer.session import TraceSession
    from tracer.store import EventStore
    from tracer.summary import SyscallCounts
    from tracer.summary.store_summary import StoreSummary

    session = TraceSession(TraceOptions(command=[str(compile_c("threads.c"))]))
    session.start()
    events = collect(session)
    table = get_table()
    headless = SyscallCounts(known=table.by_nr.__contains__)
    headless.feed(events)
    store = EventStore()
    summary = StoreSummary(store)
    for i in range(0, len(events), 7):  # small batches: calls return batches later
        store.append(events[i : i + 7])
        summary.update()
    assert any(type(e).__name__ == "Resumed" for e in events), "calls interleaved"
    got = {n: (s.calls, s.errors) for n, s in summary.by_nr.items()}
    assert got == {n: (s.calls, s.errors) for n, s in headless.by_nr.items()}
    for n, s in summary.by_nr.items():  # float32 durations in the store: close, not equal
        assert abs(s.total_ns - headless.by_nr[n].total_ns) <= 1000 + s.total_ns // 1000
