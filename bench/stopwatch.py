"""One timed run of a workload: the stopwatch's gate and result, and the tracer's CPU time.

Every column of `overhead.py` runs the workload as `stopwatch GATE RESULT PROG
ARGS` (`harness/stopwatch.c`) under the tracer being measured (natively: on
its own). The stopwatch waits at GATE until the benchmark lets it go, which
it does once the tracer's processes are idle (`wait_quiet`), then times PROG
from its fork to its reaping: the figure is the program's own run time in
every column, with no tracer or app start-up in it and no delay in noticing
the end.

The tracer's CPU time is counted over the same stretch: its processes' user+sys
(every thread) when the gate opens is taken from the figure at the end, and so
is what the stopwatch and the traced program used (the kernel counts reaped
children in their parent's figure). See `Run`.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

RUN_TIMEOUT = 600
CLK_TCK = os.sysconf("SC_CLK_TCK")


class RunFailed(Exception):
    """A run did not complete; the message is one line (with the tool's last words)."""


@dataclass(slots=True)
class Run:
    """What one run measured.

    `wall`: the traced program's own run time, from the stopwatch.
    `tracer_cpu`: user+sys of the tracer's processes (all threads, and their other
    children: tracetui's writer) from the gate opening until the tracer was done
    (its exit; for the explorer, its status bar showing the trace ended), less the
    stopwatch's and the traced program's. None when nothing traced the run.
    `events`: the event count the explorer's status bar showed at the end (else None).
    `terminal_cpu`: user+sys of the explorer's terminal (the tmux server) over the
    same stretch (else None).
    `catch_up`: seconds from the program's end until the explorer's status bar showed
    the trace ended with its final count (else None). Its floor is ~0.2 s: the app's
    50 ms poll, its repaint, and our 50 ms polls of the screen through tmux.
    """

    wall: float
    tracer_cpu: float | None = None
    events: int | None = None
    terminal_cpu: float | None = None
    catch_up: float | None = None


@dataclass(slots=True)
class StopwatchResult:
    wall: float
    status: int
    tracer: int
    program_cpu: float
    self_cpu: float

    @classmethod
    def read(cls, path: Path) -> StopwatchResult:
        fields = dict(item.split("=", 1) for item in path.read_text().split())
        return cls(
            float(fields["wall"]),
            int(fields["status"]),
            int(fields["tracer"]),
            float(fields["program_cpu"]),
            float(fields["self_cpu"]),
        )

    @property
    def traced_cpu(self) -> float:
        """What the tracer's figures count of the run that is not the tracer's."""
        return self.program_cpu + self.self_cpu


class Gate:
    """The FIFO the stopwatch blocks on, and the result file it writes, in a private directory."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "gate"
        self.result = directory / "result"
        os.mkfifo(self.path)
        self._fd: int | None = None

    def argv(self, stopwatch: Path, workload: list[str]) -> list[str]:
        return [str(stopwatch), str(self.path), str(self.result), *workload]

    def wait_for_stopwatch(self, alive: Callable[[], bool], timeout: float) -> int:
        """Block until the stopwatch waits at the gate; returns its pid.

        Opening the FIFO for writing succeeds once the stopwatch has it open for
        reading; it then waits in read() for our byte, so it is found in /proc.
        """
        deadline = time.monotonic() + timeout
        while self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
                if not alive():
                    raise RunFailed("the tracer ended before the workload started") from None
                if time.monotonic() > deadline:
                    raise RunFailed(f"the workload did not start within {timeout:.0f} s") from None
                time.sleep(0.002)
        return stopwatch_pid(self.path)

    def open(self) -> None:
        """Let the stopwatch start the program's clock."""
        assert self._fd is not None
        os.write(self._fd, b"g")
        os.close(self._fd)
        self._fd = None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def stopwatch_pid(gate: Path) -> int:
    """The process whose first argument is `gate` (a unique path)."""
    want = str(gate).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if len(argv) > 1 and argv[1] == want:
            return int(name)
    raise RunFailed("the stopwatch waits at the gate but is not in /proc")


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat from field 3 (state) on: field n is at [n - 3]."""
    data = Path(f"/proc/{pid}/stat").read_text()
    return data[data.rindex(")") + 2 :].split()  # after the command name, which may hold ") "


def _ppid_and_cpu(pid: int) -> tuple[int, float]:
    """(ppid, user+sys+cutime+cstime in seconds): the whole thread group's figures, and
    those of the children it reaped."""
    fields = proc_stat(pid)
    return int(fields[4 - 3]), sum(int(x) for x in fields[14 - 3 : 17 - 3 + 1]) / CLK_TCK


def tree_cpu(root: int, exclude: int | None = None) -> float:
    """User+sys of `root` and its live descendants (and of the children they reaped),
    leaving out the subtree of `exclude` (the stopwatch and the traced program)."""
    parent: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parent[int(name)], cpu[int(name)] = _ppid_and_cpu(int(name))
            except (OSError, ValueError, IndexError):
                continue
    if root not in cpu:
        raise RunFailed(f"the tracer (pid {root}) is gone")
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid == exclude:
            continue
        total += cpu[pid]
        todo.extend(children.get(pid, ()))
    return total


QUIET_WINDOW = 0.1  # seconds
QUIET_TICKS = 1  # at most this much CPU (in 1/CLK_TCK s) per window ...
QUIET_WINDOWS = 3  # ... this many windows in a row
QUIET_TIMEOUT = 20.0


def wait_quiet(root: int, exclude: int) -> float:
    """Wait until the tracer's processes are idle (their start-up is over: the explorer
    keeps working for a while after its first paint); returns their CPU time then."""
    deadline = time.monotonic() + QUIET_TIMEOUT
    last = tree_cpu(root, exclude)
    calm = 0
    while calm < QUIET_WINDOWS:
        time.sleep(QUIET_WINDOW)
        now = tree_cpu(root, exclude)
        calm = calm + 1 if now - last <= QUIET_TICKS / CLK_TCK + 1e-9 else 0
        last = now
        if time.monotonic() > deadline:
            busy = f"the tracer (pid {root}) was still busy after {QUIET_TIMEOUT:.0f} s"
            print(f"overhead: warning: {busy}; starting the workload anyway", file=sys.stderr)
            break
    return last


def last_words(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def run_command(
    prefix: list[str],
    workload: list[str],
    env: dict[str, str],
    stopwatch: Path,
    traced: bool,
    timeout: float = RUN_TIMEOUT,
) -> Run:
    """Run `prefix + stopwatch + workload` (the tracer, or nothing natively) and measure it.

    The tracer is this process's child: its rusage from wait4 covers it and every
    child it reaped (tracetui's writer process, the stopwatch with the program).
    """
    with tempfile.TemporaryDirectory(prefix="overhead-run.") as tmp:
        gate = Gate(Path(tmp))
        argv = prefix + gate.argv(stopwatch, workload)
        with open(Path(tmp) / "stderr", "w+b") as err:
            proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                start_new_session=True,
            )  # fmt: skip
            killer = threading.Timer(timeout, _kill_group, (proc.pid,))
            killer.start()
            try:
                sw = gate.wait_for_stopwatch(lambda: _running(proc.pid), timeout)
                start_cpu = wait_quiet(proc.pid, exclude=sw) if traced else 0.0
                gate.open()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
            finally:
                killer.cancel()
                gate.close()
                if proc.returncode is None:  # failed before the wait: end it, keep no zombie
                    _kill_group(proc.pid)
                    proc.wait()
            if proc.returncode != 0:
                err.seek(0)
                words = last_words(err.read().decode(errors="replace"))
                late = " (timed out)" if proc.returncode == -signal.SIGKILL else ""
                raise RunFailed(f"{' '.join(argv)} failed ({proc.returncode}){late}: {words}")
        result = StopwatchResult.read(gate.result)
    if not traced:
        return Run(result.wall)
    if result.tracer != proc.pid:
        raise RunFailed(f"the stopwatch's parent is {result.tracer}, not the tracer {proc.pid}")
    end_cpu = usage.ru_utime + usage.ru_stime
    return Run(result.wall, end_cpu - start_cpu - result.traced_cpu)


def _running(pid: int) -> bool:
    """Whether `pid` (our child) has not exited, without reaping it (wait4 needs its rusage)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
