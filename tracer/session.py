"""TraceSession: launch or attach, then stream events; the one object consumers hold.

`start()` returns only once the worker has the tracees (or raises TraceError
with a one-line reason), so a UI can take over the terminal knowing the
session works. All ptrace work happens on the worker thread; the methods here
are safe to call from any thread.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from typing import Any

from tracer.engine.core_records import unpack_core_batch
from tracer.engine.launcher import LaunchError, resolve_program
from tracer.engine.stream import CallAssembler
from tracer.engine.worker import DOORBELL, Worker
from tracer.event_queue import EventQueue
from tracer.options import TraceOptions


class TraceError(Exception):
    """A session could not start; the message is one line for the user."""


def _install_doorbell() -> bool:
    """A no-op handler so a signal can interrupt the worker's waitpid (EINTR)."""
    if threading.current_thread() is not threading.main_thread():
        current = signal.getsignal(DOORBELL)
        return callable(current)
    if callable(signal.getsignal(DOORBELL)):
        return True
    signal.signal(DOORBELL, lambda *_: None)
    return True


class TraceSession:
    def __init__(self, options: TraceOptions, sink: Any = None, steering: Any = None) -> None:
        """`sink` replaces the event queue (headless output goes to a writer process);
        `steering` (tracer.steer.Steering): injection rules and breakpoints to start with."""
        if not options.command and not options.attach:
            raise TraceError("nothing to trace: give a program or -p PID")
        self.options = options
        self.queue = sink if sink is not None else EventQueue(options.queue_max)
        # Call parts from the worker become events here, on the consumer's thread.
        self._assembler = CallAssembler(unpack_core_batch)
        self._ready: deque[Any] = deque()
        self.worker: Worker | None = None
        self._thread: threading.Thread | None = None
        self.started_at = 0.0
        self._steering = steering

    @property
    def launched(self) -> bool:
        return bool(self.options.command)

    def start(self) -> None:
        path = None
        if self.options.command:
            try:
                # Found through our own PATH, as strace finds it: -E PATH=... is the
                # program's environment, not where tracetui looks.
                path = resolve_program(self.options.command[0])
            except LaunchError as e:
                raise TraceError(str(e)) from None
        doorbell = _install_doorbell()
        self.worker = Worker(self.options, self.queue, path, self._steering)
        self._thread = threading.Thread(
            target=self.worker.run, args=(doorbell,), name="tracetui-ptrace", daemon=True
        )
        self.started_at = time.time()
        self._thread.start()
        self.worker.started.wait()
        if self.worker.start_error:
            self._thread.join(5)
            raise TraceError(self.worker.start_error)

    # ---- consuming --------------------------------------------------------------------

    def drain(self, max_items: int | None = None) -> list[Any]:
        """Up to `max_items` events (all that wait with None), assembled from the worker's parts."""
        ready = self._ready
        while max_items is None or len(ready) < max_items:
            items = self.queue.drain(64 if max_items is not None else None)
            if not items:
                break
            ready.extend(self._assembler.feed(items))
        n = len(ready) if max_items is None else min(max_items, len(ready))
        pop = ready.popleft
        return [pop() for _ in range(n)]

    def record(self, tap: Any) -> None:
        """Also record everything drained (the explorer's -w): `tap` is a RecordingTap."""
        self.queue.tap = tap

    def flush_recording(self) -> None:
        tap = getattr(self.queue, "tap", None)
        if tap is not None:
            tap.flush()

    def close_recording(self) -> int | None:
        """After the trace: record what the consumer did not take, end the recording;
        the writer's exit status (None: not recording)."""
        tap = getattr(self.queue, "tap", None)
        if tap is None:
            return None
        self.queue.tap = None
        while True:  # what is left: the worker has ended, so this ends
            items = self.queue.drain(None)
            if not items:
                break
            tap.forward(items)
        return tap.close()

    @property
    def finished(self) -> bool:
        """The worker ended and every event has been drained."""
        return self.queue.closed and len(self.queue) == 0 and not self._ready

    @property
    def capture_loop(self) -> str:
        """Which loop runs the hot path: "c" (the compiled core) or "python"."""
        return "c" if self.worker is not None and self.worker.core is not None else "python"

    @property
    def warnings(self) -> list[str]:
        """One line for each -p pid that could not be attached while others were."""
        return list(self.worker.warnings) if self.worker else []

    @property
    def attached_threads(self) -> dict[int, int]:
        """Each -p pid attached, with the number of its threads seized."""
        return dict(self.worker.attached_threads) if self.worker else {}

    @property
    def detached_tids(self) -> list[int]:
        """The tasks of attached programs let go of so far (they run on untraced)."""
        return list(self.worker.detached_tids) if self.worker else []

    def take_notices(self) -> list[str]:
        """Lines for the user since the last call (a poke that could not be written)."""
        notices = self.worker.notices if self.worker else None
        out = []
        while notices:
            out.append(notices.popleft())
        return out

    @property
    def error(self) -> str | None:
        """Why tracing ended abnormally (None when it ended normally or still runs)."""
        return self.worker.error if self.worker else None

    @property
    def exit_status(self) -> int:
        return self.worker.exit_status if self.worker else 0

    @property
    def pids(self) -> list[int]:
        w = self.worker
        if w is None:
            return []
        return sorted({t.tgid for t in list(w.tasks.values())})

    def inflight(self) -> list[Any]:
        """Calls entered and not yet returned (a blocked read, accept...), for live display.

        Read on the consumer's thread, from the parts drained so far."""
        return self._assembler.inflight()

    # ---- control ------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return bool(self.worker and self.worker.paused)

    def pause(self) -> bool:
        return bool(self.worker and self.worker.request(self.worker.do_pause))

    def resume(self) -> bool:
        return bool(self.worker and self.worker.request(self.worker.do_resume))

    @property
    def stack_traces(self) -> bool:
        return self.options.stack_traces

    def set_stack_traces(self, enabled: bool, numbers: frozenset[int] | None = None) -> bool:
        """Capture the stack of every syscall traced from now on (or of `numbers` only)."""
        w = self.worker
        if w is None:
            self.options.stack_traces = enabled
            self.options.stack_syscalls = numbers
            return True
        return w.request(lambda: w.set_stack_traces(enabled, numbers))

    # ---- steering: fault injection and breakpoints (tracer/steer) -------------------------

    @property
    def steering(self) -> Any:
        """The session's `Steering` (rules and breakpoints): read it, change it with `steer`."""
        return self.worker.steering if self.worker is not None else self._steering

    def steer(self, change: Any) -> bool:
        """Apply `change(steering)` on the worker thread (it owns the counters and the plan)."""
        w = self.worker
        return bool(w and w.request(lambda: w.steer_change(change)))

    def take_breakpoint_hits(self) -> list[Any]:
        """Breakpoint hits drained so far (`BreakpointHit`), oldest first; each is taken once."""
        hits = self._assembler.hits
        out, hits[:] = list(hits), []
        return out

    def break_action(self, tid: int, action: str, error: int = 0) -> bool:
        """A held thread goes on: "continue", "step" (hold at its next syscall entry),
        "exit" (hold at this call's exit) or "fail" (with `error`, at entry)."""
        w = self.worker
        done: list[bool] = []
        if not w or not w.request(lambda: done.append(w.do_break_action(tid, action, error))):
            return False
        return bool(done and done[0])

    def held_tids(self) -> set[int]:
        """Threads a breakpoint or a delay holds stopped now."""
        w = self.worker
        if w is None:
            return set()
        return {tid for tid, st in list(w._steer_tasks.items()) if st.hold}

    def signal_launched(self, signo: int) -> None:
        """Pass a signal on to the launched program's first process (not to attached ones)."""
        w = self.worker
        if w is not None and w.main_pid and w.main_pid in w.tasks:
            try:
                os.kill(w.main_pid, signo)
            except OSError:
                pass

    def stop(self, timeout: float = 10.0) -> None:
        """End tracing: launched programs are killed (or detached with --detach), attached ones detached."""
        w = self.worker
        if w is None or self._thread is None:
            return
        if self._thread.is_alive():
            w.request(w.do_stop, timeout=timeout)
            self._thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end by itself; True if it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()
