"""strace's command-line options: registered on tracetui's parser, then turned into
`TextOptions` (how headless text is printed) and `TraceOptions` changes.

Every option strace 6.1 has is known here: supported ones are parsed into the
objects above, the others stop tracetui with one line naming the option
(never silently ignored).
"""

from __future__ import annotations

import argparse
import os
import signal as signal_mod
from dataclasses import dataclass, field

from tracer.formats.text_options import PRECISION_DIGITS, STATUSES, TextOptions
from tracer.syscall_selection import SelectionError, parse_syscall_set


class StraceOptionError(Exception):
    """A refused or malformed strace option; the message is one line."""


# strace options tracetui does not implement: flag -> what it does in strace.
UNSUPPORTED = {
    "-b": "--detach-on",
    "-I": "--interruptible",
    "-i": "--instruction-pointer",
    "-n": "--syscall-number",
    "-Y": "--decode-pids=comm",
    "-d": "--debug",
}
UNSUPPORTED_LONG = (
    "--detach-on",
    "--interruptible",
    "--instruction-pointer",
    "--syscall-number",
    "--decode-pids",
    "--pidns-translation",
    "--debug",
    "--kvm",
    "--tips",
)
UNSUPPORTED_EXPR = ("kvm", "decode-pids", "decode-pid")
# Options taking a value (so `-I 1` is refused as one option, not as a program).
_UNSUPPORTED_WITH_VALUE = {"-b", "-I"}


