"""Help screen: every key binding of the app and the focused pane, generated from the bindings."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.containment import ContainedPump

EXTRA_KEYS = [
    ("Output pane", "keys go to the program; F6 or Ctrl+] leaves"),
    ("Syscall list", "up/down, PgUp/PgDn, Home/End (End resumes following), Enter: detail"),
    (
        "Panes",
        "Enter on a process narrows the list; on an fd jumps to its syscall; on an error group shows its calls",
    ),
    ("Stack", "Enter on a frame with a source file shows the source around it"),
    (
        "Held thread",
        "c continue, s step to its next syscall, x run to its exit, f fail it with an errno",
    ),
    (
        "In flight (6)",
        "each live thread's call now, longest wait first; Enter goes to the call "
        "(or the thread's last row while the call has none)",
    ),
    (
        "Summary (7)",
        "strace -c of the rows shown (follows the filter): t sorts by the next column, "
        "r reverses, a click on a header sorts by it",
    ),
    ("Command palette", "Ctrl+P: every action by name"),
]


class HelpScreen(ContainedPump, ModalScreen[None]):
    """Lists the bindings given to it (collected by the app so the list never goes stale)."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        # Not `_bindings`: that is Textual's own map of this screen's key bindings.
        self.key_rows = bindings

    def compose(self) -> ComposeResult:
        table = Table(title="tracetui keys", expand=True, show_edge=False)
        table.add_column("Key", style="bold cyan", no_wrap=True)
        table.add_column("Action")
        for key, description in self.key_rows:
            table.add_row(key, description)
        table.add_section()
        for key, description in EXTRA_KEYS:
            table.add_row(key, description)
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static(
                "q quits: launched programs are killed, attached ones detached.", id="help-quit"
            )

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
