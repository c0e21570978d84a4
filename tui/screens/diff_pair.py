"""One difference in both traces, side by side: two read-only syscall lists.

Each list shows the rows of the process the difference is about (the pair's task
in that run), cursor on the call in question; in the run that lacks the call, on
the call at the aligned spot (where that run went on instead). `n`/`N` step
through the difference's occurrences in the focused list, `Enter` opens a call's
detail, `Tab` moves between the lists, `Esc` goes back to the list of differences.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracer.diff.compare import Difference
from tracer.diff.report_text import describe, kind_label
from tui.containment import ContainedPump
from tui.messages import RowChosen
from tui.widgets.syscall_list import SyscallList


class DiffPairScreen(ContainedPump, Screen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Back"),
        Binding("n", "occurrence(1)", "Next occurrence"),
        Binding("N", "occurrence(-1)", "Previous occurrence"),
        Binding("tab", "other_list", "Other trace"),
    ]

    def __init__(self, side_a, side_b, difference: Difference) -> None:
        super().__init__()
        self.sides = {"a": side_a, "b": side_b}
        self.difference = difference
        self._occurrence = {"a": 0, "b": 0}

    def compose(self) -> ComposeResult:
        d = self.difference
        title = Text()
        title.append(f"{kind_label(d)}  ", "bold")
        title.append(describe(d))
        title.append(f"  [{d.why}]", "dim")
        yield Static(title, id="pair-title")
        with Horizontal(id="pair-lists"):
            for key, task in (("a", d.pair.a), ("b", d.pair.b)):
                side = self.sides[key]
                with Vertical(classes="pair-side"):
                    yield Static(self._side_title(key, side, task), classes="pair-side-title")
                    yield SyscallList(side.store, side.painter, id=f"list-{key}")
        yield Footer()

    def _side_title(self, key: str, side, task) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{key.upper()} ", "bold cyan" if key == "a" else "bold magenta")
        text.append(side.trace.label)
        if task is None:
            text.append("  (no such process in this run)", "yellow")
        else:
            text.append(f"  pid {task.tid}", "dim")
        return text

    def on_mount(self) -> None:
        d = self.difference
        for key, task in (("a", d.pair.a), ("b", d.pair.b)):
            lst = self._list(key)
            if task is not None:
                lst.set_rows(self.sides[key].rows_of_task(task.tid))
        self.call_after_refresh(self._place_cursors)

    def _list(self, key: str) -> SyscallList:
        return self.query_one(f"#list-{key}", SyscallList)

    def _place_cursors(self) -> None:
        d = self.difference
        for key, anchor in (("a", d.anchor_a), ("b", d.anchor_b)):
            self._move(key, anchor)
        first = "a" if d.calls_a or not d.calls_b else "b"
        self._list(first).focus()

    def _move(self, key: str, call) -> None:
        lst = self._list(key)
        row = self.sides[key].row_of(call)
        index = lst.index_of(row) if row is not None else None
        if index is not None:
            lst.move_to(index)
            # The call in the middle of the list, so what led to it shows above it.
            lst.scroll_to(y=max(0, index - lst.size.height // 2), animate=False, immediate=True)

    @property
    def focused_key(self) -> str:
        return "b" if self.focused is self._list("b") else "a"

    def action_occurrence(self, step: int) -> None:
        key = self.focused_key
        calls = self.difference.calls_a if key == "a" else self.difference.calls_b
        if not calls:
            self.notify(f"the difference has no call in {key.upper()}", timeout=3)
            return
        n = (self._occurrence[key] + step) % len(calls)
        self._occurrence[key] = n
        self._move(key, calls[n])

    def action_other_list(self) -> None:
        self._list("a" if self.focused_key == "b" else "b").focus()

    def action_close(self) -> None:
        self.app.pop_screen()

    @on(RowChosen)
    def _row_chosen(self, message: RowChosen) -> None:
        from tui.screens.detail import SyscallDetailScreen

        message.stop()
        side = self.sides[self.focused_key]
        self.app.push_screen(SyscallDetailScreen(side.store, message.row, side.painter.t0 or 0.0))

    def cursor_rows(self) -> tuple[int | None, int | None]:
        """The store row under each list's cursor (for tests and the status of a jump)."""
        return self._list("a").current_row, self._list("b").current_row
