"""Which events of a batch fire a trigger.

A filter trigger is matched by the filter language itself, on a scratch `EventStore`
holding the batch's candidate events (so `errno:`, `name:`, `path:`, words, `dur>`
mean exactly what they mean in the explorer). Candidates are first narrowed per event
by the filter's cheap positive terms (`name:`, `class:`, `err`, `errno:`, `pid:`), so
the store sees only the few events that can match. Calls are matched whole: a call
other events overtook is matched at its `Resumed`, when its result is known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracer.events import Exited, Resumed, Syscall, TraceEnded, Unfinished
from tracer.filter.terms import FailedTerm, NumberSetTerm, PidTerm
from tracer.flight.spec import CRASH_SIGNALS, Trigger
from tracer.store import EventStore

Check = Callable[[Any], bool]


def _cheap_check(term: Any) -> Check | None:
    """A per-event test that every event matching `term` passes (None: no cheap test)."""
    if term.negate:
        return None
    if isinstance(term, NumberSetTerm):
        nrs = term.nrs
        return lambda ev: type(ev) is Syscall and ev.nr in nrs
    if isinstance(term, FailedTerm):
        errnos = term.errnos
        if errnos is None:
            return lambda ev: type(ev) is Syscall and ev.error != 0
        return lambda ev: type(ev) is Syscall and ev.error in errnos
    if isinstance(term, PidTerm):
        pids = term.pids
        return lambda ev: getattr(ev, "pid", None) in pids or getattr(ev, "tid", None) in pids
    return None


class FilterTrigger:
    def __init__(self, trigger: Trigger, strsize: int) -> None:
        self.trigger = trigger
        self.strsize = strsize
        self.checks = [c for t in trigger.filter.terms if (c := _cheap_check(t)) is not None]

    def hits(self, items: list[Any]) -> list[int]:
        """Indexes into `items` (events, calls whole) that match the filter."""
        checks = self.checks
        cands = [i for i, ev in enumerate(items) if all(c(ev) for c in checks)]
        if not cands:
            return []
        store = EventStore(strsize=self.strsize)  # a fresh one: nothing to drop or renumber
        update = store.append([items[i] for i in cands])
        # `effects` lists each candidate's row in the order given (the store orders rows by time).
        row_of = list(update.effects)
        if len(row_of) != len(cands):
            return []  # (every event given has a row; guard against a store change)
        matched = set(self.trigger.filter.match_rows(store) or ())
        return [i for i, row in zip(cands, row_of, strict=True) if row in matched]


class TriggerSet:
    """All `--trigger`s; `find(events)` -> [(index in events, the Trigger)], in order."""

    def __init__(self, triggers: list[Trigger], strsize: int = 32) -> None:
        self.filters = [FilterTrigger(t, strsize) for t in triggers if t.filter is not None]
        self.crash = next((t for t in triggers if t.on_crash), None)
        self.killed = next((t for t in triggers if t.on_kill), None)

    def find(self, events: list[Any]) -> list[tuple[int, Trigger]]:
        found: dict[int, Trigger] = {}
        if self.crash is not None or self.killed is not None:
            for i, ev in enumerate(events):
                if type(ev) is Exited and ev.signal and not ev.is_thread:
                    if self.crash is not None and ev.signal in CRASH_SIGNALS:
                        found.setdefault(i, self.crash)
                    elif self.killed is not None:
                        found.setdefault(i, self.killed)
        if self.filters:
            items, where = _whole(events)
            for ft in self.filters:
                for k in ft.hits(items):
                    found.setdefault(where[k], ft.trigger)
        return sorted(found.items())


def _whole(events: list[Any]) -> tuple[list[Any], list[int]]:
    """The events as the filter sees them: a `Resumed` as its whole call, no `Unfinished`
    (its call is matched when it resumes) and no `TraceEnded`; with each one's index."""
    items, where = [], []
    for i, ev in enumerate(events):
        t = type(ev)
        if t is Unfinished or t is TraceEnded:
            continue
        items.append(ev.call if t is Resumed else ev)
        where.append(i)
    return items, where
