"""Syscall detail: every argument in full, captured memory as hex, return value, fds, stack."""

from __future__ import annotations

import errno as errno_mod
import os
import time

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracer.events import Syscall
from tracer.syscalls.render import RenderContext, errno_text, render
from tui.hexdump import hexdump
from tui.messages import FrameChosen
from tui.widgets.stack_view import StackView

FULL_STRSIZE = 1 << 20  # "untruncated": the capture limit is the only limit left


def _kv_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    return table


class SyscallDetailScreen(Screen[None]):
    """Opened by Enter on a syscall row; Escape goes back."""

    BINDINGS = [Binding("escape,q", "close", "Back")]

    def __init__(self, store, row: int, t0: float = 0.0) -> None:
        super().__init__()
        self.store = store
        self.row = row
        self.t0 = t0

    def compose(self) -> ComposeResult:
        event = self.store.event(self.row)
        with VerticalScroll(id="detail-body"):
            if isinstance(event, Syscall):
                yield from self._compose_call(event)
            else:
                yield Static(Text(self.store.line(self.row), style="bold"), id="detail-title")
                yield Static(self._when(self.store.time(self.row), 0.0, event.pid, event.tid))
        yield Footer()

    def _compose_call(self, call: Syscall) -> ComposeResult:
        rc = render(call, RenderContext(strsize=FULL_STRSIZE))
        yield Static(Text(self.store.line(self.row), style="bold"), id="detail-title")
        yield Static(self._when(call.start, call.duration, call.pid, call.tid))

        args = _kv_table()
        for i, arg in enumerate(rc.args):
            raw = (
                f"  [dim](raw {arg.raw:#x}, {arg.kind})[/]"
                if arg.raw is not None
                else f"  [dim]({arg.kind})[/]"
            )
            args.add_row(f"arg{i}", Text(arg.text) + Text.from_markup(raw))
        yield Static("[b]Arguments[/]", classes="detail-heading")
        yield Static(args, id="detail-args")

        yield Static("[b]Return value[/]", classes="detail-heading")
        yield Static(self._return_text(call, rc.ret), id="detail-ret")

        if call.fds:
            fds = _kv_table()
            for fd, what in sorted(call.fds.items()):
                fds.add_row(str(fd), what)
            yield Static("[b]File descriptors[/]", classes="detail-heading")
            yield Static(fds, id="detail-fds")

        buffers = [(k, v) for k, v in (call.mem or {}).items() if isinstance(v, (bytes, bytearray))]
        if buffers:
            yield Static("[b]Captured memory[/]", classes="detail-heading")
            for key, data in buffers:
                yield Static(Text(f"{key}: {len(data)} bytes", style="cyan"))
                yield Static(Text(hexdump(bytes(data))), classes="hexdump")

        yield Static("[b]Stack[/]", classes="detail-heading")
        if call.stack:
            yield StackView(id="detail-stack").with_frames(call.stack)
        else:
            yield Static("[dim]no stack captured (press k in the list, or start with -k)[/]")

    def _when(self, start: float, duration: float, pid: int, tid: int) -> Table:
        table = _kv_table()
        stamp = time.strftime("%H:%M:%S", time.localtime(start)) + f".{int(start % 1 * 1e6):06d}"
        table.add_row("started", f"{stamp}  (+{start - self.t0:.6f} s)")
        if duration:
            table.add_row("duration", f"{duration * 1e6:.0f} µs")
        table.add_row("process", str(pid) if pid == tid else f"{pid} (thread {tid})")
        table.add_row("row", str(self.row))
        return table

    @staticmethod
    def _return_text(call: Syscall, ret_text: str) -> Text:
        if call.ret is None:
            return Text("? (no return: still in progress or never returns)", style="dim")
        if call.error:
            meaning = errno_mod.errorcode.get(call.error, "")
            text = Text(f"-1 {errno_text(call.error)}", style="bold red")
            text.append(f"\nerrno {call.error} {meaning}: {os.strerror(call.error)}", style="red")
            return text
        return Text(f"{ret_text}  (raw {call.ret})")

    def on_frame_chosen(self, message: FrameChosen) -> None:
        from tui.screens.source import SourceScreen

        message.stop()
        self.app.push_screen(SourceScreen(message.file, message.line, message.title))

    def action_close(self) -> None:
        self.dismiss(None)
