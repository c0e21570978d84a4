"""Session files: recorded with -w while tracing, read back with -r into the same text."""

from __future__ import annotations

import copy
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui, tracetui_cmd, wait_for

from tracer.formats.session_file import FORMAT_VERSION

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

PROGRAM = r"""
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
static void *worker(void *a) { char b[8]; int fd = open("/etc/hostname", O_RDONLY);
                               read(fd, b, sizeof b); close(fd); return 0; }
int main(void) {
    pthread_t t;
    pthread_create(&t, 0, worker, 0);
    pthread_join(t, 0);
    open("/nonexistent/file", O_RDONLY);
    pid_t c = fork();
    if (c == 0) { execl("/bin/true", "true", (char *)0); _exit(1); }
    int st; waitpid(c, &st, 0);
    raise(SIGUSR1 * 0 + SIGCHLD);
    printf("done\n");
    return 4;
}
"""


def test_a_recorded_session_reads_back_as_the_text_written_live(tmp_path):
    prog = compile_c(PROGRAM, name="session_prog")
    db, live, again = tmp_path / "run.db", tmp_path / "live.txt", tmp_path / "again.txt"
    flags = ["-f", "-tt", "-T", "-y", "-s", "64"]
    proc = run_tracetui("--no-ui", *flags, "-w", str(db), "-o", str(live), str(prog))
    assert proc.returncode == 4, proc.stderr  # the program's status, as without -w
    proc = run_tracetui("--no-ui", *flags, "-r", str(db), "-o", str(again))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr  # a finished recording
    text = live.read_text()
    assert "execve" in text and "+++ exited with 4 +++" in text
    assert again.read_text() == text
    # SQL over the trace, through the documented view.
    rows = sqlite3.connect(db).execute(
        "select name, count(*) from syscalls where errno = 'ENOENT' group by name"
    )
    assert ("openat", 1) in set(rows) or any(n == "openat" for n, _ in rows)
    version = sqlite3.connect(db).execute("select value from meta where key='format_version'")
    assert version.fetchone() == (str(FORMAT_VERSION),)


def test_record_only_writes_no_text_and_r_without_a_session_is_strace_s(tmp_path):
    db = tmp_path / "only.db"
    proc = run_tracetui("--no-ui", "-w", str(db), "true")
    assert proc.returncode == 0 and proc.stderr == ""
    assert sqlite3.connect(db).execute("select count(*) from syscalls").fetchone()[0] > 10
    # strace's -r (relative timestamps) still works: `true` is not a session file.
    proc = run_tracetui("--no-ui", "-r", "-e", "trace=exit_group", "true")
    assert proc.returncode == 0 and "exit_group(0)" in proc.stderr


LOOP = r"""
#include <unistd.h>
int main(void) { for (;;) { getppid(); usleep(200); } }
"""


