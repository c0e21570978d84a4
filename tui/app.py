"""The tracetui App: owns the store, the models and the widgets, and routes messages.

Data takes one road (tui.feed): a timer on the app's loop drains the session
into the store and the models; the app then tells the widgets what changed and
they redraw only what is visible (tui.data_road). The tracer thread never calls
into the UI; the command line starts the app through tui.run_app.
Filtering runs in a worker (tui.refilter); what keys do is in tui.actions; an
exception in a handler is contained, never fatal (tui.containment).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent

from tracer.store import EventStore
from tracer.syscalls.render import load_decoders
from tui.actions import SIDE_DEFAULT, TraceActions
from tui.commands import MAIN_VIEW_ACTIONS, REPLACED_SYSTEM_COMMANDS, palette_commands
from tui.containment import ContainedPump, ErrorContainment
from tui.data_road import DataRoad
from tui.feed import TraceFeed
from tui.flight import FlightControl
from tui.messages import (
    ErrorGroupChosen,
    FilterClosed,
    FilterEdited,
    FrameChosen,
    JumpToRow,
    ProcessSelected,
    RowChosen,
    RowHighlighted,
)
from tui.models import Models
from tui.refilter import FilterControl
from tui.row_style import RowPainter
from tui.steer_control import SteerControl
from tui.terminal import ProgramTerminal
from tui.view import ViewFilter
from tui.widgets.filter_bar import FilterBar
from tui.widgets.output_pane import OutputPane
from tui.widgets.side_panes import SidePanes
from tui.widgets.stack_view import StackView
from tui.widgets.status_bar import StatusBar
from tui.widgets.syscall_list import SyscallList

POLL_INTERVAL = 0.05


class TraceApp(ContainedPump, DataRoad, TraceActions, FilterControl, SteerControl, App[int]):
    """Live explorer of one trace session (a TraceSession, or a ReplaySession in tests)."""

    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses live elsewhere
    TITLE = "tracetui"
    BINDINGS = [
        # Priority: handled as the app takes the key, before the keys queued behind it are
        # routed, so a burst (`/openat` pasted or typed fast) lands in the bar, not the list.
        Binding("slash", "open_filter", "Filter", priority=True),
        Binding("p", "toggle_pause", "Pause/Resume"),
        Binding("k", "toggle_stacks", "Stacks", show=False),
        Binding("enter", "inspect", "Inspect", show=False),
        Binding("e", "errors_only", "Errors only"),
        Binding("a", "show_all", "All processes"),
        Binding("tab", "focus_next_region", "Next pane", show=False),
        Binding("1", "show_pane('processes')", "Processes", show=False),
        Binding("2", "show_pane('files')", "Files", show=False),
        Binding("3", "show_pane('errors')", "Errors", show=False),
        Binding("4", "show_pane('stack')", "Stack", show=False),
        Binding("5", "show_pane('output')", "Output", show=False),
        Binding("6", "show_pane('inflight')", "In flight", show=False),
        Binding("7", "show_pane('summary')", "Summary", show=False),
        Binding("s", "toggle_side", "Side pane", show=False),
        Binding("less_than_sign", "resize_side(-1)", "Narrower side pane", show=False),
        Binding("greater_than_sign", "resize_side(1)", "Wider side pane", show=False),
        Binding("o", "focus_output", "Program terminal"),
        Binding("l,escape", "focus_list", "Syscall list", show=False),
        Binding("f", "follow", "Follow", show=False),
        Binding("d", "open_dump", "Open dump", show=False),
        Binding("b", "add_breakpoint", "Breakpoint"),
        Binding("B", "steering", "Breakpoints", show=False),
        Binding("i", "inject_like", "Inject", show=False),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit_trace", "Quit"),
    ]
    # Every binding above is also in the command palette: see tui.commands.

    initial_filter = ""  # the filter the list starts with (strace's -P, -z, -Z)
    initial_pane = ""  # the side pane shown first (strace's -c, -C: "summary")

    def __init__(
        self,
        session,
        tty_master_fd: int | None = None,
        title: str = "tracetui",
        *,
        strsize: int = 32,
        poll_interval: float = POLL_INTERVAL,
        read_proc: bool = True,
        max_rows: int = 0,
        flight=None,
    ) -> None:
        super().__init__()
        load_decoders()  # rendering needs every decoder family registered
        self.session = session
        self.tty_master_fd = tty_master_fd
        self.title = title
        self.store = EventStore(strsize=strsize)
        self.models = Models(read_proc=read_proc)
        if getattr(session, "recorded", False):
            self.models.defer_fds()  # built when the Files pane asks, or while idle
        self.painter = RowPainter(self.store)
        self.view = ViewFilter()
        self.feed = TraceFeed(session, self.store, self.models, self.view, max_rows)
        self.flight = FlightControl(self, flight) if flight is not None else None
        self.feed.flight = self.flight.recorder if self.flight is not None else None
        self.containment = ErrorContainment()
        self.poll_interval = poll_interval
        self.terminal: ProgramTerminal | None = None
        self.selected_pid: int | None = None
        self.highlighted_row: int | None = None
        self.side_width = SIDE_DEFAULT
        self._panes_dirty = True
        self._last_pane_refresh = 0.0
        self.first_paint_at: float | None = None
        self._inflight_shown: tuple[int, ...] = ()
        self._slice_soon = False  # a slice of the backlog is scheduled (SLICE_GAP)
        self._unshown_changes: list[int] | None = None  # rows changed since the last redraw
        self._last_redraw = 0.0

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield SyscallList(self.store, self.painter, id="syscalls")
            yield SidePanes(id="side")
        yield FilterBar(id="filter-bar")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def syscall_list(self) -> SyscallList:
        return self._widgets["#syscalls"]  # type: ignore[return-value]

    @property
    def status(self) -> StatusBar:
        return self._widgets["#status"]  # type: ignore[return-value]

    @property
    def filter_bar(self) -> FilterBar:
        return self._widgets["#filter-bar"]  # type: ignore[return-value]

    @property
    def output_pane(self) -> OutputPane:
        return self._widgets["#output-pane"]  # type: ignore[return-value]

    @property
    def side_panes(self) -> SidePanes:
        return self._widgets["#side"]  # type: ignore[return-value]

    @property
    def contained_errors(self) -> list[str]:
        """Tracebacks of the exceptions handlers raised (contained, see tui.containment)."""
        return self.containment.errors

    def on_mount(self) -> None:
        self.main_screen = self.screen  # queries go here even while a detail screen is on top
        # Looked up once: handlers must not query a DOM that is being torn down.
        self._widgets = {
            sel: self.main_screen.query_one(sel)
            for sel in (
                "#syscalls",
                "#status",
                "#filter-bar",
                "#output-pane",
                "#side",
                "#stack-view",
            )
        }
        self.filter_bar.display = False
        self._wire_panes()
        self.syscall_list.focus()
        self.status.stacks = bool(getattr(self.session, "stack_traces", False))
        self.status.loop = getattr(self.session, "capture_loop", "")
        if getattr(self.session, "recorded", False):
            self.status.note = "q quits"  # a recording: nothing runs
            self.status.state = "LOADING"  # from the start, not RUNNING until the first poll
        else:
            self.status.note = "q quits: " + (
                "kills the launched program"
                if self.session.launched
                else "detaches from the processes"
            )
        if self.tty_master_fd is not None:
            self.terminal = ProgramTerminal(self.tty_master_fd, self.output_pane.feed)
            self.terminal.start(asyncio.get_running_loop())
        else:
            self.output_pane.placeholder = (
                "(the program's output is not captured: attached process or --tty=inherit)"
            )
        self._poll_timer = self.set_interval(self.poll_interval, self.poll_session)
        # SIGTERM or a closed terminal end the app as `q` does, through Textual's own
        # exit, so the terminal is given back (no alternate screen, mouse reporting off).
        loop = asyncio.get_running_loop()
        for signo in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signo) is not signal.SIG_IGN:  # nohup: stays ignored
                loop.add_signal_handler(signo, self._terminated, signo)
        if self.flight is not None:  # SIGUSR1 dumps the ring, as headless
            loop.add_signal_handler(signal.SIGUSR1, self.flight.recorder.request_dump)
        self.call_after_refresh(self._first_paint)
        self.containment.armed = True
        if self.initial_filter:  # strace's -P, -z, -Z given on the command line
            self.set_filter_text(self.initial_filter)
        if self.initial_pane:
            self.side_panes.show(self.initial_pane)

    def _wire_panes(self) -> None:
        """The In-flight and Summary panes read the session, store and filter themselves,
        on their own timers while on screen (the timer moves, a filter applies)."""
        from tui.widgets.inflight_pane import InflightPane, InflightSource
        from tui.widgets.summary_pane import SummaryPane

        screen = self.main_screen
        screen.query_one(InflightPane).source = InflightSource(
            self.session, self.store, self.models, lambda: self.trace_ended
        )
        screen.query_one(SummaryPane).watch_store(self.store, self.view)

    @property
    def trace_ended(self) -> bool:
        """The session finished and its last event is in the store."""
        return self.feed.trace_ended

    def _first_paint(self) -> None:
        self.first_paint_at = time.monotonic()

    def _terminated(self, signo: int) -> None:
        from tui.hangup import Ending, terminal_alive

        ending = self.__dict__.setdefault("_ending", Ending(self._finish_trace))  # one a run
        if signo == signal.SIGHUP and not terminal_alive():
            ending.now(128 + signo)  # nothing to give back; Textual's writer would wait
        self.exit(128 + signo)
        ending.after_grace(128 + signo)

    def _finish_trace(self) -> None:
        """What run_app does after the app returns, for an exit that skips it (tui.hangup)."""
        self.session.stop()
        if self.flight is not None:
            self.flight.close()

    def on_unmount(self) -> None:
        self.containment.armed = False
        self._poll_timer.stop()
        if self.terminal is not None:
            self.terminal.stop()
        self.session.stop()

    def _handle_exception(self, error: Exception) -> None:
        # Timers, callbacks and workers end here: contained like handlers once the app is up.
        if not self.containment.contain(self, error):
            super()._handle_exception(error)

    @on(TabbedContent.TabActivated)
    def _pane_switched(self) -> None:
        self._panes_dirty = True
        self.refresh_panes()

    @on(FilterEdited)
    def _filter_edited(self, message: FilterEdited) -> None:
        self.apply_filter_text(message.text)

    @on(FilterClosed)
    def _filter_closed(self) -> None:
        self.syscall_list.focus()

    # -- messages from panes ----------------------------------------------------------------
    @on(ProcessSelected)
    def _process_selected(self, message: ProcessSelected) -> None:
        self.selected_pid = message.pid
        self.apply_filter_text(self.view.user_text)
        self._panes_dirty = True

    @on(ErrorGroupChosen)
    def _error_group_chosen(self, message: ErrorGroupChosen) -> None:
        self.set_filter_text(message.filter_text)
        self.syscall_list.focus()

    @on(JumpToRow)
    def _jump_to_row(self, message: JumpToRow) -> None:
        self.show_pending_rows()
        lst = self.syscall_list
        if lst.index_of(message.row) is None:  # hidden by the filter: show everything
            self.selected_pid = None
            self.set_filter_text("")
        lst.move_to(lst.index_of(message.row) or 0)
        lst.focus()

    @on(RowHighlighted)
    def _row_highlighted(self, message: RowHighlighted) -> None:
        row = message.row
        moved = self.store.dropped - getattr(message, "dropped_before", self.store.dropped)
        if row is not None and moved:  # posted before a drop renumbered the rows
            row = row - moved if row >= moved else None
        self.highlighted_row = row
        stack = None
        if row is not None and self.store.is_syscall(row):
            stack = self.store.stacks.get(row)
        view: StackView = self._widgets["#stack-view"]  # type: ignore[assignment]
        if view.is_attached and view.frames != (stack or []):
            view.set_frames(stack)
        # The Files pane follows the highlighted row's process, also once the trace is idle.
        self._panes_dirty = True

    @on(FrameChosen)
    def _frame_chosen(self, message: FrameChosen) -> None:
        from tui.screens.source import SourceScreen

        self.push_screen(SourceScreen(message.file, message.line, message.title))

    @on(RowChosen)
    def _row_chosen(self, message: RowChosen) -> None:
        self.open_detail(message.row)

    @on(OutputPane.Input)
    def _program_input(self, message: OutputPane.Input) -> None:
        if self.terminal is not None:
            self.terminal.write(message.data)

    def action_open_dump(self) -> None:
        if self.flight is None:
            self.notify("no flight recorder: start tracetui with --ring or --trigger")
        else:
            self.flight.open_last()

    def open_detail(self, row: int) -> None:
        from tui.screens.detail import SyscallDetailScreen

        self.push_screen(SyscallDetailScreen(self.store, row, self.painter.t0 or 0.0))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Main-view actions are hidden while a detail, source or help screen is on top."""
        main = getattr(self, "main_screen", None)
        if main is not None and self.screen is not main and action in MAIN_VIEW_ACTIONS:
            return False
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Quit" and "Keys" would sit beside ours under the same titles.
        for command in super().get_system_commands(screen):
            if command.title not in REPLACED_SYSTEM_COMMANDS:
                yield command
        yield from palette_commands(self)
