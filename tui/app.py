"""The tracetui App: drains the session in batches, owns the store and models, routes messages.

Data takes one road: a timer on the app's loop drains `session.drain()` ->
`EventStore.append` -> models update -> widgets are told what changed and
redraw only what is visible. The tracer thread never calls into the UI.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent
from textual.worker import get_current_worker

from tracer.events import Resumed, Unfinished
from tracer.filter import Filter, FilterError, parse_filter
from tracer.store import EventStore
from tracer.syscalls.render import load_decoders
from tui.commands import MAIN_VIEW_ACTIONS, key_help, palette_commands
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
from tui.row_style import RowPainter
from tui.terminal import ProgramTerminal
from tui.view import FilterResult, ViewFilter
from tui.widgets.filter_bar import FilterBar
from tui.widgets.output_pane import OutputPane
from tui.widgets.side_panes import SidePanes
from tui.widgets.stack_view import StackView
from tui.widgets.status_bar import StatusBar
from tui.widgets.syscall_list import SyscallList

POLL_INTERVAL = 0.05
CHUNK = 1000  # events drained at a time
TICK_BUDGET = 0.03  # seconds of ingesting per tick: under a flood the UI still gets 40% of the time
NEWEST_FIRST = 1 << 17  # candidate rows a refilter matches first, posted as a partial result
PARTIAL_MIN_ROWS = 200  # ... when they give more than a screenful of matches
PARTIAL_PAINT_WAIT = 0.1  # seconds the worker gives the app to draw a partial result
PANE_REFRESH = 0.5  # seconds between side-pane rebuilds while events stream
# A call in flight this long is shown below the last row: blocked calls stay on screen,
# calls that are merely between entry and exit do not flicker in and out.
INFLIGHT_AFTER = 0.2


class TraceApp(App[int]):
    """Live explorer of one trace session (a TraceSession, or a ReplaySession in tests)."""

    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses live elsewhere
    TITLE = "tracetui"
    BINDINGS = [
        Binding("slash", "open_filter", "Filter"),
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
        Binding("o", "focus_output", "Program terminal"),
        Binding("l", "focus_list", "Syscall list", show=False),
        Binding("f", "follow", "Follow", show=False),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit_trace", "Quit"),
    ]
    # Every binding above is also in the command palette: see tui.commands.

    def __init__(
        self,
        session,
        tty_master_fd: int | None = None,
        title: str = "tracetui",
        *,
        strsize: int = 32,
        poll_interval: float = POLL_INTERVAL,
        read_proc: bool = True,
    ) -> None:
        super().__init__()
        load_decoders()  # rendering needs every decoder family registered
        self.session = session
        self.tty_master_fd = tty_master_fd
        self.title = title
        self.store = EventStore(strsize=strsize)
        self.models = Models(read_proc=read_proc)
        self.painter = RowPainter(self.store)
        self.view = ViewFilter()
        self.poll_interval = poll_interval
        self.terminal: ProgramTerminal | None = None
        self.selected_pid: int | None = None
        self.highlighted_row: int | None = None
        self._rate_window: deque[tuple[float, int]] = deque()
        self._panes_dirty = True
        self._last_pane_refresh = 0.0
        self._ended = False
        self.first_paint_at: float | None = None
        self._unfinished: set[int] = set()  # id() of calls in the store as in-progress rows
        self._inflight_shown: tuple[int, ...] = ()

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

    def on_mount(self) -> None:
        self.main_screen = self.screen  # queries go here even while a detail screen is on top
        # Looked up once: the poll timer must not query a DOM that is being torn down.
        self._widgets = {
            sel: self.main_screen.query_one(sel)
            for sel in ("#syscalls", "#status", "#filter-bar", "#output-pane", "#side")
        }
        self.filter_bar.display = False
        self.syscall_list.focus()
        self.status.stacks = bool(getattr(self.session, "stack_traces", False))
        self.status.note = "q quits: " + (
            "kills the launched program" if self.session.launched else "detaches from the processes"
        )
        if self.tty_master_fd is not None:
            self.terminal = ProgramTerminal(self.tty_master_fd, self.output_pane.feed)
            self.terminal.start(asyncio.get_running_loop())
        else:
            self.output_pane.placeholder = (
                "(the program's output is not captured: attached process or --tty=inherit)"
            )
        self._poll_timer = self.set_interval(self.poll_interval, self.poll_session)
        self.call_after_refresh(self._first_paint)

    @property
    def trace_ended(self) -> bool:
        """The session finished and its last event is in the store."""
        return self._ended or bool(self.session.finished)

    def _first_paint(self) -> None:
        self.first_paint_at = time.monotonic()

    def on_unmount(self) -> None:
        self._poll_timer.stop()
        if self.terminal is not None:
            self.terminal.stop()
        self.session.stop()

    # -- the data road ------------------------------------------------------------------
    def poll_session(self) -> None:
        """Drain batches from the session into the store for at most TICK_BUDGET, then redraw."""
        deadline = time.perf_counter() + TICK_BUDGET
        ingested = False
        while True:
            events = self.session.drain(CHUNK)
            if not events:
                break
            self.ingest(events)
            ingested = True
            if len(events) < CHUNK or time.perf_counter() > deadline:
                break
        if ingested:
            # What the store holds lives until the app ends: take it out of the cyclic
            # collector's scans, or each full collection walks millions of objects and
            # a keystroke waits behind it (gc.freeze is O(1)).
            gc.freeze()
        self._update_inflight()
        self._update_status()
        now = time.monotonic()
        if self._panes_dirty and (now - self._last_pane_refresh >= PANE_REFRESH or self._ended):
            self.refresh_panes()

    def ingest(self, events: list) -> None:
        unfinished = self._unfinished
        for ev in events:
            t = type(ev)
            if t is Unfinished:
                unfinished.add(id(ev.call))
            elif t is Resumed:
                unfinished.discard(id(ev.call))
        update = self.store.append(events)
        self.models.update(self.store, update)
        self._rate_window.append((time.monotonic(), update.count_new))
        if update.ended is not None:
            self._ended = True
        lst = self.syscall_list
        self.view.note_changed(update)
        if self.view.filter is None:
            lst.rows_added(update.changed_rows)
        else:
            self.view.extend(self.store, update)
            lst.rows_added(update.changed_rows)
        self._panes_dirty = True

    def _update_inflight(self) -> None:
        """Show calls in progress (a blocked read, accept, wait4) below the tail.

        Only while following the unfiltered list; a call already in the store as an
        in-progress row (emitted Unfinished) is not shown twice, nor one that has returned.
        """
        lst = self.syscall_list
        calls = []
        inflight = getattr(self.session, "inflight", None)
        if lst.following and self.view.filter is None and not self._ended and inflight:
            now = time.time()
            calls = sorted(
                (
                    c
                    for c in inflight()
                    if not c.done
                    and id(c) not in self._unfinished
                    and now - c.start >= INFLIGHT_AFTER
                ),
                key=lambda c: c.start,
            )
        shown = tuple(id(c) for c in calls)
        if shown != self._inflight_shown:
            self._inflight_shown = shown
            lst.set_inflight([self.painter.paint_inflight(c) for c in calls])

    def _update_status(self) -> None:
        status = self.status
        now = time.monotonic()
        window = self._rate_window
        while window and now - window[0][0] > 2.0:
            window.popleft()
        status.rate = sum(n for _, n in window) / 2.0
        status.events = len(self.store)
        status.shown = self.syscall_list.count
        status.following = self.syscall_list.following
        if self.session.finished or self._ended:
            status.state = "EXITED"
            if self.store.ended is not None:
                status.exit_status = self.store.ended.exit_status
        elif self.session.paused:
            status.state = "PAUSED"
        else:
            status.state = "RUNNING"

    def refresh_panes(self) -> None:
        """Rebuild the visible side pane from the models (small tables, throttled)."""
        if not self.main_screen.is_attached:
            return
        self._panes_dirty = False
        self._last_pane_refresh = time.monotonic()
        self._widgets["#side"].refresh_from(self.models, self._files_pid(), self.painter.t0 or 0.0)

    def _files_pid(self) -> int | None:
        if self.selected_pid is not None:
            return self.selected_pid
        if self.highlighted_row is not None:
            return self.models.processes.leader_of(self.store.pid(self.highlighted_row))
        roots = self.models.processes.roots()
        return roots[0].pid if roots else None

    @on(TabbedContent.TabActivated)
    def _pane_switched(self) -> None:
        self._panes_dirty = True
        self.refresh_panes()

    # -- filtering ------------------------------------------------------------------------
    def apply_filter_text(self, text: str) -> bool:
        """Parse on the UI thread (fast, gives the inline error), match in a worker.

        Returns False when the text does not parse (the list is left as it was).
        """
        full = self.view.compose_text(text, self.selected_pid)
        try:
            flt = parse_filter(full) if full.strip() else None
        except FilterError as exc:
            self.filter_bar.show_error(exc.message)
            return False
        self.filter_bar.show_error(None)
        self.view.user_text = text
        self.status.filter_text = flt.describe() if flt is not None and text.strip() else ""
        self.status.view_label = f"process {self.selected_pid}" if self.selected_pid else ""
        self.status.matching = flt is not None
        if flt is None:
            self.view.set_all()
            self.syscall_list.set_rows(None, keep_row=self.syscall_list.current_row)
            return True
        # The store's length is read here, on the thread that appends to it: the worker
        # could see a batch half appended.
        upto = len(self.store)
        base = self.view.base_for(flt, upto)
        self.refilter(flt, base, upto, self.view.next_generation())
        return True

    # A fixed description: by default Textual builds one from repr() of the arguments,
    # which for a refined filter is an array of up to a million rows (100 ms).
    @work(thread=True, exclusive=True, group="filter", exit_on_error=False, description="refilter")
    def refilter(self, flt: Filter, base, upto: int, generation: int) -> None:
        try:
            self._refilter(flt, base, upto, generation)
        except Exception:
            self.call_from_thread(setattr, self.status, "matching", False)
            raise

    def _refilter(self, flt: Filter, base, upto: int, generation: int) -> None:
        worker = get_current_worker()
        rows = base if base is not None else range(upto)
        if base is not None:
            upto = base.upto
            rows = base.rows
        stop = lambda: worker.is_cancelled  # noqa: E731
        newest = len(rows) - NEWEST_FIRST
        if newest > 0:
            # The newest rows first: the list usually shows the end, which can then be
            # drawn before the older rows are matched.
            tail = flt.match_rows(self.store, rows[newest:], should_stop=stop)
            if tail is None or worker.is_cancelled:
                return
            if len(tail) >= PARTIAL_MIN_ROWS:
                painted = threading.Event()
                self.post_message(FilterResult(flt, tail, upto, generation, True, painted))
                # Let the app's thread draw it: matching on would hold the GIL for most
                # of the time the app needs to take the message and paint.
                painted.wait(PARTIAL_PAINT_WAIT)
            matched = flt.match_rows(self.store, rows[:newest], should_stop=stop)
            if matched is None:
                return
            matched.extend(tail)
        else:
            matched = flt.match_rows(self.store, rows, should_stop=stop)
        if matched is None or worker.is_cancelled:
            return
        self.post_message(FilterResult(flt, matched, upto, generation))

    def on_filter_result(self, result: FilterResult) -> None:
        try:
            if result.partial and not self.syscall_list.following:
                pass  # the user is looking at older rows, which a partial result lacks
            elif self.view.accept(self.store, result):
                self.syscall_list.set_rows(self.view.rows, keep_row=self.syscall_list.current_row)
                self.status.matching = result.partial
        finally:
            if result.painted is not None:
                self.call_after_refresh(result.painted.set)

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
        self.filter_bar.input.value = message.filter_text  # posts FilterEdited -> refilter
        self.apply_filter_text(message.filter_text)
        self.syscall_list.focus()

    @on(JumpToRow)
    def _jump_to_row(self, message: JumpToRow) -> None:
        lst = self.syscall_list
        index = lst.index_of(message.row)
        if index is None:  # hidden by the filter: show everything, then jump
            self.selected_pid = None
            self.filter_bar.input.value = ""
            self.apply_filter_text("")
            index = message.row
        lst.move_to(index)
        lst.focus()

    @on(RowHighlighted)
    def _row_highlighted(self, message: RowHighlighted) -> None:
        self.highlighted_row = message.row
        stack = None
        if message.row is not None and self.store.is_syscall(message.row):
            stack = self.store.stacks.get(message.row)
        view = self.main_screen.query_one("#stack-view", StackView)
        if view.frames != (stack or []):
            view.set_frames(stack)

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

    def open_detail(self, row: int) -> None:
        from tui.screens.detail import SyscallDetailScreen

        self.push_screen(SyscallDetailScreen(self.store, row, self.painter.t0 or 0.0))

    # -- actions ----------------------------------------------------------------------------
    def action_open_filter(self) -> None:
        self.filter_bar.open()

    def action_toggle_pause(self) -> None:
        if self.session.finished or self._ended:
            self.notify("the program has exited", severity="warning")
            return
        if self.session.paused:
            self.session.resume()
            self.models.processes.set_paused(False)
        else:
            self.session.pause()
            self.models.processes.set_paused(True)
        self._panes_dirty = True
        self._update_status()

    def action_toggle_stacks(self) -> None:
        if self.session.finished or self._ended:
            self.notify("the program has exited", severity="warning")
            return
        self._set_stacks(not self.session.stack_traces)

    @work(thread=True, exclusive=True, group="stacks", exit_on_error=False)
    def _set_stacks(self, enabled: bool) -> None:
        # Off the UI thread: the tracer thread may be waiting for us to drain its queue.
        ok = self.session.set_stack_traces(enabled)
        self.call_from_thread(self._stacks_set, enabled, ok)

    def _stacks_set(self, enabled: bool, ok: bool) -> None:
        if not ok:
            self.notify("the tracer did not answer; stack traces unchanged", severity="error")
        self.status.stacks = bool(self.session.stack_traces)
        if ok:
            self.notify(
                "stack traces on for calls traced from now on" if enabled else "stack traces off"
            )

    def action_inspect(self) -> None:
        row = self.syscall_list.current_row
        if row is not None:
            self.open_detail(row)

    def action_errors_only(self) -> None:
        text = "err" if self.view.user_text.strip() != "err" else ""
        self.filter_bar.input.value = text
        self.apply_filter_text(text)

    def action_show_all(self) -> None:
        self.selected_pid = None
        self.apply_filter_text(self.view.user_text)

    def action_show_pane(self, pane: str) -> None:
        self._widgets["#side"].show(pane)

    def action_focus_output(self) -> None:
        self.action_show_pane("output")
        self.output_pane.focus()

    def action_focus_list(self) -> None:
        self.syscall_list.focus()

    def action_follow(self) -> None:
        self.syscall_list.action_last()

    def action_focus_next_region(self) -> None:
        self.screen.focus_next()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(key_help([*self.BINDINGS, *SyscallList.BINDINGS])))

    def action_quit_trace(self) -> None:
        self.exit(self.session.exit_status or 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Main-view actions are hidden while a detail, source or help screen is on top."""
        main = getattr(self, "main_screen", None)
        if main is not None and self.screen is not main and action in MAIN_VIEW_ACTIONS:
            return False
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette_commands(self)


def run_app(session, tty_master_fd: int | None, title: str) -> int:
    """Entry point for the CLI: run the app on a started session; returns the exit status."""
    app = TraceApp(
        session,
        tty_master_fd,
        title,
        strsize=getattr(getattr(session, "options", None), "strsize", 32),
    )
    try:
        result = app.run()
    finally:
        session.stop()
    return result if isinstance(result, int) else 0
