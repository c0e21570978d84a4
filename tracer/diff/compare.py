"""Two traces compared: processes paired, each pair's calls aligned, the differences ranked.

Each pair's calls are aligned on their normalised keys (`normalize.py`) with an
LCS-style matcher (difflib's, junk heuristics off: in a trace the common calls are
the signal). What the alignment leaves over on either side is grouped by
(syscall, path or endpoint) and outcome; a group whose calls succeed in one run and
fail in the other becomes one difference. The most telling come first:

0. a path or endpoint one run touched and the other never tried at all, and a call
   that succeeds in one run and fails in the other;
1. a process only one run has, a different exit, an exec only one run made, an
   outcome that changed between two errors;
2. calls about a path both runs touched, made more often or otherwise in one;
3. the other calls, by count;
4. noise (memory, timing and scheduling calls: `normalize.NOISE`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from tracer.diff.normalize import EXECS, CallFacts, Normalizer, outcome_text
from tracer.diff.pairing import descendants, pair_tree, task_label
from tracer.diff.summary import SummaryRow, summarise
from tracer.diff.trace import Task, Trace
from tracer.events import Syscall

ONLY_A = "only in A"
ONLY_B = "only in B"
OUTCOME = "outcome"
PROCESS_A = "process only in A"
PROCESS_B = "process only in B"
EXIT = "exit"
ARGV = "argv"
NOISE_TIER = 4


@dataclass(slots=True, eq=False)
class Difference:
    """One line of the report: a group of calls (or a process) that sets the runs apart."""

    kind: str
    pair: TaskPair
    name: str  # the syscall ("" for a process or an exit)
    shown: str  # its path, endpoint or command line, as the trace has it
    why: str
    tier: int
    position: int  # first occurrence in its task (the story's order)
    calls_a: list[Syscall] = field(default_factory=list)
    calls_b: list[Syscall] = field(default_factory=list)
    outcomes_a: dict[str, int] = field(default_factory=dict)  # outcome -> count
    outcomes_b: dict[str, int] = field(default_factory=dict)
    # Where to look in each trace: the call itself, or the call at the aligned spot.
    anchor_a: Syscall | None = None
    anchor_b: Syscall | None = None
    noise: bool = False

    @property
    def count(self) -> int:
        return len(self.calls_a) + len(self.calls_b)

    @property
    def sort_key(self) -> tuple:
        by_count = -self.count if self.tier >= 2 else 0
        return (self.tier, by_count, self.position)


@dataclass(slots=True, eq=False)
class TaskPair:
    a: Task | None
    b: Task | None
    depth: int
    facts_a: list[CallFacts] = field(default_factory=list)
    facts_b: list[CallFacts] = field(default_factory=list)
    opcodes: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    # The first (i, j) where the calls part, noise aside; None if they never do.
    divergence: tuple[int, int] | None = None
    differences: list[Difference] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)

    @property
    def command(self) -> str:
        task = self.a or self.b
        return task.title if task is not None else "?"

    @property
    def pids(self) -> str:
        a = str(self.a.tid) if self.a else "-"
        b = str(self.b.tid) if self.b else "-"
        return f"A {a}, B {b}"


@dataclass(slots=True, eq=False)
class DiffReport:
    a: Trace
    b: Trace
    norm_a: Normalizer
    norm_b: Normalizer
    pairs: list[TaskPair]  # tree order
    differences: list[Difference]  # all pairs', most telling first

    @property
    def identical(self) -> bool:
        """Nothing differs but noise (timing, scheduling, memory: tier 4)."""
        return all(d.tier >= NOISE_TIER for d in self.differences)


def diff_traces(a: Trace, b: Trace) -> DiffReport:
    norm_a, norm_b = Normalizer(a.pids()), Normalizer(b.pids())
    pairs = [
        TaskPair(x, y, depth)
        for x, y, depth in pair_tree(
            a.roots,
            b.roots,
            lambda t: task_label(t, norm_a.path),
            lambda t: task_label(t, norm_b.path),
        )
    ]
    facts_a = {id(t): [norm_a.facts(c) for c in t.calls] for t in a.tasks.values()}
    facts_b = {id(t): [norm_b.facts(c) for c in t.calls] for t in b.tasks.values()}
    paths_a = {p for fs in facts_a.values() for f in fs for p in f.paths}
    paths_b = {p for fs in facts_b.values() for f in fs for p in f.paths}
    everything: list[Difference] = []
    for pair in pairs:
        if pair.a is not None:
            pair.facts_a = facts_a[id(pair.a)]
        if pair.b is not None:
            pair.facts_b = facts_b[id(pair.b)]
        if pair.a is None or pair.b is None:
            pair.differences = [_lone_process(pair)]
        else:
            _compare(pair, paths_a, paths_b)
        pair.summary = summarise(pair.a, pair.facts_a, pair.b, pair.facts_b)
        everything.extend(pair.differences)
    everything.sort(key=lambda d: d.sort_key)
    return DiffReport(a, b, norm_a, norm_b, pairs, everything)


def _lone_process(pair: TaskPair) -> Difference:
    task = pair.a or pair.b
    assert task is not None
    side = "A" if pair.a is not None else "B"
    other = "B" if side == "A" else "A"
    under = descendants(task)
    what = "thread" if task.is_thread else "process"
    why = f"no such {what} in {other}" + (f" ({under} more under it)" if under else "")
    first = task.calls[0] if task.calls else None
    return Difference(
        PROCESS_A if side == "A" else PROCESS_B,
        pair,
        "",
        task.title,
        why,
        1,
        0,
        calls_a=list(task.calls) if side == "A" else [],
        calls_b=list(task.calls) if side == "B" else [],
        anchor_a=first if side == "A" else None,
        anchor_b=first if side == "B" else None,
    )


def align(ka: list, kb: list) -> list[tuple[str, int, int, int, int]]:
    """Opcodes (difflib's) aligning two key lists. The common head and tail are taken
    off first: two runs of one program share most of their calls, and difflib's cost
    grows with what is left."""
    n, m = len(ka), len(kb)
    head = 0
    while head < n and head < m and ka[head] == kb[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and ka[n - 1 - tail] == kb[m - 1 - tail]:
        tail += 1
    ops: list[tuple[str, int, int, int, int]] = []
    if head:
        ops.append(("equal", 0, head, 0, head))
    mid = SequenceMatcher(None, ka[head : n - tail], kb[head : m - tail], autojunk=False)
    for op, i1, i2, j1, j2 in mid.get_opcodes():
        ops.append((op, i1 + head, i2 + head, j1 + head, j2 + head))
    if tail:
        ops.append(("equal", n - tail, n, m - tail, m))
    return ops


def _last_exec(task: Task) -> int:
    """Index of the task's last successful exec among its calls (0: none)."""
    for i in range(len(task.calls) - 1, -1, -1):
        c = task.calls[i]
        if not c.error and c.ret is not None and _name(c) in EXECS:
            return i
    return 0


def _name(call: Syscall) -> str:
    from tracer.syscalls.table import get_table

    return get_table().name(call.nr)


def _program(argv: list[str]) -> str:
    return argv[0].rsplit("/", 1)[-1] if argv else ""


def _wrapper(pair: TaskPair) -> tuple[int, int, Difference | None]:
    """Where to start aligning: the same program reached through other execs (`env -u
    TERM python ...` against `python ...`, `sudo`, a shell) is compared from its own
    exec on, and what ran before it in one run only is one difference, not the
    wrapper's every call (its locale files would bury the program's own)."""
    a, b = pair.a, pair.b
    assert a is not None and b is not None
    if not a.execs or not b.execs or len(a.execs) == len(b.execs):
        return 0, 0, None
    if _program(a.execs[-1]) != _program(b.execs[-1]):
        return 0, 0, None
    la, lb = _last_exec(a), _last_exec(b)
    side_b = len(b.execs) > len(a.execs)
    task, start = (b, lb) if side_b else (a, la)
    wrappers = task.execs[:-1]
    shown = " ".join(" ".join(w) for w in wrappers) or task.title
    prefix = task.calls[:start]
    d = Difference(
        ONLY_B if side_b else ONLY_A,
        pair,
        "execve",
        shown,
        f"{'B' if side_b else 'A'} ran {', '.join(_program(w) for w in wrappers)} first "
        f"({len(prefix)} calls before it exec'd {_program(task.execs[-1])}); "
        "compared from there",
        1,
        0,
        calls_a=[] if side_b else prefix,
        calls_b=prefix if side_b else [],
        anchor_a=None if side_b else (prefix[0] if prefix else None),
        anchor_b=(prefix[0] if prefix else None) if side_b else None,
    )
    return la, lb, d


def _compare(pair: TaskPair, paths_a: set[str], paths_b: set[str]) -> None:
    a, b = pair.a, pair.b
    assert a is not None and b is not None
    fa, fb = pair.facts_a, pair.facts_b
    interned: dict[tuple, int] = {}
    ka = [interned.setdefault(f.key, len(interned)) for f in fa]
    kb = [interned.setdefault(f.key, len(interned)) for f in fb]
    la, lb, wrapper = _wrapper(pair)
    pair.opcodes = [
        (op, i1 + la, i2 + la, j1 + lb, j2 + lb) for op, i1, i2, j1, j2 in align(ka[la:], kb[lb:])
    ]
    # Calls left over, with the call at the aligned spot in the other run.
    only_a: dict[tuple, list[tuple[int, Syscall | None]]] = defaultdict(list)
    only_b: dict[tuple, list[tuple[int, Syscall | None]]] = defaultdict(list)
    found: list[Difference] = [wrapper] if wrapper is not None else []
    for op, i1, i2, j1, j2 in pair.opcodes:
        if op == "equal":
            found.extend(_other_argv(pair, i1, i2, j1))
            continue
        anchor_b = _at(b.calls, j1)
        anchor_a = _at(a.calls, i1)
        for i in range(i1, i2):
            only_a[fa[i].group].append((i, anchor_b))
        for j in range(j1, j2):
            only_b[fb[j].group].append((j, anchor_a))
        if pair.divergence is None and not all(f.noise for f in (*fa[i1:i2], *fb[j1:j2])):
            pair.divergence = (i1, j1)
    for group in only_a.keys() | only_b.keys():
        found.append(_difference(pair, group, only_a.get(group, []), only_b.get(group, [])))
    for d in found:
        if d.kind != ARGV and d is not wrapper:
            d.tier, d.why = _rank(d, paths_a, paths_b, fa, fb)
    if a.ending != b.ending:
        found.append(
            Difference(
                EXIT,
                pair,
                "",
                pair.command,
                f"{a.ending} in A, {b.ending} in B",
                1,
                len(a.calls),
                anchor_a=a.calls[-1] if a.calls else None,
                anchor_b=b.calls[-1] if b.calls else None,
            )
        )
    found.sort(key=lambda d: d.sort_key)
    pair.differences = found


def _other_argv(pair: TaskPair, i1: int, i2: int, j1: int) -> list[Difference]:
    """Execs the alignment paired (same program, same outcome) run with other arguments."""
    a, b = pair.a, pair.b
    assert a is not None and b is not None
    found = []
    for i in range(i1, i2):
        fa, fb = pair.facts_a[i], pair.facts_b[j1 + i - i1]
        if fa.argv != fb.argv:
            ca, cb = a.calls[i], b.calls[j1 + i - i1]
            found.append(
                Difference(
                    ARGV,
                    pair,
                    fa.name,
                    fa.shown,
                    "the same program with other arguments",
                    1,
                    i,
                    calls_a=[ca],
                    calls_b=[cb],
                    anchor_a=ca,
                    anchor_b=cb,
                )
            )
    return found


def _at(calls: list[Syscall], i: int) -> Syscall | None:
    if not calls:
        return None
    return calls[min(i, len(calls) - 1)]


def _difference(
    pair: TaskPair,
    group: tuple,
    in_a: list[tuple[int, Syscall | None]],
    in_b: list[tuple[int, Syscall | None]],
) -> Difference:
    a, b = pair.a, pair.b
    assert a is not None and b is not None
    fa, fb = pair.facts_a, pair.facts_b
    outcomes_a: dict[str, int] = defaultdict(int)
    outcomes_b: dict[str, int] = defaultdict(int)
    for i, _ in in_a:
        outcomes_a[fa[i].outcome] += 1
    for j, _ in in_b:
        outcomes_b[fb[j].outcome] += 1
    if in_a and in_b:  # left over in both runs: another outcome, other flags, another order
        kind = OUTCOME
    elif in_a:
        kind = ONLY_A
    else:
        kind = ONLY_B
    if in_a:
        first = fa[in_a[0][0]]
        position = in_a[0][0]
    else:
        first = fb[in_b[0][0]]
        position = in_b[0][0]
    d = Difference(
        kind,
        pair,
        first.name,
        first.shown,
        "",
        3,
        position,
        calls_a=[a.calls[i] for i, _ in in_a],
        calls_b=[b.calls[j] for j, _ in in_b],
        outcomes_a=dict(outcomes_a),
        outcomes_b=dict(outcomes_b),
        noise=first.noise,
    )
    d.anchor_a = d.calls_a[0] if d.calls_a else in_b[0][1]
    d.anchor_b = d.calls_b[0] if d.calls_b else in_a[0][1]
    return d


def _rank(
    d: Difference,
    paths_a: set[str],
    paths_b: set[str],
    fa: list[CallFacts],
    fb: list[CallFacts],
) -> tuple[int, str]:
    """(tier, why) of a group of calls."""
    if d.noise:  # a wait4 that raced its SIGCHLD is no story, whatever its outcome
        return 4, "timing, scheduling or memory: usually noise"
    if d.kind == OUTCOME:
        ok_a, ok_b = "ok" in d.outcomes_a, "ok" in d.outcomes_b
        fails_a = [o for o in d.outcomes_a if o not in ("ok", "?")]
        fails_b = [o for o in d.outcomes_b if o not in ("ok", "?")]
        if ok_a and fails_b and not ok_b:
            return 0, f"succeeds in A, {outcome_text(fails_b[0])} in B"
        if ok_b and fails_a and not ok_a:
            return 0, f"{outcome_text(fails_a[0])} in A, succeeds in B"
        if set(d.outcomes_a) != set(d.outcomes_b):
            return 1, "outcome differs"
        index = d.position
        tier = 2 if index < len(fa) and fa[index].paths else 3
        return tier, f"{len(d.calls_a)} in A, {len(d.calls_b)} in B: other flags or order"
    facts = fa if d.kind == ONLY_A else fb
    index = _index_of(d)
    paths = facts[index].paths if index is not None else ()
    other = "B" if d.kind == ONLY_A else "A"
    other_paths = paths_b if d.kind == ONLY_A else paths_a
    if paths and not any(p in other_paths for p in paths):
        return 0, f"never tried in {other}"
    if d.name in EXECS:
        return 1, f"no such exec in {other}"
    n = len(d.calls_a) + len(d.calls_b)
    times = "once" if n == 1 else f"{n} times"
    if paths:
        return 2, f"{times} more in {d.kind[-1]}; the path is used in {other} too"
    return 3, f"{times} more in {d.kind[-1]}"


def _index_of(d: Difference) -> int | None:
    """The index of the group's first call in its task."""
    if d.kind == ONLY_A and d.calls_a:
        return d.position
    if d.kind == ONLY_B and d.calls_b:
        return d.position
    return None
