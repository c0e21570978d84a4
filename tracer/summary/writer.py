"""The headless summary writer: counts every call the writer process sees, prints
strace's table when the trace ends (the program's end, Ctrl-C, a detach).

With -c it stands in for the text writer; with -C it wraps it, so the table follows
the trace in the same output, as strace prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from tracer.summary.counts import SyscallCounts
from tracer.summary.table import SummaryOptions, format_table


class SummaryWriter:
    """A headless writer (write/flush/close, `target`) that adds up the calls it is fed.

    `inner`, the trace's own writer with -C, gets every batch first and owns `out`;
    `wanted` (strace's -P) says which calls count, as strace counts only calls it
    would print.
    """

    target = "the output"

    def __init__(
        self,
        out: TextIO,
        name: Callable[[int], str],
        options: SummaryOptions,
        inner: Any = None,
        wanted: Callable[[Any], bool] | None = None,
        known: Callable[[int], bool] | None = None,
    ) -> None:
        self.out = out
        self.name = name
        self.options = options
        self.inner = inner
        self.wanted = wanted
        self.counts = SyscallCounts(options.overhead_ns, known)

    def write(self, events: list[Any]) -> None:
        if self.inner is not None:
            self.inner.write(events)
        if self.wanted is None:
            self.counts.feed(events)
        else:
            self.counts.feed(ev for ev in events if self.wanted(ev))

    def flush(self) -> None:
        if self.inner is not None:
            self.inner.flush()
        else:
            self.out.flush()

    def close(self) -> None:
        if self.inner is not None:
            self.inner.flush()
        self.out.write(format_table(self.counts.by_nr, self.name, self.options))
        self.out.flush()
        if self.inner is not None:
            self.inner.close()
        elif self.out.fileno() > 2:
            self.out.close()


def summary_writer(
    options: SummaryOptions, trace_writer: Any, out: TextIO, ctx: Any, text_opts: Any = None
) -> SummaryWriter:
    """-c: the summary instead of `trace_writer`; -C: after it, in the same output.
    With -P only the calls about those paths count, as strace counts what it traces."""
    wanted = None
    if text_opts is not None and text_opts.paths:
        from tracer.events import Resumed, Syscall
        from tracer.formats.line_selection import LineSelection
        from tracer.syscalls.render import render

        select = LineSelection(text_opts)

        def wanted(ev: Any) -> bool:
            tp = type(ev)
            if tp is not Syscall and tp is not Resumed:
                return False
            call = ev if tp is Syscall else ev.call
            return select.path_ok(call, render(call, ctx))

    inner = None if options.only else trace_writer
    table = ctx.table
    writer = SummaryWriter(out, table.name, options, inner, wanted, table.by_nr.__contains__)
    writer.target = getattr(trace_writer, "target", writer.target)
    return writer
