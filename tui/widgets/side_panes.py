"""The tabbed side panes: processes, files, errors, stack, the program's output, the calls
in flight and the summary.

The app tells it what to show (`refresh_from`); only the visible tab is rebuilt.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import TabbedContent, TabPane

from tui.containment import ContainedPump
from tui.widgets.inflight_pane import InflightPane
from tui.widgets.output_pane import OutputPane
from tui.widgets.panes import ErrorsPane, FilesPane, ProcessesPane, TablePane
from tui.widgets.stack_view import StackView
from tui.widgets.summary_pane import SummaryPane

# Seconds of a reopened recording's fd tables the Files pane builds per rebuild (the rest
# is built while the app idles): built whole, a million open/read/close calls held the
# app's thread for 2 s at a time, keys unanswered.
FILES_CATCH_UP = 0.02


class SidePanes(ContainedPump, Vertical):
    _models: tuple | None = None  # what the panes were last built from

    def compose(self) -> ComposeResult:
        with TabbedContent(id="panes", initial="processes"):
            with TabPane("Processes", id="processes"):
                yield ProcessesPane(id="processes-table")
            with TabPane("Files", id="files"):
                yield FilesPane(id="files-table")
            with TabPane("Errors", id="errors"):
                yield ErrorsPane(id="errors-table")
            with TabPane("Stack", id="stack"):
                yield StackView(id="stack-view")
            with TabPane("Output", id="output"):
                yield OutputPane(id="output-pane")
            with TabPane("In flight", id="inflight"):
                yield InflightPane(id="inflight-table")
            with TabPane("Summary", id="summary"):
                yield SummaryPane(id="summary-table")

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#panes", TabbedContent)

    def show(self, pane: str) -> None:
        self.tabs.active = pane

    def focus_pane(self, pane: str) -> None:
        """Focus the table (or list) of `pane`, so its keys (arrows, Home/End, Enter) work at once."""
        widget = self.query_one(f"#{pane}-{'view' if pane == 'stack' else 'table'}")
        self.screen.set_focus(widget)

    def on_errors_pane_order_changed(self, message: ErrorsPane.OrderChanged) -> None:
        message.stop()
        if self._models is not None:
            self.refresh_from(*self._models)

    def refresh_from(self, models, files_pid: int | None, t0: float) -> bool:
        """Rebuild the visible pane's table from the models; False if it is not there.

        The tabs mount their panes after this widget (a poll timer may fire first), and
        at shutdown Textual removes them before it: then there is nothing to show yet,
        or any more."""
        self._models = (models, files_pid, t0)
        try:
            self._refresh_active(models, files_pid, t0)
        except NoMatches:
            return False
        return True

    def take_drawing_time(self) -> float:
        """Seconds the table panes spent drawing since this was last asked."""
        return sum(pane.take_drawing_time() for pane in self.query(TablePane))

    def _refresh_active(self, models, files_pid: int | None, t0: float) -> None:
        active = self.tabs.active
        if active == "processes":
            self.query_one(ProcessesPane).show(models.process_rows())
        elif active == "files":
            # A recording still being reopened: its fd tables as far as they are built.
            self.query_one(FilesPane).show(models.fd_rows(files_pid, FILES_CATCH_UP))
            limit = models.fd_limit(files_pid)
            count = models.open_count(files_pid)
            label = "Files" if files_pid is None else f"Files {files_pid}: {count} open"
            label = f"{label}/{limit}" if limit else label
            self.tabs.get_tab("files").label = (
                f"{label} (building)" if models.fds_building else label
            )
        elif active == "errors":
            pane = self.query_one(ErrorsPane)
            pane.t0 = t0
            pane.show(models.error_rows(pane.order))
        elif active == "inflight":
            self.query_one(InflightPane).refresh_rows()
        elif active == "summary":
            self.query_one(SummaryPane).refresh_summary()
