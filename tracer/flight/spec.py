"""What `--ring`, `--trigger`, `--after` and `--trigger-interval` ask for, checked once.

Every mistake is a `FlightSpecError` whose message is one line for the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the filter language is imported when a --trigger names a filter
    from tracer.filter import Filter

DEFAULT_RING_EVENTS = 100_000  # a --trigger without --ring keeps this many events
DEFAULT_INTERVAL = 10.0  # seconds between two dumps at least (rate limit)

# `--trigger crash`: killed by a signal whose default action dumps core.
CRASH_SIGNALS = frozenset(
    {3, 4, 5, 6, 7, 8, 11, 24, 25, 31}
)  # QUIT ILL TRAP ABRT BUS FPE SEGV XCPU XFSZ SYS
TRIGGER_WORDS = ("crash", "killed")

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt])i?b?", re.IGNORECASE)
_UNIT = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class FlightSpecError(ValueError):
    """A bad flight recorder option; the message is one line."""


@dataclass(slots=True)
class Trigger:
    """One `--trigger`: a filter on events, or `crash`/`killed` (a process killed by a signal)."""

    text: str
    filter: Filter | None = None  # None for the words

    @property
    def on_crash(self) -> bool:
        return self.text == "crash"

    @property
    def on_kill(self) -> bool:
        return self.text == "killed"


@dataclass(slots=True)
class FlightSpec:
    """The flight recorder's settings: a ring of the last events, dumped when a trigger fires.

    The ring holds `events` events, or (with `nbytes`) as many as fit in that many bytes
    of their compact encoding. Dumps go to numbered session files next to `path`.
    """

    path: str | None
    events: int = 0
    nbytes: int = 0
    triggers: list[Trigger] = field(default_factory=list)
    after: int = 0
    interval: float = DEFAULT_INTERVAL
    max_dumps: int = 0  # 0: no limit
    ring_text: str = ""  # as given, for messages and the dump's meta

    def dump_path(self, n: int) -> str:
        """`run.db` -> `run.1.db`, `trace` -> `trace.1.db`."""
        base = self.path or "tracetui-ring.db"
        stem = base[:-3] if base.endswith(".db") else base
        return f"{stem}.{n}.db"

    def describe_ring(self) -> str:
        return f"{self.nbytes:,} bytes" if self.nbytes else f"{self.events:,} events"


def parse_ring(text: str) -> tuple[int, int]:
    """`500` -> (500 events, 0); `64MB` -> (0, 64 MiB). Raises FlightSpecError."""
    t = text.strip()
    if t.isdigit() and int(t) > 0:
        return int(t), 0
    m = _SIZE.fullmatch(t)
    if m and float(m.group(1)) > 0:
        nbytes = int(float(m.group(1)) * _UNIT[m.group(2).lower()])
        if nbytes >= 1 << 16:
            return 0, nbytes
    raise FlightSpecError(
        f"invalid --ring argument: '{text}' (a number of events such as 500000, "
        "or a size of 64KB or more such as 64MB)"
    )


def parse_trigger(text: str) -> Trigger:
    t = text.strip()
    if t.lower() in TRIGGER_WORDS:
        return Trigger(t.lower())
    if not t:
        raise FlightSpecError("empty --trigger: give a filter (errno:EMFILE), crash or killed")
    from tracer.filter import FilterError, parse_filter

    try:
        flt = parse_filter(t)
    except FilterError as e:
        raise FlightSpecError(f"invalid --trigger filter '{t}': {e.message}") from None
    return Trigger(t, flt)


def flight_spec(
    ring: str | None,
    triggers: list[str],
    after: int,
    interval: float,
    path: str | None,
    max_dumps: int = 0,
) -> FlightSpec | None:
    """The spec from the command line's values; None when no flight option was given."""
    if ring is None and not triggers:
        if after:
            raise FlightSpecError("--after counts events after a trigger: give --trigger")
        return None
    if after < 0:
        raise FlightSpecError(f"invalid --after argument: '{after}' (0 or more events)")
    if interval < 0:
        raise FlightSpecError(
            f"invalid --trigger-interval argument: '{interval}' (seconds, 0 or more)"
        )
    if max_dumps < 0:
        raise FlightSpecError(f"invalid --max-dumps argument: '{max_dumps}' (0: no limit)")
    events, nbytes = parse_ring(ring) if ring is not None else (DEFAULT_RING_EVENTS, 0)
    return FlightSpec(
        path=path,
        events=events,
        nbytes=nbytes,
        triggers=[parse_trigger(t) for t in triggers],
        after=after,
        interval=interval,
        max_dumps=max_dumps,
        ring_text=ring if ring is not None else str(DEFAULT_RING_EVENTS),
    )
