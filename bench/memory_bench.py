#!/usr/bin/env python3
"""Memory under load: headless over 10 million events, the explorer over 2 million.

Side by side in one run, on the same program (`getppid_loop`, one syscall an
iteration), resident memory (VmRSS, summed over the tracer's process tree, as
`ps` would add it up) is sampled every `--every` seconds:

  headless   `tracetui --no-ui -o /dev/null` and `strace -o /dev/null` on
             `--headless-events` calls: RSS at the start, in the middle, at the end
             and at its peak. Flat means the end is no higher than the middle.
  explorer   the real app (`python -m tui`) painting in a private tmux terminal
             (bench/explorer_run.py's), on `--app-events` calls: the RSS against the
             event count the status bar shows, and the slope of that line (bytes
             per event, a least-squares fit over the samples); then again with
             `--max-events` (`--bound`), where the slope must fall to ~0 once the
             bound is reached. While events pour in, `p` is pressed twice (pause,
             resume) and the time until the status bar shows PAUSED is reported:
             the app answers a key while it ingests.

    python bench/memory_bench.py                         # full sizes
    python bench/memory_bench.py --quick                 # 1M headless, 300k in the app
    python bench/memory_bench.py --only app --app-events 2000000 --bound 500000

Figures depend on the machine; the script prints which one it ran on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = Path(__file__).resolve().parent.parent

import overhead  # noqa: E402
from explorer_run import Tmux, status_of  # noqa: E402


def tree_pids(root: int) -> list[int]:
    """`root` and its descendants (from /proc/*/stat parent links)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tracer_rss(root: int, traced: set[int]) -> int:
    """KiB resident in the tracer's tree, without the traced program's own processes."""
    return sum(rss_kib(p) for p in tree_pids(root) if p not in traced)


def program_pids(root: int, exe_name: str) -> set[int]:
    out = set()
    for pid in tree_pids(root):
        try:
            if os.readlink(f"/proc/{pid}/exe").endswith(exe_name):
                out.add(pid)
        except OSError:
            pass
    return out


@dataclass
class Samples:
    name: str
    points: list[tuple[float, int]] = field(default_factory=list)  # (seconds, KiB)

    def at(self, share: float) -> int:
        pts = self.points
        return pts[min(len(pts) - 1, int(share * (len(pts) - 1)))][1]

    def row(self) -> str:
        peak = max(kib for _, kib in self.points)
        start, mid, end = self.at(0.05), self.at(0.5), self.at(1.0)
        flat = "yes" if end <= mid * 1.05 + 1024 else "NO"
        return (
            f"| {self.name} | {self.points[-1][0]:.1f} | {start / 1024:.1f} | {mid / 1024:.1f} "
            f"| {end / 1024:.1f} | {peak / 1024:.1f} | {flat} |"
        )


def sample_headless(name: str, argv: list[str], exe_name: str, every: float) -> Samples:
    out = Samples(name)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while proc.poll() is None:
        kib = tracer_rss(proc.pid, program_pids(proc.pid, exe_name))
        if kib:
            out.points.append((time.monotonic() - t0, kib))
        time.sleep(every)
    if proc.returncode != 0:
        raise SystemExit(f"memory_bench: {name} exited {proc.returncode}: {proc.stderr.read()!r}")
    return out


def headless(events: int, every: float, exes: dict[str, Path]) -> list[Samples]:
    prog = [str(exes["getppid_loop"]), str(events)]
    py = [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", "/dev/null"]
    return [
        sample_headless("strace", ["strace", "-o", "/dev/null", *prog], "getppid_loop", every),
        sample_headless("tracetui --no-ui", [*py, *prog], "getppid_loop", every),
    ]


@dataclass
class AppRun:
    name: str
    points: list[tuple[int, int]] = field(default_factory=list)  # (events shown, KiB)
    key_latency: float | None = None
    final_events: int = 0
    dropped: bool = False

    def rss_at(self, events: int) -> int | None:
        """KiB at the first sample showing `events` events or more (None: never reached)."""
        return next((k for e, k in self.points if e >= events), None)

    def slope(self, after: int = 0) -> float:
        """Bytes per event: least squares over the samples with more than `after` events."""
        pts = [(e, k * 1024) for e, k in self.points if e > after]
        if len(pts) < 3:
            return float("nan")
        n = len(pts)
        mx = sum(e for e, _ in pts) / n
        my = sum(b for _, b in pts) / n
        sxx = sum((e - mx) ** 2 for e, _ in pts)
        return sum((e - mx) * (b - my) for e, b in pts) / sxx if sxx else float("nan")


def app_run(
    name: str,
    events: int,
    every: float,
    exes: dict[str, Path],
    extra: list[str],
    env_extra: dict[str, str] | None = None,
) -> AppRun:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    run = AppRun(name)
    with tempfile.TemporaryDirectory(prefix="memory-app.") as tmp:
        tmux = Tmux(Path(tmp), env)
        tmux.start(
            ["env", f"PYTHONPATH={ROOT}", *(f"{k}={v}" for k, v in (env_extra or {}).items()),
             sys.executable, "-m", "tui", *extra,
             str(exes["getppid_loop"]), str(events)]
        )  # fmt: skip
        try:
            pid = int(tmux("display-message", "-p", "-t", "app", "#{pane_pid}").strip())
            deadline = time.monotonic() + 600
            pressed = False
            previous = None
            while time.monotonic() < deadline:
                screen = tmux.screen()
                status = status_of(screen)
                if status is not None:
                    state, shown = status
                    kib = tracer_rss(pid, program_pids(pid, "getppid_loop"))
                    run.points.append((shown, kib))
                    run.dropped = run.dropped or "dropped (memory bound)" in screen
                    if not pressed and state == "RUNNING" and shown > events // 4:
                        pressed = True
                        run.key_latency = _pause_latency(tmux)
                    if state == "EXITED" and status == previous:
                        run.final_events = shown
                        break
                    previous = status
                time.sleep(every)
            else:
                raise SystemExit(f"memory_bench: {name}: the app did not finish")
            tmux("send-keys", "-t", "app", "q")
            time.sleep(1)
        finally:
            tmux.kill()
    return run


def _pause_latency(tmux: Tmux) -> float | None:
    """Press `p`; seconds until the status bar says PAUSED; then `p` again (resume)."""
    t0 = time.monotonic()
    tmux("send-keys", "-t", "app", "p")
    latency = None
    while time.monotonic() - t0 < 10:
        status = status_of(tmux.screen())
        if status is not None and status[0] == "PAUSED":
            latency = time.monotonic() - t0
            break
        time.sleep(0.005)
    tmux("send-keys", "-t", "app", "p")
    return latency


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="1M events headless, 300k in the app")
    p.add_argument("--only", choices=["headless", "app"], help="one of the two parts")
    p.add_argument("--headless-events", type=int, default=None)
    p.add_argument("--app-events", type=int, default=None)
    p.add_argument("--bound", type=int, default=None, help="--max-events of the bounded app run")
    p.add_argument("--every", type=float, default=0.5, help="seconds between samples")
    p.add_argument("--bound-only", action="store_true", help="only the app run with the bound")
    p.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="environment of the app runs (an experiment: MALLOC_ARENA_MAX=2)",
    )  # fmt: skip
    p.add_argument(
        "--marks", default="1000000,2000000,4000000",
        help="event counts at which the bounded run's RSS is reported",
    )  # fmt: skip
    args = p.parse_args(argv)
    env_extra = dict(kv.split("=", 1) for kv in args.env)
    marks = [int(m) for m in args.marks.split(",") if m]
    h_events = args.headless_events or (1_000_000 if args.quick else 10_000_000)
    a_events = args.app_events or (300_000 if args.quick else 2_000_000)
    bound = args.bound or a_events // 4
    exes = overhead.compile_workloads()
    print(overhead.machine())
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.only in (None, "headless"):
        print(f"\nheadless, getppid_loop {h_events:,} calls: resident memory (MiB) of the tracer")
        print("(tracetui: tracer and writer process), sampled every", args.every, "s\n")
        print("| tracer | seconds | start | middle | end | peak | flat |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for s in headless(h_events, args.every, exes):
            print(s.row(), flush=True)
    if args.only in (None, "app"):
        print(f"\nexplorer (real app in tmux), getppid_loop {a_events:,} calls\n")
        print("| run | events | RSS at end (MiB) | bytes/event (slope) | slope past the bound "
              "| `p` answered in | oldest dropped |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---:|---|")
        runs = [(f"--max-events {bound:,}", ["--max-events", str(bound)], bound)]
        if not args.bound_only:
            runs.insert(0, ("no bound (--max-events 0)", ["--max-events", "0"], 0))
        bounded = []
        for name, extra, run_bound in runs:
            r = app_run(name, a_events, args.every, exes, extra, env_extra)
            past = r.slope(after=run_bound) if run_bound else float("nan")
            key = f"{r.key_latency * 1000:.0f} ms" if r.key_latency is not None else "not seen"
            print(
                f"| {name} | {r.final_events:,} | {r.points[-1][1] / 1024:.0f} "
                f"| {r.slope():.0f} | {past:.0f} | {key} | {'yes' if r.dropped else 'no'} |",
                flush=True,
            )
            if run_bound:
                bounded.append((name, r))
        for name, r in bounded:
            cells = []
            for m in marks:
                kib = r.rss_at(m)
                cells.append(f"{m:,}: {kib / 1024:.0f} MiB" if kib else f"{m:,}: not reached")
            print(f"\n{name}: RSS at " + ", ".join(cells), flush=True)
        print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
