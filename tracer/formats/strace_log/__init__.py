"""Importing strace's own logs: `tracetui -r strace.log` (docs/FORMAT.md).

    files = log_files("trace")          # trace itself, or trace.PID files (-ff)
    imported = StraceImport(files)
    for batch in imported.batches():    # the same events a live trace gives
        ...
    imported.summary()                  # "imported 1234 calls; 3 lines not understood (...)"

A log is recognised by its content (`looks_like_log`), not its name. Every line
is either understood or counted (`not_understood`, the first one kept for the
report); nothing in a log can make the import fail, only an unreadable file.
The text of each call is kept as strace printed it (`tracer/syscalls/imported.py`).
"""

from __future__ import annotations

import heapq
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from tracer.events import Event
from tracer.formats.strace_log.assemble import UNPREFIXED, Lineage, LogAssembler
from tracer.formats.strace_log.lines import CLOCK, HALF_US, Kind, LogLine, parse_line, recognised
from tracer.syscalls.table import get_table

__all__ = ["LogFile", "StraceImport", "StraceLogError", "log_files", "looks_like_log"]

_SNIFF_BYTES = 1 << 16
_SNIFF_LINES = 40
_PID_SUFFIX = re.compile(r"\.(\d+)$")
_RELATIVE_BELOW = 1e8  # a -r delta, not a -ttt time (1e8 s after 1970 is 1973)
_DAY = 86400.0
BATCH = 4096
_UNTIMED = (Kind.NOTE, Kind.STACK, Kind.UNKNOWN)


class StraceLogError(Exception):
    """A log that cannot be read at all; the message is one line."""


@dataclass(frozen=True, slots=True)
class LogFile:
    path: str
    pid: int | None = None  # the task of lines with no pid prefix (-ff's FILE.PID)


def _sniff(path: str) -> list[str] | None:
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:
        return None
    if head.startswith(b"\x7fELF"):
        return None  # a program (`tracetui -r ./prog` is strace's -r)
    lines = head.decode("utf-8", "surrogateescape").split("\n")
    if len(head) == _SNIFF_BYTES and len(lines) > 1:
        lines.pop()  # cut by the sniff, not by the file
    return lines[:_SNIFF_LINES]


def looks_like_log(path: str) -> bool:
    """Whether the file's first lines are strace's: most of them calls, signals and
    exits as strace prints them (a program's own text around them is allowed)."""
    lines = _sniff(path)
    if not lines:
        return False
    good = other = 0
    for i, raw in enumerate(lines):
        line, _ = parse_line(raw, i + 1, 0, None)
        if line.kind is Kind.NOTE:
            continue
        if recognised(line) and (
            line.kind is not Kind.CALL or " = " in line.body or line.body.endswith("...>")
        ):
            good += 1
        elif line.kind in (Kind.STACK, Kind.ATTACHED, Kind.DETACHED):
            good += 1
        else:
            other += 1
    return good > 0 and good >= other


def log_files(path: str) -> list[LogFile] | None:
    """The strace log(s) `-r PATH` names: PATH itself when it is one, or the PATH.PID files
    `strace -ff -o PATH` wrote (the pid of their lines from the name); None if neither."""
    if os.path.isfile(path):
        if not looks_like_log(path):
            return None
        m = _PID_SUFFIX.search(path)
        return [LogFile(path, int(m.group(1)) if m else None)]
    if os.path.exists(path):
        return None
    folder, base = os.path.split(path)
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return None
    found = []
    for name in names:
        if name.startswith(base + ".") and name[len(base) + 1 :].isdigit():
            found.append(LogFile(os.path.join(folder, name), int(name[len(base) + 1 :])))
    found.sort(key=lambda f: f.pid)
    if not any(looks_like_log(f.path) for f in found):
        return None
    return found


