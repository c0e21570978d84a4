"""What steering asks for: fault-injection rules and syscall breakpoints, and their syntax.

Two spellings of an injection rule become one `InjectRule`:

- strace's, `-e inject=SET:error=ERRNO|retval=N[:signal=SIG][:delay_enter=D]
  [:delay_exit=D][:poke_enter=@argN=HEX][:poke_exit=..][:syscall=NAME]
  [:when=FIRST[..LAST][+[STEP]]]` and `-e fault=SET[:error=ERRNO][:when=..]`
  (error ENOSYS by default): a syscall set, counted per syscall and per thread;
- tracetui's, `--inject FILTER ACTION` with ACTION `error=ERRNO`, `retval=N` or `delay=D`
  (and `count=N`): the filter language of the explorer, matched on the call at its
  entry, so `path:/etc/hostname` fails that open and not the loader's.

Invalid text raises `SteerSpecError` with one line for the user.
"""

from __future__ import annotations

import re
import signal as signal_mod
from dataclasses import dataclass, field
from typing import Any

from tracer.steer.errors import SteerSpecError
from tracer.syscall_selection import SelectionError, parse_syscall_set
from tracer.syscalls.render import ERRNO_NAMES

MAX_ERRNO = 4095  # strace's bound for error=
WHEN_MAX = 65535  # strace's bound for first and step (last: one less)
_ERRNO_BY_NAME = {name: num for num, name in sorted(ERRNO_NAMES.items(), reverse=True)}
_WHEN = re.compile(r"(\d+)(?:\.\.(\d+))?(\+(\d+)?)?")
_DELAY = re.compile(r"\+?((?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)(ns|us|ms|s)?")
_RETVAL = re.compile(r"(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)")
_DELAY_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, None: 1e-6}  # strace: default us


@dataclass(slots=True, frozen=True)
class When:
    """strace's `when=FIRST[..LAST][+[STEP]]`: which invocations (1-based) are tampered with.

    Without `when`, every invocation (first=1, step=1)."""

    first: int = 1
    last: int | None = None
    step: int = 1  # 0: only `first`

    def hits(self, n: int) -> bool:
        if n < self.first or (self.last is not None and n > self.last):
            return False
        if self.step == 0:
            return n == self.first
        return (n - self.first) % self.step == 0


EVERY = When()


@dataclass(slots=True)
class InjectRule:
    """One injection: which calls (`nrs`, and/or `filter` on the call at entry) and what to do.

    `error` (positive errno) or `retval` fail or fake the call: its number is set to -1
    at entry so the kernel skips it, its return value is set at exit. `signal` is
    delivered at entry; `delay_enter`/`delay_exit` hold the thread that long (seconds)
    at entry/exit. `remaining` bounds how many calls it still takes (the app's "the next
    N calls like this one"); None: no bound.
    """

    nrs: frozenset[int] | None  # None: any traced call (a filter decides)
    error: int = 0
    retval: int | None = None
    signal: int = 0
    delay_enter: float = 0.0
    delay_exit: float = 0.0
    when: When = EVERY
    syscall: int = -1  # strace's syscall=: run this call instead (-1: none, skipped)
    poke_enter: tuple[tuple[int, bytes], ...] = ()  # (argument number, bytes) at entry
    poke_exit: tuple[tuple[int, bytes], ...] = ()  # and at exit
    filter: Any = None  # tracer.filter.Filter, matched on the call at entry
    remaining: int | None = None
    text: str = ""  # as the user wrote it, for lists
    id: int = 0
    enabled: bool = True
    hits: int = 0

    @property
    def pokes(self) -> bool:
        return bool(self.poke_enter or self.poke_exit)

    @property
    def tampers(self) -> bool:
        """The call is skipped and its result replaced (error= or retval=)."""
        return bool(self.error) or self.retval is not None

    def describe(self) -> str:
        what = []
        if self.error:
            what.append(f"error={ERRNO_NAMES.get(self.error, self.error)}")
        if self.retval is not None:
            what.append(f"retval={self.retval}")
        if self.signal:
            what.append(f"signal={signal_name(self.signal)}")
        if self.delay_enter:
            what.append(f"delay_enter={_seconds_text(self.delay_enter)}")
        if self.delay_exit:
            what.append(f"delay_exit={_seconds_text(self.delay_exit)}")
        if self.pokes:
            what.append("poke")
        if self.remaining is not None:
            what.append(f"{self.remaining} left")
        return " ".join(what)


@dataclass(slots=True)
class Breakpoint:
    """Hold a thread at the entry of a call matching `filter` (the explorer's filter language)."""

    filter: Any  # tracer.filter.Filter
    text: str
    id: int = 0
    enabled: bool = True
    hits: int = 0
    nrs: frozenset[int] | None = field(default=None)  # numbers it can match (None: any)


def signal_name(signo: int) -> str:
    try:
        return signal_mod.Signals(signo).name
    except ValueError:
        return str(signo)


