"""What the app's keys do (`action_*`): bound on TraceApp, titled in tui.commands.

A mixin, because Textual looks actions up on the app; the state they change
(session, filter, panes) belongs to the app.
"""

from __future__ import annotations

from textual import work
from textual.actions import SkipAction

from tui.commands import key_help
from tui.widgets.syscall_list import SyscallList

SIDE_WIDTHS = (0, 30, 40, 50, 60)  # percent of the screen the side pane takes (0: hidden)
SIDE_DEFAULT = 40
# Panes whose number key also focuses them; the Output pane is focused only by `o`,
# since there keys go to the program (`q` would not quit).
FOCUSED_PANES = {"processes", "files", "errors", "stack", "inflight", "summary"}


class TraceActions:
    def action_open_filter(self) -> None:
        focused = self.focused
        if (
            self.screen is not self.main_screen
            or focused is self.filter_bar.input
            or focused is self.output_pane
        ):
            raise SkipAction()  # a `/` typed into the filter, the program or another screen
        self.filter_bar.open()

    def action_toggle_pause(self) -> None:
        if self.trace_ended:
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
        if self.trace_ended:
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
        self.set_filter_text(text)

    def action_show_all(self) -> None:
        self.selected_pid = None
        self.apply_filter_text(self.view.user_text)

    def action_show_pane(self, pane: str) -> None:
        side = self.side_panes
        if not side.display:
            self._set_side_width(SIDE_DEFAULT)
        side.show(pane)
        if pane in FOCUSED_PANES:
            side.focus_pane(pane)

    def action_focus_output(self) -> None:
        self.action_show_pane("output")
        self.output_pane.focus()

    def action_focus_list(self) -> None:
        self.syscall_list.focus()

    def action_follow(self) -> None:
        self.syscall_list.action_last()

    def action_focus_next_region(self) -> None:
        self.screen.focus_next()

    def action_toggle_side(self) -> None:
        """Hide the side pane (the list takes the whole width) or show it again."""
        self._set_side_width(0 if self.side_panes.display else SIDE_DEFAULT)
        if not self.side_panes.display:
            self.syscall_list.focus()

    def action_resize_side(self, step: int) -> None:
        """Make the side pane wider (step 1) or narrower (-1); narrowest is hidden."""
        widths = SIDE_WIDTHS
        now = self.side_width
        index = min(range(len(widths)), key=lambda i: abs(widths[i] - now))
        self._set_side_width(widths[max(0, min(len(widths) - 1, index + step))])

    def _set_side_width(self, percent: int) -> None:
        self.side_width = percent
        side = self.side_panes
        side.display = percent > 0
        if percent:
            side.styles.width = f"{percent}%"
            self._panes_dirty = True
            self.refresh_panes()
        if side.display is False and side.has_focus_within:
            self.syscall_list.focus()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(key_help([*self.BINDINGS, *SyscallList.BINDINGS])))

    def action_quit_trace(self) -> None:
        self.exit(self.session.exit_status or 0)
