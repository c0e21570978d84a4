"""Status bar: session state, event count and rate, active filter and view."""

from __future__ import annotations

import signal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.containment import ContainedPump

STATE_STYLES = {
    "RUNNING": "bold black on green",
    "LOADING": "bold black on cyan",
    "PAUSED": "bold black on yellow",
    "EXITED": "bold white on red",
}


def exit_label(status: int) -> str:
    """`EXITED (3)`, or `killed by SIGSEGV` for a status of 128+N (the session's
    exit status follows strace: 128 plus the signal that killed the program)."""
    if status > 128:
        try:
            return f"killed by {signal.Signals(status - 128).name}"
        except ValueError:
            pass
    return f"EXITED ({status})"


class StatusBar(ContainedPump, Widget):
    """One line; the app sets the attributes, the bar only draws them."""

    state: reactive[str] = reactive("RUNNING")
    events: reactive[int] = reactive(0)
    rate: reactive[float] = reactive(0.0)
    shown: reactive[int] = reactive(0)
    filter_text: reactive[str] = reactive("")
    matching: reactive[bool] = reactive(False)  # older rows are still being matched
    view_label: reactive[str] = reactive("")
    following: reactive[bool] = reactive(True)
    stacks: reactive[bool] = reactive(False)
    note: reactive[str] = reactive("")
    exit_status: reactive[int | None] = reactive(None)
    dropped: reactive[int] = reactive(0)  # oldest events dropped (the memory bound)
    loop: reactive[str] = reactive("")  # the tracer's capture loop: "c" or "python"
    flight: reactive[str] = reactive("")  # the flight recorder's ring fill and triggers

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        state = self.state
        if state == "EXITED" and self.exit_status is not None:
            state = exit_label(self.exit_status)
        text.append(f" {state} ", STATE_STYLES.get(self.state, "reverse"))
        text.append(f" {self.events:,} events")
        if self.state in ("RUNNING", "LOADING"):
            text.append(f" ({self.rate:,.0f}/s)", "dim")
        if self.dropped:
            text.append(f"  oldest {self.dropped:,} dropped (memory bound)", "bold yellow")
        if self.shown != self.events - self.dropped:
            text.append(f"  shown {self.shown:,}", "bold")
        if self.filter_text:
            text.append("  filter: ", "dim")
            text.append(self.filter_text, "bold cyan")
            if self.matching:
                text.append(" (matching…)", "dim italic")
        if self.view_label:
            text.append("  view: ", "dim")
            text.append(self.view_label, "bold magenta")
        text.append(
            "  FOLLOW" if self.following else "  SCROLL", "green" if self.following else "yellow"
        )
        if self.stacks:
            text.append("  STACKS ON", "bold magenta")
        if self.flight:
            text.append(f"  {self.flight}", "bold cyan")
        if self.note:
            text.append(f"  {self.note}", "dim italic")
        if self.loop:
            text.append(f"  loop: {self.loop}", "dim")
        return text
