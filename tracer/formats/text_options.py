"""How the strace-style text is laid out and which of its lines are printed.

One object, built from strace's options by `tracer.strace_options`, handed to the
writer process; the tracer never sees it (these options decide printing, not
capture).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Digits after the point for strace's precision words.
PRECISION_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}

STATUSES = ("successful", "failed", "unfinished", "unavailable", "detached")


@dataclass(slots=True)
class TextOptions:
    # Absolute timestamps (-t, -tt, -ttt, --absolute-timestamps): "none", "time" or "unix".
    timestamps: str = "none"
    timestamp_digits: int = 0
    relative_digits: int | None = None  # -r: digits of the time since the previous line
    duration_digits: int | None = None  # -T: digits of the time spent in each call
    column: int = 40  # -a: where ` = ` goes
    quiet_exit: bool = False  # -qq: no `+++ exited with N +++`
    quiet_superseded: bool = False  # -qqq
    # -q, -e quiet=attach, or -o with a program (strace implies -q then): no
    # `Process N attached` / `Process N detached` messages on stderr.
    quiet_attach: bool = False
    # --strings-in-hex: "none", "non-ascii-chars", "non-ascii" (-x) or "all" (-xx).
    strings_in_hex: str = "none"
    per_process_prefix: str | None = None  # -ff -o PREFIX: one PREFIX.TID file per task
    append: bool = False  # -A
    statuses: frozenset[str] | None = None  # -e status=, -z, -Z (None: all)
    signals: frozenset[int] | None = None  # -e signal= (None: all)
    paths: tuple[str, ...] = ()  # -P: only calls that touch one of these
    dump_read: frozenset[int] = frozenset()  # -e read=FD: hex dump of data read from FD
    dump_write: frozenset[int] = frozenset()  # -e write=FD
    # --decode-fds / -y / -yy: "path", "socket", "dev", "pidfd".
    decode_fds: frozenset[str] = field(default_factory=frozenset)

    @property
    def whole_calls(self) -> bool:
        """Print each call once, when it returns (no `<unfinished ...>` split): strace
        does so when it must see the return before deciding, and in per-task files."""
        return self.statuses is not None or self.per_process_prefix is not None
