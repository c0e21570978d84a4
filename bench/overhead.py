#!/usr/bin/env python3
"""Tracing speed: workloads natively, under strace, under tracetui headless and in the explorer.

Columns (`--modes`, default all):
  native    the workload alone
  strace    `strace -f -o /dev/null`
  tracetui  headless: `python -m tracer.cli --no-ui -o /dev/null`
  explorer  the app, `python -m tui`, painting in a 160x45 tmux terminal (explorer_run.py)
  floor     filtered workloads only: the program under a seccomp filter that allows every
            call, with no tracer (harness/seccomp_floor.c)
The filtered workload runs with `-e trace=openat` (strace adds --seccomp-bpf),
where a seccomp-bpf filter should leave untraced calls at native speed; the floor
column is what the filter alone costs (the kernel's slow syscall entry), which no
seccomp-based tracer can go below.

Every column times the same thing: the traced program's own run, by a stopwatch
(harness/stopwatch.c) that the tracer runs and that starts the clock only once
the tracer's processes are idle (the explorer: painted and done starting up);
see stopwatch.py and explorer_run.py. Beside
wall time, each tracer's CPU time (user+sys of its own processes, not of the
program) over the same run. Modes alternate within each round, and their order
flips every other round, so drift in machine load spreads evenly; the median
over N rounds is reported, with ratios, as markdown tables headed by the
machine's description.

`--loop c|python|both` runs the tracetui columns with TRACETUI_LOOP set (both:
columns `tracetui[c]`, `tracetui[python]`, `explorer[c]`, `explorer[python]`);
without it TRACETUI_LOOP is passed on as found.

    python bench/overhead.py             # 5 rounds, full sizes
    python bench/overhead.py --quick     # 1 round, small sizes (a smoke run)
    python bench/overhead.py --rounds 9 --only getppid,open_read_close --modes strace,tracetui
    python bench/overhead.py --loop both
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from explorer_run import COLUMNS, LINES, run_explorer  # noqa: E402
from stopwatch import RUN_TIMEOUT, Run, RunFailed, run_command  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WORKLOAD_SRC = REPO / "bench" / "workloads"
BUILD_DIR = REPO / "bench" / ".build" / "workloads"
STOPWATCH_SRC = REPO / "bench" / "harness" / "stopwatch.c"
STOPWATCH = REPO / "bench" / ".build" / "stopwatch"
FLOOR_SRC = REPO / "bench" / "harness" / "seccomp_floor.c"
FLOOR = REPO / "bench" / ".build" / "seccomp_floor"
SCREENS = REPO / "bench" / ".build" / "screens"
KINDS = ("native", "floor", "strace", "tracetui", "explorer")
LOOPS = ("c", "python")


@dataclass(slots=True)
class Workload:
    name: str
    argv: list[str]
    filtered: bool = False  # traced with -e trace=openat (the seccomp case)


@dataclass(frozen=True, slots=True)
class Mode:
    kind: str  # one of KINDS
    loop: str | None = None  # TRACETUI_LOOP for the tracetui kinds; None: as found

    @property
    def label(self) -> str:
        return self.kind if self.loop is None else f"{self.kind}[{self.loop}]"


def compile_c(src: Path, exe: Path) -> Path:
    exe.parent.mkdir(parents=True, exist_ok=True)
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        proc = subprocess.run(
            ["gcc", "-O2", "-pthread", "-o", str(exe), str(src)], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise SystemExit(f"overhead: cannot compile {src.name}: {proc.stderr.strip()}")
    return exe


def compile_workloads() -> dict[str, Path]:
    return {
        src.stem: compile_c(src, BUILD_DIR / src.stem) for src in sorted(WORKLOAD_SRC.glob("*.c"))
    }


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
        # ls -l: a statx, an lgetxattr and a getxattr per file (the xattr calls were
        # Python's until their captures became data)
        Workload("ls_long", ["ls", "-lR", str(tree)]),
        Workload("fork_exec", ["sh", "-c", f"for i in $(seq {1000 // scale}); do /bin/true; done"]),
        Workload("threads_write", [str(exes["threaded_writer"]), str(30000 // scale)]),
        Workload(
            "filtered_openat", [str(exes["getppid_one_open"]), str(20_000_000 // scale)], True
        ),
    ]


def modes(kinds: list[str], loop: str | None) -> list[Mode]:
    loops: list[str | None] = [None] if loop is None else list(LOOPS) if loop == "both" else [loop]
    out: list[Mode] = []
    for kind in kinds:
        if kind in ("tracetui", "explorer"):
            out.extend(Mode(kind, lp) for lp in loops)
        else:
            out.append(Mode(kind))
    return out


def applies(mode: Mode, w: Workload) -> bool:
    """Whether column `mode` has a run for `w`: the floor is for filtered workloads only."""
    return mode.kind != "floor" or w.filtered


def run_mode(
    mode: Mode, w: Workload, env: dict[str, str], screen_file: Path, pin: list[str] | None = None
) -> Run:
    """One run of workload `w` in column `mode`; `pin` (`taskset -c CPUS`) goes first in
    every column's command, so the tracer, its threads and the program share those CPUs."""
    pin = pin or []
    selection = ["-e", "trace=openat"] if w.filtered else []
    if mode.loop is not None:
        env = {**env, "TRACETUI_LOOP": mode.loop}
    if mode.kind == "native":
        return run_command(pin, w.argv, env, STOPWATCH, traced=False)
    if mode.kind == "floor":
        return run_command([*pin, str(FLOOR)], w.argv, env, STOPWATCH, traced=False)
    if mode.kind == "strace":
        seccomp = ["--seccomp-bpf"] if w.filtered else []
        prefix = [*pin, "strace", "-f", *seccomp, *selection, "-o", os.devnull]
        return run_command(prefix, w.argv, env, STOPWATCH, traced=True)
    if mode.kind == "tracetui":
        prefix = [*pin, sys.executable, "-m", "tracer.cli", "--no-ui", "-o", os.devnull, *selection]
        return run_command(prefix, w.argv, env, STOPWATCH, traced=True)
    app = [sys.executable, "-m", "tui", *selection]
    return run_explorer(app, w.argv, env, STOPWATCH, screen_file, pin=pin)


