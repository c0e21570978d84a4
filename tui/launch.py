"""The `tracetui` command: the tracer's argument parsing and headless mode, plus the app.

`tracer.cli` owns the arguments and the headless writer; this module adds the
interactive explorer, so the tracer library never imports the UI.
"""

from __future__ import annotations

# Nothing heavy at the top: this module is the `tracetui` command's entry point, and
# a Ctrl-C while the rest loads must end it quietly (see `main`), not with a traceback.
import os
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from tracer.options import TraceOptions


def main(argv: list[str] | None = None) -> int:
    try:
        from tracer.cli import main as cli_main

        return cli_main(argv, interactive=run_interactive)
    except KeyboardInterrupt:  # Ctrl-C while starting up
        return 128 + signal.SIGINT


def run_interactive(opts: TraceOptions, args: argparse.Namespace) -> int:
    # Here, not at the top: `tracetui --no-ui` need not load Textual.
    from tracer.cli import say
    from tracer.session import TraceError, TraceSession
    from tui.run_app import run_app

    if not _is_tty(sys.stdout) or not _is_tty(sys.stdin):
        say("the explorer needs a terminal; use --no-ui for a text trace")
        return 1
    if getattr(args, "diff", None) is not None:  # `tracetui diff A B` (opts is None)
        return _open_diff(args)
    if args.read:
        return _open_recording(args)
    master = None
    slave = None
    if opts.command and args.tty == "pty":
        master, slave = os.openpty()
        _copy_winsize(slave)
        opts.tty_fd = slave
    if opts.command and args.tty == "inherit":
        # Nobody drains events until the program exits: the queue must not make it wait.
        opts.queue_max = 1 << 62
    session = TraceSession(opts, steering=getattr(args, "steering", None))
    # -w records the session; with --ring/--trigger it names the flight recorder's dumps.
    recording = bool(args.write) and getattr(args, "flight", None) is None
    if recording:
        _record(session, opts, args)  # before any thread starts: it forks the recorder
    try:
        session.start()
        for warning in session.warnings:
            say(warning)
    except TraceError as e:
        say(str(e))
        return 1
    finally:
        if slave is not None:
            os.close(slave)
    title = " ".join(opts.command) if opts.command else "pid " + ",".join(map(str, opts.attach))
    if args.tty == "inherit" and opts.command:
        # The program owns the terminal until it exits; then the app shows the whole trace.
        session.wait()
    try:
        return run_app(session, master, title, **_strace_view(args))
    finally:
        session.stop()
        if recording:
            _end_recording(session, args.write)


def _record(session, opts: TraceOptions, args: argparse.Namespace) -> None:
    """`tracetui -w FILE PROG`: record in a writer process while the explorer runs."""
    import copy

    from tracer.cli import make_writer
    from tracer.formats.pipeline import RecordingTap, start_writer_process

    only = copy.copy(args)
    only.output = None  # the writer only records: the explorer is the live view
    pid, fd = start_writer_process(lambda: make_writer(opts, only))
    session.record(RecordingTap(fd, pid))


def _end_recording(session, path: str) -> None:
    from tracer.cli import say
    from tracer.formats.pipeline import WRITER_OK

    status = session.close_recording()
    if status is not None and status != WRITER_OK:
        say(f"the recording {path} may be incomplete (its writer ended with status {status})")
    elif status is not None:
        say(f"recorded to {path} (open it with: tracetui -r {path})")


def _open_recording(args: argparse.Namespace) -> int:
    """`tracetui -r FILE`: the explorer on a recorded session."""
    from tracer.cli import say
    from tracer.formats.recording import open_recording
    from tracer.formats.session_file import SessionFileError
    from tui.recorded import RecordedSession
    from tui.run_app import run_app

    try:
        recording = open_recording(args.read)
    except SessionFileError as e:
        say(str(e))
        return 1
    session = RecordedSession(
        recording.batches, recording.report() if recording.cut_short else None
    )
    # Damage found past the first batch is reported in the app, as any error there (an
    # strace log's lines not understood: in its TraceEnded, shown and printed at exit).
    return run_app(session, None, f"{args.read} ({recording.kind})", **_strace_view(args))


def _open_diff(args: argparse.Namespace) -> int:
    """`tracetui diff A B`: the report computed (commands traced) first, then shown."""
    from tracer.cli import say
    from tracer.diff.command import DiffError, compute
    from tui.diff_app import run_diff_app

    try:
        report = compute(args.diff)
    except DiffError as e:
        say(str(e))
        return 2
    status = run_diff_app(report)
    for note in args.diff.notes:
        say(note)
    return status


def _strace_view(args: argparse.Namespace) -> dict:
    """strace's -t/-tt/-ttt/-r as the time column, -P/-z/-Z as the starting filter, -c/-C
    as the Summary pane."""
    from tracer.formats.leader import list_clock

    text = args.strace.text
    terms = []
    if text.paths:
        terms.append(f"path:{text.paths[0]}")  # the filter language ANDs: the first -P
    if text.statuses == frozenset({"failed"}):
        terms.append("err")
    elif text.statuses == frozenset({"successful"}):
        terms.append("-err")
    return {
        "clock": list_clock(text),
        "initial_filter": " ".join(terms),
        "max_rows": _max_rows(args),
        "flight": getattr(args, "flight", None),
        # -c/-C ask for strace's summary: the explorer opens on its live Summary pane.
        "initial_pane": "summary" if getattr(args, "summary_options", None) else "",
    }


def _max_rows(args: argparse.Namespace) -> int | None:
    """--max-events, else a --ring of N events bounds the list to them too."""
    flight = getattr(args, "flight", None)
    max_events = getattr(args, "max_events", None)
    if max_events is None and flight is not None and flight.events:
        return flight.events
    return max_events


def _is_tty(stream: object) -> bool:
    """A terminal, and open (`<&-` or `>&-` leave the stream None)."""
    try:
        return stream is not None and stream.isatty()
    except ValueError:
        return False


def _copy_winsize(fd: int) -> None:
    import fcntl
    import termios

    try:
        size = fcntl.ioctl(sys.stdout.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    except OSError:
        pass
