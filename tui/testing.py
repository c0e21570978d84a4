"""Helpers for driving the app in tests (pilot) without an async test plugin."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable, Coroutine
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