def _events_in(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("SELECT count(*) FROM event_rows").fetchone()[0]
    except sqlite3.Error:
        return 0


CUT_SHORT = (
    "the recording was cut short (its tracer did not finish it): it ends at its last"
    " saved batch, and stack frames, if any, keep no names"
)


def _killed_recording(tmp_path: Path) -> tuple[Path, int]:
    """A recording whose tracer (and recorder, and program) got SIGKILL mid-run, and the
    events it saved."""
    prog = compile_c(LOOP, name="session_loop")
    db = tmp_path / "killed.db"
    tracer = subprocess.Popen(
        tracetui_cmd("--no-ui", "-w", str(db), str(prog)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # 300: a loop iteration is two calls (getppid, the sleep) and start-up ~30, so
        # at least ~135 getppid are saved. At 200 the 90 the reader is asked for came
        # only from what arrived before the kill: 89 once (Python loop, fresh clone).
        assert wait_for(lambda: _events_in(db) >= 300, timeout=30)
    finally:
        os.killpg(tracer.pid, signal.SIGKILL)  # tracer, its recorder, the program
        tracer.wait()
    return db, _events_in(db)


def test_a_killed_tracer_leaves_a_file_that_reads_to_its_last_batch(tmp_path):
    db, saved = _killed_recording(tmp_path)
    text = tmp_path / "killed.txt"
    proc = run_tracetui("--no-ui", "-r", str(db), "-o", str(text))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"tracetui: {db}: {CUT_SHORT}\n"
    lines = text.read_text().splitlines()
    calls = [line for line in lines if line.startswith("getppid()")]
    assert len(calls) >= 90 and len(lines) >= saved - 2  # every saved event, in text
    assert lines[0].startswith("execve(")


def test_the_explorer_says_a_recording_was_cut_short(tmp_path):
    from tracer.formats.recording import open_recording
    from tui.app import TraceApp
    from tui.recorded import RecordedSession
    from tui.testing import run_async, settle

    db, saved = _killed_recording(tmp_path)
    recording = open_recording(str(db))
    assert recording.cut_short and recording.kind == "recorded, cut short"

    async def go() -> None:
        session = RecordedSession(recording.batches, recording.report())
        app = TraceApp(session, None, "recorded", read_proc=False)
        async with app.run_test(size=(140, 40)) as pilot:
            while not (session.finished and app.trace_ended):
                await pilot.pause(0.01)
            await settle(app, pilot)
            assert app.status.state == "EXITED" and app.status.exit_status is None
            assert app.status.note == f"{db}: {CUT_SHORT}; q quits"
            assert len(app.store) >= saved // 2  # (entry and exit parts merge into rows)

    run_async(go)()


@pytest.mark.parametrize("kind", ["missing", "text", "foreign", "truncated"])
def test_a_bad_session_file_gets_one_line(tmp_path, kind):
    path = tmp_path / "bad.db"
    if kind == "text":
        path.write_text("not a trace\n")
    elif kind == "foreign":
        sqlite3.connect(path).execute("create table t(x)").connection.commit()
    elif kind == "truncated":
        run_tracetui("--no-ui", "-w", str(path), "true")
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    arg = ["--read-session", str(path)] if kind in ("missing", "text") else ["-r", str(path)]
    proc = run_tracetui("--no-ui", *arg)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracetui: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert Path(path).name in lines[0] or "no such file" in lines[0]


def test_the_explorer_reopens_a_recording_with_its_panes_and_filter(tmp_path):
    from tracer.formats.session_file import read_session
    from tui.app import TraceApp
    from tui.recorded import RecordedSession
    from tui.testing import run_async, settle

    prog = compile_c(PROGRAM, name="session_prog")
    db = tmp_path / "run.db"
    assert run_tracetui("--no-ui", "-w", str(db), str(prog)).returncode == 4
    recorded = sum(len(b) for b in read_session(str(db)))

    async def go() -> None:
        session = RecordedSession(read_session(str(db)))
        app = TraceApp(session, None, "recorded", read_proc=False)
        async with app.run_test(size=(140, 40)) as pilot:
            # Nothing runs: the status bar says the file is loading, then how it ended,
            # and q only quits.
            assert app.status.note == "q quits"
            states = set()
            while not (session.finished and app.trace_ended):
                states.add(app.status.state)
                await pilot.pause(0.01)
            await settle(app, pilot)
            assert "RUNNING" not in states and app.status.state == "EXITED"
            assert len(app.store) >= recorded - 20  # (call parts merge into rows)
            assert app.store.ended is not None and app.store.ended.exit_status == 4
            pids = {p.pid for p in app.models.processes.roots()}
            assert pids, "the process tree is rebuilt from the recording"
            app.apply_filter_text("hostname")
            await settle(app, pilot, until=lambda: app.syscall_list.count > 0)
            lines = [app.store.line(r) for r in app.view.rows[: app.syscall_list.count]]
            assert any("/etc/hostname" in x for x in lines)

    run_async(go)()


def test_stack_symbols_are_resolved_when_the_recording_ends(tmp_path):
    """-k with -w: the file names each frame's function and line itself, so it reads
    back on a machine without the binaries (here: the program is deleted first)."""
    import shutil

    src = compile_c(
        r"""
#include <unistd.h>
__attribute__((noinline)) void deep_writer(void) { write(1, "x", 1); }
int main(void) { deep_writer(); return 0; }
""",
        "-g",
        "-O0",
        name="stack_rec",
    )
    prog = tmp_path / "stack_rec"
    shutil.copy(src, prog)
    db = tmp_path / "run.db"
    proc = run_tracetui("--no-ui", "-k", "-w", str(db), str(prog))
    assert proc.returncode == 0, proc.stderr
    prog.unlink()
    out = tmp_path / "again.txt"
    proc = run_tracetui("--no-ui", "-k", "-r", str(db), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    write_at = text.index('write(1, "x", 1)')
    frames = text[write_at:].split("\n+++")[0]
    assert f"{prog}(deep_writer+" in frames, frames
    assert f"{prog}(main+" in frames, frames


def test_a_call_keeps_only_its_own_arguments_in_the_file(tmp_path):
    """Registers past a syscall's arguments are noise nothing shows: not recorded (they
    were half of a getppid's bytes). The text read back is unchanged (test above)."""
    from tracer.formats.session_file import read_session
    from tracer.syscalls.table import get_table

    db = tmp_path / "run.db"
    proc = run_tracetui("--no-ui", "-w", str(db), "/bin/true")
    assert proc.returncode == 0, proc.stderr
    table = get_table()
    calls = [ev for batch in read_session(str(db)) for ev in batch if hasattr(ev, "nr")]
    assert calls
    for c in calls:
        d = table.get(c.nr)
        assert d is None or len(c.args) == d.nargs, (d.name, c.args)


def _store_from(batches: list[list]) -> tuple:
    """A store and the app's models fed `batches` as the app's feed does, and the updates."""
    from tracer.store import EventStore
    from tui.models import Models

    store, models, updates = EventStore(), Models(read_proc=False), []
    for batch in batches:
        update = store.append(batch)
        models.update(store, update)
        updates.append(
            (update.first_new_row, update.count_new, update.changed_rows, list(update.effects))
        )
    return store, models, updates


def _same_store(old, new, blob_numbers: bool = True) -> None:
    """Row by row, column by column: every column, blob, index, stack and event; the lines.
    Without `blob_numbers`, rows need only the same captures, wherever they are kept."""
    columns = ["kinds", "pids", "tids", "nrs", "seqs", "starts", "ends", "durations", "rets"]
    columns += ["errnos", "flags", "path_ix", "row_ids"]
    if blob_numbers:
        columns += ["mem_ix", "fds_ix"]
    for name in columns:
        assert list(getattr(new, name)) == list(getattr(old, name)), name
    for i, (a, b) in enumerate(zip(old.args, new.args, strict=True)):
        assert list(b) == list(a), f"args[{i}]"
    if blob_numbers:
        assert new.blobs == old.blobs
    else:
        for row in range(len(old)):
            assert new.mem_of(row) == old.mem_of(row), row
            assert new.fds_of(row) == old.fds_of(row), row
    assert new.stacks == old.stacks  # (Frames compare by value)
    assert {r: repr(e) for r, e in new.others.items()} == {
        r: repr(e) for r, e in old.others.items()
    }
    for index in ("pid_index", "nr_index", "fd_index"):
        a, b = getattr(old, index), getattr(new, index)
        assert set(b._rows) == set(a._rows), index
        for key in a._rows:
            assert list(b.rows(key)) == list(a.rows(key)), (index, key)
    assert repr(new.ended) == repr(old.ended)
    for row in range(len(old)):
        assert repr(new.event(row)) == repr(old.event(row)), row
        assert new.line(row) == old.line(row), row


@pytest.mark.parametrize("batch", [None, 7])
def test_a_reopened_session_is_the_store_its_events_build(tmp_path, monkeypatch, batch):
    """Reopening reads calls in the store's bulk form (marshal's tuples, no Syscall each):
    the store and the panes' models are those the decoded events build, batch for batch
    (also with tiny batches, so threads' calls cross batch boundaries out of order)."""
    from tracer.formats import session_file
    from tracer.formats.session_file import read_session

    if batch is not None:
        monkeypatch.setattr(session_file, "_ROWS_BATCH", batch)
    prog = compile_c(PROGRAM, name="session_prog")
    db = tmp_path / "run.db"
    proc = run_tracetui("--no-ui", "-f", "-k", "-y", "-w", str(db), str(prog))
    assert proc.returncode == 4, proc.stderr
    types = {t for (t,) in sqlite3.connect(db).execute("select distinct type from events")}
    assert {"syscall", "process_started", "exec", "exited", "signal_delivered"} <= types

    bulk = list(read_session(str(db)).store_rows())
    rows = [x for b in bulk for x in b]
    assert sum(type(x) is tuple for x in rows) > 50, "calls stay tuples"
    assert any(type(x) is tuple and x[11] for x in rows), "with their stacks (-k)"
    events = [ev for b in read_session(str(db)) for ev in b]
    assert len(events) == len(rows)
    cuts = [0]
    for b in bulk:
        cuts.append(cuts[-1] + len(b))
    old_batches = [events[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]

    old, old_models, old_updates = _store_from(old_batches)
    new, new_models, new_updates = _store_from(bulk)
    # The same captures row for row, not necessarily in the same blob slots: in one of
    # about a dozen full-suite runs (2026-12-07) a row's blob was numbered 22 here and
    # 21 from the events (its content equal), not reproduced alone in 22 tries; the
    # thread's calls of this program interleave differently from run to run.
    _same_store(old, new, blob_numbers=False)
    assert new_updates == old_updates
    assert new_models.process_rows() == old_models.process_rows()
    assert new_models.error_rows() == old_models.error_rows()
    for pid in {p for p in old.pids}:
        assert new_models.fd_rows(pid) == old_models.fd_rows(pid), pid


LOOPS = r"""
#include <fcntl.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
static void files(int n) { char b[8];
    for (int i = 0; i < n; i++) { int fd = open("/etc/hostname", O_RDONLY);
                                  read(fd, b, sizeof b); close(fd); } }
static void *worker(void *a) { for (int i = 0; i < 300; i++) getppid(); files(20); return 0; }
int main(void) {
    pthread_t t;
    files(200);
    pthread_create(&t, 0, worker, 0);
    files(100);
    pthread_join(t, 0);
    open("/nonexistent/file", O_RDONLY);
    pid_t c = fork();
    if (c == 0) { files(50); execl("/bin/true", "true", (char *)0); _exit(1); }
    int st; waitpid(c, &st, 0);
    files(200);
    return 0;
}
"""


@pytest.mark.parametrize("min_chunk,read_batch,take", [(64, 512, None), (2, 97, 37)])
def test_a_session_read_by_its_reader_process_is_the_store_its_events_build(
    tmp_path, monkeypatch, min_chunk, read_batch, take
):
    """Reopened in the explorer, a file is read by a process of its own that hands the
    store runs of calls as ready-made columns: the store, its indexes and the panes'
    models (the fd tables built only when read) are those the events build, batch for
    batch; also with tiny chunks cut across messages (of two readers taking turns) and
    taken a few at a time, so threads' and processes' events land between chunks and
    inside them."""
    from tracer.formats import session_reader
    from tracer.formats.session_file import read_session
    from tracer.store import EventStore
    from tracer.store.call_columns import CallColumns
    from tui.models import Models
    from tui.recorded import RecordedSession

    monkeypatch.setattr(session_reader, "MIN_CHUNK", min_chunk)  # (the fork inherits them)
    monkeypatch.setattr(session_reader, "READ_BATCH", read_batch)
    prog = compile_c(LOOPS, "-pthread", name="session_loops")
    db = tmp_path / "run.db"
    proc = run_tracetui("--no-ui", "-f", "-y", "-w", str(db), str(prog))
    assert proc.returncode == 0, proc.stderr

    n_ids = sqlite3.connect(db).execute("select max(id) - min(id) from events").fetchone()[0]
    assert (n_ids - read_batch >= 4 * read_batch) == (read_batch < 512)  # two readers, or one
    session = RecordedSession(read_session(str(db)))
    new, new_models, new_updates = EventStore(), Models(read_proc=False), []
    new_models.defer_fds()
    taken: list[int] = []  # events per batch, chunks counted as their calls
    chunks = 0
    while not session.finished:
        batch = session.drain(take or 10_000)
        chunks += sum(type(x) is CallColumns for x in batch)
        taken.append(batch.events)
        update = new.append(batch)
        new_models.update(new, update)
        new_updates.append(
            (update.first_new_row, update.count_new, update.changed_rows, list(update.effects))
        )
    assert chunks >= 2, "runs of calls come as columns"
    assert new_models.fds.pending, "the fd tables wait until read"

    events = [ev for b in read_session(str(db)) for ev in b]
    assert sum(taken) == len(events)
    cuts = [0]
    for n in taken:
        cuts.append(cuts[-1] + n)
    old, old_models, old_updates = _store_from(
        [events[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    )
    _same_store(old, new, blob_numbers=False)
    assert new_updates == old_updates
    assert new_models.process_rows() == old_models.process_rows()
    assert new_models.error_rows() == old_models.error_rows()
    for pid in set(old.pids):
        assert new_models.fd_rows(pid) == old_models.fd_rows(pid), pid
    assert not new_models.fds.pending


def test_an_event_that_belongs_inside_a_chunk_of_columns_is_stored_in_time_order(
    tmp_path, monkeypatch
):
    """A batch where something started between a chunk's first and last calls (a batch
    of the app that joins two of the reader's messages out of order): the chunk is taken
    back to calls and the rows stand in time order, as the events alone would give."""
    from tracer.formats import session_reader
    from tracer.formats.session_file import read_session
    from tracer.store import EventStore
    from tracer.store.call_columns import CallColumns

    monkeypatch.setattr(session_reader, "MIN_CHUNK", 8)
    monkeypatch.setattr(session_reader, "READ_BATCH", 256)  # (the first batch is read in-process)
    prog = compile_c(LOOPS, "-pthread", name="session_loops")
    db = tmp_path / "run.db"
    assert run_tracetui("--no-ui", "-f", "-y", "-w", str(db), str(prog)).returncode == 0
    items = [x for b in read_session(str(db)).store_columns() for x in b]
    events = [ev for b in read_session(str(db)) for ev in b]
    at = next(i for i, x in enumerate(items) if type(x) is CallColumns)
    chunk = items[at]
    first = sum(x.count if type(x) is CallColumns else 1 for x in items[:at])
    calls = events[first : first + chunk.count]
    assert [c.seq for c in calls] == list(chunk.seqs)
    late = copy.copy(calls[len(calls) // 2])  # again, after the chunk: its place is inside

    old, new = EventStore(), EventStore()
    old.append([*events[:first]])
    new.append(items[:at])
    old_update = old.append([*calls, late])
    new_update = new.append([chunk, late])
    _same_store(old, new, blob_numbers=False)
    assert list(new_update.effects) == list(old_update.effects)
    assert new.seqs[first + len(calls) // 2 + 1] == late.seq  # beside its twin, in time order


def test_leaving_the_explorer_while_a_file_loads_ends_its_reader_processes(tmp_path, monkeypatch):
    """q while a large file is still being read: the session's stop ends the reader
    processes at once (none is left writing to a pipe nobody reads)."""
    import os

    from tracer.formats import session_reader
    from tracer.formats.session_file import read_session
    from tui.recorded import RecordedSession

    monkeypatch.setattr(session_reader, "READ_BATCH", 50)
    monkeypatch.setattr(session_reader, "AHEAD", 2)
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    prog = compile_c(LOOPS, "-pthread", name="session_loops")
    db = tmp_path / "run.db"
    assert run_tracetui("--no-ui", "-f", "-w", str(db), str(prog)).returncode == 0
    session = RecordedSession(read_session(str(db)))
    assert len(session.drain(100)) and not session.finished
    assert not forked  # from the second drain on: after the first screen is painted
    session.drain(100)
    assert len(forked) == 2
    session.stop()
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped: gone
