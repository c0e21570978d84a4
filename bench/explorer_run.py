"""One timed run of a workload under the real explorer, painting in a tmux terminal.

The app is started as users start it (`python -m tui [options] PROG ARGS`, the
same interpreter and PYTHONPATH as the headless column) in a private tmux
server, 160x45. The workload is `stopwatch GATE RESULT PROG ARGS`
(`stopwatch.py`), so what is timed is the same as in the other columns:

1. wait until the app has painted its status bar, and then until it is idle (it
   keeps working for half a second or more after its first paint): start-up is over;
2. open the gate: the stopwatch's clock starts and the program runs;
3. wait for the stopwatch's result (the program has ended; the figure is its own
   wall time, however late we notice);
4. wait until the status bar says EXITED (or "killed by") with the same event
   count twice (the app has ingested and painted everything), read the app's CPU
   time from /proc (and, apart, the tmux server's: the terminal's share);
5. press `q`, and wait for the app to exit with status 0 (read from /proc while
   it is a zombie: tmux sometimes does not reap it).

The last screen of each run is kept in `bench/.build/screens/` as evidence of
what the app painted.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stopwatch import (
    CLK_TCK,
    RUN_TIMEOUT,
    Gate,
    Run,
    RunFailed,
    StopwatchResult,
    last_words,
    proc_stat,
    tree_cpu,
    wait_quiet,
)

COLUMNS, LINES = 160, 45
STARTUP_TIMEOUT = 60.0
QUIT_TIMEOUT = 20.0
SETTLE_POLL = 0.05
# The status bar: " RUNNING  1,234 events (5,678/s) ..." / " EXITED (0)  1,234 events ..." /
# " killed by SIGSEGV  1,234 events ..."
STATUS = re.compile(
    r"(RUNNING|PAUSED|EXITED|killed by SIG[A-Z0-9]+)(?: \((-?\d+)\))?\s+([\d,]+) events"
)
ENDED = ("EXITED", "killed by")
TMUX_CONF = (
    "set -g remain-on-exit on\n"  # a dead pane keeps its last screen (the error, if any)
    "set -g status off\n"  # the app gets all 45 lines, and tmux redraws nothing of its own
    "set -g default-terminal screen-256color\n"
    "set -g history-limit 0\n"
)


class Tmux:
    """A private tmux server (its socket in the run's directory) holding one session: the app."""

    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.socket = directory / "tmux.socket"  # gone with the directory; -L would leave it
        self.conf = directory / "tmux.conf"
        self.conf.write_text(TMUX_CONF)
        self.env = env

    def __call__(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", str(self.conf), *args],
            env=self.env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if check and proc.returncode != 0:
            raise RunFailed(f"tmux {args[0]}: {last_words(proc.stderr)}")
        return proc.stdout

    def start(self, command: list[str]) -> None:
        self("new-session", "-d", "-s", "app", "-x", str(COLUMNS), "-y", str(LINES),
             shlex.join(command))  # fmt: skip

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def dead(self) -> bool:
        return self("display-message", "-p", "-t", "app", "#{pane_dead}").strip() == "1"

    def exit_status(self) -> int | None:
        """The app's exit status, once tmux has it (a while after the pane is dead)."""
        shown = self("display-message", "-p", "-t", "app", "#{pane_dead_status}").strip()
        return int(shown) if shown else None

    def kill(self) -> None:
        self("kill-server", check=False)


def status_of(screen: str) -> tuple[str, int] | None:
    """(state, events) from the status bar on `screen`, None if it is not painted."""
    found = STATUS.findall(screen)
    if not found:
        return None
    state, _, events = found[-1]
    return state, int(events.replace(",", ""))


def run_explorer(
    app: list[str],
    workload: list[str],
    env: dict[str, str],
    stopwatch: Path,
    screen_file: Path | None = None,
    timeout: float = RUN_TIMEOUT,
    pin: list[str] | None = None,
) -> Run:
    """Run `app + stopwatch + workload` in tmux (`app`: `python -m tui [options]`), after
    `pin` (`taskset -c CPUS`) if given."""
    with tempfile.TemporaryDirectory(prefix="overhead-app.") as tmp:
        gate = Gate(Path(tmp))
        tmux = Tmux(Path(tmp), env)
        # Spelled out on the command line, not left to what the tmux server inherited.
        pinned = [f"{k}={env[k]}" for k in ("PYTHONPATH", "TRACETUI_LOOP") if k in env]
        command = ["env", "-u", "PYTHONDONTWRITEBYTECODE", *pinned, *(pin or []), *app]
        tmux.start(command + gate.argv(stopwatch, workload))
        screen = ""
        tracer: int | None = None
        started: str | None = None
        try:
            screen = _wait_painted(tmux)
            sw = gate.wait_for_stopwatch(lambda: not tmux.dead(), STARTUP_TIMEOUT)
            tracer = _parent(sw)
            started = _start_time(tracer)
            _check_launched_as(tracer, app[0], env.get("PYTHONPATH"))
            server = int(tmux("display-message", "-p", "#{pid}"))
            start_cpu = wait_quiet(tracer, exclude=sw)
            start_terminal = _own_cpu(server)
            gate.open()
            _wait_result(tmux, gate.result, timeout)
            ended_at = time.monotonic()
            result = StopwatchResult.read(gate.result)
            if result.status != 0:
                code = os.waitstatus_to_exitcode(result.status)
                raise RunFailed(f"the workload exited with {code}")
            screen, events, shown_at = _wait_settled(tmux)
            end_cpu = tree_cpu(tracer)
            terminal = _own_cpu(server) - start_terminal
            if Path(f"/proc/{sw}").exists():
                raise RunFailed("the app has not reaped the stopwatch: its CPU time is unknown")
            tmux("send-keys", "-t", "app", "q")
            trouble = _quit(tmux, tracer)
            if trouble:  # the figures are taken: say so, and go on
                shown = _screen_tail(_safe_screen(tmux))
                print(f"overhead: warning: {shlex.join(app + workload)}: {trouble} "
                      f"(screen ends: {shown!r})", file=sys.stderr)  # fmt: skip
        except RunFailed as e:
            shown = _screen_tail(_safe_screen(tmux) or screen)
            raise RunFailed(f"{shlex.join(app + workload)}: {e} (screen ends: {shown!r})") from None
        finally:
            gate.close()
            tmux.kill()
            if tracer is not None:
                _kill_if_alive(tracer, started)
        if screen_file is not None:
            screen_file.parent.mkdir(parents=True, exist_ok=True)
            screen_file.write_text(screen)
    if result.tracer != tracer:
        raise RunFailed(f"the stopwatch's parent is {result.tracer}, not the app {tracer}")
    cpu = end_cpu - start_cpu - result.traced_cpu
    return Run(result.wall, cpu, events, terminal, max(0.0, shown_at - ended_at))


def _parent(pid: int) -> int:
    return int(proc_stat(pid)[4 - 3])


def _own_cpu(pid: int) -> float:
    """User+sys of one process itself (the tmux server: not the app, its child)."""
    fields = proc_stat(pid)
    return (int(fields[14 - 3]) + int(fields[15 - 3])) / CLK_TCK


def _wait_painted(tmux: Tmux) -> str:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        screen = tmux.screen()
        if status_of(screen) is not None:
            return screen
        if tmux.dead():
            raise RunFailed("the app ended before it painted")
        time.sleep(0.05)
    raise RunFailed(f"no status bar painted within {STARTUP_TIMEOUT:.0f} s")


def _wait_result(tmux: Tmux, result: Path, timeout: float) -> None:
    """Wait for the stopwatch's result file, touching only the file system meanwhile:
    the benchmark must not take CPU from the app and the program while they run."""
    deadline = time.monotonic() + timeout
    next_check = time.monotonic() + 1.0
    while not result.exists():
        now = time.monotonic()
        if now > deadline:
            raise RunFailed(f"the workload did not end within {timeout:.0f} s")
        if now > next_check:
            if tmux.dead():
                raise RunFailed("the app ended before the workload did")
            next_check = now + 1.0
        time.sleep(0.01)


def _wait_settled(tmux: Tmux) -> tuple[str, int, float]:
    """The screen once the status bar shows the trace ended with the same count twice in a
    row, that count, and when that status was first seen."""
    deadline = time.monotonic() + RUN_TIMEOUT
    previous, seen_at = None, 0.0
    while time.monotonic() < deadline:
        now = time.monotonic()
        screen = tmux.screen()
        status = status_of(screen)
        if status is not None and status[0].startswith(ENDED) and status == previous:
            return screen, status[1], seen_at
        if status != previous:
            previous, seen_at = status, now
        time.sleep(SETTLE_POLL)
    raise RunFailed("the status bar never showed the trace ended")


def _quit(tmux: Tmux, app: int) -> str | None:
    """After `q`: None once the app has exited with status 0, else what went wrong.

    Its exit is read from /proc while it is a zombie, or from tmux once tmux has
    reaped it: tmux sometimes leaves the ended app unreaped, the pane alive.
    """
    deadline = time.monotonic() + QUIT_TIMEOUT
    while time.monotonic() < deadline:
        status = _zombie_status(app)
        if status is None and tmux.dead():
            status = tmux.exit_status()
        if status is not None:
            if status != 0:
                raise RunFailed(f"the app exited with {status}")
            return None
        time.sleep(0.05)
    return f"the app did not quit within {QUIT_TIMEOUT:.0f} s of `q`; its threads: {_threads(app)}"


def _zombie_status(pid: int) -> int | None:
    """The exit status of `pid` if every thread of it has ended and it awaits reaping."""
    try:
        fields = proc_stat(pid)
        if fields[0] != "Z" or len(os.listdir(f"/proc/{pid}/task")) > 1:
            return None
    except OSError:
        return None
    return os.waitstatus_to_exitcode(int(fields[52 - 3]))  # exit_code, as wait reports it


def _threads(pid: int) -> str:
    """Each thread's name, state and kernel wait channel: what a hang on quit is stuck in."""
    out = []
    try:
        tids = sorted(os.listdir(f"/proc/{pid}/task"), key=int)
    except OSError:
        return "gone"
    for tid in tids:
        try:
            comm = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
            wchan = Path(f"/proc/{pid}/task/{tid}/wchan").read_text().strip()
        except OSError:
            continue
        state = _proc_field(int(tid), "State") or "?"
        out.append(f"{tid} {comm} {state} in {wchan or '-'}")
    return "; ".join(out) or "none left"


def _proc_field(pid: int, name: str) -> str | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _check_launched_as(pid: int, python: str, pythonpath: str | None) -> None:
    """The app runs on the interpreter and PYTHONPATH the headless column gets."""
    exe = os.readlink(f"/proc/{pid}/exe")
    if exe != os.path.realpath(python):
        raise RunFailed(f"the app runs {exe}, not {os.path.realpath(python)}")
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    found = next((e[11:].decode() for e in environ if e.startswith(b"PYTHONPATH=")), None)
    if found != pythonpath:
        raise RunFailed(f"the app's PYTHONPATH is {found!r}, not {pythonpath!r}")


def _start_time(pid: int) -> str | None:
    try:
        return proc_stat(pid)[22 - 3]
    except OSError:
        return None


def _kill_if_alive(pid: int, started: str | None) -> None:
    """The app, if it outlived its terminal (a hang on quit): it was started by this run."""
    deadline = time.monotonic() + 2.0
    while _start_time(pid) == started and time.monotonic() < deadline:
        time.sleep(0.05)
    # A zombie leader whose other threads still run is alive: SIGKILL ends them too.
    alive = _threads(pid) not in ("gone", "none left")
    if alive and _start_time(pid) == started:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _screen_tail(screen: str, n: int = 3) -> str:
    return " | ".join([line.strip() for line in screen.splitlines() if line.strip()][-n:])


def _safe_screen(tmux: Tmux) -> str:
    try:
        return tmux.screen()
    except (RunFailed, subprocess.SubprocessError):
        return ""
