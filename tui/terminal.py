"""The launched program's terminal: the master side of the pty the app created.

The app reads the master fd on its own event loop (`loop.add_reader`, the fd is
non-blocking), so the program never waits on a repaint and no thread calls into
the UI. Keystrokes typed into the Output pane are written back to the master.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable

READ_SIZE = 65536

# Keys Textual names, as the bytes a terminal sends for them.
KEY_BYTES: dict[str, bytes] = {
    "enter": b"\r",
    "tab": b"\t",
    "backspace": b"\x7f",
    "escape": b"\x1b",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "delete": b"\x1b[3~",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
}


def key_to_bytes(key: str, character: str | None) -> bytes | None:
    """What a terminal would send for a Textual key event; None for keys we do not forward."""
    if key in KEY_BYTES:
        return KEY_BYTES[key]
    if key.startswith("ctrl+") and len(key) == 6 and key[5].isalpha():
        return bytes([ord(key[5].lower()) - ord("a") + 1])
    if character and character.isprintable():
        return character.encode()
    return None


class ProgramTerminal:
    """Non-blocking reader/writer for the pty master fd."""

    def __init__(self, master_fd: int, on_output: Callable[[bytes], None]) -> None:
        self.master_fd = master_fd
        self._on_output = on_output
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        os.set_blocking(master_fd, False)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        loop.add_reader(self.master_fd, self._readable)

    def _readable(self) -> None:
        chunks = []
        while True:
            try:
                data = os.read(self.master_fd, READ_SIZE)
            except BlockingIOError:
                break
            except OSError as exc:  # EIO: every slave fd is closed (the program exited)
                if exc.errno in (errno.EIO, errno.EBADF):
                    self.stop()
                    break
                raise
            if not data:
                self.stop()
                break
            chunks.append(data)
            if len(chunks) >= 16:  # let the UI breathe under a flood
                break
        if chunks:
            self._on_output(b"".join(chunks))

    def write(self, data: bytes) -> None:
        """Send input to the program; dropped once the terminal is gone."""
        if self.closed:
            return
        try:
            os.write(self.master_fd, data)
        except OSError:
            pass

    def stop(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._loop is not None:
            try:
                self._loop.remove_reader(self.master_fd)
            except (ValueError, OSError):
                pass
