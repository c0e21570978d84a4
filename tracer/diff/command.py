"""`tracetui diff A B` on the command line: which words mean a diff, and reading the two sides.

`diff` as the first word is the subcommand only when it is followed by `--`
(commands to trace) or by exactly two operands that are recordings (session
files, strace logs, -ff prefixes) or do not exist at all (then reading them says
so). Anything else runs a program named `diff`, as `tracetui -- diff a b` and
`tracetui ./diff` always do.

    tracetui diff A B [-o OUT]
    tracetui diff -- CMD1 ARGS -- CMD2 ARGS     (traced one after the other)
    tracetui diff A -- CMD                      (a recording against a new run)

Commands run headless (`--no-ui -w` into a temporary session file) with stdin
and stdout on /dev/null, one after the other, so their output never mixes with
the report.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from tracer.diff.compare import DiffReport, diff_traces
from tracer.diff.trace import Trace, gather


class DiffError(Exception):
    """One line for the user: a side that cannot be read or traced."""


@dataclass(slots=True)
class DiffSide:
    recording: str | None = None
    command: list[str] | None = None

    @property
    def label(self) -> str:
        return self.recording if self.recording is not None else " ".join(self.command or [])


@dataclass(slots=True)
class DiffRequest:
    sides: list[DiffSide]
    output: str | None = None
    no_ui: bool = False  # `--no-ui` given after `diff`
    notes: list[str] = field(default_factory=list)  # what reading the sides had to say


def diff_request(words: list[str], is_recording: Callable[[str], bool]) -> DiffRequest | None:
    """The diff `words` (the command argparse left) ask for; None when they name a
    program to trace. Raises DiffError for a diff that is malformed."""
    if not words or words[0] != "diff":
        return None
    rest = words[1:]
    output = None
    no_ui = False
    operands: list[str] = []
    i = 0
    while i < len(rest):
        w = rest[i]
        if w == "--":
            break
        if w in ("-o", "--output"):
            if i + 1 == len(rest):
                raise DiffError(f"diff: {w} needs a file")
            output = rest[i + 1]
            i += 2
            continue
        if w == "--no-ui":
            no_ui = True
        elif w.startswith("--output="):
            output = w.split("=", 1)[1]
        elif w.startswith("-o") and len(w) > 2:
            output = w[2:]
        elif w.startswith("-") and w != "-":
            return None  # an option of diff(1): the program
        else:
            operands.append(w)
        i += 1
    commands: list[list[str]] = []
    for w in rest[i:]:
        if w == "--":
            commands.append([])
        else:
            commands[-1].append(w)
    if not commands:
        if len(operands) != 2:
            return None
        if not all(is_recording(p) or not os.path.lexists(p) for p in operands):
            return None
    elif len(operands) + len(commands) != 2:
        raise DiffError(
            "diff compares two runs: give two recordings, or `-- CMD1 -- CMD2`, "
            "or a recording and `-- CMD`"
        )
    elif not all(commands):
        raise DiffError("diff: an empty command after `--`")
    sides = [DiffSide(recording=p) for p in operands]
    sides += [DiffSide(command=c) for c in commands]
    return DiffRequest(sides, output, no_ui)


def load_traces(request: DiffRequest) -> tuple[Trace, Trace]:
    """Both sides read (commands traced first, one after the other). Raises DiffError."""
    with tempfile.TemporaryDirectory(prefix="tracetui-diff-") as work:
        a, b = (
            _load(side, os.path.join(work, f"{n}.db"), request.notes)
            for n, side in zip("ab", request.sides, strict=True)
        )
    return a, b


def compute(request: DiffRequest) -> DiffReport:
    a, b = load_traces(request)
    return diff_traces(a, b)


def _load(side: DiffSide, scratch: str, notes: list[str]) -> Trace:
    from tracer.formats.recording import open_recording
    from tracer.formats.session_file import SessionFileError

    path = side.recording
    if side.command is not None:
        path = trace_command(side.command, scratch)
    assert path is not None
    try:
        recording = open_recording(path)
        trace = gather(recording.batches, side.label, recording.kind)
    except SessionFileError as e:
        raise DiffError(str(e)) from None
    if side.command is not None:
        trace.kind = "traced"
    report = recording.report()
    if report:
        notes.append(report)
    return trace


def trace_command(command: list[str], session_path: str) -> str:
    """Trace `command` headless into a session file; its one-line error as DiffError."""
    from tracer.engine.launcher import LaunchError, resolve_program

    try:
        resolve_program(command[0])
    except LaunchError as e:
        raise DiffError(str(e)) from None
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    argv = [sys.executable, "-m", "tracer.cli", "--no-ui", "-w", session_path, "--", *command]
    with tempfile.TemporaryFile("w+") as errors:
        status = subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors, env=env
        ).returncode
        errors.seek(0)
        said = [ln.strip() for ln in errors if ln.startswith("tracetui: ")]
    from tracer.formats.session_file import is_session_file

    if not is_session_file(session_path):
        why = said[-1][len("tracetui: ") :] if said else f"tracing ended with status {status}"
        raise DiffError(f"cannot trace {' '.join(command)}: {why}")
    return session_path


def run_text(request: DiffRequest, say: Callable[[str], None]) -> int:
    """`tracetui --no-ui diff ...`: the report on stdout (or -o OUT). Exit status as
    diff(1)'s: 0 no differences, 1 differences, 2 trouble."""
    from tracer.diff.report_text import render_text

    try:
        report = compute(request)
    except DiffError as e:
        say(str(e))
        return 2
    text = render_text(report)
    try:
        if request.output:
            with open(request.output, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BrokenPipeError:
        return 2
    except OSError as e:
        say(f"cannot write {request.output or 'the report'}: {e.strerror or e}")
        return 2
    for note in request.notes:
        say(note)
    return 0 if report.identical else 1
