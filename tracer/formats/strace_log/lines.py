"""One line of an strace log, taken apart: who, when, what.

    [pid  1234] 12:34:56.123456 openat(AT_FDCWD, "/x", O_RDONLY) = 3 <0.000012>
    1234<comm>  1700000000.123456 [  257] [00007f...] <... read resumed>"a", 1) = 1
     > /lib/x86_64-linux-gnu/libc.so.6(__open64+0x5b) [0x1145ab]

The leader (pid from -f/-o or `[pid N]`, -Y's comm, a -t/-tt/-ttt/-r timestamp,
-n's syscall number, -i's instruction pointer) is taken off; -T's duration is
taken off the end. What is left is classified (`Kind`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

PID_MAX = 1 << 22  # the kernel's largest pid_max: a bigger "pid" is a timestamp


class Kind(IntEnum):
    CALL = 0  # name(args) = ret, or name(args <unfinished ...>
    RESUMED = 1  # <... name resumed>rest) = ret
    SIGNAL = 2  # --- SIGCHLD {...} ---, --- stopped by SIGSTOP ---
    EXIT = 3  # +++ exited with 0 +++, +++ killed by SIGKILL +++
    STACK = 4  # ` > module(function+0x1) [0x1234]` (strace -k)
    NOTE = 5  # understood, nothing to show: dumps, strace's own messages, -c tables, blanks
    ATTACHED = 6  # strace: Process N attached
    DETACHED = 7  # strace: Process N detached
    UNKNOWN = 8


@dataclass(slots=True)
class LogLine:
    number: int  # 1-based, in its file
    source: int  # which file
    kind: Kind
    tid: int | None = None  # from the line's prefix (or the file's name, with -ff)
    stamp: float | None = None  # -t/-tt/-ttt: seconds (of the day for -t/-tt); -r: a delta
    body: str = ""
    duration: float | None = None  # -T
    text: str = ""  # the whole line, for reports
    digits: int = 0  # the stamp's decimals


# Half a microsecond added to stamps and durations printed to the microsecond: a time
# near 1.7e9 s is a float only to ~0.2 us, and writers truncate (as strace does), so
# without it 12:00:00.000001 could come back as 12:00:00.000000.
HALF_US = 5e-7


def _nudge(value: float, digits: int) -> float:
    return value + HALF_US if digits <= 6 else value


# The leader, in one match: -f's pid (`1234  `, `[pid 1234] `, -Y's `1234<comm>`), a -t/
# -tt (time of day), -ttt (seconds) or -r (delta) stamp, -n's `[ 257] `, -i's `[00007f...] `.
_STAMP = (
    r"(?:\s*(?:(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)(?P<frac>\.\d+)?|(?P<secs>\d+\.\d+|\d{9,}))\s)?"
    r"(?:\[\s*\d+\] )?(?:\[[0-9a-f?]{8,16}\] )?"
)
_LEADER = re.compile(
    r"(?:\[pid\s+(?P<bracketed>\d+)(?:<[^>]*>)?\] |(?P<pid>\d+)(?:<[^>\n]*>)?\s+)?" + _STAMP
)
_NO_PID = re.compile(_STAMP)
_DURATION = re.compile(r"\s<(\d+(?:\.\d+)?)>$")
_CALL = re.compile(r"[a-z_][a-z0-9_]*\(")
_RESUMED = re.compile(r"<\.\.\. ([a-z_][a-z0-9_]*) resumed>")
_STRACE_NOTE = re.compile(r"strace: Process (\d+) (attached|detached)")
# strace -c's table: its header, rules and rows (`  12.50    0.000010   10   1   1 read`).
_SUMMARY = re.compile(r"% time|-{6}|\s*\d+\.\d+\s+\d+\.\d+(?:\s+\d+){1,3}\s+\S+$")


# strace's time-of-day stamps (-t, -tt) carry no date: `Kind`-less seconds of the day.
CLOCK, SECONDS = "clock", "seconds"


def parse_line(raw: str, number: int, source: int, file_tid: int | None) -> tuple[LogLine, str]:
    """One line (without its newline) -> (LogLine, the timestamp's style or "")."""
    if raw.startswith(" > "):
        return LogLine(number, source, Kind.STACK, file_tid, body=raw[3:], text=raw), ""
    if raw.startswith((" | ", " * ")) or not raw.strip():
        return LogLine(number, source, Kind.NOTE, text=raw), ""
    tid = file_tid
    m = _LEADER.match(raw)
    pid = m.group("bracketed") or m.group("pid")
    if pid is not None and not m.group("bracketed") and int(pid) >= PID_MAX:
        m = _NO_PID.match(raw)  # `1700000000 openat(...`: a stamp, not a pid
        pid = None
    if pid is not None:
        tid = int(pid)
    stamp: float | None = None
    style = ""
    digits = 0
    if m.group("h") is not None:
        frac = m.group("frac")
        stamp = int(m.group("h")) * 3600 + int(m.group("m")) * 60 + int(m.group("s"))
        if frac:
            stamp += float(frac)
        style, digits = CLOCK, len(frac or ".") - 1
    elif m.group("secs") is not None:
        text = m.group("secs")
        stamp, style = float(text), SECONDS
        digits = len(text) - text.find(".") - 1 if "." in text else 0
    at = m.end()
    body = raw[at:]
    duration = None
    if body.endswith(">"):
        d = _DURATION.search(body)
        if d is not None:
            text = d.group(1)
            duration = _nudge(float(text), len(text) - text.find(".") - 1 if "." in text else 0)
            body = body[: d.start()]
    line = LogLine(number, source, Kind.UNKNOWN, tid, stamp, body, duration, raw, digits)
    first = body[:1]
    if first == "<" and _RESUMED.match(body):
        line.kind = Kind.RESUMED
    elif _CALL.match(body):
        line.kind = Kind.CALL
    elif first == "-" and body.startswith("--- ") and body.endswith(" ---"):
        line.kind = Kind.SIGNAL
    elif first == "+" and body.startswith("+++ ") and body.endswith(" +++"):
        line.kind = Kind.EXIT
    elif body.startswith("strace: "):
        note = _STRACE_NOTE.match(body)
        if note is not None:
            line.kind = Kind.ATTACHED if note.group(2) == "attached" else Kind.DETACHED
            line.tid = int(note.group(1))
        else:
            line.kind = Kind.NOTE  # strace's warnings
    elif body.startswith("[ Process PID=") or _SUMMARY.match(raw):
        line.kind = Kind.NOTE  # personality changes; the -c table
    return line, style


def resumed_name(body: str) -> tuple[str, int] | None:
    """`<... read resumed>rest` -> ('read', where rest starts)."""
    m = _RESUMED.match(body)
    return (m.group(1), m.end()) if m else None


def recognised(line: LogLine) -> bool:
    """A line only strace writes (for telling a log from other text)."""
    return line.kind in (Kind.CALL, Kind.RESUMED, Kind.SIGNAL, Kind.EXIT)
