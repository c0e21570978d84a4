"""Which process of run A is which process of run B: paired through the fork/exec tree.

Pids say nothing across runs. A task is known by where it sits in the tree and by
what it ran: the children of two paired tasks are aligned by their command lines
(the first exec, normalised: temporary names and pids taken out) in the order
they started; children left over between two aligned ones are paired in order
(the same child, given another argument), and what is still left is a process
that exists in one run only.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from tracer.diff.trace import Task

Label = Callable[[Task], tuple]


def task_label(task: Task, path: Callable[[str], str]) -> tuple:
    """What a task is across runs: a thread, a fork that never exec'd, or its first command."""
    if task.is_thread:
        return ("thread",)
    if task.execs:
        return ("exec", *(path(w) for w in task.execs[0]))
    return ("fork",)


def pair_lists(
    xs: list[Task], ys: list[Task], label_a: Label, label_b: Label
) -> list[tuple[Task | None, Task | None]]:
    """Pair two lists of sibling tasks by label and order."""
    la = [label_a(t) for t in xs]
    lb = [label_b(t) for t in ys]
    out: list[tuple[Task | None, Task | None]] = []
    ops = SequenceMatcher(None, la, lb, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            out.extend(zip(xs[i1:i2], ys[j1:j2], strict=True))
            continue
        n = min(i2 - i1, j2 - j1)
        out.extend(zip(xs[i1 : i1 + n], ys[j1 : j1 + n], strict=True))
        out.extend((x, None) for x in xs[i1 + n : i2])
        out.extend((None, y) for y in ys[j1 + n : j2])
    return out


def pair_tree(
    roots_a: list[Task], roots_b: list[Task], label_a: Label, label_b: Label
) -> list[tuple[Task | None, Task | None, int]]:
    """Every pair, parents before children (tree order), with its depth. A task without
    a partner is one entry: its descendants go with it."""
    out: list[tuple[Task | None, Task | None, int]] = []

    def walk(xs: list[Task], ys: list[Task], depth: int) -> None:
        for x, y in pair_lists(xs, ys, label_a, label_b):
            out.append((x, y, depth))
            if x is not None and y is not None:
                walk(x.children, y.children, depth + 1)

    walk(roots_a, roots_b, 0)
    return out


def descendants(task: Task) -> int:
    return sum(1 + descendants(c) for c in task.children)