class _Clock:
    """Seconds since the epoch for one file's stamps: -ttt as is; -t/-tt (a time of day) on
    the date the file was written, counting midnights; -r deltas added up from the
    file's modification time (strace's `0.000000` first line)."""

    def __init__(self, mtime: float) -> None:
        self.mtime = mtime
        day = time.localtime(mtime)
        self.midnight = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
        self.style: str | None = None
        self.relative = False
        self.last_stamp = -1.0
        self.days = 0
        self.now = mtime

    def at(self, stamp: float | None, style: str, digits: int = 6) -> float:
        if stamp is None:
            return self.now
        nudge = HALF_US if digits <= 6 else 0.0  # see lines.HALF_US
        if self.style is None:
            self.style = style
            self.relative = style != CLOCK and stamp < _RELATIVE_BELOW
            if style == CLOCK and self.midnight + stamp > self.mtime + 60:
                self.days = -1  # written after midnight: the trace began the day before
        if self.style == CLOCK:
            if stamp < self.last_stamp - _DAY / 2:
                self.days += 1
            self.last_stamp = stamp
            self.now = self.midnight + self.days * _DAY + stamp + nudge
        elif self.relative:
            self.now += stamp
        else:
            self.now = stamp + nudge
        return self.now


# strace -f writing to a terminal (or `2> FILE`) prints its note on a new task in the
# middle of the line it is writing: `clone(..., flags=...SIGCHLDstrace: Process 12 attached`.
_INJECTED = re.compile(r"(.+?)(strace: Process \d+ (?:attached|detached))$")


