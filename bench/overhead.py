#!/usr/bin/env python3
"""Tracing speed: wall time of workloads run natively, under strace, under tracetui.

Each workload runs natively, under `strace -f -o /dev/null` and under
`python -m tracer.cli --no-ui -o /dev/null`; the filtered workload also runs
under `strace -f --seccomp-bpf -e trace=openat` and `tracetui -e trace=openat`
(where a seccomp-bpf filter should leave untraced calls at native speed).
Modes alternate within each round, so drift in machine load spreads evenly;
the median over N rounds is reported with the ratios tracetui/strace and
tracetui/native, as a markdown table headed by the machine's description.

    python bench/overhead.py             # 5 rounds, full sizes
    python bench/overhead.py --quick     # 1 round, small sizes (a smoke run)
    python bench/overhead.py --rounds 9 --only getppid,open_read_close
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKLOAD_SRC = REPO / "bench" / "workloads"
BUILD_DIR = REPO / "bench" / ".build" / "workloads"
RUN_TIMEOUT = 600


@dataclass(slots=True)
class Workload:
    name: str
    argv: list[str]
    filtered: bool = False  # traced with -e trace=openat (the seccomp case)


def compile_workloads() -> dict[str, Path]:
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    exes = {}
    for src in sorted(WORKLOAD_SRC.glob("*.c")):
        exe = BUILD_DIR / src.stem
        if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
            proc = subprocess.run(
                ["gcc", "-O2", "-pthread", "-o", str(exe), str(src)], capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise SystemExit(f"overhead: cannot compile {src.name}: {proc.stderr.strip()}")
        exes[src.stem] = exe
    return exes


def make_tree(root: Path, dirs: int, files: int) -> None:
    """A deterministic directory tree for `find` (dirs x files empty files), so the
    workload does not change with what happens to be installed under /usr."""
    for d in range(dirs):
        sub = root / f"d{d:03}"
        sub.mkdir(parents=True)
        for f in range(files):
            (sub / f"f{f:03}").touch()


def workloads(exes: dict[str, Path], tree: Path, quick: bool) -> list[Workload]:
    scale = 10 if quick else 1
    return [
        # Sizes make strace take a second or more, so start-up costs do not decide the ratio.
        Workload("open_read_close", [str(exes["open_read_close"]), str(60000 // scale)]),
        Workload("getppid", [str(exes["getppid_loop"]), str(300000 // scale)]),
        Workload("find_tree", ["find", str(tree), "-size", "-1k"]),  # -size: one stat per file
        Workload("fork_exec", ["sh", "-c", f"for i in $(seq {1000 // scale}); do /bin/true; done"]),
        Workload("threads_write", [str(exes["threaded_writer"]), str(30000 // scale)]),
        Workload(
            "filtered_openat", [str(exes["getppid_one_open"]), str(20_000_000 // scale)], True
        ),
    ]


def mode_prefixes(filtered: bool) -> dict[str, list[str]]:
    tracetui = [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", os.devnull]
    if filtered:
        return {
            "native": [],
            "strace": ["strace", "-f", "--seccomp-bpf", "-e", "trace=openat", "-o", os.devnull],
            "tracetui": tracetui + ["-e", "trace=openat"],
        }
    return {"native": [], "strace": ["strace", "-f", "-o", os.devnull], "tracetui": tracetui}


def time_run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        timeout=RUN_TIMEOUT,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        raise SystemExit(
            f"overhead: {' '.join(argv)} failed ({proc.returncode}): {err[-1] if err else ''}"
        )
    return elapsed


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"CPU: {cpu} ({os.cpu_count()} CPUs); kernel: {platform.release()}; "
        f"Python {platform.python_version()}; "
        f"{subprocess.run(['strace', '-V'], capture_output=True, text=True).stdout.splitlines()[0]}"
    )


def measure(work: list[Workload], rounds: int, env: dict[str, str]) -> dict[str, dict[str, float]]:
    times: dict[str, dict[str, list[float]]] = {w.name: {} for w in work}
    for r in range(rounds):
        for w in work:
            modes = list(mode_prefixes(w.filtered).items())
            if r % 2:  # alternate the order too, not only the interleaving
                modes.reverse()
            for mode, prefix in modes:
                times[w.name].setdefault(mode, []).append(time_run(prefix + w.argv, env))
        print(f"round {r + 1}/{rounds} done", file=sys.stderr)
    return {
        name: {m: statistics.median(v) for m, v in by_mode.items()}
        for name, by_mode in times.items()
    }


def table(medians: dict[str, dict[str, float]], work: list[Workload]) -> str:
    rows = [
        "| workload | native (s) | strace (s) | tracetui (s) | tracetui/strace | tracetui/native |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for w in work:
        m = medians[w.name]
        label = f"{w.name} (-e trace=openat)" if w.filtered else w.name
        rows.append(
            f"| {label} | {m['native']:.3f} | {m['strace']:.3f} | {m['tracetui']:.3f} "
            f"| {m['tracetui'] / m['strace']:.2f} | {m['tracetui'] / m['native']:.1f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rounds", type=int, help="rounds per workload and mode (default 5; 1 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and one round")
    parser.add_argument("--only", help="comma-separated workload names")
    args = parser.parse_args(argv)
    for tool in ("strace", "gcc", "find"):
        if shutil.which(tool) is None:
            print(f"overhead: {tool} is not installed", file=sys.stderr)
            return 2
    rounds = args.rounds or (1 if args.quick else 5)
    if rounds < 1:
        print("overhead: --rounds must be at least 1", file=sys.stderr)
        return 2
    env = dict(os.environ)
    # An installed tracetui runs from byte-compiled modules (pip writes them); so
    # does the benchmark: the first run writes __pycache__, the rest reuse it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    exes = compile_workloads()
    with tempfile.TemporaryDirectory(prefix="overhead-tree.") as tmp:
        tree = Path(tmp)
        make_tree(tree, 10 if args.quick else 300, 100)
        work = workloads(exes, tree, args.quick)
        if args.only:
            wanted = set(args.only.split(","))
            unknown = wanted - {w.name for w in work}
            if unknown:
                print(
                    f"overhead: unknown workload(s): {', '.join(sorted(unknown))}", file=sys.stderr
                )
                return 2
            work = [w for w in work if w.name in wanted]
        medians = measure(work, rounds, env)
    print(
        f"{machine()}\n\nmedian wall time of {rounds} round(s){' (--quick sizes)' if args.quick else ''}\n"
    )
    print(table(medians, work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
