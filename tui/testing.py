"""Helpers for driving the app in tests (pilot) without an async test plugin."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from rich.console import Console
from textual.widgets import Input


def run_async(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Turn an async test into a plain one (pytest has no asyncio plugin here)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs) -> None:
        asyncio.run(fn(*args, **kwargs))

    return wrapper


async def settle(
    app,
    pilot,
    *,
    until: Callable[[], bool] | None = None,
    timeout: float = 10.0,
    errors_allowed: bool = False,
) -> None:
    """Let the app drain and redraw; wait for `until()` (default: the trace ended) up to `timeout`.

    Also freezes cursor blinking so screenshots are deterministic. An exception a handler
    raised was contained (the app goes on) but is still a bug: it fails the test here.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    done = until or (lambda: app.trace_ended)
    while loop.time() < deadline and not done():
        await pilot.pause(0.05)
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause(0.6)  # at least one side-pane refresh period
    await pilot.wait_for_scheduled_animations()
    # DataTable sizes its columns on a later refresh: let it happen before anything covers it.
    await pilot.pause()
    await pilot.pause()
    errors = getattr(app, "contained_errors", [])
    if errors and not errors_allowed:
        raise AssertionError("a handler raised (contained):\n" + errors[0])


def screen_text(app) -> str:
    """The current screen as plain text (what a user would read)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text()


@contextlib.asynccontextmanager
async def traced_app(
    command: list[str], size: tuple[int, int] = (150, 40), *, steering: Any = None, **attrs: Any
) -> AsyncIterator[tuple[Any, Any]]:
    """The real app tracing `command` on its own pty, under Textual's pilot: (app, pilot).

    `attrs` are set on the app before it mounts (`initial_pane="summary"`); the session
    is `app.session`, stopped and its pty closed on the way out."""
    from tracer.options import TraceOptions
    from tracer.session import TraceSession
    from tui.app import TraceApp

    master, slave = os.openpty()
    session = TraceSession(TraceOptions(command=command, tty_fd=slave), steering=steering)
    try:
        session.start()
    finally:
        os.close(slave)
    app = TraceApp(session, master, "test")
    for name, value in attrs.items():
        setattr(app, name, value)
    try:
        async with app.run_test(size=size) as pilot:
            yield app, pilot
    finally:
        session.stop()
        os.close(master)
