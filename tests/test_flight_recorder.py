"""The flight recorder: `--ring N --trigger ...` keeps the last events and writes them
to numbered session files when a trigger fires (tracer/flight)."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_tracetui, tracetui_cmd

from tracer.events import Exited, Resumed, SignalDelivered, Syscall, Unfinished
from tracer.flight.spec import FlightSpecError, parse_ring
from tracer.formats.session_file import read_session

pytestmark = pytest.mark.timeout(60)

EMFILE_SERVER = str(ROOT / "examples" / "emfile_server.py")


def events_of(path: Path) -> list:
    return [ev for batch in read_session(str(path)) for ev in batch]


def meta_of(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT key, value FROM meta"))


def meta_of_ready(path: Path) -> bool:
    """The dump is written whole (its writer commits once, at the end)."""
    try:
        return bool(events_of(path))
    except Exception:
        return False


def call_of(ev):
    return ev if type(ev) is Syscall else ev.call if type(ev) in (Resumed, Unfinished) else None


def failed_with(ev, code: int) -> bool:
    call = call_of(ev)
    return type(ev) is not Unfinished and call is not None and call.error == code


def test_an_emfile_trigger_dumps_the_last_500_events_ending_at_the_first_emfile(tmp_path):
    base = tmp_path / "run.db"
    proc = run_tracetui(
        "--no-ui", "--ring", "500", "--trigger", "errno:EMFILE", "-w", str(base),
        sys.executable, EMFILE_SERVER,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    dump = tmp_path / "run.1.db"
    evs = events_of(dump)
    assert not base.exists()  # nothing but dumps is written
    assert 0 < len(evs) <= 500
    hits = [i for i, ev in enumerate(evs) if failed_with(ev, errno.EMFILE)]
    assert hits == [len(evs) - 1]  # the first EMFILE, and the last event of the dump
    assert call_of(evs[-1]).nr in (43, 288)  # accept / accept4
    meta = meta_of(dump)
    assert meta["flight_trigger"] == "errno:EMFILE"
    assert "EMFILE" in meta["flight_event"] and meta["flight_ring"] == "500"
    fired = [ln for ln in proc.stderr.splitlines() if "trigger errno:EMFILE fired" in ln]
    assert len(fired) == 1 and str(dump) in fired[0]
    # The server fails 200 times in well under the default interval: one dump, the rest
    # rate-limited and counted.
    assert not (tmp_path / "run.2.db").exists()
    assert "199 rate-limited" in proc.stderr


def test_after_adds_the_events_that_followed_and_the_interval_allows_more_dumps(tmp_path):
    base = tmp_path / "run.db"
    proc = run_tracetui(
        "--no-ui", "--ring", "100", "--trigger", "name:accept4 errno:EMFILE", "--after", "10",
        "--trigger-interval", "0", "--max-dumps", "3", "-w", str(base),
        sys.executable, EMFILE_SERVER,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    dumps = sorted(tmp_path.glob("run.*.db"))
    assert [p.name for p in dumps] == ["run.1.db", "run.2.db", "run.3.db"]
    evs = events_of(dumps[0])
    first = next(i for i, ev in enumerate(evs) if failed_with(ev, errno.EMFILE))
    assert first <= 100 and len(evs) - 1 - first == 10
    assert meta_of(dumps[0])["flight_after"] == "10"
    # The next EMFILEs came within the first dump's --after window, or fired their own.
    assert meta_of(dumps[2])["flight_dump"] == "3"
    assert "rate-limited" in proc.stderr  # past --max-dumps 3


def test_a_crash_dumps_the_last_calls_and_the_signal(tmp_path, cc):
    prog = cc(
        """
        #include <fcntl.h>
        #include <unistd.h>
        int main(void) {
            for (int i = 0; i < 300; i++) close(open("/dev/null", O_RDONLY));
            getppid();
            *(volatile int *)0 = 1;
            return 0;
        }
        """,
        name="segfault",
    )
    proc = run_tracetui(
        "--no-ui", "--ring", "50", "--trigger", "crash", "-w", str(tmp_path / "c.db"), str(prog)
    )
    assert proc.returncode == 128 + signal.SIGSEGV
    evs = events_of(tmp_path / "c.1.db")
    assert len(evs) <= 50
    assert type(evs[-1]) is Exited and evs[-1].signal == signal.SIGSEGV
    assert type(evs[-2]) is SignalDelivered and evs[-2].signo == signal.SIGSEGV
    assert call_of(evs[-3]).nr == 110  # getppid, the last call before the crash
    assert meta_of(tmp_path / "c.1.db")["flight_trigger"] == "crash"
    assert "trigger crash fired" in proc.stderr and "killed by SIGSEGV" in proc.stderr


def test_sigusr1_dumps_the_ring_and_tracing_goes_on(tmp_path):
    base = tmp_path / "u.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    program = (
        "import os, sys; [os.getppid() for _ in range(20)]; print('ready', flush=True); "
        "sys.stdin.read(); os.getpid()"
    )
    p = subprocess.Popen(
        tracetui_cmd("--no-ui", "--ring", "100", "-w", str(base), sys.executable, "-c", program),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert p.stdout.readline() == "ready\n"  # traced, and waiting on its stdin
        p.send_signal(signal.SIGUSR1)
        dump = tmp_path / "u.1.db"
        deadline = time.monotonic() + 20
        while not meta_of_ready(dump) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert dump.exists()
        p.stdin.close()  # the program ends
        assert p.wait(20) == 0
    finally:
        p.kill()
    stderr = p.stderr.read()
    assert "SIGUSR1: writing the ring" in stderr
    evs = events_of(dump)
    assert 0 < len(evs) <= 100
    assert meta_of(dump)["flight_trigger"] == "SIGUSR1"
    nrs = [call_of(ev).nr for ev in evs if call_of(ev) is not None]
    assert 110 in nrs and 1 in nrs  # getppid, then the write of "ready"
    assert 39 not in nrs  # the getpid after the dump is not in it


@pytest.mark.parametrize(
    "args, says",
    [
        (["--ring", "lots"], "invalid --ring argument: 'lots'"),
        (["--ring", "0"], "invalid --ring argument: '0'"),
        (["--ring", "12XB"], "invalid --ring argument: '12XB'"),
        (["--trigger", "errno:ENOPE", "-w", "x.db"], "invalid --trigger filter 'errno:ENOPE'"),
        (["--trigger", "crash"], "give -w FILE"),
        (["--ring", "10", "-w", "x.db", "-o", "t.txt"], "not with -o"),
        (["--ring", "10", "-w", "/nonexistent/x.db"], "cannot write dumps in /nonexistent"),
    ],
)
def test_a_bad_flight_option_gets_one_line(tmp_path, args, says):
    proc = run_tracetui("--no-ui", *args, "true", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and says in lines[0], proc.stderr
    assert not list(tmp_path.iterdir())


def test_ring_sizes_read_as_events_or_bytes():
    assert parse_ring("500") == (500, 0)
    assert parse_ring("64MB") == (0, 64 << 20)
    assert parse_ring("1.5g") == (0, 3 << 29)
    with pytest.raises(FlightSpecError):
        parse_ring("-3")


@pytest.mark.timeout(90)
def test_in_the_explorer_a_trigger_dumps_the_ring_and_the_status_line_says_so(tmp_path):
    """The user runs the explorer with --ring 40 --trigger 'errno:ENOENT path:nowhere': the
    failed open is dumped, the status line shows the ring and the dump, SIGUSR1 dumps."""
    from tracer.flight import flight_spec
    from tracer.options import TraceOptions
    from tracer.session import TraceSession
    from tui.app import TraceApp
    from tui.testing import run_async, settle

    program = (
        "import os\n[os.getppid() for _ in range(60)]\n"
        "try:\n    open('/nowhere/at/all')\nexcept OSError:\n    pass\n"
    )
    spec = flight_spec("40", ["errno:ENOENT path:nowhere"], 0, 10.0, str(tmp_path / "a.db"))

    @run_async
    async def go() -> None:
        session = TraceSession(TraceOptions(command=[sys.executable, "-c", program]))
        session.start()
        app = TraceApp(session, None, "test", max_rows=40, flight=spec)
        try:
            async with app.run_test(size=(160, 30)) as pilot:
                recorder = app.flight.recorder
                await settle(app, pilot, until=lambda: recorder.last_written is not None)
                assert "ring 40/40" in app.status.flight and "a.1.db (d)" in app.status.flight
                assert "triggers 1 (1 dumped)" in app.status.flight
                recorder.request_dump()  # what SIGUSR1 does (the app's signal handler)
                await settle(app, pilot, until=lambda: recorder.last_written.endswith(".2.db"))
        finally:
            session.stop()
        app.flight.close()

    go()
    evs = events_of(tmp_path / "a.1.db")
    assert len(evs) <= 40 and failed_with(evs[-1], errno.ENOENT)
    assert meta_of(tmp_path / "a.1.db")["flight_trigger"] == "errno:ENOENT path:nowhere"
    assert meta_of(tmp_path / "a.2.db")["flight_trigger"] == "SIGUSR1"
