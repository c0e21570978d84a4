"""End to end: the real `tracetui` command in a real terminal (tmux), driven by keys.

A user filters, pauses, resumes, inspects and quits; afterwards no traced
process is left behind. What the screen must show is computed from the traced
program (its pid, the path it fails to open), not pasted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, proc_state, wait_for

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

PROGRAM = textwrap.dedent(
    """
    import os, sys, time
    open(sys.argv[1], "w").write(str(os.getpid()))
    while True:
        try:
            open(sys.argv[2])
        except OSError:
            pass
        time.sleep(0.05)
    """
)


class Tmux:
    def __init__(self, name: str, server: str | None = None) -> None:
        self.name = name
        self.server = ["-L", server] if server else []  # a server of its own, to kill whole

    def run(self, *args: str) -> str:
        argv = ["tmux", *self.server, *args]
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={v!r}" for k, v in env.items())
        # COLUMNS/LINES inherited from the test runner would override the window size.
        shell = f"cd / && env -u COLUMNS -u LINES {exports} " + " ".join(map(_quote, command))
        self.run("new-session", "-d", "-s", self.name, "-x", "220", "-y", "45", shell)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_screen(self, pred, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            try:
                text = self.screen()
            except subprocess.CalledProcessError:
                text = ""
            if pred(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"screen never matched; last screen:\n{text}")

    def alive(self) -> bool:
        argv = ["tmux", *self.server, "has-session", "-t", self.name]
        return subprocess.run(argv, capture_output=True).returncode == 0

    def kill(self) -> None:
        subprocess.run(["tmux", *self.server, "kill-session", "-t", self.name], capture_output=True)

    def kill_server(self) -> None:
        """The terminal dies under the app (tmux killed, an ssh session dropped)."""
        subprocess.run(["tmux", *self.server, "kill-server"], capture_output=True)


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def test_filter_pause_resume_inspect_quit_in_a_real_terminal(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(PROGRAM)
    pidfile = tmp_path / "pid"
    missing = f"/no-such-config-{uuid.uuid4().hex[:6]}.toml"  # short: the list cuts long lines
    tmux = Tmux("tracetui-e2e-" + uuid.uuid4().hex[:8])
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    tmux.start(
        [sys.executable, "-m", "tui", sys.executable, str(script), str(pidfile), missing],
        env,
    )
    try:
        assert wait_for(lambda: pidfile.exists() and pidfile.read_text() != "", timeout=20)
        pid = int(pidfile.read_text())
        tmux.wait_screen(lambda s: "RUNNING" in s and "no-such-config" in s)

        # Filter by keystroke: only the failing opens stay.
        tmux.keys("/")
        tmux.wait_screen(lambda s: "filter: name" in s)  # the bar's placeholder: it has focus
        tmux.keys("-l", "err no-such-config")
        tmux.keys("Escape")

        def only_failed_opens(screen: str) -> bool:
            listed = [line for line in screen.splitlines() if "openat(" in line]
            return bool(listed) and all(
                "no-such-config" in line and "ENOENT" in line for line in listed
            )

        # (The tail shows only failed opens before the filter too: wait for the sleeps to go.)
        screen = tmux.wait_screen(lambda s: only_failed_opens(s) and "clock_nanosleep" not in s)
        assert "filter: failed" in screen
        # A key right after Escape would arrive as Alt+key: let the terminal settle.
        time.sleep(0.5)

        # Pause: the program itself is held (state t), resume: it runs again.
        tmux.keys("p")
        tmux.wait_screen(lambda s: "PAUSED" in s)
        assert wait_for(lambda: proc_state(pid) == "t")
        tmux.keys("p")
        tmux.wait_screen(lambda s: "RUNNING" in s)
        assert wait_for(lambda: proc_state(pid) in ("R", "S"))

        # Inspect the selected call: its full path and the errno's meaning.
        tmux.keys("Enter")
        screen = tmux.wait_screen(lambda s: missing in s)
        assert "No such file or directory" in screen
        tmux.keys("Escape")
        tmux.wait_screen(lambda s: "RUNNING" in s and "Detail" in s)
        time.sleep(0.5)

        tmux.keys("q")
        assert wait_for(lambda: not tmux.alive(), timeout=20), tmux.screen()
        assert wait_for(lambda: proc_state(pid) in (None, "Z"), timeout=10)
    finally:
        tmux.kill()
        if pidfile.exists() and pidfile.read_text():
            try:
                os.kill(int(pidfile.read_text()), 9)
            except OSError:
                pass


def test_quit_leaves_an_attached_process_running(tmp_path):
    sleeper = subprocess.Popen(["sleep", "60"])
    tmux = Tmux("tracetui-e2e-" + uuid.uuid4().hex[:8])
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    try:
        tmux.start([sys.executable, "-m", "tui", "-p", str(sleeper.pid)], env)
        tmux.wait_screen(lambda s: "RUNNING" in s)
        tmux.keys("q")
        assert wait_for(lambda: not tmux.alive(), timeout=20)
        status = Path(f"/proc/{sleeper.pid}/status").read_text()
        assert "TracerPid:\t0" in status
        assert proc_state(sleeper.pid) == "S"
        assert sleeper.poll() is None
    finally:
        tmux.kill()
        sleeper.kill()
        sleeper.wait()


FLOOD = textwrap.dedent(
    """
    import os, sys
    open(sys.argv[1], "w").write(str(os.getpid()))
    while True:
        os.getppid()
    """
)


@pytest.mark.parametrize("attach", [True, False], ids=["attached", "launched"])
def test_a_terminal_killed_mid_flood_ends_the_app(tmp_path, attach):
    """The tmux server killed while events pour in: the app ends (it was found hung in
    Textual's exit, writing to the dead terminal); an attached program runs on untraced,
    a launched one is ended as `q` ends it."""
    script = tmp_path / "flood.py"
    script.write_text(FLOOD)
    pidfile = tmp_path / "pid"
    prog = None
    name = "tracetui-e2e-" + uuid.uuid4().hex[:8]
    tmux = Tmux(name, server=name)
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    try:
        if attach:
            prog = subprocess.Popen([sys.executable, str(script), str(pidfile)])
            assert wait_for(lambda: pidfile.exists() and pidfile.read_text() != "", timeout=20)
            tmux.start([sys.executable, "-m", "tui", "-p", str(prog.pid)], env)
        else:
            tmux.start(
                [sys.executable, "-m", "tui", sys.executable, str(script), str(pidfile)], env
            )
            assert wait_for(lambda: pidfile.exists() and pidfile.read_text() != "", timeout=20)
        pid = int(pidfile.read_text())
        tmux.wait_screen(lambda s: "RUNNING" in s)
        time.sleep(1.5)  # well into the flood
        args = f"-m tui -p {pid}" if attach else f"-m tui {sys.executable} {script}"
        app = int(subprocess.run(["pgrep", "-f", "--", args], capture_output=True, text=True).stdout.split()[0])  # fmt: skip
        tmux.kill_server()
        assert wait_for(lambda: proc_state(app) in (None, "Z"), timeout=30), "the app is hung"
        if attach:
            assert wait_for(lambda: "TracerPid:\t0" in Path(f"/proc/{pid}/status").read_text())
            assert proc_state(pid) in ("R", "S")
            assert prog is not None and prog.poll() is None
        else:
            assert wait_for(lambda: proc_state(pid) in (None, "Z"), timeout=10)
    finally:
        tmux.kill_server()
        if prog is not None:
            prog.kill()
            prog.wait()
        elif pidfile.exists() and pidfile.read_text():
            try:
                os.kill(int(pidfile.read_text()), 9)
            except OSError:
                pass


def test_tty_inherit_gives_the_program_the_terminal_then_opens_the_trace(tmp_path):
    """With --tty=inherit the program reads and writes the real terminal; the app comes after."""
    answer = tmp_path / "answer"
    script = f'read line; echo "$line" > {answer}; exit 3'
    tmux = Tmux("tracetui-e2e-" + uuid.uuid4().hex[:8])
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    try:
        tmux.start([sys.executable, "-m", "tui", "--tty=inherit", "sh", "-c", script], env)
        time.sleep(1.0)
        assert "EXITED" not in tmux.screen()  # the program has the terminal, not the app
        tmux.keys("-l", "typed-into-the-program")
        tmux.keys("Enter")
        tmux.wait_screen(lambda s: "EXITED (3)" in s)
        assert answer.read_text().strip() == "typed-into-the-program"
        tmux.keys("q")
        assert wait_for(lambda: not tmux.alive(), timeout=20)
    finally:
        tmux.kill()


def test_the_list_follows_a_short_program_to_its_exit_line(tmp_path):
    """`tracetui ls PRESENT MISSING`, ten times: each time the exit line is on screen, no key pressed."""
    ls = shutil.which("ls")
    present = tmp_path / "present.txt"
    present.write_text("x")
    missing = tmp_path / "missing.txt"
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    for attempt in range(10):
        tmux = Tmux("tracetui-e2e-" + uuid.uuid4().hex[:8])
        try:
            tmux.start([sys.executable, "-m", "tui", ls, str(present), str(missing)], env)
            tmux.wait_screen(lambda s: "EXITED (2)" in s, timeout=30)
            try:
                tmux.wait_screen(lambda s: "+++ exited with 2 +++" in s, timeout=5)
            except AssertionError as exc:
                raise AssertionError(f"run {attempt + 1}: the list stopped following") from exc
            tmux.keys("q")
            assert wait_for(lambda t=tmux: not t.alive(), timeout=20)
        finally:
            tmux.kill()


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_app_gives_the_terminal_back(tmp_path, signo):
    """SIGTERM (or a hangup) ends the app as `q` does: the terminal leaves the
    alternate screen, the launched program is killed, the status is 128+N."""
    script = tmp_path / "prog.py"
    script.write_text(PROGRAM)
    pidfile = tmp_path / "pid"
    rcfile = tmp_path / "rc"
    tmux = Tmux("tracetui-e2e-" + uuid.uuid4().hex[:8])
    cmd = [sys.executable, "-m", "tui", sys.executable, str(script), str(pidfile), "/nowhere"]
    shell = " ".join(map(_quote, cmd)) + f"; echo $? > {_quote(str(rcfile))}; exec sleep 60"
    tmux.start(["sh", "-c", shell], {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"})
    try:
        assert wait_for(lambda: pidfile.exists() and pidfile.read_text() != "", timeout=20)
        pid = int(pidfile.read_text())
        tmux.wait_screen(lambda s: "RUNNING" in s)
        assert tmux.run("display", "-p", "-t", tmux.name, "#{alternate_on}").strip() == "1"
        app = int(subprocess.run(["pgrep", "-f", "--", f"-m tui {sys.executable} {script}"], capture_output=True, text=True).stdout.split()[0])  # fmt: skip
        os.kill(app, signo)
        assert wait_for(lambda: rcfile.exists() and rcfile.read_text().strip() != "", timeout=20)
        assert int(rcfile.read_text()) == 128 + signo
        assert tmux.run("display", "-p", "-t", tmux.name, "#{alternate_on}").strip() == "0"
        assert wait_for(lambda: proc_state(pid) in (None, "Z"), timeout=10)
    finally:
        tmux.kill()


def test_the_explorer_records_what_it_shows_with_w(tmp_path):
    """`tracetui -w FILE PROG`: explore live and record; the recording reads back as the
    text the headless tracer writes for the same program (pids and times aside). One
    process: with children, how their lines interleave differs from run to run."""
    from conftest import compile_c, run_tracetui

    prog = compile_c(
        r"""
#include <fcntl.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 300; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        char b[16];
        read(fd, b, sizeof b);
        close(fd);
    }
    open("/no/such/file", O_RDONLY);
    return 3;
}
""",
        name="record_from_app",
    )
    db = tmp_path / "run.db"
    tmux = Tmux("tracetui-rec-" + uuid.uuid4().hex[:8])
    env = {"PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    tmux.start([sys.executable, "-m", "tui", "-f", "-w", str(db), str(prog)], env)
    try:
        tmux.wait_screen(lambda s: "EXITED (3)" in s)
        tmux.keys("q")
        assert wait_for(lambda: not tmux.alive(), timeout=20), tmux.screen()
    finally:
        tmux.kill()
    flags = ("-f", "-s", "32")
    again = tmp_path / "again.txt"
    proc = run_tracetui("--no-ui", *flags, "-r", str(db), "-o", str(again))
    assert proc.returncode == 0, proc.stderr
    live = tmp_path / "live.txt"
    proc = run_tracetui("--no-ui", *flags, "-o", str(live), str(prog))
    assert proc.returncode == 3, proc.stderr

    def calls(text: str) -> list[str]:
        import re

        out = []
        for line in text.splitlines():
            line = re.sub(r"^\[?(pid +)?\d+\]? +", "", line)  # the pid prefix
            line = re.sub(r"0x[0-9a-f]+", "ADDR", line)
            line = re.sub(r"\b\d{3,}\b", "N", line)  # pids in clone/wait4/exit lines
            line = re.sub(r"/\* \d+ vars \*/", "/* VARS */", line)  # the app's env differs
            out.append(line)
        return out

    recorded, headless = calls(again.read_text()), calls(live.read_text())
    assert len(recorded) > 900
    # The launcher's own calls before the program's execve differ between the app
    # (a pty) and headless: compare from the program's execve on.
    start = next(i for i, ln in enumerate(recorded) if ln.startswith("execve("))
    start2 = next(i for i, ln in enumerate(headless) if ln.startswith("execve("))
    assert recorded[start:] == headless[start2:]
    assert any("/no/such/file" in ln and "ENOENT" in ln for ln in recorded)
