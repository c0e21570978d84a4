"""strace's own logs read with `-r`: the same calls tracetui traces itself, in the explorer
and converted; what cannot be read is counted and said in one line."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui

from tracer.events import Exited, Resumed, Syscall, Unfinished
from tracer.formats.strace_log import StraceImport, log_files
from tracer.formats.strace_text import PREFIX_FILE, StraceTextWriter
from tracer.syscalls.render import RenderContext, render
from tui.testing import run_async, settle

pytestmark = [
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed"),
    pytest.mark.timeout(120),
]

# strace's option sets (each also writes -o FILE; -ff writes FILE.PID files).
OPTION_SETS = {
    "f_tt_T_y": ["-f", "-tt", "-T", "-y"],
    "ff": ["-ff"],
    "f_k": ["-f", "-k"],
    # To a terminal: `[pid N]` only while several tasks run, and strace's note on a new
    # task written into the middle of the line it cuts.
    "f_stderr": ["-f", "--stderr"],
}
FORK_LIKE = {"clone", "clone3", "fork", "vfork"}
RETURNS_PID = FORK_LIKE | {"wait4", "waitid", "getpid", "gettid", "getppid", "getpgid"}
RETURNS_PID |= {"set_tid_address", "getpgrp", "getsid", "setsid"}


def strace(tmp_path: Path, prog: Path, options: list[str], name: str = "strace.log") -> Path:
    """Run `prog` under strace in a scratch directory; the log (for -ff: its prefix)."""
    work = tmp_path / f"work-{name}"
    work.mkdir()
    log = tmp_path / name
    if "--stderr" in options:  # (not strace's: its output left on stderr, to the log)
        options = [o for o in options if o != "--stderr"]
        with open(log, "w") as err:
            subprocess.run(
                ["strace", *options, str(prog)],
                cwd=work,
                stdout=subprocess.DEVNULL,
                stderr=err,
                timeout=60,
            )
        return log
    subprocess.run(
        ["strace", *options, "-o", str(log), str(prog)],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )
    return log


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def imported(tmp_path: Path, log: Path, *extra: str) -> tuple[list[dict], str]:
    out = tmp_path / "imported.jsonl"
    proc = run_tracetui("--no-ui", "-r", str(log), "--format", "jsonl", "-o", str(out), *extra)
    assert proc.returncode == 0, proc.stderr
    return jsonl(out), proc.stderr


_own_traces: dict[str, list[dict]] = {}


def own_trace(tmp_path: Path, program: str) -> list[dict]:
    """tracetui's own trace of a corpus program (once per program)."""
    if program not in _own_traces:
        work = tmp_path / "work-own"
        work.mkdir()
        out = tmp_path / "own.jsonl"
        prog = compile_c(f"{program}.c")
        proc = run_tracetui(
            "--no-ui", "-y", "--format", "jsonl", "-o", str(out), str(prog), cwd=work
        )
        assert out.exists(), proc.stderr
        _own_traces[program] = jsonl(out)
    return _own_traces[program]


def calls_by_task(events: list[dict]) -> dict[str, list[tuple]]:
    """Each task's calls as (name, result), tasks and pids numbered in the order the
    fork-like calls made them, addresses and other run-to-run values masked."""
    calls = [e for e in events if e.get("type") == "syscall"]
    order = {calls[0]["tid"]: 0} if calls else {}
    for e in calls:
        if e["name"] in FORK_LIKE and (e["ret"] or 0) > 0:
            order.setdefault(e["ret"], len(order))
    tasks: dict[str, list[tuple]] = {}
    for e in calls:
        ret = e["ret"]
        if ret is None:
            result = "?"
        elif e.get("errno"):
            result = e["errno"]
        elif e["name"] in RETURNS_PID and ret in order:
            result = f"T{order[ret]}"
        elif e["name"] in RETURNS_PID and ret > 1:
            result = "a pid outside the trace"
        elif abs(ret) > 0xFFFF:
            result = "an address"
        elif e["name"] == "getcwd":
            result = "the length of a scratch directory's path"
        else:
            result = ret
        task = f"P{order.get(e['pid'])} T{order.get(e['tid'])}"
        tasks.setdefault(task, []).append((e["name"], result))
    return tasks


