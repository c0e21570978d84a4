"""UI benchmark with 1,000,000 events: time to first paint, ingest time, refilter latency per keystroke.

    python bench/ui_bench.py [--events N]

Runs the real TraceApp headless on a ReplaySession of synthetic events (a
repeating mix of openat/read/write/close/failed calls across 4 processes).
Targets: first paint well under a second; refilter <= 100 ms per keystroke
(the UI never blocks: filtering runs in a worker; this measures how long the
user waits for the result).
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracer.events import ProcessStarted, Syscall  # noqa: E402
from tui.app import TraceApp  # noqa: E402
from tui.replay import T0, ReplaySession  # noqa: E402

AT_FDCWD = (-100) & 0xFFFFFFFFFFFFFFFF


def synthetic_events(n: int) -> list:
    pids = [1000, 1001, 1002, 1003]
    events: list = [
        ProcessStarted(i, p, p, 1 if i == 0 else 1000, T0, argv=["bench"])
        for i, p in enumerate(pids)
    ]
    paths = [f"/usr/lib/python3/module{i}.py".encode() for i in range(50)]
    for i in range(n - len(events)):
        pid = pids[i % 4]
        t = T0 + i * 1e-5
        k = i % 8
        if k == 0:
            ev = Syscall(
                i,
                pid,
                pid,
                257,
                (AT_FDCWD, 0x1000, 0o2000000, 0),
                t,
                t + 1e-6,
                3,
                0,
                mem={1: paths[i % 50]},
                fds={3: paths[i % 50].decode()},
                done=True,
            )
        elif k == 1:
            ev = Syscall(
                i,
                pid,
                pid,
                257,
                (AT_FDCWD, 0x1000, 0o2000000, 0),
                t,
                t + 1e-6,
                -1,
                errno.ENOENT,
                mem={1: b"/etc/missing.conf"},
                done=True,
            )
        elif k in (2, 3):
            ev = Syscall(
                i,
                pid,
                pid,
                0,
                (3, 0x2000, 4096),
                t,
                t + 1e-6,
                12,
                0,
                mem={1: b"hello world\n"},
                fds={3: "/etc/hosts"},
                done=True,
            )
        elif k in (4, 5):
            ev = Syscall(
                i,
                pid,
                pid,
                1,
                (1, 0x3000, 6),
                t,
                t + 1e-6,
                6,
                0,
                mem={1: b"tick!\n"},
                fds={1: "/dev/pts/1"},
                done=True,
            )
        elif k == 6:
            ev = Syscall(i, pid, pid, 3, (3,), t, t + 1e-6, 0, 0, fds={3: "/etc/hosts"}, done=True)
        else:
            ev = Syscall(i, pid, pid, 39, (), t, t + 1e-6, pid, 0, done=True)
        events.append(ev)
    return events


STALL = [0.0]  # longest gap between two turns of the app's event loop in the last wait
PROBE_S = 0.01  # how often the stall probe asks for a turn of the loop


async def wait_for(pilot, cond, timeout: float = 600.0) -> float:
    """Wait until `cond()`, checking on every turn of a probe that sleeps PROBE_S.

    The probe also measures the longest stall of the app's event loop. It wakes
    100 times a second, not more: each wake-up takes the GIL from the filter
    thread, and a faster probe would slow the very filtering it measures.
    """
    start = time.perf_counter()
    STALL[0] = 0.0
    while not cond():
        now = time.perf_counter()
        if now - start > timeout:
            raise TimeoutError
        await asyncio.sleep(PROBE_S)
        turn = time.perf_counter()
        STALL[0] = max(STALL[0], turn - now - PROBE_S)
    return time.perf_counter() - start


class BenchApp(TraceApp):
    """The real app; it also notes when a filter result has been shown."""

    first_shown = 0.0  # when the last filter's first result (partial or whole) was taken
    result_shown = 0.0  # ... and its whole result

    def on_filter_result(self, result) -> None:
        # Textual calls TraceApp's handler too, after this one.
        if result.generation == self.view.generation:
            now = time.perf_counter()
            self.first_shown = self.first_shown or now
            if not result.partial:
                self.result_shown = now


OUT: list[str] = []


def report(line: str) -> None:
    OUT.append(line)
    print(line, file=sys.stderr, flush=True)


async def measure(n: int) -> None:
    t = time.perf_counter()
    events = synthetic_events(n)
    report(f"built {len(events):,} events in {time.perf_counter() - t:.1f} s")
    # The synthetic events stay referenced by the replay session; a real session drops them
    # once stored. Keep them out of the collector's way so GC pauses do not distort timings.
    gc.freeze()
    session = ReplaySession(events)
    app = BenchApp(session, None, "bench", read_proc=False)
    started = time.monotonic()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.first_paint_at is not None)
        report(f"time to first paint: {(app.first_paint_at - started) * 1000:.0f} ms")
        took = await wait_for(pilot, lambda: len(app.store) == len(events))
        report(
            f"ingested {len(app.store):,} events in {took + app.first_paint_at - started:.1f} s "
            f"(store + models, {app.poll_interval * 1000:.0f} ms ticks)"
        )
        # The search index is built lazily (tracer/store/search_text.py): between floods,
        # by the app. The keystrokes below are typed once it is, as a user typing a few
        # seconds after the trace would; a filter typed earlier builds what it needs.
        took = await wait_for(pilot, lambda: not app.store.text.pending)
        report(f"search index built by the app {took:.1f} s after the last event was stored")
        # Scrolling at 1M: render a page at the top, the middle and the end.
        lst = app.syscall_list
        for where in (0, len(events) // 2, len(events) - 1):
            t = time.perf_counter()
            lst.move_to(where)
            for y in range(lst.size.height):
                lst.render_line(y)
            report(f"render one page at row {where:>9,}: {(time.perf_counter() - t) * 1000:.1f} ms")

        # When the list painted lines: a keystroke is answered once the list has painted
        # after taking a result (the newest matches come first, the whole result after).
        paints: list[float] = []
        render_line = lst.render_line

        def timed_render_line(y: int):
            strip = render_line(y)
            paints.append(time.perf_counter())
            return strip

        lst.render_line = timed_render_line

        def painted_after(t: float) -> float:
            return next((p for p in paints if p >= t), 0.0) if t else 0.0

        async def type_filter(texts: list[str], label: str) -> None:
            report(f"refilter per keystroke ({label}): first answer / whole result")
            for text in texts:
                app.first_shown = app.result_shown = 0.0
                t = time.perf_counter()
                if not app.apply_filter_text(text):
                    report(f"  {text!r:>22}: invalid (inline message), list unchanged")
                    continue
                await wait_for(pilot, lambda: painted_after(app.result_shown) > 0)
                assert app.view.filter is not None and app.view.filter.text.endswith(text)
                first = (painted_after(app.first_shown) - t) * 1000
                whole = (painted_after(app.result_shown) - t) * 1000
                paints.clear()
                report(
                    f"  {text!r:>22}: {first:6.1f} / {whole:6.1f} ms  -> {lst.count:,} rows"
                    f" {'OK' if first <= 100 else 'SLOW'}"
                    f"  (UI loop stalled at most {STALL[0] * 1000:.0f} ms)"
                )
            app.apply_filter_text("")

        await type_filter(
            [
                "n",
                "na",
                "nam",
                "name",
                "name:",
                "name:o",
                "name:op",
                "name:ope",
                "name:open",
                "name:opena",
                "name:openat",
            ][5:],
            "structured: name:openat",
        )
        await type_filter(["e", "er", "err"], "errors: err")
        await type_filter(["pid:1001", "pid:1001 err"], "process + errors")
        await type_filter(
            ["h", "ho", "hos", "host", "hosts"],
            "plain words (first keystroke builds the text index)",
        )
        await type_filter(["hosts -pid:1000"], "word + negated pid")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    asyncio.run(measure(ap.parse_args().events))
    print("\n".join(OUT))


if __name__ == "__main__":
    main()
