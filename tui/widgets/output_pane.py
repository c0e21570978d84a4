"""Output pane: what the launched program printed, with its colours.

A small ANSI-aware log on the Line API: lines are kept raw and turned into
Rich text (`Text.from_ansi`) only when shown. While focused, keystrokes go to
the program (the app writes them to the pty); F6 or Ctrl+] hands focus back.
Like a terminal, it follows the end (also while its tab is hidden) until the
user scrolls up with the mouse; scrolling back to the end follows again.

Output is taken as it comes but shown at most every SYNC_GAP, and only while the pane
is on screen: a line-buffered program writes a line a call, and each new size lays
out the whole screen again (20-40 ms at 160x45). `find` printing 30,000 paths to its
terminal took 21.5 s in the explorer so, 3.1 s since (2-vCPU AMD EPYC VM, load ~5).
"""

from __future__ import annotations

import re

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.containment import ContainedPump
from tui.terminal import key_to_bytes

MAX_LINES = 20_000
SYNC_GAP = 0.1  # seconds: at most ten redraws a second for new output (see above)
# Escape sequences other than colours (cursor moves, title, modes) are dropped.
_NON_SGR = re.compile(
    r"\x1b\[[0-9;?]*[A-Za-ln-z@`]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>]"
)
_CRLF = re.compile(r"\r+\n")
LEAVE_KEYS = frozenset({"f6", "ctrl+right_square_bracket"})


class OutputPane(ContainedPump, ScrollView, can_focus=True):
    """The program's terminal output."""

    BINDINGS = [Binding("f6", "leave", "Leave terminal", show=False)]

    class Input(Message):
        """Bytes the user typed for the program."""

        def __init__(self, data: bytes) -> None:
            super().__init__()
            self.data = data

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[str] = [""]
        self._cache: LRUCache[int, Strip] = LRUCache(512)
        self._pending = b""
        self._dropped = 0
        self.placeholder = ""
        self.following = True
        self._unsynced = False  # lines taken that size, scroll and paint do not show yet
        self._sync_timer = None

    @property
    def text_lines(self) -> list[str]:
        """Plain text of every line (colours stripped), for tests and copy."""
        return [
            Text.from_ansi(line).plain
            for line in self._lines
            if line or line is not self._lines[-1]
        ]

    def feed(self, data: bytes) -> None:
        """Append raw program output (may end mid-line or mid UTF-8 sequence)."""
        data = self._pending + data
        try:
            text = data.decode()
            self._pending = b""
        except UnicodeDecodeError as exc:
            if exc.start >= len(data) - 3:
                text, self._pending = data[: exc.start].decode(), data[exc.start :]
            else:
                text, self._pending = data.decode(errors="replace"), b""
        first_changed = len(self._lines) - 1
        text = _CRLF.sub("\n", _NON_SGR.sub("", text))
        for i, piece in enumerate(text.split("\n")):
            if i:
                self._lines.append("")
            if "\r" in piece:  # carriage return: the line is redrawn from its start
                self._lines[-1] = piece.rsplit("\r", 1)[1]
            else:
                self._lines[-1] += piece
        if len(self._lines) > MAX_LINES:
            cut = len(self._lines) - MAX_LINES
            del self._lines[:cut]
            self._cache.clear()
            first_changed = 0
        for y in range(max(0, first_changed), len(self._lines)):
            self._cache.discard(y)
        self._unsynced = True
        if self._sync_timer is None and self.is_attached:
            self._sync_timer = self.set_timer(SYNC_GAP, self._sync_later)

    def _sync_later(self) -> None:
        self._sync_timer = None
        if self.region:  # on screen; a hidden tab catches up when shown (on_show)
            self.sync()

    def sync(self) -> None:
        """Show the lines taken since the last sync: size, follow the end, repaint."""
        if not self._unsynced:
            return
        self._unsynced = False
        self.virtual_size = Size(self.size.width, len(self._lines))
        if self.following:
            self._go_end()
        self.refresh()

    def _go_end(self) -> None:
        # force: a hidden pane has no scrollbar, and Textual ignores a plain scroll then;
        # the pane must be at the end when its tab is shown.
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        style = self.rich_style
        if index == 0 and self.placeholder and self._lines == [""]:
            return Strip(
                Text(self.placeholder, style="dim italic").render(self.app.console)
            ).crop_extend(0, width, style)
        if index >= len(self._lines):
            return Strip.blank(width, style)
        strip = self._cache.get(index)
        if strip is None:
            text = Text.from_ansi(self._lines[index].expandtabs(), no_wrap=True, end="")
            strip = Strip(text.render(self.app.console))
            self._cache[index] = strip
        return strip.crop_extend(0, width, style)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._lines))
        if self.following:
            self._go_end()

    def on_show(self) -> None:
        self.sync()
        if self.following:
            self.call_after_refresh(self._go_end)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.following = False

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.call_after_refresh(self._follow_if_at_end)

    def _follow_if_at_end(self) -> None:
        self.following = self.scroll_offset.y >= self.max_scroll_y

    def on_key(self, event: events.Key) -> None:
        if event.key in LEAVE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_leave()
            return
        data = key_to_bytes(event.key, event.character)
        if data is None:
            return
        event.stop()
        event.prevent_default()
        self.post_message(self.Input(data))

    def action_leave(self) -> None:
        self.screen.focus_next()