class _Refuse(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(
            f"strace's {option_string} is not supported by tracetui (see README: strace options)"
        )


class _Append(argparse.Action):
    """Appends (key, value) to `dest` so options of several spellings keep their order."""

    def __init__(self, *a, key: str = "", **kw) -> None:
        self.key = key
        super().__init__(*a, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        items = list(getattr(namespace, self.dest, None) or [])
        items.append((self.key or option_string, values))
        setattr(namespace, self.dest, items)


def add_strace_options(p: argparse.ArgumentParser) -> None:
    """Register strace's options (those tracetui's parser does not already have)."""
    p.add_argument("-t", dest="t_count", action="count", default=0, help="timestamps (-tt, -ttt)")
    p.add_argument(
        "--absolute-timestamps",
        "--timestamps",
        dest="timing",
        action=_Append,
        key="abs",
        nargs="?",
        const="",
        metavar="[format:]FMT,[precision:]PREC",
    )
    p.add_argument("-r", dest="r_flag", action="store_true", help="relative timestamps")
    p.add_argument(
        "--relative-timestamps", dest="timing", action=_Append, key="rel", nargs="?", const=""
    )
    p.add_argument("-T", dest="T_flag", action="store_true", help="time spent in each call")
    p.add_argument("--syscall-times", dest="timing", action=_Append, key="dur", nargs="?", const="")
    p.add_argument(
        "--output-separately", dest="separately", action="store_true", help="-ff with -o"
    )
    p.add_argument("-A", "--output-append-mode", dest="append", action="store_true")
    p.add_argument("-a", "--columns", dest="column", type=int, default=40, metavar="COLUMN")
    p.add_argument("-q", dest="q_count", action="count", default=0, help="quiet (-qq, -qqq)")
    p.add_argument("--quiet", "--silent", "--silence", dest="exprs", action=_Append, key="quiet")
    p.add_argument("-x", dest="x_count", action="count", default=0, help="strings in hex (-xx)")
    p.add_argument(
        "--strings-in-hex",
        dest="exprs",
        action=_Append,
        key="strings-in-hex",
        nargs="?",
        const="all",
    )
    p.add_argument("-X", "--const-print-style", dest="const_style", metavar="raw|abbrev|verbose")
    p.add_argument("-v", "--no-abbrev", dest="no_abbrev", action="store_true")
    p.add_argument("-z", "--successful-only", dest="z_flag", action="store_true")
    p.add_argument("-Z", "--failed-only", dest="Z_flag", action="store_true")
    p.add_argument("-P", "--trace-path", dest="paths", action="append", default=[], metavar="PATH")
    for key in ("trace", "signal", "status", "abbrev", "verbose", "raw", "read", "write"):
        names = ["--" + key] + (["--signals"] if key == "signal" else [])
        p.add_argument(*names, dest="exprs", action=_Append, key=key, metavar="SET")
    p.add_argument(
        "--decode-fds", dest="exprs", action=_Append, key="decode-fds", nargs="?", const="path"
    )
    p.add_argument("-u", "--user", dest="user", metavar="USERNAME")
    p.add_argument(
        "-E", "--env", dest="env_changes", action="append", default=[], metavar="VAR[=VAL]"
    )
    p.add_argument("-D", dest="D_count", action="count", default=0)
    p.add_argument("--daemonize", dest="daemonize", nargs="?", const="grandchild")
    p.add_argument("--seccomp-bpf", dest="seccomp_bpf", action="store_true")
    p.add_argument("--follow-forks", dest="follow_forks_long", action="store_true")
    for flag in UNSUPPORTED:
        value = flag in _UNSUPPORTED_WITH_VALUE
        p.add_argument(flag, action=_Refuse, nargs=1 if value else 0, help=argparse.SUPPRESS)
    for long in UNSUPPORTED_LONG:
        p.add_argument(long, action=_Refuse, nargs="?", help=argparse.SUPPRESS)


def _precision(word: str, option: str) -> int:
    digits = PRECISION_DIGITS.get(word)
    if digits is None:
        raise StraceOptionError(f"invalid precision '{word}' for {option} (s, ms, us or ns)")
    return digits


def _absolute(value: str, text: TextOptions, again: bool) -> None:
    """`--absolute-timestamps=[[format:]FORMAT],[[precision:]PRECISION]`.

    Each option sets only the parts it names, so `precision:ms` then `format:unix`
    combine; a format never named is `time`."""
    fmt, digits = (text.timestamps, text.timestamp_digits) if again else ("time", 0)
    for part in filter(None, value.split(",")):
        key, sep, word = part.partition(":")
        if not sep:
            key, word = (
                ("format", part) if part in ("none", "time", "unix") else ("precision", part)
            )
        if key == "format" and word in ("none", "time", "unix"):
            fmt = word
        elif key == "precision":
            digits = _precision(word, "--absolute-timestamps")
        else:
            raise StraceOptionError(f"invalid --absolute-timestamps argument '{part}'")
    text.timestamps, text.timestamp_digits = fmt, digits


def _negation(value: str) -> tuple[bool, str]:
    """Each leading `!` turns the set over, as strace reads `-e read=!!!0`."""
    rest = value.lstrip("!")
    return (len(value) - len(rest)) % 2 == 1, rest


def _signal_set(value: str) -> frozenset[int] | None:
    """strace's signal set (qualify_tokens): `all`/`none` whole, else comma-separated
    tokens as given (no blanks stripped; empty ones skipped, but none at all is an
    error), each a number up to 255 or a name with or without SIG in any case."""
    negate, rest = _negation(value)
    every = set(range(1, signal_mod.SIGRTMAX + 1))
    if rest in ("all", "none"):
        numbers = every if rest == "all" else set()
        return frozenset(every - numbers) if negate else frozenset(numbers)
    tokens = [t for t in rest.split(",") if t]
    if not tokens:
        raise StraceOptionError(f"invalid signal '{value}'")
    numbers = {_signal_number(t) for t in tokens}
    return frozenset(every - numbers) if negate else frozenset(numbers)


def _signal_number(token: str) -> int:
    """As strace's sigstr_to_uint: ASCII digits up to 255, or a signal's own name (not
    an alias such as CLD or IOT), with or without SIG, in any case."""
    if "0" <= token[0] <= "9":
        if token.isascii() and token.isdigit() and int(token) <= 255:
            return int(token)
        raise StraceOptionError(f"invalid signal '{token}'")
    name = token.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    sig = signal_mod.Signals.__members__.get(name)
    if sig is None or sig.name != name:
        raise StraceOptionError(f"invalid signal '{token}'")
    return int(sig)


def _name_set(value: str, known: tuple[str, ...], what: str) -> frozenset[str]:
    negate, value = _negation(value)
    names = set()
    for item in filter(None, (v.strip() for v in value.split(","))):
        if item == "all":
            names |= set(known)
        elif item == "none":
            continue
        elif item in known:
            names.add(item)
        else:
            raise StraceOptionError(f"invalid {what} '{item}'")
    return frozenset(set(known) - names) if negate else frozenset(names)


def _fd_set(value: str) -> frozenset[int]:
    negate, value = _negation(value)
    fds = set()
    for item in filter(None, (v.strip() for v in value.split(","))):
        if item == "all":
            fds |= set(range(1 << 16))
        elif item == "none":
            continue
        elif item.isdigit():
            fds.add(int(item))
        else:
            raise StraceOptionError(f"invalid descriptor '{item}'")
    return frozenset(set(range(1 << 16)) - fds) if negate else frozenset(fds)


_EXPR_KEYS = {
    "t": "trace",
    "trace": "trace",
    "a": "abbrev",
    "abbrev": "abbrev",
    "v": "verbose",
    "verbose": "verbose",
    "x": "raw",
    "raw": "raw",
    "s": "signal",
    "signal": "signal",
    "signals": "signal",
    "r": "read",
    "read": "read",
    "reads": "read",
    "w": "write",
    "write": "write",
    "writes": "write",
    "status": "status",
    "q": "quiet",
    "quiet": "quiet",
    "silent": "quiet",
    "silence": "quiet",
    "decode-fds": "decode-fds",
    "decode-fd": "decode-fds",
    "inject": "inject",  # fault injection: tracer/steer (kept in order, parsed there)
    "fault": "fault",
}
QUIET = ("attach", "exit", "exits", "path-resolution", "personality", "thread-execve", "superseded")
DECODE_FDS = ("path", "socket", "dev", "pidfd")


@dataclass(slots=True)
class StraceSettings:
    """What strace's options ask for, beyond TraceOptions' own fields."""

    text: TextOptions
    trace: frozenset[int] | None | bool = False  # False: no -e trace= given
    abbrev: frozenset[int] | None = None
    verbose: frozenset[int] | None = None
    raw: frozenset[int] = frozenset()
    const_style: str = "abbrev"
    strings_in_hex: str = "none"
    inject: list[tuple[str, str]] = field(default_factory=list)  # -e inject=/fault=, in order


def settings_from_args(args: argparse.Namespace) -> StraceSettings:
    """Read strace's options off the parsed arguments; StraceOptionError if one is invalid."""
    text = TextOptions()
    s = StraceSettings(text)
    # Timestamps: -t, -tt, -ttt, then the long forms in order.
    if args.t_count:
        text.timestamps = "unix" if args.t_count >= 3 else "time"
        text.timestamp_digits = 6 if args.t_count >= 2 else 0
    if args.r_flag:
        text.relative_digits = 6
    if args.T_flag:
        text.duration_digits = 6
    absolute_seen = False
    for key, value in args.timing or []:
        if key == "abs":
            if args.t_count:
                raise StraceOptionError("-t and --absolute-timestamps cannot be provided together")
            _absolute(value or "", text, absolute_seen)
            absolute_seen = True
        elif key == "rel":
            text.relative_digits = _precision(value, "--relative-timestamps") if value else 6
        else:
            text.duration_digits = _precision(value, "--syscall-times") if value else 6
    if not 0 <= args.column <= 1 << 16:
        raise StraceOptionError(f"invalid -a argument: '{args.column}'")
    text.column = args.column
    text.append = args.append
    text.quiet_exit = args.q_count >= 2
    text.quiet_superseded = args.q_count >= 3
    text.quiet_attach = args.q_count >= 1
    s.strings_in_hex = {0: "none", 1: "non-ascii"}.get(args.x_count, "all")
    if args.const_style is not None:
        if args.const_style not in ("raw", "abbrev", "verbose"):
            raise StraceOptionError(
                f"invalid -X argument: '{args.const_style}' (raw, abbrev or verbose)"
            )
        s.const_style = args.const_style
    if args.no_abbrev:
        s.abbrev = frozenset()
    if args.z_flag:
        text.statuses = frozenset({"successful"})
    if args.Z_flag:
        text.statuses = frozenset({"failed"})
    text.paths = tuple(args.paths)
    decode = (
        {"path"}
        if args.decode_fds_count == 1
        else set(DECODE_FDS)
        if args.decode_fds_count
        else set()
    )
    quiet_given = bool(args.q_count)
    for key, value in _expressions(args):
        quiet_given = quiet_given or key == "quiet"
        try:
            _apply_expr(s, key, value, decode)
        except SelectionError as e:
            raise StraceOptionError(str(e)) from None
    text.decode_fds = frozenset(decode)
    text.strings_in_hex = s.strings_in_hex
    if getattr(args, "output", None) and getattr(args, "command", None) and not quiet_given:
        text.quiet_attach = True  # strace: -o with a program and no -q/--quiet means -q
    return s


def _expressions(args: argparse.Namespace) -> list[tuple[str, str]]:
    """`-e key=value` (in order), then the long forms (`--trace=`...)."""
    out = []
    for expr in args.expr:
        key, sep, value = expr.partition("=")
        if not sep:
            key, value = "trace", expr
        if key in UNSUPPORTED_EXPR:
            raise StraceOptionError(f"strace's -e {key}= is not supported by tracetui")
        if key not in _EXPR_KEYS:
            raise StraceOptionError(f"invalid -e qualifier '{key}' in '{expr}'")
        out.append((_EXPR_KEYS[key], value))
    out.extend((_EXPR_KEYS.get(k, k), v) for k, v in (args.exprs or []))
    return out


def _apply_expr(s: StraceSettings, key: str, value: str, decode: set[str]) -> None:
    text = s.text
    if key in ("inject", "fault"):
        s.inject.append((key, value))
    elif key == "trace":
        s.trace = parse_syscall_set(value)
    elif key == "abbrev":
        s.abbrev = parse_syscall_set(value)
    elif key == "verbose":
        s.verbose = parse_syscall_set(value)
    elif key == "raw":
        s.raw = parse_syscall_set(value) or frozenset()
        if parse_syscall_set(value) is None:  # raw=all
            from tracer.syscalls.table import get_table

            s.raw = frozenset(get_table().by_nr)
    elif key == "signal":
        text.signals = _signal_set(value)
    elif key == "status":
        text.statuses = _name_set(value, STATUSES, "status")
    elif key == "read":
        text.dump_read = _fd_set(value)
    elif key == "write":
        text.dump_write = _fd_set(value)
    elif key == "quiet":
        names = _name_set(value, QUIET, "quiet qualifier")
        text.quiet_exit = text.quiet_exit or bool(names & {"exit", "exits"})
        text.quiet_superseded = text.quiet_superseded or bool(
            names & {"thread-execve", "superseded"}
        )
        text.quiet_attach = text.quiet_attach or "attach" in names
    elif key == "decode-fds":
        decode.clear()
        if value == "all":
            decode.update(DECODE_FDS)
        else:
            decode.update(_name_set(value, DECODE_FDS, "decode-fds qualifier"))
    elif key == "strings-in-hex":
        modes = ("none", "non-ascii-chars", "non-ascii", "all")
        if value not in modes:
            raise StraceOptionError(f"invalid --strings-in-hex argument '{value}'")
        s.strings_in_hex = value


def environment(changes: list[str], base: dict[str, str] | None = None) -> dict[str, str]:
    """-E VAR=VAL sets, -E VAR removes, in order, starting from our environment."""
    env = dict(os.environ if base is None else base)
    for change in changes:
        name, sep, value = change.partition("=")
        if not name:
            raise StraceOptionError(f"invalid -E argument: '{change}'")
        if sep:
            env[name] = value
        else:
            env.pop(name, None)
    return env