def time_run(argv: list[str], env: dict[str, str]) -> float:
    """Wall time of a command from its start to its exit (python_floor.py's measure)."""
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


def autogroup_note() -> str:
    """Whether the kernel groups the scheduling of each session (CONFIG_SCHED_AUTOGROUP).

    The explorer runs the program in a session of its own (its terminal is a pty), so
    where autogroups are on, the program and the tracer are two groups that share the
    CPUs fairly: the tracer's polling and its SCHED_IDLE warm thread count at full weight
    against the program, and a yield gives the CPU to nobody in the other group. Headless
    leaves the program in tracetui's own session. On a 2-vCPU AMD EPYC VM the fork/exec
    explorer/headless ratio was 1.42 with autogroups on and 1.09 with them off, in
    back-to-back runs (docs/ARCHITECTURE.md, "Where tracer and tracee run")."""
    try:
        on = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return "scheduler autogroups: not in this kernel"
    return f"scheduler autogroups: {'on' if on else 'off'} (kernel.sched_autogroup_enabled)"


def tool_versions(mode_list: list[Mode], env: dict[str, str]) -> list[str]:
    """What the header says beyond machine(): tmux, and which loop tracetui runs."""
    out = []
    if any(m.kind == "explorer" for m in mode_list):
        tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
        out.append(f"explorer terminal: {tmux}, {COLUMNS}x{LINES}")
        out.append(autogroup_note())
    loops = sorted({m.loop for m in mode_list if m.kind in ("tracetui", "explorer")}, key=str)
    for loop in loops:
        run_env = env if loop is None else {**env, "TRACETUI_LOOP": loop}
        found = run_env.get("TRACETUI_LOOP")
        setting = "TRACETUI_LOOP unset" if found is None else f"TRACETUI_LOOP={found}"
        proc = subprocess.run(
            [sys.executable, "-m", "tracer.cli", "--version"], env=run_env, capture_output=True,
            text=True,
        )  # fmt: skip
        said = proc.stdout.strip().replace("\n", "; ") if proc.returncode == 0 else ""
        out.append(f"{setting}: {said or 'tracetui --version does not say which loop runs'}")
    return out


