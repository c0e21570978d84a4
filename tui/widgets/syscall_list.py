"""The syscall list: the main view, drawn with the Line API.

Only visible rows are rendered (`render_line`), from the store's cached text,
so a million events cost no more than a screenful. The list shows either every
store row or a `rows` sequence of store rows (a filter's result); the app sets
`rows` and calls `rows_added` ("attributes down"). While the cursor sits on the
last row the list follows new events (like `less +F`); moving up stops that,
End resumes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.messages import RowChosen, RowHighlighted
from tui.row_style import RowPainter

CURSOR_STYLE = Style(bgcolor="grey27", bold=True)
CURSOR_STYLE_UNFOCUSED = Style(bgcolor="grey19")


class SyscallList(ScrollView, can_focus=True):
    """Virtual list of store rows."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last (follow)", show=False),
        Binding("enter", "choose", "Detail"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    following: reactive[bool] = reactive(True, init=False)

    def __init__(self, store, painter: RowPainter, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.painter = painter
        self._rows: Sequence[int] | None = None
        self._cache: LRUCache[int, Strip] = LRUCache(4096)
        self._last_highlight: int | None = -1

    # -- data the app hands down -------------------------------------------------
    @property
    def rows(self) -> Sequence[int] | None:
        return self._rows

    @property
    def count(self) -> int:
        return len(self.store) if self._rows is None else len(self._rows)

    def row_at(self, index: int) -> int | None:
        """The store row shown at list position `index`."""
        if not 0 <= index < self.count:
            return None
        return index if self._rows is None else self._rows[index]

    @property
    def current_row(self) -> int | None:
        return self.row_at(self.cursor)

    def set_rows(self, rows: Sequence[int] | None, keep_row: int | None = None) -> None:
        """Show `rows` (None: all). Keeps the cursor on `keep_row` if still shown, else follows."""
        self._rows = rows
        self._update_size()
        target = None
        if keep_row is not None and not self.following:
            target = self.index_of(keep_row)
        if target is None:
            self.following = True
            self._go_end()
        else:
            self.move_to(target)
        self.refresh()

    def rows_added(self, changed_rows: Sequence[int] = ()) -> None:
        """New rows were appended to the store or to `rows`; some earlier rows changed text."""
        for row in changed_rows:
            self._cache.discard(row)
        self._update_size()
        if self.following:
            self._go_end()
        self.refresh()

    def forget_rendering(self) -> None:
        self._cache.clear()
        self.refresh()

    def index_of(self, row: int) -> int | None:
        """List position of a store row (binary search: rows are sorted)."""
        if self._rows is None:
            return row if 0 <= row < len(self.store) else None
        rows = self._rows
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if rows[mid] < row:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(rows) and rows[lo] == row else None

    # -- cursor and scrolling -----------------------------------------------------
    def _update_size(self) -> None:
        self.virtual_size = Size(self.size.width, self.count)

    def _go_end(self) -> None:
        self.cursor = max(0, self.count - 1)
        self.scroll_to(y=max(0, self.count - self.size.height), animate=False, immediate=True)

    def move_to(self, index: int) -> None:
        """Put the cursor on list position `index` and scroll it into view."""
        count = self.count
        index = max(0, min(index, count - 1))
        self.following = index >= count - 1
        self.cursor = index
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False, immediate=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        row = self.current_row
        if row != self._last_highlight:
            self._last_highlight = row
            self.post_message(RowHighlighted(row))

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.following = True
        self._go_end()

    def action_choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(RowChosen(row))

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        # Scrolling up stops following (the cursor stays put, as in less +F).
        self.following = False

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if index < self.count:
            self.move_to(index)
            if event.chain == 2:
                self.action_choose()

    def on_resize(self) -> None:
        self._update_size()
        if self.following:
            self._go_end()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -----------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, self.rich_style)
        strip = self._cache.get(row)
        if strip is None:
            text: Text = self.painter.paint(row)
            strip = Strip(text.render(self.app.console))
            self._cache[row] = strip
        strip = strip.crop_extend(0, width, self.rich_style)
        if index == self.cursor:
            strip = strip.apply_style(CURSOR_STYLE if self.has_focus else CURSOR_STYLE_UNFOCUSED)
        return strip