@pytest.mark.parametrize("option_set", sorted(OPTION_SETS))
@pytest.mark.parametrize("program", ["process", "threads", "children_signals"])
def test_an_imported_log_gives_the_calls_tracetui_traces(tmp_path, program, option_set):
    """A user imports strace's log of a program and sees the same calls, processes and
    results as tracetui's own trace of it."""
    options = OPTION_SETS[option_set]
    log = strace(tmp_path, compile_c(f"{program}.c"), options)
    events, stderr = imported(tmp_path, log)
    assert "not understood" not in stderr and stderr.startswith("tracetui: imported "), stderr
    got, want = calls_by_task(events), calls_by_task(own_trace(tmp_path, program))
    assert got.keys() == want.keys()
    for task, calls in want.items():
        assert got[task] == calls, task
    syscalls = [e for e in events if e.get("type") == "syscall"]
    if "-k" in options:
        assert sum(bool(e.get("stack")) for e in syscalls) > len(syscalls) * 0.9
        assert any(f["function"] == "main" for e in syscalls for f in e.get("stack", ()))
    if "-y" in options:
        assert any(v.endswith("libc.so.6") for e in syscalls for v in e.get("fds", {}).values())
    if "-T" in options:
        assert any(e["duration"] > 0 for e in syscalls)
        starts = [e["start"] for e in syscalls]
        assert max(starts) - min(starts) < 60 and len(set(starts)) > len(starts) // 2
    kinds = {e["type"] for e in events}
    assert {"process_started", "exec", "exited", "end"} <= kinds


LOG = """\
100   openat(AT_FDCWD</home>, "/etc/hostname", O_RDONLY <unfinished ...>
101   read(3</etc/passwd>,  <unfinished ...>
100   <... openat resumed>) = 4</etc/hostname>
101   <... read resumed>"root:x", 6) = 6
100   openat(AT_FDCWD</home>, "/nonexistent", O_RDONLY) = -1 ENOENT (No such file or directory)
101   read(3</etc/passwd>,  <unfinished ...>
100   +++ exited with 0 +++
101   <... read resumed> <unfinished ...>) = ?
101   +++ killed by SIGKILL +++
"""


def test_unfinished_and_resumed_lines_are_one_call(tmp_path):
    """`<unfinished ...>` and its `<... resumed>` become one call, shown whole in the
    explorer and printed back as strace printed them."""
    path = tmp_path / "two.log"
    path.write_text(LOG)
    events = [e for batch in StraceImport(log_files(str(path))).batches() for e in batch]
    parts = [e for e in events if type(e) in (Unfinished, Resumed, Syscall)]
    assert [type(e) for e in parts] == [Unfinished, Unfinished, Resumed, Resumed, Syscall] + [
        Unfinished,
        Resumed,
    ]
    opened, read = parts[0].call, parts[1].call
    assert parts[2].call is opened and parts[3].call is read
    ctx = RenderContext()
    r = render(opened, ctx)
    assert [a.text for a in r.args] == ["AT_FDCWD</home>", '"/etc/hostname"', "O_RDONLY"]
    assert r.ret == "4</etc/hostname>" and opened.ret == 4
    assert opened.fds == {-100: "/home", 4: "/etc/hostname"}
    assert [a.kind for a in r.args] == ["fd", "path", "flags"]
    r = render(read, ctx)
    assert [(a.text, a.at_exit) for a in r.args] == [
        ("3</etc/passwd>", False),
        ('"root:x"', True),
        ("6", True),
    ]
    failed = parts[4]
    assert failed.error == 2 and failed.ret == -2  # as the kernel returned it
    cut = parts[6].call
    assert cut.no_return and cut.ret is None
    killed = [e for e in events if type(e) is Exited]
    assert [(e.tid, e.code, e.signal) for e in killed] == [(100, 0, None), (101, None, 9)]
    # Written back: strace's lines (its padding aside).
    out = io.StringIO()
    StraceTextWriter(out, ctx, PREFIX_FILE).write(events)
    squeeze = [" ".join(line.split()) for line in LOG.splitlines()]
    assert [" ".join(line.split()) for line in out.getvalue().splitlines()] == squeeze


def test_lines_not_understood_are_counted_and_reported(tmp_path):
    """A log with the program's own output mixed in: every call is imported, and one
    line at the end says how many lines were not understood and where the first is."""
    path = tmp_path / "mixed.log"
    lines = LOG.splitlines()
    lines[3:3] = ["hello from the program", 'openat(AT_FDCWD, "/x", O_RDONLY']
    lines.append("\x00\x01 binary noise")
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.txt"
    proc = run_tracetui("--no-ui", "-r", str(path), "-o", str(out))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"tracetui: imported 4 calls from {path}; 3 lines not understood (first at line 4)"
    ]
    text = out.read_text()
    assert "/nonexistent" in text and "+++ killed by SIGKILL +++" in text


