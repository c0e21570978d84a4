"""strace's call summary table (`-c`, `-C`), its `-S` order and `-U` columns.

Laid out as strace 6.1's `call_summary_pers` prints it: the same headers, widths
(its "historical field sizes", widened by the values), a blank error count for
zero, and the `total` row. 32-bit calls (`int $0x80`) get their own table after
the native one, as strace's personalities do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tracer.summary.counts import NS, CallStats
from tracer.syscalls.table import COMPAT_BASE

# Columns (strace's CSC_*), by their canonical -U name.
TIME_PERCENT = "time-percent"
TOTAL_TIME = "total-time"
MIN_TIME = "min-time"
MAX_TIME = "max-time"
AVG_TIME = "avg-time"
CALLS = "calls"
ERRORS = "errors"
NAME = "name"
NOTHING = "nothing"

DEFAULT_COLUMNS = (TIME_PERCENT, TOTAL_TIME, AVG_TIME, CALLS, ERRORS, NAME)
DEFAULT_SORT = "time"

# strace's column_aliases: every spelling -S and -U accept.
ALIASES = {
    "time": TIME_PERCENT,
    "time_percent": TIME_PERCENT,
    "time-percent": TIME_PERCENT,
    "time_total": TOTAL_TIME,
    "time-total": TOTAL_TIME,
    "total_time": TOTAL_TIME,
    "total-time": TOTAL_TIME,
    "min_time": MIN_TIME,
    "min-time": MIN_TIME,
    "shortest": MIN_TIME,
    "time_min": MIN_TIME,
    "time-min": MIN_TIME,
    "longest": MAX_TIME,
    "max_time": MAX_TIME,
    "max-time": MAX_TIME,
    "time_max": MAX_TIME,
    "time-max": MAX_TIME,
    "avg_time": AVG_TIME,
    "avg-time": AVG_TIME,
    "time_avg": AVG_TIME,
    "time-avg": AVG_TIME,
    "calls": CALLS,
    "count": CALLS,
    "error": ERRORS,
    "errors": ERRORS,
    "name": NAME,
    "syscall": NAME,
    "syscall_name": NAME,
    "syscall-name": NAME,
    "none": NOTHING,
    "nothing": NOTHING,
}


class SummaryOptionError(ValueError):
    """A malformed -S, -U or -O value; the message is strace's."""


@dataclass(slots=True)
class SummaryOptions:
    """What -c/-C, -S, -U and -O ask for."""

    only: bool = True  # -c: the table instead of the trace; -C: both
    sort_by: str = TIME_PERCENT  # a canonical column name, or NOTHING (syscall number order)
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    overhead_ns: int = 0


def parse_sort(value: str) -> str:
    column = ALIASES.get(value)
    if column is None:
        raise SummaryOptionError(f"invalid sortby: '{value}'")
    return column


def parse_columns(value: str) -> tuple[str, ...]:
    """`-U a,b,c`: each known once, `name` added last when left out (as strace does)."""
    out: list[str] = []
    for item in value.split(","):
        column = ALIASES.get(item)
        if column is None or column == NOTHING:
            raise SummaryOptionError(f"unknown column name: '{item}'")
        if column in out:
            raise SummaryOptionError(
                f"call summary column has been provided more than once: '{item}'"
            )
        out.append(column)
    if NAME not in out:
        out.append(NAME)
    return tuple(out)


_UNITS = {"s": NS, "ms": 1_000_000, "us": 1_000, "ns": 1, "": 1_000}


def parse_overhead(value: str) -> int:
    """strace's time specification: a decimal number, then s, ms, us or ns (default us)."""
    text = value.strip()
    number = text.rstrip("smun")
    unit = text[len(number) :]
    if unit not in _UNITS or not number:
        raise SummaryOptionError(f"invalid -O argument: '{value}'")
    try:
        amount = float(number)
    except ValueError:
        raise SummaryOptionError(f"invalid -O argument: '{value}'") from None
    if amount < 0 or amount != amount:
        raise SummaryOptionError(f"invalid -O argument: '{value}'")
    return int(amount * _UNITS[unit])


def stat_value(stats: CallStats, column: str) -> int:
    """The value a row is sorted by (descending, as strace's comparators)."""
    if column in (TIME_PERCENT, TOTAL_TIME):
        return stats.total_ns
    if column == MIN_TIME:
        return stats.min_ns
    if column == MAX_TIME:
        return stats.max_ns
    if column == AVG_TIME:
        return stats.avg_ns
    if column == CALLS:
        return stats.calls
    if column == ERRORS:
        return stats.errors
    raise ValueError(column)


