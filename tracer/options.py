"""Options for a trace session; one object passed down, never global flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class TraceOptions:
    """What to trace and how.

    `command` launches a program; `attach` lists pids to attach to (all their
    threads). `trace_syscalls` is the set of syscall numbers to report (None:
    all); with a launched program it is enforced by a seccomp-bpf filter so
    other calls never stop the tracee. `stack_syscalls`: syscall numbers whose
    stacks are captured (None with `stack_traces`: all).
    """

    command: list[str] = field(default_factory=list)
    attach: list[int] = field(default_factory=list)
    follow_forks: bool = True
    strsize: int = 32
    bufsize: int = 4096
    trace_syscalls: frozenset[int] | None = None
    seccomp: bool = True
    stack_traces: bool = False
    stack_syscalls: frozenset[int] | None = None
    resolve_fds: bool = True
    # strace -yy (--decode-fds=socket): socket endpoints looked up at each call.
    socket_details: bool = False
    detach_on_exit: bool = False  # --detach: launched programs are detached, not killed
    # Launched program's stdio: None inherits ours; an int is a pty/tty fd to use for 0, 1, 2.
    tty_fd: int | None = None
    env: dict[str, str] | None = None
    run_as: Any = None  # strace -u: a launcher.RunAs, the user the program runs as
    cwd: str | None = None
    # Signals ignored when tracetui started: the program inherits them ignored, as it
    # would without us (and as under strace), even though tracetui handles them itself.
    ignored_signals: tuple[int, ...] = ()
    queue_max: int = 200_000  # events buffered before the tracee is made to wait
    # Non-blocking waits tried before sleeping for the next stop (0: always sleep);
    # see tracer/engine/spin.py.
    spin_polls: int = 30
    # Keep the traced program's CPU from halting between stops while it stops back to
    # back (the C core's idle-class warm thread); see tracer/engine/spin.py.
    warm_cpu: bool = True
