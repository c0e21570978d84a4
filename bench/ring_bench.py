#!/usr/bin/env python3
"""The flight recorder: memory stays flat, and its cost on a filtered trace is small.

  memory     `tracetui --no-ui --ring N --trigger errno:EMFILE -w FILE` on `--events`
             getppid calls (10 million by default), resident memory of the tracer's
             process tree (tracer + writer; memory_bench.py's sampling) every `--every`
             seconds, for a ring of events and a ring of bytes; plus `-o /dev/null`
             (no ring) for reference. Flat: the end is no higher than the middle (+5%).
             The trigger never fires: nothing is written.
  overhead   the service case: `getppid_one_open` (20M getppid calls plus one openat),
             native vs `-e trace=openat` (seccomp) with and without `--ring 64MB
             --trigger errno:EMFILE`: the traced program's own run time (bench/stopwatch's
             stopwatch), median of `--rounds`.

    python bench/ring_bench.py                     # both, full sizes
    python bench/ring_bench.py --quick             # 1M events, 2M getppid calls
    python bench/ring_bench.py --only memory --events 10000000 --every 1

Figures depend on the machine; the script prints which one it ran on.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import overhead  # noqa: E402
from memory_bench import Samples, sample_headless  # noqa: E402
from stopwatch import run_command  # noqa: E402

PY = [sys.executable, "-m", "tracer.cli", "--no-ui"]


def memory(events: int, every: float, exes: dict[str, Path], tmp: Path) -> list[Samples]:
    prog = [str(exes["getppid_loop"]), str(events)]
    ring = ["--trigger", "errno:EMFILE", "-w", str(tmp / "ring.db")]
    runs = [
        ("tracetui -o /dev/null (no ring)", [*PY, "-o", "/dev/null", *prog]),
        ("tracetui --ring 100000", [*PY, "--ring", "100000", *ring, *prog]),
        ("tracetui --ring 1000000", [*PY, "--ring", "1000000", *ring, *prog]),
        ("tracetui --ring 64MB", [*PY, "--ring", "64MB", *ring, *prog]),
    ]
    out = []
    for name, argv in runs:
        print(f"memory: {name} ...", file=sys.stderr, flush=True)
        out.append(sample_headless(name, argv, "getppid_loop", every))
    if list(tmp.glob("ring.*.db")):
        raise SystemExit("ring_bench: a dump was written, but the trigger cannot fire")
    return out


def overhead_runs(calls: int, rounds: int, exes: dict[str, Path]) -> list[tuple[str, float]]:
    w = [str(exes["getppid_one_open"]), str(calls)]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(overhead.REPO) + os.pathsep + env.get("PYTHONPATH", "")
    sel = ["-e", "trace=openat"]
    with tempfile.TemporaryDirectory(prefix="ring-bench.") as tmp:
        ring = ["--ring", "64MB", "--trigger", "errno:EMFILE", "-w", f"{tmp}/r.db"]
        modes = [
            ("native", None),
            ("tracetui -e trace=openat -o /dev/null", [*PY, *sel, "-o", os.devnull]),
            ("tracetui -e trace=openat --ring 64MB --trigger errno:EMFILE", [*PY, *sel, *ring]),
        ]
        times: dict[str, list[float]] = {name: [] for name, _ in modes}
        for r in range(rounds):
            for name, prefix in modes:
                print(f"overhead: round {r + 1}, {name} ...", file=sys.stderr, flush=True)
                run = run_command(prefix or [], w, env, overhead.STOPWATCH, traced=bool(prefix))
                times[name].append(run.wall)
    return [(name, statistics.median(ts)) for name, ts in times.items()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["memory", "overhead"])
    p.add_argument("--events", type=int, default=10_000_000)
    p.add_argument("--calls", type=int, default=20_000_000)
    p.add_argument("--every", type=float, default=1.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    if a.quick:
        a.events, a.calls, a.every, a.rounds = 1_000_000, 2_000_000, 0.25, 1
    exes = overhead.compile_workloads()
    overhead.compile_c(overhead.STOPWATCH_SRC, overhead.STOPWATCH)
    print(f"machine: {overhead.machine()}")
    if a.only in (None, "memory"):
        with tempfile.TemporaryDirectory(prefix="ring-bench.") as tmp:
            samples = memory(a.events, a.every, exes, Path(tmp))
        print(f"\nRSS of the tracer's processes, MiB, over {a.events:,} getppid calls")
        print("| run | seconds | start | middle | end | peak | flat |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for s in samples:
            print(s.row())
        for s in samples:
            series = " ".join(
                f"{t:.0f}s:{kib / 1024:.0f}" for t, kib in s.points[:: max(1, len(s.points) // 12)]
            )
            print(f"  {s.name}: {series}")
    if a.only in (None, "overhead"):
        res = overhead_runs(a.calls, a.rounds, exes)
        native = res[0][1]
        print(f"\nRun time of {a.calls:,} getppid + 1 openat, median of {a.rounds}")
        print("| run | seconds | x native |")
        print("|---|---:|---:|")
        for name, t in res:
            print(f"| {name} | {t:.3f} | {t / native:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
