"""The `tracetui` command: the tracer's argument parsing and headless mode, plus the app.

`tracer.cli` owns the arguments and the headless writer; this module adds the
interactive explorer, so the tracer library never imports the UI.
"""

from __future__ import annotations

import argparse
import os
import sys

from tracer.cli import main as cli_main
from tracer.options import TraceOptions
from tracer.session import TraceError, TraceSession


def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, interactive=run_interactive)


def run_interactive(opts: TraceOptions, args: argparse.Namespace) -> int:
    from tui.app import run_app  # here, not at the top: `tracetui --no-ui` need not load Textual

    if not sys.stdout.isatty() or not sys.stdin.isatty():
        print(
            "tracetui: the explorer needs a terminal; use --no-ui for a text trace", file=sys.stderr
        )
        return 1
    master = None
    slave = None
    if opts.command and args.tty == "pty":
        master, slave = os.openpty()
        _copy_winsize(slave)
        opts.tty_fd = slave
    if opts.command and args.tty == "inherit":
        # Nobody drains events until the program exits: the queue must not make it wait.
        opts.queue_max = 1 << 62
    session = TraceSession(opts)
    try:
        session.start()
    except TraceError as e:
        print(f"tracetui: {e}", file=sys.stderr)
        return 1
    finally:
        if slave is not None:
            os.close(slave)
    title = " ".join(opts.command) if opts.command else "pid " + ",".join(map(str, opts.attach))
    if args.tty == "inherit" and opts.command:
        # The program owns the terminal until it exits; then the app shows the whole trace.
        session.wait()
    try:
        return run_app(session, master, title)
    finally:
        session.stop()


def _copy_winsize(fd: int) -> None:
    import fcntl
    import termios

    try:
        size = fcntl.ioctl(sys.stdout.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, size)
    except OSError:
        pass
