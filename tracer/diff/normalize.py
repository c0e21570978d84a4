"""What a call *is*, with what differs between two runs of the same program taken out.

Two runs of one program never agree on pids, addresses, times, fd numbers, inode
numbers, temporary file names or ephemeral ports. The key of a call keeps what a
run decides (the syscall, the paths and endpoints it names, the flag names it
passes, the standard fds it writes to, success or the errno) and drops the rest:

- an exec's command line is compared apart, once the alignment has paired the execs;
- pids: a number in a path or a command line that is one of the trace's own pids
  becomes `PID` (`/proc/1234/status` -> `/proc/PID/status`);
- addresses, times, sizes and fd numbers above 2 are not part of the key at all
  (only paths, endpoints, argv and flag names are);
- inode numbers in fd names (`pipe:[123]`, `socket:[123]`) and pty numbers;
- temporary names: in /tmp, /var/tmp, /dev/shm and $TMPDIR every run of six or more
  letters and digits that looks random (`tmpa8k_2hqz`, `fooXk3q9Z`), and a
  mkstemp-like `.Xk3q9Z` suffix anywhere;
- ephemeral ports (32768 and up) in socket addresses and socket fd names.

Keys are computed from `render`'s arguments and the call's outcome, so a call read
from an strace log and the same call recorded by tracetui get the same key.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from tracer.events import Syscall
from tracer.store.lines import render_syscall_line
from tracer.syscalls.families import load_families
from tracer.syscalls.imported import leading_number
from tracer.syscalls.render import DECODERS, RenderContext, errno_name, render
from tracer.syscalls.table import get_table

# Calls whose number and outcome move with timing, scheduling or the allocator:
# aligned like any other, but never the first divergence and listed last.
NOISE = frozenset(
    {
        "futex",
        "sched_yield",
        "clock_gettime",
        "gettimeofday",
        "time",
        "nanosleep",
        "clock_nanosleep",
        "poll",
        "ppoll",
        "select",
        "pselect6",
        "epoll_wait",
        "epoll_pwait",
        "epoll_pwait2",
        "rt_sigreturn",
        "restart_syscall",
        "brk",
        "mmap",
        "munmap",
        "mremap",
        "mprotect",
        "madvise",
        "getrandom",
        "wait4",
        "waitid",
    }
)
EXECS = frozenset({"execve", "execveat"})
# A call a signal interrupted: where a signal lands is timing, not the program's choice.
INTERRUPTED = frozenset(
    {"EINTR", "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND", "ERESTART_RESTARTBLOCK"}
)

_NAMES = re.compile(r"[A-Z_][A-Z0-9_]*(?:\|[A-Z0-9_][A-Z0-9_|]*)*")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PROC_PID = re.compile(r"^/proc/\d+(?=/|$)")
_PTS = re.compile(r"^/dev/pts/\d+$")
_INODE = re.compile(r":\[\d+\]")
_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{3,}(?![0-9A-Za-z])")
_RUN = re.compile(r"[A-Za-z0-9_]{6,}")
_PY_TEMP = re.compile(r"tmp[a-z0-9_]{8}")
_SUFFIX = re.compile(r"\.([A-Za-z0-9]{6})$")
_HTONS = re.compile(r"htons\((\d+)\)")
_FD_PORT = re.compile(r":(\d{5})(?=[\]\-,>)])")
EPHEMERAL_FROM = 32768


def _temp_dirs() -> tuple[str, ...]:
    dirs = ["/tmp/", "/var/tmp/", "/dev/shm/"]
    tmpdir = os.environ.get("TMPDIR")
    if tmpdir and tmpdir.startswith("/"):
        dirs.append(tmpdir.rstrip("/") + "/")
    return tuple(dict.fromkeys(dirs))


TEMP_DIRS = _temp_dirs()


def looks_random(word: str) -> bool:
    """A name a program made up for this run (mkstemp's, Python's tempfile's)."""
    if _PY_TEMP.fullmatch(word):
        return True
    digits = any(c.isdigit() for c in word)
    letters = any(c.isalpha() for c in word)
    mixed = any(c.isupper() for c in word) and any(c.islower() for c in word)
    return (digits and letters) or mixed


def _random_run(m: re.Match) -> str:
    word = m.group()
    return "X" * 6 if looks_random(word) else word


class Normalizer:
    """The keys of one trace's calls (its own pids are what `PID` replaces)."""

    def __init__(self, pids: set[int]) -> None:
        self.pids = {str(p) for p in pids if p >= 100}
        self.ctx = RenderContext(strsize=32, show_fd_paths=False)
        self.shown_ctx = RenderContext(strsize=32, show_fd_paths=True)

    # -- text ------------------------------------------------------------------------
    def path(self, path: str) -> str:
        path = _PROC_PID.sub("/proc/PID", path)
        path = _PTS.sub("/dev/pts/N", path)
        path = _INODE.sub(":[INODE]", path)
        path = _FD_PORT.sub(_port, path)
        for d in TEMP_DIRS:
            if path.startswith(d):
                path = d + _RUN.sub(_random_run, path[len(d) :])
                break
        else:
            m = _SUFFIX.search(path)
            if m and looks_random(m.group(1)):
                path = path[: m.start()] + ".XXXXXX"
        if self.pids:
            path = _NUMBER.sub(self._pid, path)
        return path

    def text(self, text: str) -> str:
        """Argument text (argv, a socket address): each quoted string as a path, ports."""
        text = _QUOTED.sub(lambda m: '"' + self.path(m.group(1)) + '"', text)
        return _HTONS.sub(_htons, text)

    def _pid(self, m: re.Match) -> str:
        return "PID" if m.group() in self.pids else m.group()

    # -- calls -----------------------------------------------------------------------
    def facts(self, call: Syscall) -> CallFacts:
        rc = render(call, self.ctx)
        name = rc.name
        subject: list[str] = []
        shown: list[str] = []
        flags: list[str] = []
        paths: list[str] = []
        fds = call.fds or {}
        argv = ""
        fd_at = fd_positions(name)
        for i, a in enumerate(rc.args):
            text = a.text
            if a.kind == "path" and isinstance(a.value, str):
                if a.value:
                    p = self.path(a.value)
                    subject.append(p)
                    paths.append(p)
                    shown.append(text)
            elif text.startswith("{sa_family="):
                endpoint = self.text(text)
                subject.append(endpoint)
                paths.append(endpoint)
                shown.append(text)
            elif name in EXECS and i == 1 and text.startswith("["):
                argv = self.text(text)  # compared apart: an exec is the same exec with other args
            elif i in fd_at or a.kind == "fd":
                fd = leading_number(text)
                named = fds.get(fd) if fd is not None and fd >= 0 else None
                if named is not None:
                    paths.append(self.path(named))
                    if not shown:
                        shown.append(f"{fd}<{named}>")
                # Only where the syscall takes an fd (an strace log does not say which
                # numbers are fds): 0, 1 and 2 mean the same in every run.
                if i in fd_at and fd is not None and 0 <= fd <= 2:
                    flags.append(f"fd{fd}")
                    if named is None and not shown:
                        shown.append(str(fd))
            elif _NAMES.fullmatch(text):
                flags.append(text)
        if call.ret is None:
            outcome = "?"
        elif call.error:
            outcome = errno_name(call.error)
        else:
            outcome = "ok"
        return CallFacts(
            name,
            "\0".join(subject),
            ", ".join(shown),
            tuple(paths),
            "|".join(flags),
            outcome,
            name in NOISE or outcome in INTERRUPTED,
            argv,
        )

    def line(self, call: Syscall) -> str:
        """The call as strace prints it (with fd names where the trace has them)."""
        rc = render(call, self.shown_ctx)
        return render_syscall_line(rc, in_progress=call.ret is None and not call.done)


@cache
def fd_positions(name: str) -> frozenset[int]:
    """Argument positions the syscall's decoder renders as fds, learnt by rendering a
    probe call (one truth: the decoders; an imported call's kinds come from its text)."""
    load_families((name,))
    d = get_table().by_name.get(name)
    fn = DECODERS.get(name)
    if d is None or fn is None:
        return frozenset()
    probe = Syscall(0, 1, 1, d.nr, (5,) * 6, 0.0, 0.0, 0, 0, {}, done=True)
    try:
        args = fn(probe, RenderContext(show_fd_paths=False)).args
    except Exception:  # a decoder that needs captures the probe lacks
        return frozenset()
    return frozenset(i for i, a in enumerate(args) if a.kind == "fd")


def _port(m: re.Match) -> str:
    return ":EPHEMERAL" if int(m.group(1)) >= EPHEMERAL_FROM else m.group()


def _htons(m: re.Match) -> str:
    return "htons(EPHEMERAL)" if int(m.group(1)) >= EPHEMERAL_FROM else m.group()


@dataclass(slots=True, frozen=True)
class CallFacts:
    """A call reduced to what two runs can agree on."""

    name: str
    subject: str  # normalised paths, endpoints, argv ("" if none)
    shown: str  # the same as the trace has it, for people
    paths: tuple[str, ...]  # normalised paths and endpoints it names or acts on (fd names)
    flags: str  # flag names and standard fds
    outcome: str  # "ok", the errno's name, "?" (never returned)
    noise: bool
    argv: str = ""  # an exec's normalised command line

    @property
    def key(self) -> tuple:
        """What alignment compares."""
        return (self.name, self.subject, self.flags, self.outcome)

    @property
    def group(self) -> tuple:
        """What the report groups on (the outcome apart: it is compared across runs):
        the path or endpoint, else the file the fd refers to, else the flags."""
        return (self.name, self.subject or (self.paths[0] if self.paths else "") or self.flags)

    @property
    def failed(self) -> bool:
        return self.outcome not in ("ok", "?")


def outcome_text(outcome: str) -> str:
    if outcome == "ok":
        return "succeeds"
    if outcome == "?":
        return "never returns"
    return f"fails {outcome}"
