"""Source around a stack frame's line, highlighted with pygments (through Rich's Syntax)."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.containment import ContainedPump
from tui.stack_text import source_lines

CONTEXT = 10


class SourceScreen(ContainedPump, Screen[None]):
    BINDINGS = [Binding("escape,q", "close", "Back")]

    def __init__(self, file: str, line: int, title: str) -> None:
        super().__init__()
        self.file = file
        self.line = line
        self.frame_title = title

    def compose(self) -> ComposeResult:
        yield Static(
            Text(f"{self.frame_title}   {self.file}:{self.line}", style="bold"), id="source-title"
        )
        got = source_lines(self.file, self.line, CONTEXT)
        with VerticalScroll(id="source-body"):
            if got is None:
                yield Static(Text(f"cannot read {self.file}", style="red"))
            else:
                first, lines = got
                code = "\n".join(lines)
                lexer = Syntax.guess_lexer(self.file, code)
                yield Static(
                    Syntax(
                        code,
                        lexer,
                        line_numbers=True,
                        start_line=first,
                        highlight_lines={self.line},
                        theme="monokai",
                        word_wrap=False,
                    ),
                    id="source-code",
                )
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
