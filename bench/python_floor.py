#!/usr/bin/env python3
"""The floor of a Python ptrace loop: what tracing costs before any decoding.

Runs the fork/exec and threaded-writer workloads of `overhead.py` (the two
where tracetui is slower than strace) natively, under
`strace -f -o /dev/null`, under a minimal Python tracer (this file, with
`--loop`: per stop one waitpid, one PTRACE_GET_SYSCALL_INFO and one
PTRACE_SYSCALL through ctypes, nothing recorded), and under
`tracetui --no-ui -o /dev/null`, alternating, and prints medians and ratios.

The minimal loop does the least work per stop a Python tracer can do; where it
is already near 1.25x strace, the decoding a tracer must add in Python cannot
fit under that target.

    python bench/python_floor.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import overhead  # noqa: E402

PTRACE_SYSCALL = 24
PTRACE_SEIZE = 0x4206
PTRACE_GET_SYSCALL_INFO = 0x420E
OPTIONS = 0x1 | 0x2 | 0x4 | 0x8 | 0x10  # TRACESYSGOOD, FORK, VFORK, CLONE, EXEC
WALL = 0x40000000


def minimal_loop(argv: list[str]) -> int:
    """Trace `argv` and its children with the least a tracer can do per stop."""
    libc = ctypes.CDLL(None, use_errno=True)
    ptrace = libc.ptrace
    ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    ptrace.restype = ctypes.c_long
    waitpid = libc.waitpid
    waitpid.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    info = ctypes.create_string_buffer(88)
    info_addr = ctypes.addressof(info)
    pid = os.fork()
    if pid == 0:
        os.kill(os.getpid(), signal.SIGSTOP)
        os.execvp(argv[0], argv)
    os.waitpid(pid, os.WUNTRACED)
    ptrace(PTRACE_SEIZE, pid, None, OPTIONS)
    os.kill(pid, signal.SIGCONT)
    status = ctypes.c_int()
    ref = ctypes.byref(status)
    code = 0
    while (tid := waitpid(-1, ref, WALL)) > 0:
        s = status.value
        if (s & 0x7F) != 0x7F:  # exited or killed
            if tid == pid:
                code = (s >> 8) & 0xFF
            continue
        if (s & 0xFFFF) == 0x857F:  # syscall stop
            ptrace(PTRACE_GET_SYSCALL_INFO, tid, 88, info_addr)
            ptrace(PTRACE_SYSCALL, tid, None, None)
        else:  # event stops pass nothing on; signal stops deliver the signal
            sig = (s >> 8) & 0xFF
            ptrace(PTRACE_SYSCALL, tid, None, sig if sig not in (5, 19) and s >> 16 == 0 else 0)
    return code


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--loop":
        return minimal_loop(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(overhead.REPO), env.get("PYTHONPATH")]))
    exes = overhead.compile_workloads()
    work = {
        "fork_exec": ["sh", "-c", "for i in $(seq 1000); do /bin/true; done"],
        "threads_write": [str(exes["threaded_writer"]), "30000"],
    }
    modes = {
        "native": [],
        "strace": ["strace", "-f", "-o", os.devnull],
        "python loop": [sys.executable, os.path.abspath(__file__), "--loop"],
        "tracetui": [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", os.devnull],
    }
    times: dict[str, dict[str, list[float]]] = {w: {m: [] for m in modes} for w in work}
    for r in range(args.rounds):
        for name, argv in work.items():
            order = list(modes.items())
            if r % 2:
                order.reverse()
            for mode, prefix in order:
                times[name][mode].append(overhead.time_run(prefix + argv, env))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{overhead.machine()}\n\nmedian wall time of {args.rounds} round(s)\n")
    print("| workload | native (s) | strace (s) | python loop (s) | tracetui (s) "
          "| python loop/strace | tracetui/strace |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in work:
        m = {mode: statistics.median(v) for mode, v in times[name].items()}
        print(
            f"| {name} | {m['native']:.3f} | {m['strace']:.3f} | {m['python loop']:.3f} "
            f"| {m['tracetui']:.3f} | {m['python loop'] / m['strace']:.2f} "
            f"| {m['tracetui'] / m['strace']:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