def _seconds_text(s: float) -> str:
    return f"{s * 1e3:g}ms" if s < 1 else f"{s:g}s"


def parse_errno(text: str, what: str = "error") -> int:
    """`EACCES`, `eacces` or `13` -> 13."""
    if text.isdigit():
        num = int(text)
        if 1 <= num <= MAX_ERRNO:
            return num
        raise SteerSpecError(f"invalid {what} '{text}' (1 to {MAX_ERRNO})")
    num = _ERRNO_BY_NAME.get(text.upper())
    if num is None:
        raise SteerSpecError(f"invalid {what} '{text}' (an errno name such as ENOENT)")
    return num


def parse_signal(text: str) -> int:
    if text.isdigit():
        num = int(text)
        if 1 <= num <= signal_mod.SIGRTMAX:
            return num
        raise SteerSpecError(f"invalid signal '{text}'")
    name = text.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    try:
        return int(signal_mod.Signals[name])
    except KeyError:
        raise SteerSpecError(f"invalid signal '{text}'") from None


def parse_delay(text: str) -> float:
    """strace's time format: a number with s, ms, us or ns; no unit is microseconds."""
    m = _DELAY.fullmatch(text.strip().lower())
    if not m:
        raise SteerSpecError(f"invalid delay '{text}' (a number with s, ms, us or ns)")
    return float(m.group(1)) * _DELAY_UNITS[m.group(2)]


def parse_when(text: str) -> When:
    m = _WHEN.fullmatch(text)
    if not m:
        raise SteerSpecError(f"invalid when= '{text}' (FIRST[..LAST][+[STEP]])")
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) is not None else None
    step = 0 if m.group(3) is None else int(m.group(4) or 1)
    if not 1 <= first <= WHEN_MAX or not (m.group(3) is None or 1 <= step <= WHEN_MAX):
        raise SteerSpecError(f"invalid when= '{text}' (FIRST and STEP are 1 to {WHEN_MAX})")
    if last is not None and not first <= last < WHEN_MAX:
        raise SteerSpecError(f"invalid when= '{text}' (LAST is FIRST to {WHEN_MAX - 1})")
    if last is not None and m.group(3) is None:
        step = 1  # first..last: every call of the range
    return When(first, last, step)


def parse_strace_inject(value: str, fault: bool = False) -> InjectRule:
    """strace's `-e inject=` (or `-e fault=`, default error ENOSYS) value.

    Any mistake is reported as strace reports it, `invalid inject argument 'VALUE'`
    (or `fault`), with what is wrong after it."""
    key = "fault" if fault else "inject"
    try:
        return _strace_inject(value, key, fault)
    except SteerSpecError as e:
        raise SteerSpecError(f"invalid {key} argument '{value}': {e}") from None


def _strace_inject(value: str, key: str, fault: bool) -> InjectRule:
    parts = value.split(":")
    if not parts[0]:
        raise SteerSpecError("no syscall set")
    try:
        nrs = parse_syscall_set(parts[0], key)
    except SelectionError as e:
        raise SteerSpecError(str(e)) from None
    rule = InjectRule(nrs=nrs, text=f"{key}={value}")
    seen: set[str] = set()
    for part in filter(None, parts[1:]):  # strace skips empty parts (`chdir::error=5`)
        name, sep, arg = part.partition("=")
        if not sep:
            raise SteerSpecError(f"'{part}' is not NAME=VALUE")
        group = "result" if name in ("error", "retval") else name
        if group in seen:
            raise SteerSpecError(
                "one error= or retval=" if group == "result" else f"'{name}=' given twice"
            )
        seen.add(group)
        if name == "error":
            rule.error = parse_errno(arg)
        elif name == "retval" and not fault:
            rule.retval = parse_retval(arg)
        elif name == "signal" and not fault:
            rule.signal = parse_signal(arg)
        elif name == "delay_enter" and not fault:
            rule.delay_enter = parse_delay(arg)
        elif name == "delay_exit" and not fault:
            rule.delay_exit = parse_delay(arg)
        elif name == "when":
            rule.when = parse_when(arg)
        elif name == "syscall":
            rule.syscall = parse_pure_syscall(arg)
        elif name in ("poke_enter", "poke_exit") and not fault:
            setattr(rule, name, parse_pokes(arg))
        else:
            raise SteerSpecError(f"unknown '{name}='")
    if fault and not rule.tampers:
        rule.error = 38  # ENOSYS, strace's default for fault=
    if not (rule.tampers or rule.signal or rule.delay_enter or rule.delay_exit or rule.pokes):
        raise SteerSpecError(
            "say what to do (error=, retval=, signal=, delay_enter=, delay_exit=, poke_enter=)"
        )
    return rule


_POKE = re.compile(r"@arg([1-7])=((?:[0-9a-fA-F]{2}){1,1024})")


