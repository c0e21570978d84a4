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
with (docs/ARCHITECTURE.md, "Where tracer and tracee run"). That other CPU goes idle at
each stop, and waking it is the dear part where idle means halt (a VM without halt
polling). The C core's warm thread (capture_core.c) spins at SCHED_IDLE on the program's
CPU while stops come, so it never halts; `warm_cpu_allowed` says where that is allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def warm_cpu_allowed(
    spin_polls: int, cgroup_root: Path = Path("/sys/fs/cgroup"), membership: str | None = None
) -> bool:
    """Whether the warm thread may spin: only where it can only use a CPU nobody else
    wants. Not with polling off, not on one CPU (it would share the tracer's, for
    nothing), and not under a CPU quota (cgroup v2 cpu.max or v1 cpu.cfs_quota_us, ours
    or an ancestor's): there its spinning would use up time the traced program may need."""
    if spin_polls <= 0 or len(os.sched_getaffinity(0)) < 2:
        return False
    return not _cpu_quota(cgroup_root, membership)


def _cpu_quota(root: Path, membership: str | None = None) -> bool:
    """Whether a CPU quota applies to this process: cgroup v2's cpu.max or v1's
    cpu.cfs_quota_us, in its own group or any above it. `membership`: the text of
    /proc/self/cgroup (read when None)."""
    if membership is None:
        try:
            membership = Path("/proc/self/cgroup").read_text()
        except OSError:
            return False
    for line in membership.splitlines():
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        if not controllers:
            mounts, name = [root], "cpu.max"
        elif "cpu" in controllers.split(","):
            mounts, name = [root / controllers, root / "cpu"], "cpu.cfs_quota_us"
        else:
            continue
        for mount in mounts:
            group = mount / path.strip().lstrip("/")
            while True:
                if _limited(group / name):
                    return True
                if group == mount or mount not in group.parents:
                    break
                group = group.parent
    return False


def _limited(quota_file: Path) -> bool:
    try:
        words = quota_file.read_text().split()
    except OSError:
        return False
    return bool(words) and words[0] not in ("max", "-1")
