"""Compare tracer.stack with `strace -k`: frame agreement and per-syscall capture cost.

    python bench/stack_vs_strace.py [--calls 5000]

Builds the test programs (nested calls at -O0/-O2 with and without frame pointers,
a shared library), runs each under `strace -f -k -e trace=write,openat` and under
our unwinder, and matches the stacks syscall by syscall, frame by frame:

  offsets   same module and same file offset (the unwinding itself agrees)
  names     same function name as strace, symbols as we resolve them (with the
            separate debug files when installed, which name static functions
            strace cannot see: it then prints the nearest exported neighbour)
  names/strace-symbols   same, resolving like strace (the module's own tables only)

Cost: strace -k minus plain strace per syscall, against our warm `unwind` (and
`unwind`+`resolve`+`format_frame`). Our stops come from the tests' ptrace helper
(tests/test_stack_support.py) until the CLI's `--no-ui -k` mode can be timed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from test_stack import FLAG_SETS, LIB_C, LIB_MAIN_C, NESTED_C  # noqa: E402
from test_stack_support import compile_c, syscall_stops  # noqa: E402

from tracer.stack import StackUnwinder, format_frame, resolve  # noqa: E402
from tracer.stack.frame import StackFrame, _image_list  # noqa: E402
from tracer.stack.symbols import SymbolTable  # noqa: E402

LOOP_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((noipa)) static void leaf(void) { write(1, "x", 1); asm volatile(""); }
__attribute__((noipa)) static void mid(void) { leaf(); asm volatile(""); }
__attribute__((noipa)) static void top(int i) { if (i & 1) mid(); else { printf("%d\n", i); fflush(stdout); } asm volatile(""); }
int main(int argc, char **argv) { int n = atoi(argv[1]); for (int i = 0; i < n; i++) top(i); return 0; }
"""

FRAME_RE = re.compile(r" > (\S+?)\((.*?)(?:\+0x[0-9a-f]+)?\) \[(0x[0-9a-f]+)\]$")
CALL_RE = re.compile(r"^(?:\d+ +)?(write|openat)\(")
_own_tables: dict[int, SymbolTable] = {}


