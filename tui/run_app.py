"""Running the explorer from the command line: the app on a started session, the GIL's
switch interval while it runs, and what is said on the way out."""

from __future__ import annotations

import os
import sys

from tui.app import TraceApp
from tui.containment import report_contained
from tui.feed import default_max_rows

SWITCH_INTERVAL = 0.00005  # the GIL's, while the app runs (see run_app)
# The app's thread runs this much nicer than the traced program and the ptrace thread
# (Linux: a thread's own priority). On two CPUs the program, the ptrace thread and the
# app's thread often want three: the kernel then lets the program and its tracer go first,
# and the app paints with what is left (keys still come at once: an idle CPU takes them).
APP_NICE = 5


def run_app(
    session,
    tty_master_fd: int | None,
    title: str,
    *,
    clock=None,
    initial_filter: str = "",
    initial_pane: str = "",
    max_rows: int | None = None,
    flight=None,
) -> int:
    """Entry point for the CLI: run the app on a started session; returns the exit status.

    `clock` shows times as strace's -t/-tt/-ttt/-r ask; `initial_filter` is the
    filter the list starts with (from -P, -z, -Z)."""
    app = TraceApp(
        session,
        tty_master_fd,
        title,
        strsize=getattr(getattr(session, "options", None), "strsize", 32),
        max_rows=default_max_rows() if max_rows is None else max_rows,
        flight=flight,
    )
    app.painter.clock = clock
    app.initial_filter = initial_filter
    app.initial_pane = initial_pane
    # The ptrace thread needs the GIL for the stops Python handles (a fork, an exec, a
    # signal); the app's thread yields it after 50 us instead of 5 ms, so those stops do
    # not wait behind an ingest or a repaint (2-vCPU EPYC VM, fork/exec loop in the app:
    # 6.6x its headless time at 5 ms, 3.3x at 0.2 ms, 2.0x at 0.05 ms, one run each).
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    if not getattr(session, "recorded", False):
        _yield_to_the_program()
    try:
        result = app.run()
    finally:
        sys.setswitchinterval(previous_interval)
        session.stop()
        if app.flight is not None:
            app.flight.close()  # a dump still waiting for its --after events, writers
    error = getattr(session, "error", None)
    if error:
        print(f"tracetui: {error}", file=sys.stderr)
    report_contained(app.contained_errors, " while the trace ran")
    return result if isinstance(result, int) else 0


def _yield_to_the_program() -> None:
    """Lower this thread's priority by APP_NICE. The ptrace thread, started already, and
    the programs it starts keep theirs; threads the app starts from here on inherit it."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, os.getpriority(os.PRIO_PROCESS, 0) + APP_NICE)
    except OSError:
        pass  # not permitted here (a seccomp sandbox): the app runs at the program's
