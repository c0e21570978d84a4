"""Per-syscall-number decisions the worker makes at every stop, precomputed.

Built once per session from the options, the table and the decoders'
registrations, as dense lists indexed by syscall number, so the hot loop does
list lookups instead of name lookups.
"""

from __future__ import annotations

from collections.abc import Callable

from tracer.events import Syscall
from tracer.options import TraceOptions
from tracer.syscalls import capture
from tracer.syscalls.capture import CaptureLimits
from tracer.syscalls.classes import Class
from tracer.syscalls.families import load_families
from tracer.syscalls.table import get_table

# How a successful call changes the fd table (for the fd-name cache).
FD_RETURNS = 1  # the return value is a new fd
FD_CLOSE_ARG0 = 2  # closes args[0]
FD_DROP_ARG1 = 4  # args[1] now refers to something else (dup2/dup3)
FD_CLEAR = 8  # anything may have changed: forget the whole table
FD_IN_MEMORY = 16  # new fds come back through memory (pipe, socketpair, SCM_RIGHTS): mem["_fds"]

_EFFECTS_BY_NAME = {
    "close": FD_CLOSE_ARG0,
    "dup2": FD_DROP_ARG1 | FD_RETURNS,
    "dup3": FD_DROP_ARG1 | FD_RETURNS,
    "close_range": FD_CLEAR,
    "fcntl": FD_RETURNS,
    "unshare": FD_CLEAR,
    "execve": FD_CLEAR,
    "execveat": FD_CLEAR,
    # A renamed or removed file changes what an open fd's link says.
    "rename": FD_CLEAR,
    "renameat": FD_CLEAR,
    "renameat2": FD_CLEAR,
    "unlink": FD_CLEAR,
    "unlinkat": FD_CLEAR,
}

_F_DUPFD = 0
_F_DUPFD_CLOEXEC = 1030
# fcntl makes a new fd only for these commands: (argument, mask, values), as `Read.when`,
# so the C core's plan can carry the same test (core_plan.py).
FCNTL_NEW_FD = (1, 0xFFFFFFFF, (_F_DUPFD, _F_DUPFD_CLOEXEC))

SIZE = 1024

# The class flags as plain ints: IntFlag's `&` builds a flag member each time, and the
# plan tests three flags of a thousand calls at every start.
_RETURNS_FD = int(Class.RETURNS_FD)
_NEVER_RETURNS = int(Class.NEVER_RETURNS)
_MEMORY_MAPPING = int(Class.MEMORY_MAPPING)


def traced_names(traced: frozenset[int] | set[int] | None) -> list[str] | None:
    """The names of the traced calls whose registrations the plan reads (None: all).
    Untraced calls need none: neither loop captures, names or tracks anything for them."""
    if traced is None:
        return None
    table = get_table()
    return [d.name for nr in traced if nr < SIZE and (d := table.get(nr)) is not None]


