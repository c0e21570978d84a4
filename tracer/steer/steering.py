"""The session's steering state: injection rules and breakpoints, and the decision per call.

One `Steering` per session. The worker asks it at a call's entry (on the ptrace
thread); other threads change it only through the worker (`Worker.request`), so
the counters and lists are never written by two threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tracer.events import Syscall

if TYPE_CHECKING:  # rules are parsed (and their module imported) only when some are given
    from tracer.steer.call_match import CallMatcher
    from tracer.steer.rules import Breakpoint, InjectRule


class Steering:
    def __init__(
        self,
        rules: Iterable[InjectRule] = (),
        breakpoints: Iterable[Breakpoint] = (),
        all_stop: bool = False,
    ) -> None:
        self.rules: list[InjectRule] = []
        self.breakpoints: list[Breakpoint] = []
        # A breakpoint hit holds every thread (the others at their next stop), not only its own.
        self.all_stop = all_stop
        self._next_id = 0
        # (rule id, tid, nr) -> invocations seen: strace counts `when` per syscall per tracee.
        self._counts: dict[tuple[int, int, int], int] = {}
        self._matcher: CallMatcher | None = None
        for r in rules:
            self.add_rule(r)
        for b in breakpoints:
            self.add_breakpoint(b)

    @property
    def active(self) -> bool:
        return any(r.enabled for r in self.rules) or any(b.enabled for b in self.breakpoints)

    def numbers(self) -> frozenset[int] | None:
        """Syscall numbers whose calls must stop in Python (None: every call)."""
        out: set[int] = set()
        for item in (*self.rules, *self.breakpoints):
            if item.enabled:
                if item.nrs is None:
                    return None
                out |= item.nrs
        return frozenset(out)

    # ---- changes (on the worker thread) -------------------------------------------------

    def add_rule(self, rule: InjectRule) -> InjectRule:
        self._next_id += 1
        rule.id = self._next_id
        self.rules.append(rule)
        return rule

    def add_breakpoint(self, bp: Breakpoint) -> Breakpoint:
        self._next_id += 1
        bp.id = self._next_id
        self.breakpoints.append(bp)
        return bp

    def remove(self, item_id: int) -> bool:
        n = len(self.rules) + len(self.breakpoints)
        self.rules = [r for r in self.rules if r.id != item_id]
        self.breakpoints = [b for b in self.breakpoints if b.id != item_id]
        return len(self.rules) + len(self.breakpoints) != n

    def toggle(self, item_id: int) -> bool | None:
        """Enable or disable a rule or breakpoint; its new state (None: no such id)."""
        for item in (*self.rules, *self.breakpoints):
            if item.id == item_id:
                item.enabled = not item.enabled
                return item.enabled
        return None

    # ---- decisions (on the worker thread, at a call's entry) ------------------------------

    def _match(self, flt, call: Syscall) -> bool:
        if self._matcher is None:
            # Imported when a filter is first matched: it brings the store's row text,
            # which a command line without tracetui's --inject/--break never needs.
            from tracer.steer.call_match import CallMatcher

            self._matcher = CallMatcher()
        return self._matcher.matches(flt, call)

    def injection(self, call: Syscall) -> InjectRule | None:
        """The rule that tampers with this call, if any; counts the invocation.

        As with strace's repeated `-e inject=` for one syscall, the last rule given wins:
        a rule without a filter (strace's) decides alone for the syscalls it names, so
        when its `when=` skips a call no earlier rule takes it (strace keeps one rule per
        syscall). Rules with a filter fall through to earlier ones where they do not match."""
        chosen = None
        for rule in reversed(self.rules):
            if not rule.enabled or (rule.nrs is not None and call.nr not in rule.nrs):
                continue
            if rule.filter is not None and not self._match(rule.filter, call):
                continue
            key = (rule.id, call.tid, call.nr)
            n = self._counts.get(key, 0) + 1
            self._counts[key] = n
            if chosen is None and rule.when.hits(n):
                chosen = rule
            if rule.filter is None and rule.nrs is not None:
                break  # strace's rule for this syscall: the earlier ones are replaced
        if chosen is not None:
            chosen.hits += 1
            if chosen.remaining is not None:
                chosen.remaining -= 1
                if chosen.remaining <= 0:
                    chosen.enabled = False  # spent; stays listed
        return chosen

    def breakpoint(self, call: Syscall) -> Breakpoint | None:
        for bp in self.breakpoints:
            if (
                bp.enabled
                and (bp.nrs is None or call.nr in bp.nrs)
                and self._match(bp.filter, call)
            ):
                bp.hits += 1
                return bp
        return None
