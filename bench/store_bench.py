"""Store and filter at a million events: bytes per event, append rate, refilter latency per keystroke.

    python bench/store_bench.py [N]        (default 1,000,000)

Events are synthesised (a realistic mix: openat/read/write/close/mmap/fstat,
failures, calls in progress, signals, a few processes); the point is the data
structure, not decoding. Memory is measured with tracemalloc around the
store alone (the event objects handed to it are freed batch by batch, as in
the app), including the search text for plain words, which is built as rows
are appended. A typed query refines the previous result only when that
result is small (`prefer_refine`); otherwise it scans afresh, which is faster.
"""

from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracer.events import ProcessStarted, Resumed, SignalDelivered, Syscall, Unfinished  # noqa: E402
from tracer.filter import parse_filter, prefer_refine  # noqa: E402
from tracer.store import EventStore  # noqa: E402
from tracer.syscalls.table import get_table  # noqa: E402

PATHS = [f"/etc/{n}" for n in ("hostname", "passwd", "hosts", "resolv.conf", "nsswitch.conf")] + [
    f"/usr/lib/x86_64-linux-gnu/lib{n}.so.6" for n in ("c", "m", "z", "ssl", "crypto")
]
MISSING = [f"/opt/app/plugins/mod{i}.so" for i in range(50)]


def synthesise(n: int, seed: int = 1):
    """Yield batches of events (lists), about n rows in all."""
    rnd = random.Random(seed)
    t = get_table()
    nr = {name: t.number(name) for name in ("openat", "read", "write", "close", "mmap", "fstat")}
    pids = [100 + i for i in range(8)]
    seq = 0
    now = 1_700_000_000.0
    batch: list = []
    for pid in pids:
        batch.append(ProcessStarted(seq, pid, pid, 1, now, comm="app"))
        seq += 1
    rows = len(batch)
    open_fds: dict[int, list[int]] = {p: [] for p in pids}
    while rows < n:
        pid = rnd.choice(pids)
        now += 2e-6
        x = rnd.random()
        if x < 0.002:
            batch.append(SignalDelivered(seq, pid, pid, now, 17, b"\x11" + bytes(127)))
        elif x < 0.15:
            missing = rnd.random() < 0.3
            path = (rnd.choice(MISSING) if missing else rnd.choice(PATHS)).encode()
            fd = 3 + len(open_fds[pid]) % 50
            c = Syscall(
                seq, pid, pid, nr["openat"], (0xFFFFFF9C, 0x55550000, 0x80000, 0, 0, 0), now
            )
            c.end, c.done, c.mem = now + 3e-6, True, {1: path}
            if missing:
                c.ret, c.error = -1, 2
            else:
                c.ret, c.fds = fd, {fd: path.decode()}
                open_fds[pid].append(fd)
            batch.append(c)
        elif x < 0.55:
            fds = open_fds[pid] or [0]
            fd = rnd.choice(fds)
            name = "read" if x < 0.4 else "write"
            size = rnd.choice((0, 16, 64, 512))
            c = Syscall(seq, pid, pid, nr[name], (fd, 0x7FFD0000, 4096, 0, 0, 0), now)
            c.end, c.done, c.ret = now + rnd.random() * 2e-3, True, size
            c.mem = {1: rnd.randbytes(min(size, 32))}
            c.fds = {fd: "/etc/hostname" if fd > 2 else "/dev/pts/0"}
            if rnd.random() < 0.02:  # a blocking read, shown in progress first
                c2 = Syscall(seq, pid, pid, nr[name], c.args, now)
                batch.append(Unfinished(c2))
                c2.end, c2.done, c2.ret, c2.mem, c2.fds = c.end, True, c.ret, c.mem, c.fds
                batch.append(Resumed(c2))
            else:
                batch.append(c)
        elif x < 0.7:
            fds = open_fds[pid]
            fd = fds.pop() if fds else 99
            c = Syscall(seq, pid, pid, nr["close"], (fd, 0, 0, 0, 0, 0), now)
            c.end, c.done = now + 1e-6, True
            c.ret, c.error = (0, 0) if fd != 99 else (-1, 9)
            batch.append(c)
        elif x < 0.85:
            c = Syscall(seq, pid, pid, nr["mmap"], (0, 8192, 3, 34, 0xFFFFFFFF, 0), now)
            c.end, c.done, c.ret = now + 4e-6, True, 0x7F0000000000 + seq * 4096
            batch.append(c)
        else:
            c = Syscall(seq, pid, pid, nr["fstat"], (3, 0x7FFD1000, 0, 0, 0, 0), now)
            c.end, c.done, c.ret = now + 1e-6, True, 0
            c.mem = {1: bytes(144)}
            batch.append(c)
        seq += 1
        rows += 1
        if len(batch) >= 5000:
            yield batch
            batch = []
    if batch:
        yield batch


def keystrokes(store: EventStore, sequence: list[str]) -> list[tuple[str, float, int, bool]]:
    """Refilter as if typed; a query refining the previous one filters only its result."""
    out = []
    prev_filter = None
    prev_rows = None
    for text in sequence:
        f = parse_filter(text)
        t0 = time.perf_counter()
        refine = (
            prev_rows is not None
            and f.refines(prev_filter)
            and prefer_refine(len(prev_rows), len(store))
        )
        rows = f.match_rows(store, prev_rows if refine else None)
        dt = time.perf_counter() - t0
        out.append((text, dt, len(rows), refine))
        prev_filter, prev_rows = f, rows
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    store = EventStore()
    t0 = time.perf_counter()
    for batch in synthesise(n):
        store.append(batch)
    append_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.text.ensure()  # the search index is built lazily (the app: between floods)
    index_s = time.perf_counter() - t0
    del batch
    gc.collect()
    store_bytes = tracemalloc.get_traced_memory()[0] - base
    rows = len(store)
    print(
        f"rows: {rows:,}  append: {append_s:.2f} s (incl. synthesis)"
        f"  search index (lazy, built after): {index_s:.2f} s"
    )
    print(
        f"store incl. search text: {store_bytes / rows:.0f} bytes/event "
        f"({store_bytes / 1e6:.0f} MB)"
    )
    tracemalloc.stop()
    text_chars = sum(map(len, store.text.lines)) / rows
    print(f"  of which search text: {text_chars:.0f} chars/row (strings shared when equal)")

    typed = [
        "o",
        "op",
        "ope",
        "open",
        "opena",
        "openat",
        "name:openat",
        "err",
        "path:/etc",
        "fd:3",
        "dur>1ms",
        "class:file",
        "-name:mmap",
        "-path:/etc",
        "-fd:3",
        "hostname",
        "enoent",
        "-openat",
    ]
    seq = ["o", "op", "ope", "open", "opena", "openat", "openat h", "openat ho"]
    print("refilter per keystroke (typed as a sequence; * = refined from the previous result):")
    for text, dt, count, refine in keystrokes(store, seq):
        print(f"  {text!r:16} {dt * 1000:7.1f} ms  {count:>9,} rows {'*' if refine else ''}")
    print("each filter alone, from scratch:")
    worst = 0.0
    for text in typed:
        f = parse_filter(text)
        t0 = time.perf_counter()
        got = f.match_rows(store)
        dt = time.perf_counter() - t0
        worst = max(worst, dt)
        print(f"  {text!r:16} {dt * 1000:7.1f} ms  {len(got):>9,} rows")
    print(f"worst: {worst * 1000:.1f} ms")


if __name__ == "__main__":
    main()
