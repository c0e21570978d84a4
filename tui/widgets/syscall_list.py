"""The syscall list: the main view, drawn with the Line API.

Only visible rows are rendered (`render_line`), from the store's cached text,
so a million events cost no more than a screenful. The list shows either every
store row or a `rows` sequence of store rows (a filter's result); the app sets
`rows` and calls `rows_added` ("attributes down"). While the cursor sits on the
last row the list follows new events (like `less +F`); moving up stops that,
End resumes it.

Long lines scroll sideways (Left/Right, Shift+Left/Right for the start and the
end) while the time and pid columns stay put, as `less -S` would with a frozen
margin. Calls the tracer saw enter and not yet return can be shown below the
last row (`set_inflight`): they are not store rows and the cursor never lands
on them.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from tui.containment import ContainedPump
from tui.messages import RowChosen, RowHighlighted
from tui.row_style import PaintedRow, RowPainter

CURSOR_STYLE = Style(bgcolor="grey27", bold=True)
CURSOR_STYLE_UNFOCUSED = Style(bgcolor="grey19")
MORE_STYLE = Style(color="yellow", bold=True)
MORE_LEFT = Strip([Segment("«", MORE_STYLE)], 1)
MORE_RIGHT = Strip([Segment("»", MORE_STYLE)], 1)
COLUMN_STEP = 8
STRIP_CACHE_ROWS = 512
FITTED_ROWS = 256  # lines kept as drawn: a tall screen's worth, and each Strip's caches


class SyscallList(ContainedPump, ScrollView, can_focus=True):
    """Virtual list of store rows."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("left", "scroll_columns(-1)", "Scroll long lines left", show=False),
        Binding(
            "right", "scroll_columns(1)", "Scroll long lines right (time, pid stay)", show=False
        ),
        Binding("shift+left", "first_column", "Back to the start of the lines", show=False),
        Binding("shift+right", "last_column", "To the end of the longest line shown", show=False),
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
        # Rows as the list was last told of them (rows_added, set_rows, rows_dropped): the
        # store, and a filter's `rows`, grow at every ingest, and the list is told at its
        # own pace (tui/data_road.py); the cursor, End and the in-flight lines go by this.
        self._count = 0
        # Painted rows: a few screens back and forth. Each Strip keeps its own caches of
        # crops and styles (several KB), so 4,096 of them held ~100 MB in a long trace.
        self._cache: LRUCache[int, tuple[Strip, int]] = LRUCache(STRIP_CACHE_ROWS)
        # Each row's line as last drawn (fitted to the width, scrolled, with the cursor or
        # not), under what it was drawn for. Following, every line moves up a place at each
        # redraw: the same Strip object again is one whose crops and divisions Textual has
        # cached, and fitting it anew (with a `rich_style` lookup, ~0.15 ms) is skipped.
        self._fitted: LRUCache[int, tuple[tuple[int, int, int], Strip]] = LRUCache(FITTED_ROWS)
        self._last_highlight: int | None = -1
        self.column = 0  # cells of each line hidden left of the fixed time/pid prefix
        self._inflight: list[tuple[Strip, int]] = []

    # -- data the app hands down -------------------------------------------------
    @property
    def rows(self) -> Sequence[int] | None:
        return self._rows

    @property
    def count(self) -> int:
        return self._count

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

    def rows_dropped(self, k: int, rows: Sequence[int] | None) -> None:
        """The store dropped its oldest `k` rows (numbers moved down by k); now show `rows`.

        A cursor on a row that went moves to the first row; following stays following."""
        current = self.current_row
        self._cache.clear()
        self._fitted.clear()
        self._rows = rows
        self._update_size()
        if self.following:
            self._go_end()
        else:
            keep = current - k if current is not None and current >= k else None
            self.move_to((self.index_of(keep) if keep is not None else None) or 0)
        self.refresh()

    def rows_added(self, changed_rows: Sequence[int] = ()) -> None:
        """New rows were appended to the store or to `rows`; some earlier rows changed text."""
        for row in changed_rows:
            self._cache.discard(row)
            self._fitted.discard(row)
        self._update_size()
        if self.following:
            self._go_end()
        self.refresh()

    def set_inflight(self, rows: Sequence[PaintedRow]) -> None:
        """Calls in progress to show (dimmed) below the last row; [] for none."""
        if not rows and not self._inflight:
            return
        self._inflight = [self._strip(p) for p in rows]
        self._update_size(take_rows=False)
        if self.following:
            self._go_end()
        self.refresh()

    @property
    def inflight_count(self) -> int:
        return len(self._inflight)

    def forget_rendering(self) -> None:
        self._cache.clear()
        self._fitted.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        self._fitted.clear()  # the lines' padding has the widget's style (a theme change)
        super().notify_style_update()

    def index_of(self, row: int) -> int | None:
        """List position of a store row (binary search: rows are sorted)."""
        if self._rows is None:
            return row if 0 <= row < self._count else None
        rows = self._rows
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) // 2
            if rows[mid] < row:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < self._count and rows[lo] == row else None

    # -- cursor and scrolling -----------------------------------------------------
    def _update_size(self, take_rows: bool = True) -> None:
        """Size the scrolled area to the rows (taking the count of those there are now,
        unless `take_rows` is False) and the in-flight lines."""
        if take_rows:
            self._count = len(self.store) if self._rows is None else len(self._rows)
        size = Size(self.size.width, self._count + len(self._inflight))
        if size == self.virtual_size:
            return
        if size.width != self.virtual_size.width:
            self.virtual_size = size
            return
        # Rows came or went: only this list and its scrollbar change, so the screen's
        # layout is not redone (assigning virtual_size asks for one, ~60 ms of the
        # app's thread on a 160x45 screen, after every batch of a flood). A scrollbar
        # that appears or goes still asks for it, through show_vertical_scrollbar.
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def _go_end(self) -> None:
        self.cursor = max(0, self.count - 1)
        total = self.count + len(self._inflight)
        self._scroll_y(max(0, total - self.size.height))

    def move_to(self, index: int) -> None:
        """Put the cursor on list position `index` and scroll it into view."""
        count = self.count
        index = max(0, min(index, count - 1))
        self.following = index >= count - 1
        self.cursor = index
        height = max(1, self.size.height)
        top = self.scroll_offset.y
        if index < top:
            self._scroll_y(index)
        elif index >= top + height:
            self._scroll_y(index - height + 1)

    def _scroll_y(self, y: int) -> None:
        # force: Textual ignores a scroll while it thinks the scrollbar is hidden, and it
        # learns that the rows outgrew the screen only at the next layout. A short program's
        # rows arrive in one tick: without force the list stayed where the first ones ended.
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        row = self.current_row
        if row != self._last_highlight:
            self._last_highlight = row
            message = RowHighlighted(row)
            # Rows the memory bound had dropped when this was posted: a drop before the
            # app handles it moves every row number down (the app renumbers the row).
            message.dropped_before = self.store.dropped
            self.post_message(message)

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

    @property
    def _text_width(self) -> int:
        """Cells a line may use: the widget less its scrollbar."""
        return self.scrollable_content_region.width

    def _columns_past(self, index: int) -> int:
        """How far line `index` must scroll for its last cell to show (0: it fits)."""
        got = self._line(index)
        if got is None:
            return 0
        strip, prefix = got
        return max(0, strip.cell_length - self._text_width)

    def _max_column(self) -> int:
        """Scrolling stops where the longest line on screen ends."""
        top = self.scroll_offset.y
        return max(self._columns_past(i) for i in range(top, top + max(1, self.size.height)))

    def scroll_columns_to(self, column: int) -> None:
        column = max(0, min(column, self._max_column()))
        if column != self.column:
            self.column = column
            self.refresh()

    def action_scroll_columns(self, direction: int) -> None:
        self.scroll_columns_to(self.column + direction * COLUMN_STEP)

    def action_first_column(self) -> None:
        self.scroll_columns_to(0)

    def action_last_column(self) -> None:
        """To the end of the cursor's line (of the longest line shown if the cursor's fits)."""
        self.scroll_columns_to(self._columns_past(self.cursor) or self._max_column())

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
        self._update_size(take_rows=False)
        if self.following:
            self._go_end()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing -----------------------------------------------------------------
    def _strip(self, painted: PaintedRow) -> tuple[Strip, int]:
        return Strip(painted.text.render(self.app.console)), painted.prefix

    def _line(self, index: int) -> tuple[Strip, int] | None:
        """The whole rendered line at list position `index` (a row or an in-flight call)."""
        row = self.row_at(index)
        if row is None:
            extra = index - self.count
            return self._inflight[extra] if 0 <= extra < len(self._inflight) else None
        got = self._cache.get(row)
        if got is None:
            got = self._cache[row] = self._strip(self.painter.paint(row))
        return got

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self._text_width
        row = self.row_at(index)
        key = (width, self.column, 0 if index != self.cursor else 1 if self.has_focus else 2)
        if row is not None and (fitted := self._fitted.get(row)) is not None and fitted[0] == key:
            return fitted[1]
        got = self._line(index)
        if got is None:
            return Strip.blank(width, self.rich_style)
        strip, prefix = got
        if self.column == 0 and strip.cell_length <= width:
            strip = strip.extend_cell_length(width, self.rich_style)
        else:
            strip = self._window(strip, prefix, width)
        if key[2]:
            strip = strip.apply_style(CURSOR_STYLE if key[2] == 1 else CURSOR_STYLE_UNFOCUSED)
        if row is not None:
            self._fitted[row] = (key, strip)
        return strip

    def _window(self, strip: Strip, prefix: int, width: int) -> Strip:
        """The fixed prefix, then the cells from `column` on; markers where the line goes on."""
        room = width - prefix
        if room < 4:
            return strip.crop_extend(0, width, self.rich_style)
        parts = [strip.crop(0, prefix)]
        start = prefix + self.column
        if self.column:
            parts.append(MORE_LEFT)
            start += 1
            room -= 1
        end = start + room
        more = strip.cell_length > end
        if more:
            end -= 1
        parts.append(strip.crop(start, end))
        if more:
            parts.append(MORE_RIGHT)
        return Strip.join(parts).extend_cell_length(width, self.rich_style)