def parse_pokes(text: str) -> tuple[tuple[int, bytes], ...]:
    """`@argN=HEX[,@argN=HEX...]`: bytes to write where argument N (1 to 7) points, each
    argument once, at most 1024 bytes each."""
    pokes: dict[int, bytes] = {}
    for item in text.split(","):
        m = _POKE.fullmatch(item)
        if not m or int(m.group(1)) in pokes:
            raise SteerSpecError(f"invalid poke '{item}' (@argN=HEX, N 1 to 7, each once)")
        pokes[int(m.group(1))] = bytes.fromhex(m.group(2))
    return tuple(pokes.items())


def parse_retval(text: str) -> int:
    """A return value as strace reads it (C's strtoull: decimal, 0x hex or 0 octal; a
    minus sign wraps), that a 64-bit register holds."""
    m = _RETVAL.fullmatch(text)
    if not m:
        raise SteerSpecError(f"invalid retval '{text}'")
    digits = m.group(2)
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") else 10
    num = int(digits, base)
    if num >= 1 << 64:
        raise SteerSpecError(f"invalid retval '{text}' (a 64-bit value)")
    return -num if m.group(1) else num


def parse_pure_syscall(text: str) -> int:
    """`syscall=NAME`: the call run instead of the tampered one. strace takes only calls
    without side effects (its %pure class: getpid, gettid ...)."""
    from tracer.syscalls.classes import Class
    from tracer.syscalls.table import get_table

    table = get_table()
    nr = table.number(text)
    if nr is None or nr not in table.numbers_in_class(Class.PURE):
        raise SteerSpecError(f"syscall= '{text}' is not a call without side effects (gettid...)")
    return nr


def parse_filter_text(text: str) -> tuple[Any, frozenset[int] | None]:
    """The explorer's filter, and the syscall numbers it can match (None: any).

    Terms that need the call's result (`err`, `errno:`, `dur`) are refused: steering
    decides at the call's entry, before there is a result."""
    from tracer.filter import FilterError, parse_filter
    from tracer.filter.terms import DurationTerm, FailedTerm, NumberSetTerm

    try:
        flt = parse_filter(text)
    except FilterError as e:
        raise SteerSpecError(f"invalid filter '{text}': {e.message}") from None
    if flt.is_empty:
        raise SteerSpecError("empty filter: name the calls (name:openat, path:/etc/hosts ...)")
    nrs: frozenset[int] | None = None
    for term in flt.terms:
        if isinstance(term, (FailedTerm, DurationTerm)):
            raise SteerSpecError(
                f"'{term.describe()}' is known only when the call returns; "
                "steering decides at its entry"
            )
        if isinstance(term, NumberSetTerm) and not term.negate:
            nrs = term.nrs if nrs is None else nrs & term.nrs
    return flt, nrs


def parse_conditioned_inject(filter_text: str, action: str) -> InjectRule:
    """tracetui's `--inject FILTER ACTION`: ACTION is space- or colon-separated
    `error=ERRNO`, `retval=N`, `delay=D` (at entry; strace units), `count=N`."""
    flt, nrs = parse_filter_text(filter_text)
    rule = InjectRule(nrs=nrs, filter=flt, text=f"{filter_text} {action}".strip())
    words = [w for w in re.split(r"[\s:]+", action.strip()) if w]
    if not words:
        raise SteerSpecError("--inject FILTER ACTION: give error=ERRNO, retval=N or delay=D")
    for word in words:
        name, sep, arg = word.partition("=")
        if not sep or not arg:
            raise SteerSpecError(f"invalid --inject action '{word}' (error=, retval=, delay=)")
        if name == "error":
            if rule.tampers:
                raise SteerSpecError("--inject: one error= or retval=")
            rule.error = parse_errno(arg)
        elif name == "retval":
            if rule.tampers:
                raise SteerSpecError("--inject: one error= or retval=")
            rule.retval = parse_retval(arg)
        elif name in ("delay", "delay_enter"):
            rule.delay_enter = parse_delay(arg)
        elif name == "delay_exit":
            rule.delay_exit = parse_delay(arg)
        elif name == "signal":
            rule.signal = parse_signal(arg)
        elif name == "count":
            if not arg.isdigit() or int(arg) < 1:
                raise SteerSpecError(f"invalid count '{arg}' (1 or more)")
            rule.remaining = int(arg)
        elif name == "when":
            rule.when = parse_when(arg)
        else:
            raise SteerSpecError(f"invalid --inject action '{word}' (error=, retval=, delay=)")
    if not (rule.tampers or rule.signal or rule.delay_enter or rule.delay_exit):
        raise SteerSpecError("--inject FILTER ACTION: give error=ERRNO, retval=N or delay=D")
    return rule


def parse_breakpoint(text: str) -> Breakpoint:
    flt, nrs = parse_filter_text(text)
    return Breakpoint(filter=flt, text=text.strip(), nrs=nrs)
