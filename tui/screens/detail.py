"""Syscall detail: every argument in full, captured memory as hex, return value, fds, stack.

"In full" means as far as the tracer captured it: data buffers up to the capture
size; strings the tracer read only up to `-s` (execve's argv) end in `...`
where they were cut. An exec shows its whole command line and environment
(`strace -v`), read by the tracer when the exec happened.
"""

from __future__ import annotations

import time

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tracer.events import DELAYED, INJECTED, Exec, Syscall
from tracer.syscalls.render import RenderContext, errno_meaning, errno_name, errno_text, render
from tui.containment import ContainedPump
from tui.hexdump import hexdump
from tui.messages import FrameChosen
from tui.widgets.stack_view import StackView

FULL_STRSIZE = 1 << 20  # "untruncated": the capture limit is the only limit left


def _injected_text(marks: int) -> Text:
    """What fault injection did to the call (strace's `(INJECTED)`, `(DELAYED)`)."""
    parts = []
    if marks & INJECTED:
        parts.append("INJECTED: tracetui skipped the call and set this result (fault injection)")
    if marks & DELAYED:
        parts.append("DELAYED: tracetui held the thread at the call's entry or exit")
    return Text("\n".join(parts), style="bold yellow")


def _kv_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(overflow="fold")
    return table


class SyscallDetailScreen(ContainedPump, Screen[None]):
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
                if isinstance(event, Exec):
                    yield from self._compose_exec(event)
        yield Footer()

    def _exec_of(self, call: Syscall) -> Exec | None:
        """The exec a successful execve caused: the next exec row of its process."""
        if self.store.name(self.row) not in ("execve", "execveat") or call.error:
            return None
        store = self.store
        for row in range(self.row + 1, min(len(store), self.row + 64)):
            if store.event_type(row) == "exec" and store.pid(row) == call.pid:
                return store.event(row)
        return None

    def _compose_exec(self, ev: Exec) -> ComposeResult:
        argv = _kv_table()
        for i, arg in enumerate(ev.argv):
            argv.add_row(f"argv[{i}]", Text(arg))
        yield Static(f"[b]Command line[/] ({len(ev.argv)} arguments)", classes="detail-heading")
        yield Static(argv, id="detail-argv")
        if ev.envp is None:
            return
        env = _kv_table()
        for var in ev.envp:
            name, _, value = var.partition("=")
            env.add_row(name, Text(value))
        yield Static(f"[b]Environment[/] ({len(ev.envp)} variables)", classes="detail-heading")
        yield Static(env, id="detail-env")

    def _compose_call(self, call: Syscall) -> ComposeResult:
        rc = render(call, RenderContext(strsize=FULL_STRSIZE))
        # Strings the tracer read only up to -s: their text at -s ends in `...` where cut.
        at_capture = render(call, self.store.ctx)
        yield Static(Text(self.store.line(self.row), style="bold"), id="detail-title")
        yield Static(self._when(call.start, call.duration, call.pid, call.tid))

        args = _kv_table()
        for i, arg in enumerate(rc.args):
            if arg.kind != "buf" and i < len(at_capture.args):
                arg = at_capture.args[i]
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
        if call.injected:
            yield Static(_injected_text(call.injected), id="detail-injected")

        exec_event = self._exec_of(call)
        if exec_event is not None:
            yield from self._compose_exec(exec_event)

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
            text = Text(f"-1 {errno_text(call.error)}", style="bold red")
            meaning = errno_meaning(call.error) or "(no message)"
            text.append(f"\nerrno {call.error} {errno_name(call.error)}: {meaning}", style="red")
            return text
        return Text(f"{ret_text}  (raw {call.ret})")

    def on_frame_chosen(self, message: FrameChosen) -> None:
        from tui.screens.source import SourceScreen

        message.stop()
        self.app.push_screen(SourceScreen(message.file, message.line, message.title))

    def action_close(self) -> None:
        self.dismiss(None)
