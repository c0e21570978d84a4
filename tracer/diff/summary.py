"""Per syscall, over one process pair: calls, errors and time in each run."""

from __future__ import annotations

from dataclasses import dataclass

from tracer.diff.normalize import CallFacts
from tracer.diff.trace import Task

# Time per syscall is a difference when one run spends this much more and twice as long:
# smaller gaps come and go between two runs of the same program.
TIME_DIFFERS = 0.01


@dataclass(slots=True)
class SummaryRow:
    """Per syscall, over one process pair: how often, how often failing, how long."""

    name: str
    count_a: int = 0
    count_b: int = 0
    errors_a: int = 0
    errors_b: int = 0
    time_a: float = 0.0
    time_b: float = 0.0

    @property
    def differs(self) -> bool:
        if self.count_a != self.count_b or self.errors_a != self.errors_b:
            return True
        slow, fast = max(self.time_a, self.time_b), min(self.time_a, self.time_b)
        return slow - fast >= TIME_DIFFERS and slow >= 2 * fast


def summarise(
    a: Task | None, facts_a: list[CallFacts], b: Task | None, facts_b: list[CallFacts]
) -> list[SummaryRow]:
    """The syscalls whose counts, errors or time differ between two paired tasks."""
    rows: dict[str, SummaryRow] = {}
    for task, facts, side in ((a, facts_a, "a"), (b, facts_b, "b")):
        if task is None:
            continue
        for call, f in zip(task.calls, facts, strict=True):
            row = rows.get(f.name)
            if row is None:
                row = rows[f.name] = SummaryRow(f.name)
            if side == "a":
                row.count_a += 1
                row.errors_a += f.failed
                row.time_a += call.duration
            else:
                row.count_b += 1
                row.errors_b += f.failed
                row.time_b += call.duration
    changed = [r for r in rows.values() if r.differs]
    changed.sort(
        key=lambda r: (
            -(abs(r.count_a - r.count_b) + abs(r.errors_a - r.errors_b)),
            -abs(r.time_a - r.time_b),
            r.name,
        )
    )
    return changed
