#!/usr/bin/env python3
"""The explorer's ingest cost per event: what the app's thread does with each event it drains.

For each workload of `overhead.py`, the program is traced in this process with
`TraceSession` and the explorer's options (fds resolved, 4096-byte captures),
and everything the session hands out is kept. Then those events are ingested
with the app's own code, `tui.feed.TraceFeed.ingest` (store append with its
search text, models update, view bookkeeping; before tui.feed existed,
`TraceApp.ingest` on a stand-in without widgets), in batches of `CHUNK`
(`--batch`), each followed by `gc.freeze()`, so that no collection is counted: the app
runs none inside a drain (tui/feed.py), and freezes only at 1M rows and each doubling. Nothing
starts an app. Each pass ingests a fresh copy of the events (pickled once).

Reported per stored event (a row of the store; "items drained" counts what the
session's drain() returned, where a batch of the C core would be one item):
  ingest        wall time of the whole loop, µs/event
  store.append  of which in `EventStore.append`
  search text   composing the rows' search index: since the index is lazy, not part
                of the ingest but built afterwards (`store.text.ensure()`), timed
                in a separate pass (before: the share of the ingest it took)
  models        of which in `Models.update` (process tree, fd tables, errors)
  bytes         memory the store and models keep per event (tracemalloc, in a
                third pass; the events themselves are dropped, as in the app)

    python bench/ingest_bench.py             # full sizes
    python bench/ingest_bench.py --quick     # small sizes (a smoke run)
    python bench/ingest_bench.py --only find_tree --repeat 3 --batch 5000
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import overhead  # noqa: E402

from tracer.cli import build_parser, options_from_args  # noqa: E402
from tracer.session import TraceSession  # noqa: E402
from tracer.store import EventStore  # noqa: E402
from tui.models import Models  # noqa: E402
from tui.view import ViewFilter  # noqa: E402

try:  # the app's data road: tui.feed (no widgets); before it, TraceApp.ingest
    from tui.feed import CHUNK, TraceFeed  # noqa: E402
except ImportError:  # pragma: no cover - the app before tui.feed
    TraceFeed = None
    from tui.app import CHUNK, TraceApp  # noqa: E402  (the class only: no app is started)


class _ListStub:
    """Stands in for the syscall list widget: the app tells it which rows to redraw."""

    def rows_added(self, rows: object) -> None:
        pass


class _AppStandIn:
    """What `TraceApp.ingest` reads and writes, without widgets (the app before tui.feed)."""

    def __init__(self, store: EventStore, models: Models, view: ViewFilter) -> None:
        self.store, self.models, self.view = store, models, view
        self.syscall_list = _ListStub()
        self._unfinished: set[int] = set()
        self._rate_window: deque = deque()
        self._ended = False
        self._panes_dirty = False

    def ingest(self, events: list) -> None:
        try:
            TraceApp.ingest(self, events)  # type: ignore[arg-type]
        except AttributeError as e:
            if e.obj is not self and e.obj is not self.syscall_list:
                raise
            raise SystemExit(
                f"ingest_bench: TraceApp.ingest uses {e.name!r}; add it here"
            ) from None


@dataclass(slots=True)
class Timers:
    """Seconds spent in the wrapped calls."""

    spent: dict[str, float] = field(default_factory=dict)

    def wrap(self, name: str, fn: Callable) -> Callable:
        self.spent.setdefault(name, 0.0)
        clock = time.perf_counter

        def timed(*args, **kwargs):
            t = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[name] += clock() - t

        return timed


class AppIngest:
    """The app's own ingest into a fresh store and models (`TraceFeed.ingest`), timed in parts."""

    def __init__(self, strsize: int, timers: Timers | None = None) -> None:
        self.store = EventStore(strsize=strsize)
        self.models = Models(read_proc=False)  # the traced processes are gone by now
        if timers is not None:
            self.store.append = timers.wrap("store.append", self.store.append)
            self.models.update = timers.wrap("models", self.models.update)
        view = ViewFilter()
        if TraceFeed is not None:
            self._ingest = TraceFeed(None, self.store, self.models, view).ingest
        else:
            self._ingest = _AppStandIn(self.store, self.models, view).ingest

    def run(self, items: list, batch: int) -> float:
        """Ingest `items` in batches, `gc.freeze()` after each as the app's poll does; seconds."""
        ingest = self._ingest
        gc.unfreeze()
        gc.collect()
        t0 = time.perf_counter()
        for i in range(0, len(items), batch):
            ingest(items[i : i + batch])
            gc.freeze()
        elapsed = time.perf_counter() - t0
        gc.unfreeze()
        return elapsed


def ingest_name() -> str:
    return "tui.feed.TraceFeed.ingest" if TraceFeed is not None else "tui.app.TraceApp.ingest"


