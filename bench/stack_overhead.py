#!/usr/bin/env python3
"""Cost of stack capture per syscall, end to end: `tracetui -k` next to `strace -k`.

Runs one workload (writes to /dev/null from a call chain a few frames deep, in
a C program built with -O2 and no frame pointers, so DWARF CFI is needed)
four ways, alternating, for N rounds: strace, strace -k, tracetui, tracetui -k
(all `-f -o /dev/null`). The extra cost of -k per syscall is the median
difference divided by the number of syscalls.

    python bench/stack_overhead.py [--calls 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = r"""
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
__attribute__((noinline)) static void leaf(int fd) { write(fd, "x", 1); }
__attribute__((noinline)) static void middle(int fd, int n) { for (int i = 0; i < n; i++) leaf(fd); }
__attribute__((noinline)) static void outer(int fd, int n) { middle(fd, n); }
int main(int argc, char **argv) {
    int fd = open("/dev/null", O_WRONLY);
    outer(fd, argc > 1 ? atoi(argv[1]) : 20000);
    return 0;
}
"""


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "chain.c"
        exe = Path(tmp) / "chain"
        src.write_text(PROGRAM)
        subprocess.run(
            ["gcc", "-O2", "-g", "-fomit-frame-pointer", "-o", str(exe), str(src)], check=True
        )
        prog = [str(exe), str(args.calls)]
        tt = [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", "/dev/null"]
        modes = {
            "strace": ["strace", "-f", "-o", "/dev/null", *prog],
            "strace -k": ["strace", "-f", "-k", "-o", "/dev/null", *prog],
            "tracetui": [*tt, *prog],
            "tracetui -k": [*tt, "-k", *prog],
        }
        times: dict[str, list[float]] = {m: [] for m in modes}
        for _ in range(args.rounds):
            for name, cmd in modes.items():
                times[name].append(timed(cmd))
    med = {m: statistics.median(v) for m, v in times.items()}
    print(f"{args.calls} write() calls through 4 frames, median of {args.rounds} rounds")
    print()
    print("| mode | wall (s) | extra for -k per syscall (µs) |")
    print("|---|---:|---:|")
    for m in modes:
        extra = ""
        if m.endswith("-k"):
            base = m[: -len(" -k")]
            extra = f"{(med[m] - med[base]) / args.calls * 1e6:.1f}"
        print(f"| {m} | {med[m]:.3f} | {extra} |")
    st = (med["strace -k"] - med["strace"]) / args.calls
    tk = (med["tracetui -k"] - med["tracetui"]) / args.calls
    print()
    print(
        f"stack capture cost, tracetui/strace: {tk / st:.2f}"
        if st > 0
        else "strace -k cost too small to compare"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
