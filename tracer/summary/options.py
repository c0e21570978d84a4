"""strace's summary options on tracetui's parser: -c, -C, -S, -U, -O and
--summary-wall-clock (our times are always wall-clock latencies anyway).

strace's `-w` is tracetui's `-w FILE` (record a session), except beside -c/-C, where
it means what strace means (`spell_wall_clock`): `strace -c -w PROG` then runs as
under strace; a summary recorded to a session file is `--write-session FILE`.
"""

from __future__ import annotations

import argparse

from tracer.summary.table import (
    DEFAULT_SORT,
    SummaryOptionError,
    SummaryOptions,
    parse_columns,
    parse_overhead,
    parse_sort,
)


def add_summary_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-c",
        "--summary-only",
        dest="summary",
        action="append_const",
        const="c",
        help="headless: count calls, errors and time per syscall and print strace's table at "
        "the end instead of the trace (the explorer's Summary pane, key 7, shows it live)",
    )
    p.add_argument(
        "-C",
        "--summary",
        dest="summary",
        action="append_const",
        const="C",
        help="like -c, and print the trace too",
    )
    p.add_argument(
        "-S",
        "--summary-sort-by",
        dest="summary_sort",
        metavar="SORTBY",
        help="order of the summary: time (default), min-time, max-time, avg-time, calls, "
        "errors, name, nothing",
    )
    p.add_argument(
        "-U",
        "--summary-columns",
        dest="summary_columns",
        metavar="COLUMNS",
        help="summary columns: time-percent,total-time,min-time,max-time,avg-time,calls,"
        "errors,name",
    )
    p.add_argument(
        "-O",
        "--summary-syscall-overhead",
        dest="summary_overhead",
        metavar="OVERHEAD",
        help="time taken off each call in the summary (a number, then s, ms, us or ns; us)",
    )
    p.add_argument(
        "--summary-wall-clock",
        dest="summary_wall_clock",
        action="store_true",
        help="accepted: the summary's times are always entry-to-exit latencies",
    )


def summary_from_args(args: argparse.Namespace) -> SummaryOptions | None:
    """The summary asked for, None without -c/-C; SummaryOptionError for strace's refusals."""
    modes = set(getattr(args, "summary", None) or ())
    if len(modes) > 1:
        raise SummaryOptionError("-c/--summary-only and -C/--summary are mutually exclusive")
    if not modes:
        if args.summary_wall_clock:
            raise SummaryOptionError(
                "--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)"
            )
        if args.summary_columns:
            raise SummaryOptionError(
                "-U/--summary-columns must be given with (-c/--summary-only or -C/--summary)"
            )
        return None
    options = SummaryOptions(only="c" in modes)
    options.sort_by = parse_sort(args.summary_sort or DEFAULT_SORT)
    if args.summary_columns:
        options.columns = parse_columns(args.summary_columns)
    if args.summary_overhead:
        options.overhead_ns = parse_overhead(args.summary_overhead)
    return options


# -c/-C and the clusters strace users write them in with -w.
_SUMMARY_FLAGS = ("-c", "-C", "--summary-only", "--summary")
_WALL_CLUSTERS = {"-cw": "-c", "-wc": "-c", "-Cw": "-C", "-wC": "-C"}


def spell_wall_clock(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """strace's `-w` as `--summary-wall-clock` when -c/-C is among tracetui's options
    (before the program); elsewhere `-w` keeps its meaning, recording a session."""
    takes_value = {
        s
        for a in parser._actions
        for s in a.option_strings
        if a.nargs != 0 and not isinstance(a.nargs, str)
    }
    options: list[tuple[int, str]] = []  # (index, token) of tracetui's own options
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            break
        options.append((i, arg))
        i += 2 if arg in takes_value and arg not in ("-w",) else 1
    tokens = {arg for _, arg in options}
    if not tokens & {*_SUMMARY_FLAGS, *_WALL_CLUSTERS}:
        return argv
    out = list(argv)
    for at, arg in reversed(options):
        if arg == "-w":
            out[at : at + 1] = ["--summary-wall-clock"]
        elif arg in _WALL_CLUSTERS:
            out[at : at + 1] = [_WALL_CLUSTERS[arg], "--summary-wall-clock"]
    return out
