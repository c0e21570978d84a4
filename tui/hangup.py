"""Ending the app on SIGTERM/SIGHUP, also when its terminal is gone.

Textual's orderly exit gives the terminal back (alternate screen off, mouse reporting
off) through its writer thread. With the terminal gone (tmux killed, ssh dropped) that
exit could wait forever on the writer's full queue, holding the traced program's fate
with it: explorers were found hung so after their tmux server was killed mid-flood.
So a hung-up terminal ends the trace as `q` does and leaves at once; any other exit by
signal gets SHUTDOWN_GRACE seconds before the same happens.
"""

from __future__ import annotations

import os
import sys
import termios
import threading
from collections.abc import Callable

SHUTDOWN_GRACE = 15.0  # longer than a normal exit: detaching (10 s at most) and a ring dump


def terminal_alive(fd: int | None = None) -> bool:
    """Whether the app's terminal still answers (a hung-up tty fails tcgetattr with EIO)."""
    try:
        termios.tcgetattr(sys.__stdout__.fileno() if fd is None else fd)
    except (termios.error, OSError, ValueError, AttributeError):
        return False
    return True


class Ending:
    """How the app leaves on a signal: `finish` ends the trace (as quitting does, the
    launched program killed or let go, attached ones detached) before `os._exit`."""

    def __init__(self, finish: Callable[[], None]) -> None:
        self._finish = finish
        self._lock = threading.Lock()
        self._done = False

    def now(self, status: int) -> None:
        """End the trace and leave the process, once, whoever asks first."""
        with self._lock:
            if self._done:
                return
            self._done = True
            try:
                self._finish()
            finally:
                os._exit(status)

    def after_grace(self, status: int, grace: float = SHUTDOWN_GRACE) -> None:
        """`now`, unless the orderly exit has ended the process within `grace` seconds."""
        timer = threading.Timer(grace, self.now, (status,))
        timer.daemon = True
        timer.start()
