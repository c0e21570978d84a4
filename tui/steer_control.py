"""The app's side of steering: breakpoints (b, B), injection on the selected call's
pattern (i), and the held thread's fate (continue, step, run to exit, fail).

A mixin of the App. The worker reports a hit as a `BreakpointHit`; the session keeps
it (`take_breakpoint_hits`) after the held call became an in-progress row, so the
app finds that row, selects it and asks the user what to do.
"""

from __future__ import annotations

from typing import Any

from tracer.steer.rules import (
    SteerSpecError,
    parse_breakpoint,
    parse_conditioned_inject,
    parse_errno,
)

HELD_STATE = "held (t)"


def call_pattern(store: Any, row: int) -> str:
    """A filter for calls like the one at `row`: its name, and its path or its fd."""
    rc = store.rendered(row)
    if rc is None:
        return ""
    terms = [f"name:{rc.name}"]
    for arg in rc.args:
        if arg.kind == "path" and arg.text.startswith('"'):
            path = arg.text.strip('"')
            if path and " " not in path and '"' not in path:
                terms.append(f"path:{path}")
                break
    else:
        for arg in rc.args:
            if arg.kind == "fd" and isinstance(arg.value, int) and arg.value >= 0:
                terms.append(f"fd:{arg.value}")
                break
    return " ".join(terms)