def trace(argv: list[str]) -> list:
    """Everything a session hands out while tracing `argv` with the explorer's options."""
    opts = options_from_args(build_parser().parse_args(argv))
    null = os.open(os.devnull, os.O_RDWR)
    opts.tty_fd = null  # the program's terminal: its output is not what is measured
    session = TraceSession(opts)
    try:
        session.start()
    finally:
        os.close(null)
    items: list = []
    while True:
        got = session.drain(CHUNK)
        if got:
            items.extend(got)
        elif session.finished:
            break
        else:
            time.sleep(0.002)
    session.wait(10)
    return items


def search_text_seconds(blob: bytes, strsize: int, batch: int) -> float | None:
    """Seconds the store spends composing rows' search text.

    Built lazily (tracer/store/search_text.py): not part of the ingest, timed here
    as the whole index built after it. Where the store still composes the text on
    append (before the lazy index), the time inside the ingest.
    """
    app = AppIngest(strsize)
    text = app.store.text
    if hasattr(text, "build_some"):
        app.run(pickle.loads(blob), batch)
        t0 = time.perf_counter()
        text.ensure()
        return time.perf_counter() - t0
    row_text = getattr(app.store, "_row_text", None)
    if row_text is None:
        return None
    timers = Timers()
    row_text.syscall = timers.wrap("search text", row_text.syscall)
    app.run(pickle.loads(blob), batch)
    return timers.spent["search text"]


def retained_bytes(blob: bytes, strsize: int, batch: int) -> int:
    """Bytes the store and models keep once the ingested events are dropped."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        items = pickle.loads(blob)
        app = AppIngest(strsize)
        app.run(items, batch)
        del items
        app.store.text.ensure()  # the index, once the app has built it
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    del app
    return kept


@dataclass(slots=True)
class Result:
    name: str
    items: int
    rows: int
    ingest: float  # seconds, median over repeats
    append: float
    models: float
    search: float | None
    kept: int


def measure(name: str, argv: list[str], repeat: int, batch: int) -> Result:
    strsize = options_from_args(build_parser().parse_args(argv)).strsize
    items = trace(argv)
    drained = len(items)
    try:
        blob = pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        raise SystemExit(
            f"ingest_bench: the session's events cannot be copied (pickle): {e}"
        ) from None
    del items
    runs = []
    for _ in range(repeat):
        items = pickle.loads(blob)  # fresh objects each time, as the app gets them
        timers = Timers()
        app = AppIngest(strsize, timers)
        elapsed = app.run(items, batch)
        runs.append((elapsed, timers.spent["store.append"], timers.spent["models"]))
        rows = len(app.store)
        del app, items
    best = sorted(runs)[len(runs) // 2]  # the median run, parts from the same run
    return Result(
        name,
        drained,
        rows,
        best[0],
        best[1],
        best[2],
        search_text_seconds(blob, strsize, batch),
        retained_bytes(blob, strsize, batch),
    )


def table(results: list[Result]) -> str:
    rows = [
        "| workload | items drained | store rows | ingest (µs/event) | store.append | "
        "search text | models | kept (bytes/event) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per = 1e6 / r.rows
        search = "–" if r.search is None else f"{r.search * per:.2f}"
        rows.append(
            f"| {r.name} | {r.items:,} | {r.rows:,} | {r.ingest * per:.2f} | {r.append * per:.2f} "
            f"| {search} | {r.models * per:.2f} | {r.kept / r.rows:.0f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", help="comma-separated workload names")
    parser.add_argument("--repeat", type=int, default=3, help="timed ingests per workload")
    parser.add_argument(
        "--batch", type=int, default=CHUNK, help=f"events per ingest call (default {CHUNK})"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.batch < 1:
        print("ingest_bench: --repeat and --batch must be at least 1", file=sys.stderr)
        return 2
    exes = overhead.compile_workloads()
    with tempfile.TemporaryDirectory(prefix="ingest-tree.") as tmp:
        tree = Path(tmp)
        overhead.make_tree(tree, 10 if args.quick else 300, 100)
        # The filtered workload makes almost no events: nothing to ingest.
        work = [w for w in overhead.workloads(exes, tree, args.quick) if not w.filtered]
        if args.only:
            wanted = set(args.only.split(","))
            unknown = wanted - {w.name for w in work}
            if unknown:
                print(
                    f"ingest_bench: unknown workload(s): {', '.join(sorted(unknown))}",
                    file=sys.stderr,
                )
                return 2
            work = [w for w in work if w.name in wanted]
        results = []
        for w in work:
            results.append(measure(w.name, w.argv, args.repeat, args.batch))
            r = results[-1]
            print(
                f"{w.name}: {r.rows:,} rows, {r.ingest * 1e6 / r.rows:.2f} µs/event",
                file=sys.stderr,
            )
    print(overhead.machine())
    sizes = " (--quick sizes)" if args.quick else ""
    print(
        f"\nthe app's ingest ({ingest_name()}) of a real trace, in batches of {args.batch}, "
        f"median of {args.repeat}{sizes}; per stored event (row)\n"
    )
    print(table(results))
    total = [r.ingest / r.rows for r in results]
    if total:
        print(f"\nmedian over workloads: {statistics.median(total) * 1e6:.2f} µs/event")
    return 0


if __name__ == "__main__":
    sys.exit(main())
