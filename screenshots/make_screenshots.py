"""Trace each example with the real app (headless) and save SVG screenshots of every pane.

    python screenshots/make_screenshots.py [EXAMPLE ...]     (default: the Python examples)

Writes screenshots/<example>-<view>.svg: the main view, the list scrolled
sideways, each side pane, the errors-only filter and the detail of the last failed call;
for the examples in BREAKPOINTS also `-breakpoint`: the call a breakpoint holds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracer.options import TraceOptions  # noqa: E402
from tracer.session import TraceSession  # noqa: E402
from tui.app import TraceApp  # noqa: E402
from tui.testing import settle  # noqa: E402

OUT = Path(__file__).resolve().parent
DEFAULT = [
    "demo.py",
    "open_missing_device.py",
    "emfile_server.py",
    "logger_silent_without_term.py",
    "query_client.py",
]
SIZE = (160, 45)
PANES = [
    ("1", "processes"),
    ("2", "files"),
    ("3", "errors"),
    ("4", "stack"),
    ("5", "output"),
    ("6", "inflight"),
    ("7", "summary"),
]
# A breakpoint shot per example: the call it holds, and the box that asks what to do.
BREAKPOINTS = {
    "demo.py": "name:openat path:/nonexistent",
    "query_client.py": "name:connect",
}


async def shoot(example: str) -> list[Path]:
    path = ROOT / "examples" / example
    command = [sys.executable, str(path)] if example.endswith(".py") else [str(path)]
    master, slave = os.openpty()
    session = TraceSession(TraceOptions(command=command, tty_fd=slave))
    session.start()
    os.close(slave)
    app = TraceApp(session, master, f"tracetui {example}")
    stem = Path(example).stem
    saved: list[Path] = []

    def save(view: str) -> None:
        name = f"{stem}-{view}.svg"
        app.save_screenshot(name, str(OUT))
        saved.append(OUT / name)

    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot, timeout=60)
            save("main")
            app.syscall_list.focus()
            await pilot.press("right", "right", "right", "right")
            await settle(app, pilot, until=lambda: True)
            save("scrolled")
            await pilot.press("shift+left")
            for key, pane in PANES:
                await pilot.press(key)
                await settle(app, pilot, until=lambda: True)
                save(pane)
            await pilot.press("e")
            await settle(app, pilot, until=lambda: app.view.filter is not None)
            save("errors-only")
            if app.syscall_list.count:
                app.syscall_list.focus()
                await pilot.press("enter")
                await settle(app, pilot, until=lambda: app.screen is not app.main_screen)
                save("detail")
    finally:
        session.stop()
        os.close(master)
    return saved


async def shoot_breakpoint(example: str, where: str) -> Path:
    from tracer.steer.rules import parse_breakpoint
    from tracer.steer.steering import Steering

    path = ROOT / "examples" / example
    master, slave = os.openpty()
    steering = Steering(breakpoints=[parse_breakpoint(where)])
    session = TraceSession(
        TraceOptions(command=[sys.executable, str(path)], tty_fd=slave), steering=steering
    )
    session.start()
    os.close(slave)
    app = TraceApp(session, master, f"tracetui --break '{where}' {example}")
    name = f"{Path(example).stem}-breakpoint.svg"
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot, timeout=60, until=lambda: app.screen is not app.main_screen)
            await settle(app, pilot, until=lambda: True)
            app.save_screenshot(name, str(OUT))
            await pilot.press("c")
    finally:
        session.stop()
        os.close(master)
    return OUT / name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("examples", nargs="*", default=DEFAULT)
    for example in ap.parse_args().examples:
        for path in asyncio.run(shoot(example)):
            print(path.relative_to(ROOT))
        if example in BREAKPOINTS:
            print(asyncio.run(shoot_breakpoint(example, BREAKPOINTS[example])).relative_to(ROOT))


if __name__ == "__main__":
    main()
