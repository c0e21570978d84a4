"""How long the tracer polls for the next stop before it sleeps in waitpid.

A ptrace stop wakes the tracer; when the tracer is asleep (its CPU idle), that
wake-up is the dearest part of the stop, on virtual machines above all (an
idle vCPU has to be kicked by the hypervisor). While a program makes syscalls
back to back, its next stop arrives microseconds after it is resumed, so a
few non-blocking waits catch it with the tracer still running. When the
program blocks or computes instead, polling only burns CPU, so the budget
follows what the last waits saw: full after a stop caught by polling or a
short sleep, quartered after each long sleep (down to no polling at all).
Each poll that finds nothing yields the CPU (sched_yield): on a busy machine,
or with tracer and tracee on one CPU, polling must not keep the tracee from
running; on an idle CPU the yield returns at once.

The budget is small (TraceOptions.spin_polls, 30: some 10-30 us of polling here).
A syscall loop's next stop comes within a few polls; spinning longer only pays when
a CPU has nothing else to do. On a 2-vCPU Intel Xeon VM (2026-12-06), in one series
of twelve paired runs, 200 polls made the explorer's fork/exec loop about twice as
slow as 30 (1.8-2.6 s against 0.8-1.3 s: the app's thread, the tracer and the new
processes want more CPUs than there are, and a spinning tracer keeps one busy); a
later series on the same VM showed no difference, and neither did the syscall
loops, beyond the runs' own spread. 30 was never the slower.

Polling keeps the tracer's CPU busy, so the kernel wakes a resumed program on another,
idle one: tracer and program never share a CPU, which is what a stop would cost least
with (docs/ARCHITECTURE.md, "Where tracer and tracee run").
"""

from __future__ import annotations

# A sleep shorter than this would have been caught by polling a little longer.
SHORT_SLEEP_S = 0.0002


class SpinBudget:
    __slots__ = ("max_polls", "polls")

    def __init__(self, max_polls: int) -> None:
        self.max_polls = max(0, max_polls)
        self.polls = self.max_polls

    def hit(self) -> None:
        """A stop was caught by polling."""
        self.polls = self.max_polls

    def slept(self, seconds: float) -> None:
        """The tracer slept `seconds` in a blocking wait after polling `polls` times."""
        if seconds < SHORT_SLEEP_S:
            self.polls = self.max_polls
        else:
            self.polls >>= 2
