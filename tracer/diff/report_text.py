"""The diff report as text (`tracetui --no-ui diff A B`); the explorer's diff screen
shows the same differences, described by the same functions."""

from __future__ import annotations

from collections.abc import Iterator

from tracer.diff.compare import (
    ARGV,
    EXIT,
    OUTCOME,
    PROCESS_A,
    PROCESS_B,
    Difference,
    DiffReport,
    TaskPair,
)
from tracer.diff.normalize import Normalizer, outcome_text
from tracer.diff.summary import SummaryRow
from tracer.diff.trace import Task, Trace

CONTEXT = 3  # matching calls shown before the first divergence
DIVERGENT = 6  # differing calls shown on each side after it
SUMMARY_ROWS = 12
PAIR_DIFFERENCES = 60  # lines per process pair; the least telling are cut
NORMALISED = "pids, addresses, times, fd and inode numbers, temporary names and ephemeral ports"


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{outcome_text(o)}" + (f" ×{n}" if n > 1 else "") for o, n in counts.items())


def describe(d: Difference) -> str:
    """One line: what the difference is, without its kind or why."""
    if d.kind in (PROCESS_A, PROCESS_B):
        return f"{d.shown}  ({len(d.calls_a) + len(d.calls_b)} calls)"
    if d.kind == EXIT:
        return d.shown
    if d.kind == ARGV:
        return f"{d.name}({d.shown}): A {_argv(d.calls_a[0])}; B {_argv(d.calls_b[0])}"
    call = f"{d.name}({d.shown})"
    if d.kind == OUTCOME:
        return f"{call}: A {_outcomes(d.outcomes_a)}; B {_outcomes(d.outcomes_b)}"
    return f"{call} {_outcomes(d.outcomes_a or d.outcomes_b)}"


def kind_label(d: Difference) -> str:
    return {OUTCOME: "in both", EXIT: "exit", ARGV: "in both"}.get(d.kind, d.kind)


def _argv(call) -> str:
    from tracer.syscalls.render import RenderContext, render

    rc = render(call, RenderContext(strsize=32, show_fd_paths=False))
    return rc.args[1].text if len(rc.args) > 1 else "?"


def trace_line(trace: Trace) -> str:
    processes = sum(1 for t in trace.tasks.values() if not t.is_thread)
    status = "?" if trace.exit_status is None else str(trace.exit_status)
    return (
        f"{trace.label} ({trace.kind}): {processes} process{'es' if processes != 1 else ''}, "
        f"{trace.call_count} calls, exit status {status}"
    )


def render_text(report: DiffReport) -> str:
    return "\n".join(report_lines(report)) + "\n"


def report_lines(report: DiffReport) -> Iterator[str]:
    yield "tracetui diff"
    yield f"  A: {trace_line(report.a)}"
    yield f"  B: {trace_line(report.b)}"
    yield ""
    differing = [p for p in report.pairs if p.differences]
    n = len(report.differences)
    if report.identical:
        yield (
            f"No differences: {len(report.pairs)} process pair(s) match call for call "
            f"(after normalising {NORMALISED})."
        )
        if not n:
            return
        yield f"Only timing, scheduling or memory calls differ ({n}), usually noise:"
    else:
        yield (
            f"{n} difference{'s' if n != 1 else ''} in {len(differing)} of "
            f"{len(report.pairs)} process pair(s), most telling first "
            f"(normalised: {NORMALISED})."
        )
    order = sorted(differing, key=lambda p: min(d.sort_key for d in p.differences))
    for pair in order:
        yield ""
        yield from pair_lines(report, pair)
    same = len(report.pairs) - len(differing)
    if same:
        yield ""
        yield f"{same} other process pair(s) match call for call."


def pair_lines(report: DiffReport, pair: TaskPair) -> Iterator[str]:
    yield f"== {pair.command}  (pid {pair.pids})"
    shown = pair.differences[:PAIR_DIFFERENCES]
    width = max(len(kind_label(d)) for d in shown)
    for d in shown:
        yield f"  {kind_label(d):<{width}}  {describe(d)}  [{d.why}]"
    if len(pair.differences) > len(shown):
        yield f"  ... {len(pair.differences) - len(shown)} more (the explorer lists them all)"
    if pair.divergence is not None and pair.a is not None and pair.b is not None:
        yield ""
        yield from divergence_lines(report, pair)
    rows = pair.summary[:SUMMARY_ROWS]
    if rows:
        yield ""
        yield "  per syscall (calls, errors, seconds):"
        name_w = max(len(r.name) for r in rows)
        for r in rows:
            yield "    " + summary_line(r, name_w)
        if len(pair.summary) > len(rows):
            yield f"    ... {len(pair.summary) - len(rows)} more syscalls differ"


def summary_line(r: SummaryRow, name_w: int = 16) -> str:
    def side(count: int, errors: int, seconds: float) -> str:
        return f"{count:>5} {errors:>4} {seconds:9.6f}"

    return (
        f"{r.name:<{name_w}}  A {side(r.count_a, r.errors_a, r.time_a)}   "
        f"B {side(r.count_b, r.errors_b, r.time_b)}"
    )


def divergence_lines(report: DiffReport, pair: TaskPair) -> Iterator[str]:
    """The first divergence: the calls both made just before, then each run's own."""
    assert pair.divergence is not None and pair.a is not None and pair.b is not None
    i, j = pair.divergence
    yield f"  first divergence: A call #{i + 1}, B call #{j + 1} of this process"
    for k in range(max(0, i - CONTEXT), i):
        yield f"      {_line(report.norm_a, pair.a, k)}"
    end_a, end_b = _divergent_end(pair, i, j)
    for k in range(i, min(end_a, i + DIVERGENT)):
        yield f"    A {_line(report.norm_a, pair.a, k)}"
    if end_a - i > DIVERGENT:
        yield f"    A ... {end_a - i - DIVERGENT} more"
    if end_a == i and i < len(pair.a.calls):
        yield f"    A (nothing here; goes on with) {_line(report.norm_a, pair.a, i)}"
    if end_b == j and j < len(pair.b.calls):
        yield f"    B (nothing here; goes on with) {_line(report.norm_b, pair.b, j)}"
    for k in range(j, min(end_b, j + DIVERGENT)):
        yield f"    B {_line(report.norm_b, pair.b, k)}"
    if end_b - j > DIVERGENT:
        yield f"    B ... {end_b - j - DIVERGENT} more"


def _divergent_end(pair: TaskPair, i: int, j: int) -> tuple[int, int]:
    for _op, i1, i2, j1, j2 in pair.opcodes:
        if i1 == i and j1 == j:
            return i2, j2
    return i, j


def _line(norm: Normalizer, task: Task, k: int) -> str:
    text = norm.line(task.calls[k])
    return text if len(text) <= 160 else text[:157] + "..."
