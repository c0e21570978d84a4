"""A session that replays a fixed event sequence: deterministic UI tests and snapshots,
and (as `tui.recorded.RecordedSession`) a recording opened with `tracetui -r FILE`.

`ReplaySession` has the methods the app uses on a `TraceSession` (start, drain,
pause, resume, stop, paused, finished, exit_status, launched, pids, inflight,
stack_traces, set_stack_traces) but traces nothing. Behaviour tests use the real session; snapshots use this.
"""

from __future__ import annotations

import errno
import signal
from collections.abc import Iterable, Sequence

from tracer.events import (
    Event,
    Exec,
    Exited,
    Frame,
    ProcessStarted,
    SignalDelivered,
    Syscall,
    TraceEnded,
)

AT_FDCWD = (-100) & 0xFFFFFFFFFFFFFFFF
O_RDONLY_CLOEXEC = 0o2000000
O_RDWR_CLOEXEC = 0o2000002
T0 = 1_700_000_000.0  # fixed clock: snapshots must not depend on the day


class ReplaySession:
    """Hands out `events` in batches of `batch` per `drain()`; `finished` once all are out."""

    def __init__(
        self,
        events: Sequence[Event],
        *,
        batch: int | None = None,
        launched: bool = True,
        inflight: Sequence[Syscall] = (),
        keep_running: bool = False,
        pause_at: int | None = None,
    ) -> None:
        self._events = list(events)
        # Pause by itself once this many events are out: a test's keystroke then lands
        # mid-trace however slow the machine is.
        self._pause_at = pause_at
        self._pos = 0
        self._batch = batch
        self.launched = launched
        self.paused = False
        self.started = False
        self.stopped = False
        self.exit_status: int | None = None
        self.pids = sorted({e.pid for e in self._events if isinstance(e, ProcessStarted)})
        self.stack_traces = False
        self.inflight_calls = list(inflight)  # "entered, not returned": what inflight() reports
        self.keep_running = keep_running  # a program that has not ended when the events run out

    def inflight(self) -> list[Syscall]:
        return [c for c in self.inflight_calls if not c.done]

    def set_stack_traces(self, enabled: bool, numbers: frozenset[int] | None = None) -> bool:
        self.stack_traces = enabled
        return True

    def start(self) -> None:
        self.started = True

    def drain(self, max_items: int | None = None) -> list[Event]:
        if self.paused:
            return []
        n = len(self._events) - self._pos
        for limit in (max_items, self._batch):
            if limit is not None:
                n = min(n, limit)
        if self._pause_at is not None and self._pos < self._pause_at:
            n = min(n, self._pause_at - self._pos)
        out = self._events[self._pos : self._pos + n]
        self._pos += n
        if self._pos == self._pause_at:
            self._pause_at = None
            self.paused = True
        for ev in out:
            if isinstance(ev, TraceEnded):
                self.exit_status = ev.exit_status
        return out

    @property
    def finished(self) -> bool:
        return not self.keep_running and self._pos >= len(self._events)

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def stop(self) -> None:
        self.stopped = True


def _call(seq: int, pid: int, nr: int, args: Iterable[int], t: float, ret: int, **kw) -> Syscall:
    error = -ret if -4096 < ret < 0 else 0
    return Syscall(
        seq=seq,
        pid=pid,
        tid=kw.pop("tid", pid),
        nr=nr,
        args=tuple(a & 0xFFFFFFFFFFFFFFFF for a in args),
        start=T0 + t,
        end=T0 + t + kw.pop("dur", 0.000012),
        ret=-1 if error else ret,
        error=error,
        done=True,
        **kw,
    )


