"""Typed records the tracer emits; the only vocabulary shared with consumers.

Records hold raw values (numbers and captured bytes), never text: rendering is
done later, lazily, by `tracer.syscalls.render` and `tracer.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Frame:
    """One user-space stack frame, resolved as far as symbols allow."""

    pc: int
    module: str | None = None
    function: str | None = None
    offset: int = 0
    file: str | None = None
    line: int | None = None
    module_offset: int = 0  # pc as an offset into the module file (what strace -k prints)


# Fault injection marks, kept in the call's captured memory under INJECTED_KEY (so the
# store, the pipeline and session files carry them with no change): strace's
# `(INJECTED)` (error= or retval=), `(DELAYED)` (delay_enter=/delay_exit=) and
# `(INJECTED: args)` (poke_enter=/poke_exit= wrote into the call's memory).
INJECTED_KEY = "_injected"
INJECTED = 1
DELAYED = 2
POKED = 4


@dataclass(slots=True, eq=False)
class Syscall:
    """One system call, entry and exit merged.

    `ret` is None while the call is in progress and for calls that never
    return (exit_group, a successful execve seen from the old image).
    `mem` holds the memory captured at entry and exit by the syscall's
    capture functions (keys chosen by its decoder family). `fds` maps each
    fd mentioned in args or return value to what it referred to at the time
    (strace -y). `error` is the positive errno when the call failed.
    """

    seq: int
    pid: int
    tid: int
    nr: int
    args: tuple[int, ...]
    start: float
    end: float = 0.0
    ret: int | None = None
    error: int = 0
    mem: dict[Any, Any] | None = None
    fds: dict[int, str] | None = None
    stack: list[Frame] | None = None
    # True once the exit was seen (or the call is known never to return).
    done: bool = False
    # The call was interrupted by the process ending (no exit stop ever came).
    no_return: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start if self.done and self.end else 0.0

    @property
    def failed(self) -> bool:
        return self.error != 0

    @property
    def injected(self) -> int:
        """INJECTED and/or DELAYED when steering tampered with the call (0: it did not)."""
        mem = self.mem
        return mem.get(INJECTED_KEY, 0) if mem else 0


@dataclass(slots=True, eq=False)
class Unfinished:
    """`call` was still in progress when another event was emitted (strace's `<unfinished ...>`).

    `moved_to` is set when a thread's execve is cut by its exec event while its process's
    leader had no call to end: strace then prints `<pid changed to N ...>`."""

    call: Syscall
    moved_to: int = 0


@dataclass(slots=True, eq=False)
class Resumed:
    """The exit of a call earlier emitted as `Unfinished`; `call` is now complete.

    `tid` is set when the exit belongs to another task id than `call.tid`: a thread
    that exec'd returns from execve with its process's id (strace prints
    `<... execve resumed>` there), while the call stays the thread's.
    """

    call: Syscall
    tid: int = 0


@dataclass(slots=True, eq=False)
class ProcessStarted:
    """A new task appeared: a child process or a thread (`is_thread`)."""

    seq: int
    pid: int
    tid: int
    parent: int
    time: float
    is_thread: bool = False
    attached: bool = False
    comm: str = ""
    argv: list[str] | None = None


@dataclass(slots=True, eq=False)
class Exec:
    """A successful execve: `pid` now runs `filename`; `former_tid` is set when a non-leader thread exec'd."""

    seq: int
    pid: int
    tid: int
    time: float
    filename: str
    argv: list[str]
    envp: list[str] | None = None
    former_tid: int = 0


@dataclass(slots=True, eq=False)
class Exited:
    """A task ended: `code` for a normal exit, `signal` when killed (`core` if it dumped)."""

    seq: int
    pid: int
    tid: int
    time: float
    code: int | None = None
    signal: int | None = None
    core: bool = False
    is_thread: bool = False


@dataclass(slots=True, eq=False)
class SignalDelivered:
    """A signal about to be delivered to the task; `siginfo` is the raw 128-byte siginfo_t."""

    seq: int
    pid: int
    tid: int
    time: float
    signo: int
    siginfo: bytes = b""


@dataclass(slots=True, eq=False)
class Stopped:
    """Group-stop (`kill -STOP`) entered by a task, or leaving it (`resumed=True`)."""

    seq: int
    pid: int
    tid: int
    time: float
    signo: int
    resumed: bool = False


@dataclass(slots=True, eq=False)
class Detached:
    """The tracer let go of a task (exit with --detach, or an attached process at the end)."""

    seq: int
    pid: int
    tid: int
    time: float


@dataclass(slots=True, eq=False)
class TraceEnded:
    """Sent once, last: the worker has stopped. `error` holds a one-line reason if it failed."""

    time: float
    exit_status: int | None = 0  # None: not known (a recording cut short)
    error: str | None = None


@dataclass(slots=True, eq=False)
class BreakpointHit:
    """Task `tid` is held by a breakpoint (`breakpoint` is its id; 0: a step or a run to
    the exit the user asked for), at its call's entry or, with `at_exit`, its exit.

    Not a row: `CallAssembler` turns the held call into an in-progress row and keeps the
    hit for the app (`TraceSession.take_breakpoint_hits`)."""

    pid: int
    tid: int
    time: float
    breakpoint: int = 0
    at_exit: bool = False
    nr: int = -1


@dataclass(slots=True)
class SessionState:
    """Coarse state for status bars: RUNNING, PAUSED or EXITED."""

    state: str = "RUNNING"
    extra: dict[str, Any] = field(default_factory=dict)


Event = (
    Syscall
    | Unfinished
    | Resumed
    | ProcessStarted
    | Exec
    | Exited
    | SignalDelivered
    | Stopped
    | Detached
    | TraceEnded
)
