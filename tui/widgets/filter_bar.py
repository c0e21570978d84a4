"""Filter bar: `/` opens it; every keystroke refilters; Escape closes it and keeps the filter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label

from tui.containment import ContainedPump
from tui.messages import FilterClosed, FilterEdited


class FilterBar(ContainedPump, Horizontal):
    """An input plus an inline message line for parse errors."""

    BINDINGS = [Binding("escape", "close", "Close filter", show=False)]

    def compose(self) -> ComposeResult:
        yield Label("/", id="filter-prompt")
        yield Input(
            placeholder="filter: name, errno, path, pid=N, failed, ... (empty: everything)",
            id="filter-input",
        )
        yield Label("", id="filter-error")

    @property
    def input(self) -> Input:
        return self.query_one("#filter-input", Input)

    def open(self) -> None:
        self.display = True
        # At once, not after a refresh (Widget.focus): keys typed right after `/`, or a
        # pasted burst already queued behind it, must land here, not in the list.
        self.screen.set_focus(self.input)

    def set_text(self, text: str) -> None:
        """Show `text` as the filter (the bar's own edit event follows and agrees)."""
        self.input.value = text

    def show_error(self, message: str | None) -> None:
        """Show (or clear, with None) the inline parse error."""
        label = self.query_one("#filter-error", Label)
        label.update(message or "")
        label.display = bool(message)

    def on_mount(self) -> None:
        self.show_error(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(FilterEdited(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        self.display = False
        self.post_message(FilterClosed())