def _read_lines(path: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, line, whether it ended with a newline: strace ends every line it
    finishes). A note strace wrote inside a line comes as a line of its own, and the
    two halves of the line it cut as one."""
    carry: tuple[int, str] | None = None
    with open(path, encoding="utf-8", errors="surrogateescape", newline="\n") as f:
        for number, raw in enumerate(f, 1):
            whole = raw.endswith("\n")
            if whole:
                raw = raw[:-1]
            if carry is not None:
                number, raw = carry[0], carry[1] + raw
                carry = None
            if whole and "strace: Process " in raw:
                m = _INJECTED.match(raw)
                if m is not None:
                    yield number, m.group(2), True
                    carry = (number, m.group(1))
                    continue
            yield number, raw, whole
    if carry is not None:
        yield carry[0], carry[1], False


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return time.time()


class StraceImport:
    """One strace log (or a -ff set of them) read as tracetui events, in batches."""

    def __init__(self, files: list[LogFile], name: str | None = None, batch: int = BATCH) -> None:
        if not files:
            raise StraceLogError("no strace log to read")
        self.files = files
        self._name = name
        self.batch = batch
        self.calls = 0
        self.not_understood = 0
        self.first_bad: tuple[str, int] | None = None  # (file, line number)
        self.error: str | None = None  # the file could not be read to its end
        self._prepared: tuple[Lineage, int | None] | None = None

    @property
    def name(self) -> str:
        if self._name is not None:
            return self._name
        if len(self.files) == 1:
            return self.files[0].path
        return f"{os.path.commonprefix([f.path for f in self.files]).rstrip('.')}.*"

    @property
    def incomplete(self) -> bool:
        return bool(self.not_understood or self.error)

    def summary(self) -> str:
        """One line: what was imported, and what was not."""
        text = f"imported {self.calls} call{'s' * (self.calls != 1)} from {self.name}"
        if self.not_understood:
            where, number = self.first_bad
            at = f"{where} line {number}" if len(self.files) > 1 else f"line {number}"
            n = self.not_understood
            text += f"; {n} line{'s' * (n != 1)} not understood (first at {at})"
        if self.error:
            text += f"; {self.error}"
        return text

    def _lines(self, index: int, log: LogFile) -> Iterator[tuple[LogLine, float]]:
        clock = _Clock(_mtime(log.path))
        for number, raw, whole in _read_lines(log.path):
            line, style = parse_line(raw, number, index, log.pid)
            if not whole or "\0" in raw:
                line.kind = Kind.UNKNOWN  # cut short (a truncated file), binary noise
            if line.kind in _UNTIMED:  # (a -c table's numbers are no stamp)
                yield line, clock.now
            else:
                yield line, clock.at(line.stamp, style, line.digits)

    def prepare(self) -> None:
        """Read what the events need to know in advance (who made whom); raises
        StraceLogError if a file cannot be read, before any output is made."""
        try:
            self._prepared = self._lineage()
        except OSError as e:
            raise StraceLogError(f"cannot read {self.name}: {e.strerror or e}") from None

    def _lineage(self) -> tuple[Lineage, int | None]:
        """Parents and threads from the fork-like calls, and the root task when the log's
        first lines carry no pid (strace -f to a terminal, or no -f)."""
        lineage = Lineage()
        prefixed: dict[int, None] = {}  # the first tids with a `[pid N]` prefix, in order
        own_tid: int | None = None  # an unprefixed set_tid_address's answer: the task's id
        for index, log in enumerate(self.files):
            for number, raw, _ in _read_lines(log.path):
                if "clone" in raw or "fork" in raw:
                    lineage.note(parse_line(raw, number, index, log.pid)[0])
                elif len(prefixed) < 256 and raw.startswith("[pid "):
                    tid = parse_line(raw, number, index, log.pid)[0].tid
                    if tid is not None:
                        prefixed.setdefault(tid)
                elif own_tid is None and log.pid is None and "set_tid_address(" in raw:
                    line = parse_line(raw, number, index, None)[0]
                    if line.tid is None:
                        own_tid = _returned_number(line.body)
        root = None
        children = set(lineage.parent)
        if UNPREFIXED in lineage.parent.values() or own_tid is not None:
            candidates = [t for t in prefixed if t not in children]
            root = candidates[0] if candidates else own_tid
            if root is None:
                root = 1  # the log never says; any number names the one process
            lineage.name_root(root)
        return lineage, root

    def batches(self) -> Iterator[list[Event]]:
        """The events in log order (several -ff files merged by time when they carry
        times), in batches; the last batch ends with `TraceEnded`."""
        if self._prepared is None:
            self.prepare()
        lineage, root = self._prepared
        asm = LogAssembler(get_table(), lineage, root)
        streams = [self._lines(i, f) for i, f in enumerate(self.files)]
        stream = streams[0] if len(streams) == 1 else self._merged(streams)
        try:
            for line, when in stream:
                if len(asm.out) >= self.batch and line.kind is not Kind.STACK:
                    self.calls = asm.calls
                    yield asm.take()
                if not asm.feed(line, when):
                    self._bad(line)
        except OSError as e:
            self.error = f"reading stopped: {e.strerror or e}"
        self.calls = asm.calls
        asm.finish(self.summary() if self.incomplete else None)
        yield asm.take()

    def _merged(self, streams: list[Iterator[tuple[LogLine, float]]]):
        """-ff files: by time when they carry absolute times, else one after another
        (in pid order: parents before their children)."""
        heads = [next(s, None) for s in streams]
        timed = any(h is not None and h[0].stamp is not None for h in heads)
        rest = [chain([h], s) for h, s in zip(heads, streams, strict=True) if h is not None]
        relative = any(
            h is not None and h[0].stamp is not None and h[0].stamp < _RELATIVE_BELOW for h in heads
        )
        if timed and not relative:
            return heapq.merge(*rest, key=lambda item: item[1])
        return chain.from_iterable(rest)

    def _bad(self, line: LogLine) -> None:
        self.not_understood += 1
        if self.first_bad is None:
            self.first_bad = (self.files[line.source].path, line.number)


_RETURNED = re.compile(r".*\)\s+= (\d+)$")


def _returned_number(body: str) -> int | None:
    m = _RETURNED.match(body)
    return int(m.group(1)) if m else None
