"""`tracetui diff A B`: the differences between two runs, and each one in both traces.

The report is computed before the app starts (`tracer.diff`); the app only shows it.
The main screen lists the differences, most telling first (DataTable: there are
tens, not millions); `Enter` opens the two traces side by side
(`tui.screens.diff_pair`), each a read-only syscall list on its own store, with the
cursor on the call in question or, in the run that lacks it, on the call at the
aligned spot.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Static

from tracer.diff.compare import Difference, DiffReport
from tracer.diff.report_text import NORMALISED, describe, kind_label, summary_line, trace_line
from tracer.store import EventStore
from tracer.syscalls.render import load_decoders
from tui.containment import ContainedPump, ErrorContainment
from tui.row_style import RowPainter

TIER_STYLES = ["bold red", "bold yellow", "", "", "dim"]


class DiffSide:
    """One trace in the explorer: its store (built once), painter and call -> row map."""

    def __init__(self, trace, strsize: int = 32) -> None:
        self.trace = trace
        self.store = EventStore(strsize=strsize)
        self.store.append(trace.events)
        self.painter = RowPainter(self.store)
        store = self.store
        self._row_of_seq = {
            store.seqs[row]: row for row in range(len(store)) if store.is_syscall(row)
        }

    def row_of(self, call) -> int | None:
        return None if call is None else self._row_of_seq.get(call.seq)

    def rows_of_task(self, tid: int) -> list[int]:
        store = self.store
        return [row for row in range(len(store)) if store.tid(row) == tid]


class DiffApp(ContainedPump, App[int]):
    """The differences between two traces; Enter shows one in both."""

    CSS_PATH = [Path(__file__).parent / "app.tcss", Path(__file__).parent / "diff.tcss"]
    TITLE = "tracetui diff"
    BINDINGS = [
        Binding("enter", "open_difference", "Show in both traces"),
        Binding("q", "quit_diff", "Quit"),
    ]

    def __init__(self, report: DiffReport) -> None:
        super().__init__()
        load_decoders()
        self.report = report
        self.containment = ErrorContainment()
        self.side_a = DiffSide(report.a)
        self.side_b = DiffSide(report.b)

    @property
    def contained_errors(self) -> list[str]:
        return self.containment.errors

    @property
    def trace_ended(self) -> bool:  # for tui.testing.settle: nothing streams in here
        return True

    def compose(self) -> ComposeResult:
        with Vertical(id="diff-main"):
            yield Static(self._header(), id="diff-header")
            yield DataTable(id="differences", cursor_type="row", zebra_stripes=True)
            yield Static("", id="diff-detail")
        yield Footer()

    def _header(self) -> Text:
        r = self.report
        text = Text()
        text.append("A ", "bold cyan")
        text.append(trace_line(r.a) + "\n")
        text.append("B ", "bold magenta")
        text.append(trace_line(r.b) + "\n")
        if r.identical:
            text.append(
                f"No differences: {len(r.pairs)} process pair(s) match call for call "
                f"(normalised: {NORMALISED}).",
                "bold green",
            )
        else:
            n = len(r.differences)
            text.append(f"{n} difference{'s' if n != 1 else ''}, most telling first. ", "bold")
            text.append("Enter: show it in both traces.", "dim")
        return text

    def on_mount(self) -> None:
        table = self.query_one("#differences", DataTable)
        table.add_columns("", "process", "difference", "why")
        for n, d in enumerate(self.report.differences):
            style = TIER_STYLES[min(d.tier, len(TIER_STYLES) - 1)]
            table.add_row(
                Text(kind_label(d), style=style),
                _short(d.pair.command, 28),
                Text(_short(describe(d), 90), style=style),
                Text(d.why, style="dim" if d.tier >= 3 else ""),
                key=str(n),
            )
        table.focus()
        self.containment.armed = True
        if self.report.differences:
            self._show_detail(self.report.differences[0])

    def _current(self) -> Difference | None:
        table = self.query_one("#differences", DataTable)
        if not self.report.differences or table.cursor_row is None:
            return None
        return self.report.differences[min(table.cursor_row, len(self.report.differences) - 1)]

    @on(DataTable.RowHighlighted, "#differences")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        d = self._current()
        if d is not None:
            self._show_detail(d)

    @on(DataTable.RowSelected, "#differences")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_difference()

    def _show_detail(self, d: Difference) -> None:
        text = Text()
        text.append(f"{d.pair.command}  (pid {d.pair.pids})\n", "bold")
        for label, call, norm, style in (
            ("A", d.anchor_a, self.report.norm_a, "cyan"),
            ("B", d.anchor_b, self.report.norm_b, "magenta"),
        ):
            text.append(f"{label} ", f"bold {style}")
            text.append(norm.line(call) if call is not None else "(no such process)")
            text.append("\n")
        rows = d.pair.summary[:4]
        if rows:
            text.append("per syscall (calls, errors, seconds): ", "dim")
            text.append("; ".join(summary_line(r, 0).replace("  ", " ") for r in rows), "dim")
        self.query_one("#diff-detail", Static).update(text)

    def action_open_difference(self) -> None:
        from tui.screens.diff_pair import DiffPairScreen

        d = self._current()
        if d is not None and self.screen is self.screen_stack[0]:
            self.push_screen(DiffPairScreen(self.side_a, self.side_b, d))

    def action_quit_diff(self) -> None:
        self.exit(0)

    def _handle_exception(self, error: Exception) -> None:
        if not self.containment.contain(self, error):
            super()._handle_exception(error)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_diff_app(report: DiffReport) -> int:
    """Entry point for the CLI (tui.launch): run the diff view; returns the exit status."""
    from tui.containment import report_contained

    app = DiffApp(report)
    result = app.run()
    report_contained(app.contained_errors)
    return result if isinstance(result, int) else 0
