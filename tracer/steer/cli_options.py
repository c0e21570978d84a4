"""Command-line options for steering: strace's `-e inject=`/`-e fault=` (also spelled
`--inject=SET:...`/`--fault=SET:...`), tracetui's `--inject FILTER ACTION`, `--break FILTER`
and `--break-all-stop`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tracer.steer.errors import SteerSpecError

if TYPE_CHECKING:
    from tracer.steer.steering import Steering

INJECT_EXPRS = ("inject", "fault")


def add_steer_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--inject",
        dest="inject_rules",
        nargs=2,
        action="append",
        default=[],
        metavar=("FILTER", "ACTION"),
        help="fail or delay the calls the filter matches at their entry, e.g. "
        "--inject 'path:/etc/hosts' error=ENOENT (ACTION: error=ERRNO, retval=N, delay=D, "
        "count=N); strace's form is -e inject=SET:error=ERRNO[:when=...] or --inject=SET:...",
    )
    p.add_argument(
        "--break",
        dest="breakpoints",
        action="append",
        default=[],
        metavar="FILTER",
        help="app: hold a thread at the entry of a call the filter matches (repeatable)",
    )
    p.add_argument(
        "--break-all-stop",
        action="store_true",
        help="app: a breakpoint hit stops every thread, not only the one that hit it",
    )


def spell_strace_long(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """strace's `--inject=VALUE` and `--fault=VALUE` as `-e inject=VALUE`, before the
    program's own arguments (`--inject FILTER ACTION` is tracetui's two-value form)."""
    takes_value = {
        s
        for a in parser._actions
        for s in a.option_strings
        if a.nargs != 0 and not isinstance(a.nargs, str)
    }
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            return out + argv[i:]  # the program and its arguments: left as they are
        name, sep, value = arg.partition("=")
        if sep and name in ("--inject", "--fault"):
            out += ["-e", f"{name[2:]}={value}"]
        elif name == "--inject" and not sep:
            out += argv[i : i + 3]
            i += 3
            continue
        elif arg in takes_value and not sep:
            out += argv[i : i + 2]
            i += 2
            continue
        else:
            out.append(arg)
        i += 1
    return out


def steering_from_args(args: argparse.Namespace, inject_exprs: list[str]) -> Steering | None:
    """The session's steering from the options (None: nothing asked); SteerSpecError if bad.

    `inject_exprs` are the values of `-e inject=`/`-e fault=` as (key, value) pairs."""
    if not (inject_exprs or args.inject_rules or args.breakpoints or args.break_all_stop):
        return None
    # Imported when asked for: the rules bring the filter language and errno names.
    from tracer.steer.rules import parse_breakpoint, parse_conditioned_inject, parse_strace_inject
    from tracer.steer.steering import Steering

    rules = []
    for key, value in inject_exprs:
        rules.append(parse_strace_inject(value, fault=key == "fault"))
    for filter_text, action in args.inject_rules or []:
        rules.append(parse_conditioned_inject(filter_text, action))
    bps = [parse_breakpoint(text) for text in args.breakpoints or []]
    return Steering(rules, bps, all_stop=args.break_all_stop)


__all__ = ["SteerSpecError", "add_steer_options", "spell_strace_long", "steering_from_args"]