def strace_stacks(argv: list[str], log: str) -> list[list[tuple[str, str, int]]]:
    subprocess.run(
        ["strace", "-f", "-k", "-e", "trace=write,openat", "-o", log, *argv],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stacks: list[list[tuple[str, str, int]]] = []
    with open(log) as f:
        for line in f:
            m = FRAME_RE.match(line.rstrip("\n"))
            if m and stacks:
                stacks[-1].append((os.path.realpath(m.group(1)), m.group(2), int(m.group(3), 16)))
            elif CALL_RE.match(line):
                stacks.append([])
    return stacks


def strace_like_name(frame: StackFrame) -> str:
    """The name strace (libunwind) would print: the module's own .symtab/.dynsym only."""
    if frame.image_index < 0:
        return ""
    table = _own_tables.get(frame.image_index)
    if table is None:
        table = _own_tables[frame.image_index] = SymbolTable.from_images(
            _image_list[frame.image_index], None
        )
    found = table.lookup(frame.vaddr)
    return found[0] if found else ""


def our_stacks(argv: list[str]) -> list[list[StackFrame]]:
    unwinder = StackUnwinder()
    out = []
    for stop in syscall_stops(argv, {1, 257}):
        if stop.maps_changed:
            unwinder.invalidate(stop.pid)
        frames = unwinder.unwind(stop.pid, stop.pid, stop.regs)
        resolve(frames)
        out.append(frames)  # type: ignore[arg-type]
    return out


def compare(argv: list[str], log: str) -> tuple[int, int, int, int]:
    """(strace frames, offset matches, name matches, strace-symbol name matches)."""
    theirs = strace_stacks(argv, log)
    ours = our_stacks(argv)
    total = offsets = names = compat = 0
    if len(theirs) != len(ours):
        print(f"  warning: strace saw {len(theirs)} calls, we saw {len(ours)}")
    for t_stack, o_stack in zip(theirs, ours, strict=False):
        total += len(t_stack)
        for (mod, name, off), fr in zip(t_stack, o_stack, strict=False):
            if fr.module and os.path.realpath(fr.module) == mod and fr.module_offset == off:
                offsets += 1
            names += fr.function == name
            compat += strace_like_name(fr) == name
    return total, offsets, names, compat


def timing(exe: str, calls: int, log: str) -> None:
    def run(extra: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run(
            ["strace", *extra, "-e", "trace=write", "-o", log, exe, str(calls)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - t

    plain = min(run([]) for _ in range(2))
    with_k = min(run(["-k"]) for _ in range(2))
    strace_cost = (with_k - plain) / calls

    unwinder = StackUnwinder()
    costs: list[float] = []
    full: list[float] = []
    for i, stop in enumerate(syscall_stops([exe, str(calls)], {1})):
        if stop.maps_changed:
            unwinder.invalidate(stop.pid)
        t = time.perf_counter()
        frames = unwinder.unwind(stop.pid, stop.pid, stop.regs)
        t1 = time.perf_counter()
        resolve(frames)
        "\n".join(format_frame(f) for f in frames)
        t2 = time.perf_counter()
        if i >= 50:  # warm
            costs.append(t1 - t)
            full.append(t2 - t)
    costs.sort()
    full.sort()
    mean = sum(costs) / len(costs)
    print(f"\ncapture cost per syscall ({len(costs)} warm writes, ~9 frames each):")
    print(f"  strace -k (libunwind), extra per syscall: {strace_cost * 1e6:8.1f} us")
    print(
        f"  StackUnwinder.unwind: mean {mean * 1e6:.1f} us, "
        f"median {costs[len(costs) // 2] * 1e6:.1f} us, p99 {costs[int(len(costs) * 0.99)] * 1e6:.1f} us"
    )
    print(f"  unwind + resolve + format_frame: median {full[len(full) // 2] * 1e6:.1f} us")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=5000, help="writes for the timing run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "nested.c")
        with open(src, "w") as f:
            f.write(NESTED_C)
        programs: list[tuple[str, list[str]]] = []
        for name, flags in sorted(FLAG_SETS.items()):
            programs.append((name, [compile_c(src, os.path.join(d, f"nested-{name}"), flags)]))
        lib_src, main_src = os.path.join(d, "shared.c"), os.path.join(d, "main.c")
        for path, text in ((lib_src, LIB_C), (main_src, LIB_MAIN_C)):
            with open(path, "w") as f:
                f.write(text)
        compile_c(lib_src, os.path.join(d, "libshared.so"), ["-O2", "-g", "-shared", "-fPIC"])
        exe = compile_c(
            main_src,
            os.path.join(d, "main"),
            ["-O0", "-g"],
            [f"-L{d}", "-lshared", f"-Wl,-rpath,{d}"],
        )
        programs.append(("shared-lib", [exe]))
        programs.append(("ls", ["/bin/ls", "-l", "/"]))

        log = os.path.join(d, "strace.log")
        grand = [0, 0, 0, 0]
        print(
            f"{'program':12} {'frames':>6} {'offsets':>8} {'names':>8} {'names/strace-symbols':>21}"
        )
        for name, argv in programs:
            res = compare(argv, log)
            grand = [a + b for a, b in zip(grand, res, strict=True)]
            total = max(res[0], 1)
            print(
                f"{name:12} {res[0]:6} {res[1] / total:8.3f} {res[2] / total:8.3f} {res[3] / total:21.3f}"
            )
        total = max(grand[0], 1)
        print(
            f"{'all':12} {grand[0]:6} {grand[1] / total:8.3f} {grand[2] / total:8.3f} {grand[3] / total:21.3f}"
        )

        loop_src = os.path.join(d, "loop.c")
        with open(loop_src, "w") as f:
            f.write(LOOP_C)
        timing(compile_c(loop_src, os.path.join(d, "loop"), ["-O2", "-g"]), args.calls, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