def sorted_numbers(
    by_nr: Mapping[int, CallStats], sort_by: str, name: Callable[[int], str]
) -> list[int]:
    """Syscall numbers in strace's order: numeric first, then a stable sort by the key
    (descending, the name ascending); NOTHING keeps the syscall number order."""
    numbers = sorted(n for n, s in by_nr.items() if s.calls)
    if sort_by == NOTHING:
        return numbers
    if sort_by == NAME:
        return sorted(numbers, key=name)
    return sorted(numbers, key=lambda n: stat_value(by_nr[n], sort_by), reverse=True)


_HEADERS = {
    TIME_PERCENT: ("% time", 6),
    MIN_TIME: ("shortest", 8),
    MAX_TIME: ("longest", 7),
    TOTAL_TIME: ("seconds", 11),
    AVG_TIME: ("usecs/call", 11),
    CALLS: ("calls", 9),
    ERRORS: ("errors", 9),
    NAME: ("syscall", 16),
}


def _seconds(ns: int) -> float:
    return ns / NS


def _usecs(ns: int) -> int:
    """strace's `(uint64_t) (ts_float(ts) * 1e6)`: truncated."""
    return int(ns / NS * 1e6)


def format_table(
    by_nr: Mapping[int, CallStats],
    name: Callable[[int], str],
    options: SummaryOptions | None = None,
) -> str:
    """The whole summary: the native table, then the 32-bit one if any (strace's
    "System call usage summary for 32 bit mode:"). Empty when no call was counted."""
    options = options or SummaryOptions()
    native = {n: s for n, s in by_nr.items() if n < COMPAT_BASE and s.calls}
    compat = {n: s for n, s in by_nr.items() if n >= COMPAT_BASE and s.calls}
    parts = []
    if native:
        parts.append(_one_table(native, name, options))
    if compat:
        parts.append("System call usage summary for 32 bit mode:\n")
        parts.append(_one_table(compat, name, options))
    return "".join(parts)


def _one_table(
    by_nr: Mapping[int, CallStats], name: Callable[[int], str], o: SummaryOptions
) -> str:
    stats = list(by_nr.values())
    total_ns = sum(s.total_ns for s in stats)
    calls = sum(s.calls for s in stats)
    errors = sum(s.errors for s in stats)
    widths = {
        TIME_PERCENT: 6,
        TOTAL_TIME: max(11, len(f"{_seconds(total_ns):.6f}")),
        MIN_TIME: max(8, len(f"{max(s.min_ns for s in stats) // NS}.000000")),
        MAX_TIME: max(7, len(f"{max(s.max_ns for s in stats) // NS}.000000")),
        AVG_TIME: max(11, len(str(_usecs(max(s.avg_ns for s in stats))))),
        CALLS: max(9, len(str(calls))),
        ERRORS: max(9, len(str(errors))),
        NAME: max(16, max(len(name(n)) for n in by_nr) + 1),
    }
    columns = o.columns
    last = len(columns) - 1

    def cell(column: str, value: object, i: int) -> str:
        w = widths[column]
        if column == NAME:
            return str(value) if i == last else f"{value:<{w}}"
        if column == TIME_PERCENT:
            return f"{value:{w}.2f}"
        if column in (TOTAL_TIME, MIN_TIME, MAX_TIME):
            return f"{_seconds(value):{w}.6f}"
        if column == ERRORS and not value:
            return " " * w  # printf's "%*.0lu" prints nothing for zero
        return f"{value:{w}d}"

    def line(values: Mapping[str, object]) -> str:
        return " ".join(cell(c, values[c], i) for i, c in enumerate(columns)) + "\n"

    header = " ".join(
        (h if i == last else f"{h:<{widths[c]}}") if c == NAME else f"{h:>{widths[c]}}"
        for i, c in enumerate(columns)
        for h in (_HEADERS[c][0],)
    )
    rule = " ".join("-" * widths[c] for c in columns) + "\n"
    out = [header + "\n", rule]
    for n in sorted_numbers(by_nr, o.sort_by, name):
        s = by_nr[n]
        percent = 100.0 * s.total_ns / NS
        if percent != 0.0:
            percent /= total_ns / NS
        out.append(
            line(
                {
                    TIME_PERCENT: percent,
                    TOTAL_TIME: s.total_ns,
                    MIN_TIME: s.min_ns,
                    MAX_TIME: s.max_ns,
                    AVG_TIME: _usecs(s.avg_ns),
                    CALLS: s.calls,
                    ERRORS: s.errors,
                    NAME: name(n),
                }
            )
        )
    out.append(rule)
    out.append(
        line(
            {
                TIME_PERCENT: 100.0,
                TOTAL_TIME: total_ns,
                MIN_TIME: min(s.min_ns for s in stats),
                MAX_TIME: max(s.max_ns for s in stats),
                AVG_TIME: int(_seconds(total_ns) / calls * 1e6),
                CALLS: calls,
                ERRORS: errors,
                NAME: "total",
            }
        )
    )
    return "".join(out)
