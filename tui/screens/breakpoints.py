"""Steering screens: set a breakpoint or an injection rule, decide the fate of a held call,
and list, toggle or delete breakpoints and rules.

Small modal screens docked at the bottom, so the list (with the held call selected)
stays in view above them. They only collect the user's choice and hand it back
(`dismiss`); the app (tui/steer_control.py) talks to the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from tui.containment import ContainedPump

CSS = Path(__file__).with_name("breakpoints.tcss")


class SteerInputScreen(ContainedPump, ModalScreen[tuple[str, ...] | None]):
    """One or two prefilled inputs (a filter; an action); Enter in the last one accepts."""

    CSS_PATH = CSS
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields  # (placeholder, prefilled value)
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="steer-box"):
            yield Static(self.title_text, classes="steer-title")
            for i, (placeholder, value) in enumerate(self.fields):
                yield Input(value=value, placeholder=placeholder, id=f"steer-input-{i}")
            if self.hint:
                yield Static(self.hint, classes="steer-hint")

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        inputs = list(self.query(Input))
        if message.input is not inputs[-1]:
            inputs[inputs.index(message.input) + 1].focus()
            return
        self.dismiss(tuple(i.value for i in inputs))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HeldCallScreen(ContainedPump, ModalScreen[tuple[str, str] | None]):
    """A thread is held at a breakpoint: continue, step, run to the exit, or fail the call."""

    CSS_PATH = CSS
    AUTO_FOCUS = None  # keys are choices; the errno input appears only for `f`
    BINDINGS = [
        Binding("c", "choose('continue')", "Continue"),
        Binding("s", "choose('step')", "Step to next syscall"),
        Binding("x", "choose('exit')", "Run to exit"),
        Binding("f", "fail", "Fail with errno"),
        Binding("escape", "later", "Keep held"),
    ]

    def __init__(self, tid: int, line: str, where: str, at_exit: bool) -> None:
        super().__init__()
        self.tid = tid
        self.line = line
        self.where = where
        self.at_exit = at_exit

    def compose(self) -> ComposeResult:
        with Vertical(classes="steer-box"):
            yield Static(f"Held: thread {self.tid} {self.where}", classes="steer-title")
            yield Static(self.line, id="held-line", markup=False)
            keys = "c continue   s step to its next syscall"
            if not self.at_exit:
                keys += "   x run to its exit   f fail it with an errno"
            yield Static(keys + "   Esc keep it held (B lists held threads)", classes="steer-hint")

    def action_choose(self, what: str) -> None:
        if self.at_exit and what == "exit":
            return
        self.dismiss((what, ""))

    def action_fail(self) -> None:
        if self.at_exit:
            return
        if self.query("#held-errno"):
            return
        # Empty, EACCES when left so: a prefilled value is selected on focus, and what
        # the user types must not depend on clearing it first.
        box = Input(placeholder="errno, e.g. ENOSPC (Enter alone: EACCES)")
        box.id = "held-errno"
        self.query_one(".steer-box").mount(box)
        box.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self.dismiss(("fail", message.value.strip()))

    def action_later(self) -> None:
        self.dismiss(None)


class SteeringScreen(ContainedPump, ModalScreen[tuple[str, Any] | None]):
    """Breakpoints, injection rules and held threads: toggle, delete, add, resume."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("space,t", "toggle", "Enable/disable"),
        Binding("d,delete", "delete", "Delete"),
        Binding("b", "add", "New breakpoint"),
        Binding("a", "all_stop", "A hit stops all threads / only its own"),
        Binding("enter", "open", "Held thread: decide"),
        Binding("escape,q,B", "close", "Close"),
    ]

    def __init__(self, steering: Any, held: dict[int, str]) -> None:
        super().__init__()
        self.steering = steering
        self.held = held  # tid -> the held call's line

    def compose(self) -> ComposeResult:
        with Vertical(classes="steer-box"):
            yield Static("Breakpoints and injections", classes="steer-title")
            yield DataTable(id="steer-table", cursor_type="row")
            all_stop = bool(self.steering and self.steering.all_stop)
            yield Static(
                "a hit holds "
                + ("every thread (a: only its own)" if all_stop else "its thread only (a: all)"),
                id="steer-all-stop",
            )
            yield Static(
                "space toggle   d delete   b new breakpoint   Enter on a held thread: decide   "
                "i on a row of the list: inject on calls like it",
                classes="steer-hint",
            )

    def on_mount(self) -> None:
        self._fill()
        self.query_one(DataTable).focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("id", "kind", "on", "hits", "what")
        for bp in list(self.steering.breakpoints) if self.steering else []:
            on = "yes" if bp.enabled else "no"
            table.add_row(str(bp.id), "break", on, str(bp.hits), bp.text, key=f"i{bp.id}")
        for r in list(self.steering.rules) if self.steering else []:
            what = f"{r.text}  [{r.describe()}]"
            on = "yes" if r.enabled else "no"
            table.add_row(str(r.id), "inject", on, str(r.hits), what, key=f"i{r.id}")
        for tid, line in self.held.items():
            table.add_row(str(tid), "HELD", "t", "", line, key=f"t{tid}")

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_toggle(self) -> None:
        key = self._current()
        if key and key[0] == "i":
            self.dismiss(("toggle", int(key[1:])))

    def action_delete(self) -> None:
        key = self._current()
        if key and key[0] == "i":
            self.dismiss(("delete", int(key[1:])))

    def action_add(self) -> None:
        self.dismiss(("add", None))

    def action_all_stop(self) -> None:
        self.dismiss(("all_stop", not (self.steering and self.steering.all_stop)))

    def action_open(self) -> None:
        key = self._current()
        if key and key[0] == "t":
            self.dismiss(("held", int(key[1:])))

    def action_close(self) -> None:
        self.dismiss(None)