@pytest.mark.parametrize("kind", ["truncated", "foreign", "binary"])
def test_a_damaged_or_foreign_file_gets_one_line(tmp_path, kind):
    path = tmp_path / "bad.log"
    if kind == "truncated":
        log = strace(tmp_path, compile_c("process.c"), ["-f", "-y"])
        data = log.read_text()
        path.write_text(data[: data.index(" = ", len(data) // 2) + 4])  # cut mid-line
    elif kind == "foreign":
        path.write_text("# notes\nnothing strace would write\n")
    else:
        path.write_bytes(bytes(range(256)) * 4)
    proc = run_tracetui("--no-ui", "-r", str(path), "-o", str(tmp_path / "out.txt"))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracetui: ") and str(path) in lines[0]
    if kind == "truncated":
        assert "1 line not understood" in lines[0]
    else:
        assert "neither a tracetui session file nor an strace log" in lines[0]


def test_a_prefix_reads_every_file_of_strace_ff(tmp_path):
    """`-r PREFIX` after `strace -ff -o PREFIX`: one trace, each file's pid from its name."""
    prefix = strace(tmp_path, compile_c("process.c"), ["-ff", "-ttt"], name="run")
    files = sorted(tmp_path.glob("run.*"))
    assert len(files) >= 4 and not prefix.exists()
    events, stderr = imported(tmp_path, prefix)
    pids = {int(f.suffix[1:]) for f in files}
    assert {e["pid"] for e in events if e.get("type") == "syscall"} == pids
    starts = [e["start"] for e in events if e.get("type") == "syscall"]
    assert starts == sorted(starts)  # merged by time
    assert f"from {prefix}" in stderr


PROGRAM = r"""
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    char b[8];
    int fd = open("/etc/hostname", O_RDONLY);
    read(fd, b, sizeof b);
    close(fd);
    open("/nonexistent/file", O_RDONLY);
    pid_t c = fork();
    if (c == 0) { open("/nonexistent/child", O_RDONLY); _exit(3); }
    int st; waitpid(c, &st, 0);
    return 0;
}
"""


@run_async
async def test_the_explorer_shows_an_imported_log_with_its_panes_and_filters(tmp_path):
    """`tracetui -r strace.log`: the list, the process tree, the files and errors panes,
    and the filter's name:, errno:, fd: and path: terms work on strace's text."""
    from tracer.formats.recording import open_recording
    from tui.app import TraceApp
    from tui.recorded import RecordedSession

    log = strace(tmp_path, compile_c(PROGRAM, name="import_prog"), ["-f", "-tt", "-T", "-y"])
    recording = open_recording(str(log))
    session = RecordedSession(recording.batches)
    app = TraceApp(session, None, "strace log", read_proc=False)

    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot, until=lambda: session.finished and app.trace_ended)
        processes = app.models.process_rows()
        assert [(p.depth, p.state) for p in processes] == [(0, "exited 0"), (1, "exited 3")]
        errors = {(e.syscall, e.errno, e.path) for e in app.models.error_rows()}
        assert ("openat", "ENOENT", "/nonexistent/file") in errors
        assert ("openat", "ENOENT", "/nonexistent/child") in errors
        files = app.models.fd_rows(processes[0].pid)
        assert any(f.target == "/etc/hostname" and f.created_by.startswith("openat") for f in files)

        async def shown(text: str) -> list[str]:
            app.apply_filter_text(text)
            await settle(app, pilot, until=lambda: not app.view.awaiting)
            return [app.store.line(r) for r in app.view.rows[: app.syscall_list.count]]

        lines = await shown("name:openat errno:ENOENT")
        assert len(lines) == 2 and all("ENOENT" in x and x.startswith("openat(") for x in lines)
        lines = await shown("name:read fd:3")
        assert all(x.startswith("read(3<") for x in lines)
        assert 'read(3</etc/hostname>, "' in lines[-1]
        lines = await shown("path:hostname -name:read")
        assert {x.split("(")[0] for x in lines} == {"openat", "close"}
        lines = await shown("err pid:" + str(processes[1].pid))
        assert len(lines) == 1 and '"/nonexistent/child"' in lines[0]
        assert lines[0].endswith("= -1 ENOENT (No such file or directory)")
        assert recording.report() == f"imported {recording.imported.calls} calls from {log}"
