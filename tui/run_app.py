"""Running the explorer from the command line: the app on a started session, the GIL's
switch interval while it runs, and what is said on the way out."""

from __future__ import annotations

import sys

from tui.app import TraceApp
from tui.containment import report_contained
from tui.feed import default_max_rows

SWITCH_INTERVAL = 0.00005  # the GIL's, while the app runs (see run_app)


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
    # The program's objects so far live as long as it does (a test process's do not).
    app.feed.long_lived.freeze_startup()
    # The ptrace thread needs the GIL for the stops Python handles (a fork, an exec, a
    # signal); the app's thread yields it after 50 us instead of 5 ms, so those stops do
    # not wait behind an ingest or a repaint (2-vCPU EPYC VM, fork/exec loop in the app:
    # 6.6x its headless time at 5 ms, 3.3x at 0.2 ms, 2.0x at 0.05 ms, one run each).
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
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
