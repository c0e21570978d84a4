#!/usr/bin/env python3
"""Session files at scale: bytes per event on disk, and reopening a million events.

A real program is recorded headless (`tracetui --no-ui -w FILE PROG`); then:

  size        the file's bytes per event (WAL checkpointed: the file as it stays)
  first       reopening it in the real explorer (TraceApp on the file's
              RecordedSession, Textual's headless pilot, 160x50): seconds from
              start to the first paint that shows rows
  loaded      ... until every event is in the store (the status bar's count)
  convert     `tracetui --no-ui -r FILE -o /dev/null`: the whole file back to text
  load avg    the 1-minute load average after the row (a shared machine skews it all)

Workloads: `getppid_loop` (one call an iteration, no captured memory) and the
open/read/close loop (a path and 16 bytes of data captured per iteration).

    python bench/session_scale.py                 # 1,000,000 events each
    python bench/session_scale.py --events 200000 # smaller

Figures depend on the machine; the script prints which one it ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import overhead  # noqa: E402

from tracer.formats.session_file import read_session  # noqa: E402
from tui.app import TraceApp  # noqa: E402
from tui.recorded import RecordedSession  # noqa: E402


def record(path: Path, argv: list[str]) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "tracer.cli", "--no-ui", "-f", "-w", str(path), *argv]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def events_in(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()


async def reopen(path: Path, events: int) -> tuple[float, float]:
    started = time.perf_counter()
    app = TraceApp(RecordedSession(read_session(str(path))), None, "scale", read_proc=False)
    first = loaded = 0.0
    async with app.run_test(size=(160, 50)) as pilot:
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter() - started
            if not first and app.first_paint_at is not None and len(app.store):
                await pilot.pause()
                first = time.perf_counter() - started
            if len(app.store) + app.store.dropped >= events - 1 and app.feed.trace_ended:
                loaded = now
                break
            if now > 600:
                raise SystemExit("session_scale: reopening took over 10 minutes")
    return first, loaded


def convert(path: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "tracer.cli", "--no-ui", "-f", "-r", str(path), "-o", "/dev/null"]
    subprocess.run(cmd, env=env, check=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000, help="about this many per workload")
    args = p.parse_args(argv)
    exes = overhead.compile_workloads()
    print(overhead.machine())
    print(
        f"\nsession files of about {args.events:,} events: recorded with `--no-ui -f -w`, "
        "reopened in the explorer (pilot), converted back to text\n"
    )
    print(
        "| workload | events | bytes/event | recording (s) | first screen (s) "
        "| fully loaded (s) | to text (s) | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    workloads = [
        ("getppid loop", [str(exes["getppid_loop"]), str(args.events)]),
        ("open/read/close loop", [str(exes["open_read_close"]), str(args.events // 3)]),
    ]
    with tempfile.TemporaryDirectory(prefix="session-scale.") as tmp:
        for name, argv_ in workloads:
            path = Path(tmp) / "run.db"
            took = record(path, argv_)
            n = events_in(path)
            size = path.stat().st_size
            first, loaded = asyncio.run(reopen(path, n))
            text = convert(path)
            load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
            print(
                f"| {name} | {n:,} | {size / n:.0f} | {took:.1f} | {first:.2f} | {loaded:.1f} "
                f"| {text:.1f} | {load:.1f} |",
                flush=True,
            )
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
