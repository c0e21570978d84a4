"""The flight recorder in the explorer: notifications, the status line's part, opening a dump.

The recorder (tracer/flight) is fed by the feed with every batch, on the app's thread;
it writes dumps from a thread of its own and says what it did through `report`, which
only queues the line: the app's timer (`update`) turns lines into notifications.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import deque

from tracer.flight import FlightRecorder, FlightSpec
from tracer.syscalls.render import RenderContext


class FlightControl:
    def __init__(self, app, spec: FlightSpec) -> None:
        self.app = app
        self.lines: deque[str] = deque()  # appended by any thread, taken by the app's
        options = getattr(app.session, "options", None)
        ctx = RenderContext(strsize=getattr(options, "strsize", 32), show_fd_paths=True)
        self.recorder = FlightRecorder(
            spec,
            ctx,
            list(getattr(options, "command", []) or []),
            mode="thread",
            report=self.lines.append,
        )
        self._announced: str | None = None

    def update(self) -> None:
        """On the app's timer: notify what the recorder said, and the status line's part."""
        app = self.app
        while self.lines:
            line = self.lines.popleft()
            app.notify(line, title="flight recorder", timeout=10)
        written = self.recorder.last_written
        if written is not None and written != self._announced:
            self._announced = written
            app.notify(
                f"{written} is written: d opens it (tracetui -r {written})",
                title="flight recorder dump",
                timeout=15,
            )
        text = self.recorder.status_text()
        if written is not None:
            text += f"  last dump {os.path.basename(written)} (d)"
        app.status.flight = text

    def open_last(self) -> None:
        """Open the last dump in another explorer: a tmux window when we run in tmux (the
        trace goes on beside it), else in this terminal with the app suspended."""
        path = self.recorder.last_written
        if path is None:
            self.app.notify("no dump written yet", title="flight recorder", severity="warning")
            return
        command = [sys.executable, "-m", "tui", "-r", path]
        if os.environ.get("TMUX") and shutil.which("tmux"):
            subprocess.Popen(
                ["tmux", "new-window", "-n", os.path.basename(path), *command],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            return
        # Events wait in the session's queue meanwhile (the tracee waits once it is full).
        with self.app.suspend():
            subprocess.run(command, check=False)

    def close(self) -> None:
        """After the app: finish dumps, then say on stderr what the notifications said."""
        self.recorder.close()
        for line in self.lines:
            print(f"tracetui: {line}", file=sys.stderr)
        self.lines.clear()
