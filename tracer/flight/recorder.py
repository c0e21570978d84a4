"""FlightRecorder: a writer (write/flush/close, as the output writers) that keeps the ring
and writes it to a numbered session file when a trigger fires.

Headless it is the writer process's writer: events arrive there anyway, off the
ptrace thread. A dump is written by a forked child of that process (`fork` mode):
the fork is a copy-on-write snapshot of the ring taken at once, so the writer goes
on reading events (and the tracee on running) while SQLite is written. In the app
(`thread` mode) a thread writes a snapshot of the ring's references.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracer.events import Resumed, Syscall, Unfinished
from tracer.flight.ring import EventRing
from tracer.flight.spec import FlightSpec, Trigger
from tracer.flight.triggers import TriggerSet

MANUAL = "SIGUSR1"


@dataclass(slots=True)
class Dump:
    """One dump: what fired, and where it goes."""

    number: int
    path: str
    why: str  # the trigger's text, or SIGUSR1
    event_text: str  # the event that fired it, one line ("" for SIGUSR1)
    at: float  # wall time it fired
    suppressed: int  # triggers rate-limited since the previous dump
    after_left: int = 0  # events still to add after the trigger
    after: list[Any] | None = None  # events after the trigger
    events: int = 0  # written


class FlightRecorder:
    target = "the flight recorder"

    def __init__(
        self,
        spec: FlightSpec,
        ctx: Any,
        command: list[str] | None = None,
        *,
        mode: str = "fork",
        report: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spec = spec
        self.ctx = ctx
        self.command = command or []
        self.mode = mode
        self.report = report or _say
        self.clock = clock
        self.ring = EventRing(spec.events, spec.nbytes)
        self.triggers = TriggerSet(spec.triggers, getattr(ctx, "strsize", 32))
        self.pending: Dump | None = None
        self.fired = 0  # triggers that fired (dumped, joined a dump, or rate-limited)
        self.suppressed = 0  # rate-limited since the last dump
        self.suppressed_total = 0
        self.dumps: list[Dump] = []
        self.last_written: str | None = None  # path of the last dump written to the end
        self._last_dump_at: float | None = None
        self._manual = False  # SIGUSR1 asked for a dump (set from a signal handler)
        self._children: dict[int, Dump] = {}  # fork mode: dump writer pids
        self._threads: list[threading.Thread] = []
        self._done: list[Dump] = []  # thread mode: written, to report from the owner's thread
        self._lock = threading.Lock()

    # -- the writer interface ------------------------------------------------------------
    def write(self, events: list[Any]) -> None:
        pos = 0
        for idx, trig in self.triggers.find(events):
            if self.pending is not None:
                pos = self._take(events, pos, idx + 1)
                if pos > idx:  # inside a dump's --after window: that dump covers it
                    self.fired += 1
                    continue
            self._add(events[pos : idx + 1])
            pos = idx + 1
            self._fire(trig, events[idx])
        pos = self._take(events, pos, len(events))
        self._add(events[pos:])
        self.poll()

    def flush(self) -> None:
        self.poll()

    def close(self) -> None:
        if self.pending is not None:
            self._finish(self.pending)  # the trace ended within --after: what there is
        self.poll()
        for pid in list(self._children):
            self._reap(pid, 0)
        for t in self._threads:
            t.join()
        self._report_done()
        if self.fired or self.dumps:
            line = (
                f"flight recorder: {self.fired} trigger(s) fired, {len(self.dumps)} dump(s) written"
            )
            if self.suppressed_total:
                line += f", {self.suppressed_total} rate-limited"
            self.report(line)

    def request_dump(self, *_: Any) -> None:
        """Dump the ring now (SIGUSR1). Safe from a signal handler: it only sets a flag."""
        self._manual = True

    def poll(self) -> None:
        """Do a requested dump (thread mode; see `wait_readable` for fork mode); collect
        finished dump writers."""
        if self._manual and self.mode == "thread":
            self._manual = False
            if self.pending is not None:
                self._finish(self.pending)
            self._dump(MANUAL, "", rate_limited=False)
        for pid in list(self._children):
            self._reap(pid, os.WNOHANG)
        if self._threads:
            self._threads = [t for t in self._threads if t.is_alive()]
        self._report_done()

    def wait_readable(self, fd: int) -> None:
        """Headless writer process: block until `fd` has data, doing SIGUSR1 dumps meanwhile.

        A requested dump waits until the pipe is empty: tracetui sends what the tracer
        holds down the pipe before it forwards the signal, so the dump has it all."""
        import select
        import signal

        if not hasattr(self, "_wake"):
            self._wake = os.pipe()
            for end in self._wake:
                os.set_blocking(end, False)
            signal.set_wakeup_fd(self._wake[1])
            signal.signal(signal.SIGUSR1, self.request_dump)
        while True:
            ready, _, _ = select.select([fd, self._wake[0]], [], [], 0 if self._manual else 1.0)
            if self._wake[0] in ready:
                try:
                    os.read(self._wake[0], 512)
                except BlockingIOError:
                    pass
            if fd in ready:
                return
            if self._manual:
                self._manual = False
                if self.pending is not None:
                    self._finish(self.pending)
                self._dump(MANUAL, "", rate_limited=False)
            self.poll()

    # -- status -------------------------------------------------------------------------------
    def status_text(self) -> str:
        ring = self.ring
        if ring.max_bytes:
            fill = f"ring {ring.nbytes / (1 << 20):.1f}/{ring.max_bytes / (1 << 20):.0f} MB"
        else:
            fill = f"ring {len(ring):,}/{ring.max_events:,}"
        if self.fired:
            fill += f"  triggers {self.fired} ({len(self.dumps)} dumped)"
        return fill

    # -- inside -----------------------------------------------------------------------------
    def _add(self, events: list[Any]) -> None:
        if events:
            self.ring.add(events)

    def _take(self, events: list[Any], pos: int, end: int) -> int:
        """Give events[pos:end] to the dump waiting for its --after events; the new pos.

        They wait beside the ring (which does not move meanwhile, so the dump is the ring
        as it was at the trigger, then these) and join it when the dump is written."""
        d = self.pending
        if d is None or pos >= end:
            return pos
        k = min(d.after_left, end - pos)
        d.after.extend(events[pos : pos + k])
        d.after_left -= k
        if d.after_left == 0:
            self._finish(d)
        return pos + k

    def _fire(self, trig: Trigger, ev: Any) -> None:
        self.fired += 1
        self._dump(trig.text, _event_text(ev, self.ctx), rate_limited=True)

    def _dump(self, why: str, event_text: str, rate_limited: bool) -> None:
        now = self.clock()
        spec = self.spec
        if rate_limited:
            too_soon = self._last_dump_at is not None and now - self._last_dump_at < spec.interval
            too_many = spec.max_dumps and len(self.dumps) >= spec.max_dumps
            if too_soon or too_many:
                self.suppressed += 1
                self.suppressed_total += 1
                return
        self._last_dump_at = now
        number = len(self.dumps) + 1
        d = Dump(number, spec.dump_path(number), why, event_text, time.time(), self.suppressed)
        self.suppressed = 0
        self.dumps.append(d)
        d.after = []
        d.after_left = spec.after if why != MANUAL else 0
        held = len(self.ring)
        if why == MANUAL:
            self.report(f"SIGUSR1: writing the ring ({held:,} events) to {d.path}")
        else:
            at = f" at {event_text}" if event_text else ""
            more = f" ({d.suppressed} rate-limited since the last dump)" if d.suppressed else ""
            after = f" and up to {d.after_left:,} after it" if d.after_left else ""
            self.report(
                f"trigger {why} fired{at}{more}: writing {held:,} events{after} to {d.path}"
            )
        if d.after_left:
            self.pending = d
        else:
            self._finish(d)

    def _finish(self, d: Dump) -> None:
        """Write dump `d`: the ring (unchanged since the trigger), then its after events."""
        if self.pending is d:
            self.pending = None
        after, d.after = d.after or [], None
        d.events = len(self.ring) + len(after)
        if self.mode == "fork":
            self._fork_writer(d, after)
        else:
            from tracer.formats.session_file import event_blob

            blobs = self.ring.snapshot() + [event_blob(ev) for ev in after]
            t = threading.Thread(target=self._write_in_thread, args=(d, blobs), daemon=True)
            t.start()
            self._threads.append(t)
        self._add(after)

    def _meta(self, d: Dump) -> dict[str, str]:
        return {
            "flight_trigger": d.why,
            "flight_event": d.event_text,
            "flight_time": f"{d.at:.6f}",
            "flight_dump": str(d.number),
            "flight_ring": self.spec.ring_text,
            "flight_after": str(self.spec.after if d.why != MANUAL else 0),
            "flight_rate_limited": str(d.suppressed),
        }

    def _write(self, d: Dump, blobs: list[bytes]) -> None:
        from tracer.formats.session_file import SessionRecorder

        rec = SessionRecorder(d.path, self.ctx, self.command, self._meta(d))
        try:
            rec.write_blobs(blobs)
        finally:
            rec.close()

    def _fork_writer(self, d: Dump, after: list[Any]) -> None:
        import signal

        from tracer.formats.session_file import event_blob

        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.signal(signal.SIGUSR1, signal.SIG_IGN)
                signal.set_wakeup_fd(-1)
                self._write(d, self.ring.snapshot() + [event_blob(ev) for ev in after])
                status = 0
            except OSError as e:
                _say(f"cannot write {d.path}: {e.strerror or e}")
            except Exception as e:
                _say(f"cannot write {d.path}: {type(e).__name__}: {e}")
            finally:
                os._exit(status)
        self._children[pid] = d

    def _reap(self, pid: int, flags: int) -> None:
        try:
            got, status = os.waitpid(pid, flags)
        except ChildProcessError:
            got, status = pid, 1
        if got == 0:
            return
        d = self._children.pop(pid)
        if os.waitstatus_to_exitcode(status) == 0:
            self.last_written = d.path

    def _write_in_thread(self, d: Dump, blobs: list[bytes]) -> None:
        try:
            self._write(d, blobs)
        except Exception as e:
            self.report(f"cannot write {d.path}: {getattr(e, 'strerror', None) or e}")
            return
        with self._lock:
            self._done.append(d)

    def _report_done(self) -> None:
        if not self._done:
            return
        with self._lock:
            done, self._done = self._done, []
        for d in done:
            self.last_written = d.path


def _event_text(ev: Any, ctx: Any) -> str:
    """`pid 123 accept4(3, ...) = -1 EMFILE (Too many open files)`, cut to one short line."""
    from tracer.store.lines import render_event_line, render_syscall_line
    from tracer.syscalls.render import render

    t = type(ev)
    call = ev if t is Syscall else ev.call if t in (Resumed, Unfinished) else None
    try:
        if call is not None:
            text = render_syscall_line(render(call, ctx))
            pid = call.pid
        else:
            text = render_event_line(ev)
            pid = getattr(ev, "pid", 0)
    except Exception:  # a decoder bug must not lose the dump
        text, pid = type(ev).__name__, getattr(ev, "pid", 0)
    if len(text) > 120:
        text = text[:117] + "..."
    return f"pid {pid} {text}"


def _say(message: str) -> None:
    import sys

    if sys.stderr is None:
        return
    try:
        print(f"tracetui: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