class SyscallPlan:
    def __init__(self, options: TraceOptions) -> None:
        table = get_table()
        self.table = table
        load_families(traced_names(options.trace_syscalls))
        self.limits = CaptureLimits(
            strsize=options.strsize,
            bufsize=max(options.bufsize, 0),
            fd_paths=options.resolve_fds,
        )
        self.resolve_fds = options.resolve_fds
        self.traced_numbers = options.trace_syscalls
        traced = options.trace_syscalls
        self._traced = [traced is None or nr in traced for nr in range(SIZE)]
        stacks = options.stack_syscalls
        self._stack = [
            options.stack_traces and (stacks is None or nr in stacks) for nr in range(SIZE)
        ]
        self._entry = [None] * SIZE
        self._exit = [None] * SIZE
        self._error = [None] * SIZE
        self._fdpos: list[tuple[int, ...]] = [()] * SIZE
        self._effect = [0] * SIZE
        self._never = [False] * SIZE
        self._maps = [False] * SIZE
        self._fd_when: dict[int, Callable[[tuple[int, ...]], bool]] = {}
        self._python_only = [False] * SIZE  # stops Python must see (capture.PYTHON_ONLY)
        self.restart_nr = table.number("restart_syscall")
        # 32-bit (int $0x80) calls: nothing captured (other layouts), but their fd
        # effects and never-returning calls (exit) still count.
        self._compat_effect: dict[int, int] = {}
        self._compat_never: set[int] = set()
        for nr, d in table.by_nr.items():
            classes = int(d.classes)
            if nr >= SIZE:
                eff = _EFFECTS_BY_NAME.get(d.name, 0) & ~FD_RETURNS  # fcntl: by command
                if classes & _RETURNS_FD and not d.name.startswith("fcntl"):
                    eff |= FD_RETURNS
                if eff:
                    self._compat_effect[nr] = eff
                if classes & _NEVER_RETURNS:
                    self._compat_never.add(nr)
                continue
            self._entry[nr] = capture.ENTRY_CAPTURES.get(d.name)
            self._exit[nr] = capture.EXIT_CAPTURES.get(d.name)
            self._error[nr] = capture.ERROR_CAPTURES.get(d.name)
            self._python_only[nr] = d.name in capture.PYTHON_ONLY
            self._fdpos[nr] = capture.FD_ARGS.get(d.name, ())
            eff = _EFFECTS_BY_NAME.get(d.name, 0)
            if classes & _RETURNS_FD:
                eff |= FD_RETURNS
            fd_when = capture.RETURNS_FD_WHEN.get(d.name)
            if fd_when is not None:
                eff |= FD_RETURNS
                self._fd_when[nr] = fd_when
            if d.name in ("pipe", "pipe2", "socketpair", "recvmsg", "recvmmsg"):
                eff |= FD_IN_MEMORY
            self._effect[nr] = eff
            self._never[nr] = bool(classes & _NEVER_RETURNS)
            self._maps[nr] = bool(classes & _MEMORY_MAPPING)
        self._fcntl = table.number("fcntl")
        # Numbers an injection rule or a breakpoint may act on: their stops go to Python
        # (the C core's plan leaves them out; never on the Python loop's plain fast path).
        self._steered = [False] * SIZE
        self.steered_numbers: frozenset[int] | None = frozenset()

    def set_steered(self, numbers: frozenset[int] | None) -> None:
        """Calls with these numbers (None: all) are Python's, at entry and exit."""
        self.steered_numbers = numbers
        self._steered = [numbers is None or nr in numbers for nr in range(SIZE)]

    def is_steered(self, nr: int) -> bool:
        if nr < SIZE:
            return self._steered[nr]
        return self.steered_numbers is None or nr in self.steered_numbers

    def set_stacks(self, enabled: bool, numbers: frozenset[int] | None = None) -> None:
        """Capture stacks from now on for `numbers` (None: all), or not at all."""
        self._stack = [enabled and (numbers is None or nr in numbers) for nr in range(SIZE)]

    def plain_numbers(self) -> list[bool]:
        """True where a stop needs only the record: traced, no capture, no fds, no effect, no stack."""
        out = []
        for nr in range(SIZE):
            out.append(
                self._traced[nr]
                and self._entry[nr] is None
                and self._exit[nr] is None
                and not (self.resolve_fds and self._fdpos[nr])
                and not self._effect[nr]
                and not self._never[nr]
                and not self._stack[nr]
                and not self._maps[nr]
                and not self._steered[nr]
                and not self._python_only[nr]
            )
        return out

    def is_traced(self, nr: int) -> bool:
        return self._traced[nr] if nr < SIZE else self.traced_numbers is None

    def entry_capture(self, nr: int):
        return self._entry[nr] if nr < SIZE else None

    def exit_capture(self, nr: int):
        return self._exit[nr] if nr < SIZE else None

    def error_capture(self, nr: int):
        """The exit capture of a failed call (`Read.on_error` reads), or None."""
        return self._error[nr] if nr < SIZE else None

    def fd_positions(self, nr: int) -> tuple[int, ...]:
        return self._fdpos[nr] if nr < SIZE else ()

    def fd_effect(self, nr: int) -> int:
        return self._effect[nr] if nr < SIZE else self._compat_effect.get(nr, 0)

    def never_returns(self, nr: int) -> bool:
        return self._never[nr] if nr < SIZE else nr in self._compat_never

    def changes_maps(self, nr: int) -> bool:
        return self._maps[nr] if nr < SIZE else False

    def wants_stack(self, nr: int) -> bool:
        return self._stack[nr] if nr < SIZE else False

    def returns_fd(self, call: Syscall) -> bool:
        if call.nr == self._fcntl:
            return capture.when_holds(FCNTL_NEW_FD, call.args)
        test = self._fd_when.get(call.nr)
        return test is None or test(call.args)