class SteerControl:
    """Mixed into TraceApp; uses its session, store, syscall list and models."""

    _held: dict[int, tuple[int, bool]]  # tid -> (row of its held call, held at exit)
    _held_screen_open = False
    _not_now: set[int]  # held threads the user chose to leave held (Esc): asked again via B

    def _steer_state(self) -> dict[int, tuple[int, bool]]:
        held = getattr(self, "_held", None)
        if held is None:
            held = self._held = {}
            self._not_now = set()
        return held

    def _steerable(self) -> bool:
        if not hasattr(self.session, "steer"):
            self.notify("steering needs a live trace", severity="warning")
            return False
        if self.trace_ended:
            self.notify("the program has exited", severity="warning")
            return False
        return True

    # ---- hits --------------------------------------------------------------------------

    def steer_poll(self) -> None:
        """Called after each drain: select the calls breakpoints hold and ask about them."""
        take = getattr(self.session, "take_breakpoint_hits", None)
        held = self._steer_state()
        if take is not None:
            for hit in take():
                row = self._held_row(hit.tid)
                held[hit.tid] = (row if row is not None else -1, hit.at_exit)
                self._not_now.discard(hit.tid)
                self._show_held_state(hit.pid, True)
        if held:
            gone = [tid for tid in held if tid not in self.session.held_tids()]
            for tid in gone:
                del held[tid]
            if gone:
                self._refresh_held_states()
        if held and not self._held_screen_open:
            tid = next((t for t in held if t not in self._not_now), None)
            if tid is not None:
                self._ask_about(tid)

    def _held_row(self, tid: int) -> int | None:
        store = self.store
        for row in range(len(store) - 1, max(-1, len(store) - 5000), -1):
            if store.is_syscall(row) and store.tid(row) == tid:
                return row
        return None

    def _show_held_state(self, pid: int, held: bool) -> None:
        info = self.models.processes.get(pid)
        if info is None:
            return
        if held and info.alive:
            info.state = HELD_STATE
        elif not held and info.state == HELD_STATE:
            info.state = "paused" if self.session.paused else "running"
        self._panes_dirty = True

    def _refresh_held_states(self) -> None:
        held_pids = {self.store.pid(row) for row, _ in self._held.values() if row >= 0}
        for info in self.models.processes:
            if info.state == HELD_STATE and info.pid not in held_pids:
                self._show_held_state(info.pid, False)

    def _ask_about(self, tid: int) -> None:
        from tui.screens.breakpoints import HeldCallScreen

        row, at_exit = self._held[tid]
        line = self.store.line(row) if row >= 0 else f"thread {tid}"
        if row >= 0:
            self.show_pending_rows()
            lst = self.syscall_list
            if lst.index_of(row) is None:
                self.selected_pid = None
                self.set_filter_text("")
            index = lst.index_of(row)
            if index is not None:
                lst.move_to(index)
        where = "after its call returned" if at_exit else "before the kernel runs its call"
        self._held_screen_open = True
        self.push_screen(
            HeldCallScreen(tid, line, where, at_exit), lambda choice: self._held_choice(tid, choice)
        )

    def _held_choice(self, tid: int, choice: tuple[str, str] | None) -> None:
        self._held_screen_open = False
        if choice is None:
            self._not_now.add(tid)
            return
        action, errno_text = choice
        error = 0
        if action == "fail":
            try:
                error = parse_errno(errno_text or "EACCES")
            except SteerSpecError as e:
                self.notify(str(e), severity="error")
                self._held_screen_open = True
                self._ask_about(tid)
                return
        held = self._steer_state().pop(tid, None)
        if not self.session.break_action(tid, action, error):
            self.notify(f"thread {tid} is no longer held", severity="warning")
        if held is not None and held[0] >= 0:
            self._show_held_state(self.store.pid(held[0]), False)
        self._refresh_held_states()
        self._update_status()

    # ---- setting breakpoints and rules ----------------------------------------------------

    def action_add_breakpoint(self) -> None:
        from tui.screens.breakpoints import SteerInputScreen

        if not self._steerable():
            return
        row = self.highlighted_row
        prefill = call_pattern(self.store, row) if row is not None and row < len(self.store) else ""
        self.push_screen(
            SteerInputScreen(
                "Breakpoint: hold a thread when a call matching this filter enters",
                [("filter: name:connect  path:/etc/hosts  fd:3 name:write  pid:123", prefill)],
                "Enter sets it, Esc cancels. The thread stops before the kernel runs the call.",
            ),
            self._breakpoint_given,
        )

    def _breakpoint_given(self, values: tuple[str, ...] | None) -> None:
        if not values or not values[0].strip():
            return
        try:
            bp = parse_breakpoint(values[0])
        except SteerSpecError as e:
            self.notify(str(e), severity="error")
            return
        if self.session.steer(lambda s: s.add_breakpoint(bp)):
            self.notify(f"breakpoint {bp.id}: {bp.text}")
        else:
            self.notify("tracing has ended", severity="warning")

    def action_inject_like(self) -> None:
        from tui.screens.breakpoints import SteerInputScreen

        if not self._steerable():
            return
        row = self.highlighted_row
        if row is None or row >= len(self.store) or not self.store.is_syscall(row):
            self.notify("select a syscall first", severity="warning")
            return
        self.push_screen(
            SteerInputScreen(
                "Inject: fail the next calls like this one",
                [
                    ("filter", call_pattern(self.store, row)),
                    ("error=ERRNO | retval=N | delay=D, and count=N", "error=ENOSPC count=1"),
                ],
                "Enter in the last field sets it (listed with B), Esc cancels.",
            ),
            self._injection_given,
        )

    def _injection_given(self, values: tuple[str, ...] | None) -> None:
        if not values:
            return
        try:
            rule = parse_conditioned_inject(values[0], values[1])
        except SteerSpecError as e:
            self.notify(str(e), severity="error")
            return
        if self.session.steer(lambda s: s.add_rule(rule)):
            self.notify(f"injection {rule.id}: {rule.text}")
        else:
            self.notify("tracing has ended", severity="warning")

    def action_steering(self) -> None:
        from tui.screens.breakpoints import SteeringScreen

        held = {
            tid: (self.store.line(row) if row >= 0 else "")
            for tid, (row, _) in self._steer_state().items()
        }
        self.push_screen(
            SteeringScreen(getattr(self.session, "steering", None), held), self._steering_choice
        )

    def _steering_choice(self, choice: tuple[str, Any] | None) -> None:
        if choice is None:
            return
        what, arg = choice
        if what == "add":
            self.action_add_breakpoint()
            return
        if what == "held":
            if arg in self._steer_state():
                self._ask_about(arg)
            return
        if not self._steerable():
            return
        if what == "toggle":
            self.session.steer(lambda s: s.toggle(arg))
        elif what == "delete":
            self.session.steer(lambda s: s.remove(arg))
        elif what == "all_stop":  # (--break-all-stop from the command line)

            def set_all_stop(s: Any) -> None:
                s.all_stop = arg

            self.session.steer(set_all_stop)
        self.action_steering()
