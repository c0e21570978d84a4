"""The session file's format: each value stored once, and the versions it reads."""

from __future__ import annotations

import marshal
import sqlite3
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

FILE_LOOP = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    char b[256];
    for (int i = 0; i < atoi(argv[1]); i++) {
        int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        read(fd, b, sizeof b);
        close(fd);
    }
    return 0;
}
"""


def _record(tmp_path: Path, *flags: str) -> tuple[Path, Path]:
    """An open/read/close loop recorded with -w, and the text -o wrote beside it."""
    prog = compile_c(FILE_LOOP, name="session_file_loop")
    db, live = tmp_path / "run.db", tmp_path / "live.txt"
    proc = run_tracetui("--no-ui", *flags, "-w", str(db), "-o", str(live), str(prog), "3000")
    assert proc.returncode == 0, proc.stderr
    return db, live


def test_a_call_stores_each_value_once_and_the_file_stays_small(tmp_path):
    """What the columns hold (ids, times, pid, tid, number, result) is not in `raw` again,
    and the times come back to the bit from the columns, so no ordinary call needs them
    in `raw` (rounded as `int(t * 1e9)`, 7% did): the loop's recording takes at most the
    150 bytes an event the issue allows (format 1 took 171)."""
    from tracer.formats.session_rows import CALL_REST

    db, _ = _record(tmp_path)
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # (the file as it stays)
    rows = con.execute(
        "SELECT e.raw FROM event_rows e"
        " JOIN event_types t ON t.code = e.type"
        " WHERE t.type IN ('syscall', 'unfinished', 'resumed')"
    ).fetchall()
    assert len(rows) > 9000
    longer = []
    for (raw,) in rows:
        rest = marshal.loads(raw)
        if len(rest) != len(CALL_REST):
            longer.append(rest)
            continue
        seq, args, _error, _mem, _fds, _stack, _done, no_return = rest
        assert type(seq) is int and type(args) is tuple and not no_return
    # Only exit_group (it ends at time 0: no duration gives that back) keeps its times.
    assert [rest[len(CALL_REST) - 1] for rest in longer] == [True]
    events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    assert db.stat().st_size / events <= 150


def test_the_views_name_types_and_syscalls_in_stream_order(tmp_path):
    """SQL users see words, as in format 1: `events` and `syscalls` join the codes."""
    db, live = _record(tmp_path)
    con = sqlite3.connect(db)
    ids = [i for (i,) in con.execute("SELECT id FROM events")]
    assert ids == sorted(ids) and len(ids) > 9000
    types = dict(con.execute("SELECT type, count(*) FROM events GROUP BY type"))
    assert types["syscall"] > 9000 and types["exec"] == 1 and types["exited"] == 1
    names = dict(con.execute("SELECT name, count(*) FROM syscalls GROUP BY name"))
    assert names["openat"] >= 3000 and names["read"] >= 3000 and names["close"] >= 3000
    calls = con.execute("SELECT name, ret, args FROM syscalls").fetchall()
    assert len(calls) == sum(1 for line in live.read_text().splitlines() if " = " in line)
    assert any(n == "openat" and a.startswith('AT_FDCWD, "/etc/hostname"') for n, _, a in calls)


def test_a_format_1_file_reads_back_as_the_text_written_live(tmp_path):
    """Files written before format 2 (every event whole in `raw`, next to the columns)
    still open: one is made of a recording's events as format 1 stored them."""
    from tracer.formats.session_file import event_blob, read_session

    flags = ("-f", "-tt", "-T", "-y", "-s", "64")
    db, live = _record(tmp_path, *flags)
    old = tmp_path / "old.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(old)
    dst.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE events(id INTEGER PRIMARY KEY, type TEXT, pid INTEGER, tid INTEGER,"
        " nr INTEGER, name TEXT, start_ns INTEGER, dur_ns INTEGER, ret INTEGER,"
        " errno TEXT, args TEXT, raw BLOB NOT NULL);"
    )
    meta = dict(src.execute("SELECT key, value FROM meta"))
    dst.executemany("INSERT INTO meta VALUES (?, ?)", {**meta, "format_version": "1"}.items())
    events = [ev for batch in read_session(str(db)) for ev in batch]
    dst.executemany("INSERT INTO events (raw) VALUES (?)", [(event_blob(ev),) for ev in events])
    dst.commit()
    again = tmp_path / "again.txt"
    proc = run_tracetui("--no-ui", *flags, "-r", str(old), "-o", str(again))
    assert proc.returncode == 0, proc.stderr
    assert again.read_text() == live.read_text()


def test_a_file_of_a_later_format_gets_one_line(tmp_path):
    db, _ = _record(tmp_path)
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '9' WHERE key = 'format_version'")
    con.commit()
    con.close()
    proc = run_tracetui("--no-ui", "-r", str(db))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        f"tracetui: {db}: session format 9, this tracetui reads 1 and 2"
    ]