def demo_events() -> list[Event]:
    """A small, fixed story: a daemon probes missing config files, opens a device
    (ENOENT), forks a helper that writes and is killed by SIGTERM, then exits 1."""
    main, child = 4242, 4243
    path = 0x7FFD_0000_1000
    evs: list[Event] = []
    seq = iter(range(1, 10_000))

    def add(ev: Event) -> None:
        evs.append(ev)

    add(
        ProcessStarted(
            next(seq), main, main, 0, T0, comm="exampled", argv=["./exampled", "--foreground"]
        )
    )
    add(
        Exec(
            next(seq), main, main, T0 + 0.0001, "/usr/sbin/exampled", ["./exampled", "--foreground"]
        )
    )
    stack = [
        Frame(0x7F00_0001_2345, "/lib/x86_64-linux-gnu/libc.so.6", "__open64", 0x45),
        Frame(0x5555_0000_1234, "/usr/sbin/exampled", "load_config", 0x24, "exampled.c", 42),
        Frame(0x5555_0000_1400, "/usr/sbin/exampled", "main", 0x80, "exampled.c", 97),
    ]
    t = 0.001
    for i, name in enumerate(
        [
            b"/home/user/.config/exampled.conf",
            b"/etc/exampled/exampled.conf",
            b"/usr/local/etc/exampled.conf",
        ]
    ):
        add(
            _call(
                next(seq),
                main,
                257,
                [AT_FDCWD, path + i * 64, O_RDONLY_CLOEXEC, 0],
                t,
                -errno.ENOENT,
                mem={1: name},
                stack=stack,
            )
        )
        t += 0.0003
    add(
        _call(
            next(seq),
            main,
            257,
            [AT_FDCWD, path + 256, O_RDONLY_CLOEXEC, 0],
            t,
            3,
            mem={1: b"/etc/hostname"},
            fds={3: "/etc/hostname"},
            stack=stack,
        )
    )
    t += 0.0002
    add(
        _call(
            next(seq),
            main,
            0,
            [3, path + 512, 4096],
            t,
            9,
            mem={1: b"buildbox\n"},
            fds={3: "/etc/hostname"},
        )
    )
    t += 0.0002
    add(_call(next(seq), main, 3, [3], t, 0, fds={3: "/etc/hostname"}))
    t += 0.0002
    add(_call(next(seq), main, 56, [0x1200011, 0, 0, path + 900, 0], t, child))
    add(
        ProcessStarted(
            next(seq),
            child,
            child,
            main,
            T0 + t + 0.00001,
            comm="exampled",
            argv=["./exampled", "--foreground"],
        )
    )
    t += 0.0003
    for k in range(3):
        msg = f"helper tick {k}\n".encode()
        add(
            _call(
                next(seq),
                child,
                1,
                [1, path + 1024, len(msg)],
                t,
                len(msg),
                mem={1: msg},
                fds={1: "/dev/pts/3"},
            )
        )
        t += 0.0004
    add(
        _call(
            next(seq),
            main,
            257,
            [AT_FDCWD, path + 300, O_RDWR_CLOEXEC, 0],
            t,
            -errno.ENOENT,
            mem={1: b"/dev/vhost-net-example"},
            stack=stack,
        )
    )
    t += 0.0002
    add(_call(next(seq), main, 62, [child, signal.SIGTERM], t, 0))
    t += 0.0001
    add(SignalDelivered(next(seq), child, child, T0 + t, signal.SIGTERM))
    add(Exited(next(seq), child, child, T0 + t + 0.0001, signal=signal.SIGTERM))
    t += 0.0003
    add(SignalDelivered(next(seq), main, main, T0 + t, signal.SIGCHLD))
    msg = b"initialisation failed\n"
    t += 0.0002
    add(
        _call(
            next(seq),
            main,
            1,
            [2, path + 2048, len(msg)],
            t,
            len(msg),
            mem={1: msg},
            fds={2: "/dev/pts/3"},
        )
    )
    t += 0.0002
    add(_call(next(seq), main, 231, [1], t, 0))
    evs[-1].ret = None
    add(Exited(next(seq), main, main, T0 + t + 0.0001, code=1))
    add(TraceEnded(T0 + t + 0.0002, exit_status=1))
    return evs


def blocked_demo() -> tuple[list[Event], list[Syscall]]:
    """The demo story cut before the daemon exits, and a `read(0, ...)` it is blocked in."""
    events = demo_events()
    cut = next(i for i, e in enumerate(events) if isinstance(e, Syscall) and e.nr == 231)
    last = events[cut - 1]
    read = Syscall(
        0, last.pid, last.tid, 0, (0, 0x7FFD0000, 4096), last.end + 0.0003, fds={0: "/dev/pts/3"}
    )
    return events[:cut], [read]


def demo_output() -> bytes:
    """What the demo program 'printed' on its terminal (with colours)."""
    return (
        b"helper tick 0\r\nhelper tick 1\r\nhelper tick 2\r\n"
        b"\x1b[31minitialisation failed\x1b[0m\r\n"
    )


def replay_app(
    events: Sequence[Event] | None = None,
    *,
    output: bytes | None = None,
    batch: int | None = None,
    inflight: Sequence[Syscall] = (),
):
    """A TraceApp on a ReplaySession of `events` (default: the demo story), for tests and snapshots.

    `output` is written to a pty whose master the app reads, as the program's terminal.
    """
    import os

    from tui.app import TraceApp

    session = ReplaySession(
        demo_events() if events is None else events,
        batch=batch,
        inflight=inflight,
        keep_running=bool(inflight),
    )
    master = None
    if output is not None:
        master, slave = os.openpty()
        os.write(slave, output)
        os.close(slave)
    return TraceApp(session, master, "demo", read_proc=False)