def measure(
    work: list[Workload],
    mode_list: list[Mode],
    rounds: int,
    env: dict[str, str],
    pin: list[str] | None = None,
) -> dict[str, dict[Mode, list[Run]]]:
    runs: dict[str, dict[Mode, list[Run]]] = {w.name: {m: [] for m in mode_list} for w in work}
    for r in range(rounds):
        for w in work:
            order = mode_list[::-1] if r % 2 else mode_list  # alternate the order too
            for mode in order:
                if not applies(mode, w):
                    continue
                run = run_mode(mode, w, env, SCREENS / f"{w.name}-{mode.label}.txt", pin)
                runs[w.name][mode].append(run)
                cpu = "" if run.tracer_cpu is None else f", tracer cpu {run.tracer_cpu:.3f} s"
                print(
                    f"round {r + 1}/{rounds} {w.name} {mode.label}: {run.wall:.3f} s{cpu}",
                    file=sys.stderr,
                )
    return runs


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0:
        return "–"
    r = a / b
    return f"{r:.2f}" if r < 10 else f"{r:.1f}" if r < 100 else f"{r:.0f}"


def _seconds(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def ratio_columns(mode_list: list[Mode]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(wall, cpu) ratio columns as (numerator, denominator) labels, per tracetui loop."""
    present = {m.label for m in mode_list}
    wall: list[tuple[str, str]] = []
    cpu: list[tuple[str, str]] = []
    for loop in sorted({m.loop for m in mode_list if m.kind in ("tracetui", "explorer")}, key=str):
        tt, ex = Mode("tracetui", loop).label, Mode("explorer", loop).label
        pairs = ((tt, "strace"), (ex, "strace"), (ex, tt), (tt, "native"), (ex, "native"),
                 (tt, "floor"), (ex, "floor"))  # fmt: skip
        wall.extend((a, b) for a, b in pairs if a in present and b in present)
        cpu.extend((a, "strace") for a in (tt, ex) if a in present and "strace" in present)
    return wall, cpu


def _table(
    runs: dict[str, dict[Mode, list[Run]]],
    work: list[Workload],
    columns: list[Mode],
    ratios: list[tuple[str, str]],
    attr: str,
    unit: str,
) -> list[str]:
    """Rows of one markdown table: the median of `attr` per column, then the ratios."""
    lines = [
        "| workload | " + " | ".join(f"{m.label} {unit}" for m in columns)
        + "".join(f" | {a}/{b}" for a, b in ratios) + " |",
        "|---|" + "---:|" * (len(columns) + len(ratios)),
    ]  # fmt: skip
    for w in work:
        name = f"{w.name} (-e trace=openat)" if w.filtered else w.name
        med = {m.label: _median([getattr(r, attr) for r in runs[w.name][m]]) for m in columns}
        cells = [_seconds(med[m.label]) for m in columns]
        cells += [_ratio(med[a], med[b]) for a, b in ratios]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def explorer_notes(
    runs: dict[str, dict[Mode, list[Run]]], work: list[Workload], mode_list: list[Mode]
) -> list[str]:
    """Per explorer column: the event count its status bar showed, how long after the
    program's end, and the terminal's CPU time."""
    notes = []
    for w in work:
        for m in mode_list:
            done = runs[w.name][m]
            if m.kind == "explorer" and done and done[-1].events is not None:
                terminal = _seconds(_median([r.terminal_cpu for r in done]))
                late = _seconds(_median([r.catch_up for r in done]))
                notes.append(
                    f"{w.name} {m.label}: {done[-1].events:,} events, all shown {late} s after "
                    f"the program ended; tmux cpu {terminal} s"
                )
    return notes


def tables(
    runs: dict[str, dict[Mode, list[Run]]], work: list[Workload], mode_list: list[Mode]
) -> str:
    """The wall-time table, then the tracer-CPU table, with the ratios the targets are set in."""
    wall_ratios, cpu_ratios = ratio_columns(mode_list)
    out = "\n".join(_table(runs, work, mode_list, wall_ratios, "wall", "(s)"))
    traced = [m for m in mode_list if m.kind not in ("native", "floor")]
    if traced:
        cpu = _table(runs, work, traced, cpu_ratios, "tracer_cpu", "cpu (s)")
        out += "\n\ntracer CPU time (user+sys), median:\n\n" + "\n".join(cpu)
    notes = explorer_notes(runs, work, mode_list)
    if notes:
        out += (
            "\n\nexplorer: the events its status bar showed at the end (last round), how long"
            " after the program ended it showed them, and the CPU time of its terminal, the"
            " tmux server (medians):\n" + "\n".join(f"- {n}" for n in notes)
        )
    return out


COUNTED = """\
wall: the traced program's own run time (fork to reaping, timed by bench/harness/stopwatch.c
  run under each tracer, started once the tracer's processes are idle: the explorer has
  painted and finished starting up); the program's stdin and stdout are /dev/null throughout.
tracer CPU: user+sys, from the program's start until the tracer is done with it, of
  strace: the strace process;
  tracetui: its process (every thread) and its writer process, until it exits;
  explorer: the app's process (every thread), until its status bar shows EXITED with a
    stable event count.
  Not counted: the traced program, the stopwatch, tracer start-up before the program starts,
  the terminal (tmux). /proc figures are in 1/100 s.
columns: tracetui = headless (--no-ui -o /dev/null); explorer = `python -m tui` painting in tmux."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rounds", type=int, help="rounds per workload and mode (default 5; 1 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes and one round")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument(
        "--modes", default=",".join(KINDS), help=f"comma-separated columns among {','.join(KINDS)}"
    )
    parser.add_argument(
        "--loop",
        choices=("c", "python", "both"),
        help="run the tracetui columns with TRACETUI_LOOP set (both: a column per loop)",
    )
    parser.add_argument(
        "--cpus",
        help="run every column under `taskset -c CPUS` (e.g. 0: tracer, program and app on"
        " one CPU, as in a container limited to one; the scheduler's placement of tracer and"
        " program then plays no part)",
    )
    args = parser.parse_args(argv)
    kinds = [k for k in args.modes.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        print(
            f"overhead: unknown mode(s): {', '.join(sorted(unknown)) or '(none given)'}",
            file=sys.stderr,
        )
        return 2
    kinds = [k for k in KINDS if k in kinds]  # the table's order
    mode_list = modes(kinds, args.loop)
    needed = ["gcc", "find", "strace"] + (["tmux"] if "explorer" in kinds else [])
    needed += ["taskset"] if args.cpus else []
    for tool in needed:
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
    if "explorer" in kinds:
        probe = subprocess.run([sys.executable, "-c", "import textual, tui.app"], env=env,
                               capture_output=True, text=True)  # fmt: skip
        if probe.returncode != 0:
            print(f"overhead: {sys.executable} cannot load the app: "
                  f"{probe.stderr.strip().splitlines()[-1:]}", file=sys.stderr)  # fmt: skip
            return 2
    exes = compile_workloads()
    compile_c(STOPWATCH_SRC, STOPWATCH)
    compile_c(FLOOR_SRC, FLOOR)
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
        try:
            pin = ["taskset", "-c", args.cpus] if args.cpus else None
            runs = measure(work, mode_list, rounds, env, pin)
        except RunFailed as e:
            print(f"overhead: {e}", file=sys.stderr)
            return 1
    print(machine())
    if args.cpus:
        print(f"every column pinned to CPU(s) {args.cpus} (taskset -c {args.cpus})")
    for line in tool_versions(mode_list, env):
        print(line)
    sizes = " (--quick sizes)" if args.quick else ""
    print(f"\nmedian of {rounds} round(s){sizes}, modes alternating\n\n{COUNTED}\n")
    print(tables(runs, work, mode_list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
