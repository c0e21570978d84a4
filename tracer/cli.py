"""The `tracetui` command: arguments, then the headless writer or the app.

Every failure a user can cause ends in one line on stderr and exit status 1,
never a traceback.
"""

from __future__ import annotations

# Only what the interpreter has loaded already: the rest is imported inside `main`,
# where a Ctrl-C during start-up ends tracetui quietly instead of with a traceback.
import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.options import TraceOptions
    from tracer.session import TraceSession

USAGE = (
    "tracetui [options] PROG [ARGS...]  |  tracetui [options] -p PID [-p PID...]  |  "
    "tracetui [--no-ui] diff A B (or diff -- CMD1 -- CMD2)"
)


# strace's bound for -s (larger values are refused as invalid); also for --capture-size.
MAX_STRSIZE = (1 << 30) - 1


class UsageError(Exception):
    pass


def say(message: str) -> None:
    """One line for the user on stderr; nothing if stderr is closed (`2>&-`)."""
    if sys.stderr is None:
        return
    try:
        print(f"tracetui: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def version_line() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from tracer.engine.core import loop_name

    try:
        v = version("tracetui")
    except PackageNotFoundError:
        v = "(not installed)"
    return f"tracetui {v}, capture loop: {loop_name()}"


def build_parser() -> argparse.ArgumentParser:
    from tracer.flight.options import add_flight_options
    from tracer.strace_options import add_strace_options

    p = _Parser(
        prog="tracetui",
        usage=USAGE,
        description="Interactive system call tracer: every syscall of a program and its children, live.",
    )
    p.add_argument(
        "-p",
        "--attach",
        type=int,
        action="append",
        default=[],
        metavar="PID",
        help="attach to a running process and all its threads (repeatable)",
    )
    p.add_argument(
        "--no-ui", action="store_true", help="headless: write the trace as text or JSON lines"
    )
    p.add_argument(
        "-V",
        "--version",
        action="store_true",
        help="print the version and which capture loop runs (the C core or Python), then exit",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="headless output file (default: stderr)")
    p.add_argument(
        "--format",
        choices=["text", "jsonl", "perfetto", "firefox"],
        default="text",
        help="headless output format: strace's text, JSON lines, a Chrome/Perfetto trace "
        "(JSON trace events) or a Firefox Profiler profile",
    )
    p.add_argument(
        "-w",
        "--write-session",
        dest="write",
        metavar="FILE",
        help="record the session to FILE (SQLite, docs/FORMAT.md); with --no-ui and no -o, only record",
    )
    p.add_argument(
        "--read-session",
        dest="read",
        metavar="FILE",
        help="read a recorded session instead of tracing (also `-r FILE` when FILE is one)",
    )
    p.add_argument(
        "-s",
        "--string-limit",
        type=int,
        default=32,
        metavar="STRSIZE",
        help="maximum string/buffer length shown (default 32)",
    )
    p.add_argument(
        "-y",
        dest="decode_fds_count",
        action="count",
        default=0,
        help="headless: show what each fd refers to (-yy: socket endpoints, devices too)",
    )
    p.add_argument(
        "-e",
        "--expr",
        action="append",
        default=[],
        metavar="EXPR",
        help="which syscalls to trace: trace=openat,connect | trace=%%file | trace=!read",
    )
    p.add_argument(
        "-f",
        dest="f_count",
        action="count",
        default=0,
        help="follow forks, threads and exec (the default); -ff -o PREFIX: a file per task",
    )
    p.add_argument(
        "--no-follow", dest="follow", action="store_false", help="trace only the first process"
    )
    p.add_argument(
        "-k", "--stack-traces", action="store_true", help="capture the stack of each traced syscall"
    )
    p.add_argument(
        "--stack-filter",
        metavar="FILTER",
        help="capture stacks only for these syscalls, e.g. 'name:connect,openat' (implies -k)",
    )
    p.add_argument(
        "--detach",
        action="store_true",
        help="when tracetui ends, detach launched programs instead of killing them",
    )
    p.add_argument(
        "--tty",
        choices=["pty", "inherit"],
        default="pty",
        help="app: run the program on its own pty (default) or on this terminal",
    )
    p.add_argument(
        "--no-seccomp", action="store_true", help="do not use a seccomp-bpf filter for -e trace="
    )
    p.add_argument(
        "--capture-size",
        type=int,
        default=4096,
        metavar="BYTES",
        help="bytes of each buffer kept for inspection in the app (default 4096)",
    )
    p.add_argument(
        "--max-events",
        type=int,
        default=None,
        metavar="N",
        help="app: keep at most N events in memory; past it the oldest are dropped, "
        "with a notice (default: a quarter of the available memory, at most 10 million; "
        "0: no bound)",
    )
    add_strace_options(p)
    from tracer.summary.options import add_summary_options

    add_summary_options(p)
    add_flight_options(p)
    from tracer.steer.cli_options import add_steer_options

    add_steer_options(p)  # --inject FILTER ACTION, --break FILTER (tracer/steer)
    p.add_argument("command", nargs=argparse.REMAINDER, help="program and its arguments")
    return p


def options_from_args(args: argparse.Namespace) -> TraceOptions:
    """TraceOptions from the arguments; strace's output options land in `args.strace`."""
    from tracer.engine.launcher import LaunchError, run_as_user
    from tracer.options import TraceOptions
    from tracer.strace_options import StraceOptionError, environment, settings_from_args
    from tracer.syscall_selection import parse_stack_filter

    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if args.read and (args.command or args.attach):
        raise UsageError("-r FILE (--read-session) reads a recorded session: give no program or -p")
    from tracer.flight.options import flight_from_args
    from tracer.flight.spec import FlightSpecError

    try:
        args.flight = flight_from_args(args)  # --ring/--trigger: -w FILE names the dumps
    except FlightSpecError as e:
        raise UsageError(str(e)) from None
    if not args.command and not args.attach and not args.read:
        raise UsageError("nothing to trace: give a program to run or -p PID")
    if not 0 <= args.string_limit <= MAX_STRSIZE:
        raise UsageError(f"invalid -s argument: '{args.string_limit}' (0 to {MAX_STRSIZE})")
    if args.max_events is not None and args.max_events < 0:
        raise UsageError(f"invalid --max-events argument: '{args.max_events}' (0 or more)")
    if not 0 <= args.capture_size <= MAX_STRSIZE:
        raise UsageError(
            f"invalid --capture-size argument: '{args.capture_size}' (0 to {MAX_STRSIZE})"
        )
    try:
        settings = settings_from_args(args)
        env = environment(args.env_changes) if args.env_changes else None
    except StraceOptionError as e:
        raise UsageError(str(e)) from None
    args.strace = settings
    from tracer.steer.cli_options import SteerSpecError, steering_from_args

    try:
        args.steering = steering_from_args(args, settings.inject)
    except SteerSpecError as e:
        raise UsageError(str(e)) from None
    if args.steering is not None and args.steering.breakpoints and args.no_ui:
        raise UsageError("--break holds a thread for the explorer to decide: not with --no-ui")
    args.summary_options = _summary_options(args)
    _capture_unabbreviated(settings.abbrev)
    text = settings.text
    if args.f_count >= 2 or args.separately:
        if not args.output:
            raise UsageError("-ff (--output-separately) needs -o PREFIX")
        if args.format in ("perfetto", "firefox"):
            raise UsageError(f"--format {args.format} writes one file for all tasks: not with -ff")
        text.per_process_prefix = args.output
    if args.output and args.output[:1] in ("|", "!"):
        if text.per_process_prefix:
            raise UsageError("-ff cannot write to a command (-o |COMMAND)")
        if not args.output[1:].strip():
            raise UsageError("-o |COMMAND needs a command")
    if args.D_count or args.daemonize:
        say(
            "-D: tracetui traces from a thread of its own and stays the program's parent; "
            "the option is accepted and changes nothing"
        )
    run_as = None
    if args.user:
        if not args.command:
            raise UsageError("-u is for a launched program, not -p")
        try:
            run_as = run_as_user(args.user)
        except LaunchError as e:
            raise UsageError(str(e)) from None
    traced = None if settings.trace is False else settings.trace
    stack_set = None
    stacks = args.stack_traces
    if args.stack_filter:
        stack_set = parse_stack_filter(args.stack_filter)
        stacks = True
    headless = args.no_ui
    bufsize = (args.string_limit + 1) if headless else max(args.capture_size, args.string_limit + 1)
    if text.dump_read or text.dump_write:
        bufsize = max(bufsize, DUMP_BUFSIZE)  # strace dumps the whole buffer, not -s of it
    # -P matches fds by what they refer to, so names are read even without -y.
    resolve = bool(text.decode_fds or text.paths) or not headless
    return TraceOptions(
        command=list(args.command),
        attach=list(dict.fromkeys(args.attach)),  # -p X -p X: once
        follow_forks=args.follow,
        strsize=args.string_limit,
        bufsize=bufsize,
        trace_syscalls=traced,
        seccomp=not args.no_seccomp,
        stack_traces=stacks,
        stack_syscalls=stack_set,
        resolve_fds=resolve,
        socket_details=headless and "socket" in text.decode_fds,
        detach_on_exit=args.detach,
        env=env,
        run_as=run_as,
    )


def _capture_unabbreviated(abbrev: frozenset[int] | None) -> None:
    """-v (or -e abbrev= leaving some calls out): what those calls print whole must be
    captured whole (set before tracing; the worker and the writer inherit it). `abbrev`
    holds the abbreviated calls; None: all of them."""
    from importlib import import_module

    from tracer.syscalls.table import get_table

    table = get_table()
    for names, family, setter in (
        (("getdents", "getdents64"), "tracer.syscalls.decoders.stat", "keep_dirent_entries"),
        (("sendmmsg", "recvmmsg"), "tracer.syscalls.decoders.mmsghdr", "show_whole_vectors"),
        (("execve", "execveat"), "tracer.syscalls.decoders.process", "read_environments"),
    ):
        nrs = {n for name in names for n in table.numbers_named(name)}
        whole = abbrev is not None and not nrs <= abbrev
        # A family imported later starts abbreviated: imported here only to change that.
        if whole or family in sys.modules:
            getattr(import_module(family), setter)(whole)


def _summary_options(args: argparse.Namespace):
    """-c/-C and their -S/-U/-O (tracer/summary), refused where strace refuses them
    and where a table cannot go (another --format, the flight recorder)."""
    from tracer.summary.options import summary_from_args
    from tracer.summary.table import SummaryOptionError

    try:
        summary = summary_from_args(args)
    except SummaryOptionError as e:
        raise UsageError(str(e)) from None
    if summary is None:
        return None
    if args.f_count >= 2 or args.separately:
        raise UsageError(
            "(-c/--summary-only or -C/--summary) and -ff/--output-separately are mutually exclusive"
        )
    if args.no_ui and args.format != "text":
        raise UsageError(f"-c/-C print strace's table: not with --format {args.format}")
    if getattr(args, "flight", None) is not None:
        raise UsageError("-c/-C: not with --ring/--trigger (the flight recorder)")
    return summary


# Bytes of each read/write buffer kept for -e read=/write= dumps.
DUMP_BUFSIZE = 1 << 20


def inherited_ignored_signals() -> tuple[int, ...]:
    """Signals ignored by whoever started us (read before we install our own handlers)."""
    return tuple(
        s
        for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM)
        if signal.getsignal(s) == signal.SIG_IGN
    )


Interactive = Callable[["TraceOptions", argparse.Namespace], int]


def main(argv: list[str] | None = None, interactive: Interactive | None = None) -> int:
    """Parse, then trace headless here or hand over to `interactive` (the app's launcher).

    The library never imports the UI: the `tracetui` command is `tui.launch:main`,
    which passes its launcher in. Without one, only `--no-ui` is available.
    """
    ignored = inherited_ignored_signals()
    try:
        return _main(argv, interactive, ignored)
    except KeyboardInterrupt:  # Ctrl-C before tracing started (during imports, say)
        return 128 + signal.SIGINT


def _main(argv: list[str] | None, interactive: Interactive | None, ignored: tuple[int, ...]) -> int:
    from tracer.syscall_selection import SelectionError

    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        from tracer.steer.cli_options import spell_strace_long

        parser = build_parser()
        from tracer.summary.options import spell_wall_clock

        argv = spell_wall_clock(parser, spell_strace_long(parser, argv))
        args = _session_read_option(parser, argv)
        if args.version:
            print(version_line())
            return 0
        diff = _diff_request(args)
        if diff is None:
            opts = options_from_args(args)
            opts.ignored_signals = ignored
    except (UsageError, SelectionError) as e:
        say(str(e))
        return 1
    if diff is not None:
        return _run_diff(diff, args, interactive)
    if opts.attach and not _drop_unattachable(opts):
        return 1
    if args.read and args.no_ui:
        return convert_session(opts, args)
    if args.no_ui:
        return run_headless(opts, args)
    if interactive is None:
        say(
            "the explorer is started with `tracetui` (or `python -m tui`); "
            "this entry point only runs --no-ui"
        )
        return 1
    return interactive(opts, args)


def _diff_request(args: argparse.Namespace):
    """`tracetui diff A B` (tracer/diff/command.py), or None: a program to trace."""
    if args.command[:1] != ["diff"]:
        return None
    from tracer.diff.command import DiffError, diff_request
    from tracer.formats.recording import is_recording

    try:
        return diff_request(args.command, is_recording)
    except DiffError as e:
        raise UsageError(str(e)) from None


def _run_diff(request, args: argparse.Namespace, interactive: Interactive | None) -> int:
    from tracer.diff.command import run_text

    request.output = request.output or args.output
    if args.no_ui or request.no_ui:
        return run_text(request, say)
    if interactive is None:
        say("the diff view is started with `tracetui diff` (or `python -m tui diff`)")
        return 1
    args.diff = request
    return interactive(None, args)


def _session_read_option(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse; `-r FILE` reads FILE when it is a session file or an strace log (or the
    PREFIX of strace -ff's PREFIX.PID logs), or a file that could not run anyway.
    Otherwise `-r` is strace's relative timestamps (a flag), so `tracetui -r ./prog`
    still means what it means in strace: argparse takes FILE for the program, and
    only then is it looked at."""
    args = parser.parse_args(argv)
    command = args.command
    if not args.r_flag or not command:
        return args
    from tracer.formats.recording import is_recording

    if not _reads(command[0], is_recording):
        return args
    at = len(argv) - len(command)  # where argparse found the "program"
    if at > 0 and argv[at - 1] == "-r" and argv[at] == command[0]:
        return parser.parse_args([*argv[: at - 1], "--read-session", *argv[at:]])
    return args


def _reads(path: str, is_recording: Callable[[str], bool]) -> bool:
    """`-r PATH` names something to read: a recording, or a plain file that is not a
    program (then reading it says what it is not, rather than failing to run it)."""
    if is_recording(path):
        return True
    import shutil

    runnable = os.access(path, os.X_OK) or ("/" not in path and shutil.which(path))
    return os.path.isfile(path) and not runnable


def _drop_unattachable(opts: TraceOptions) -> bool:
    """Warn about each -p PID that cannot be traced (gone, a zombie, a kernel thread,
    ourselves) and trace the others, as strace does; False if none is left."""
    from tracer.engine.attach_errors import unattachable

    keep = []
    for pid in opts.attach:
        why = unattachable(pid)
        if why is None:
            keep.append(pid)
        else:
            say(why)
    opts.attach = keep
    return bool(keep or opts.command)


class _Interrupted:
    def __init__(self) -> None:
        self.signal = 0
        self.count = 0

    def __call__(self, signo: int, _frame: object) -> None:
        self.signal = signo
        self.count += 1


def run_headless(opts: TraceOptions, args: argparse.Namespace) -> int:
    from tracer.engine.launcher import LaunchError, resolve_program
    from tracer.engine.syscall_plan import traced_names
    from tracer.formats.pipeline import (
        WRITER_CANNOT_WRITE,
        WRITER_READER_GONE,
        PipeSink,
        start_writer_process,
    )
    from tracer.session import TraceError, TraceSession
    from tracer.syscalls.families import load_families

    # The traced calls' families, once, before the fork: the writer renders them too.
    load_families(traced_names(opts.trace_syscalls))
    if opts.command:  # a program that cannot run is refused before any output is made
        try:
            resolve_program(opts.command[0])
        except LaunchError as e:
            say(str(e))
            return 1
    out_fd = -1
    text_opts = args.strace.text
    command = None
    if args.output and args.output[:1] in ("|", "!"):
        # strace's -o |COMMAND: the trace is the command's standard input.
        import subprocess

        try:
            command = subprocess.Popen(["/bin/sh", "-c", args.output[1:]], stdin=subprocess.PIPE)
        except OSError as e:
            say(f"cannot run the output command {args.output[1:]!r}: {e.strerror}")
            return 1
        out_fd = os.dup(command.stdin.fileno())
        command.stdin.close()
    elif args.output and not text_opts.per_process_prefix:
        # Opened once, here: a FIFO's reader then sees one writer from start to end (an
        # open-and-close as a check would give it end-of-file). Blocking on a FIFO with
        # no reader yet happens before anything is traced, with our default signals.
        try:
            mode = os.O_APPEND if text_opts.append else os.O_TRUNC
            out_fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | mode | os.O_CLOEXEC, 0o666)
        except OSError as e:
            say(f"cannot write {args.output}: {e.strerror}")
            return 1
    try:
        writer_pid, pipe_fd = start_writer_process(
            lambda: make_writer(opts, args, out_fd, release_streams=True)
        )
    finally:
        if out_fd >= 0:
            os.close(out_fd)  # the writer process holds it now
    sink = PipeSink(pipe_fd)
    session = TraceSession(opts, sink=sink, steering=getattr(args, "steering", None))
    interrupted = _Interrupted()
    # Signals ignored by whoever started us (nohup, a background job) stay ignored:
    # neither tracetui nor the program reacts to them.
    handled = [
        s for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if s not in opts.ignored_signals
    ]
    previous = {s: signal.signal(s, interrupted) for s in handled}
    dumps = None
    if getattr(args, "flight", None) is not None:  # SIGUSR1: the writer dumps its ring
        from tracer.flight.options import DumpRequests

        dumps = DumpRequests(sink, writer_pid)
        previous[signal.SIGUSR1] = signal.signal(signal.SIGUSR1, dumps)
    try:
        try:
            session.start()
        except TraceError as e:
            sink.close()
            os.waitpid(writer_pid, 0)
            if command is not None:
                command.wait()
            say(str(e))
            return 1
        release_standard_streams()  # the program holds its own copies now
        for warning in session.warnings:
            say(warning)
        if not text_opts.quiet_attach:  # as strace says it (the detach-* tests wait for it)
            for pid, threads in session.attached_threads.items():
                say(f"Process {pid} attached" + (f" with {threads} threads" if threads > 1 else ""))
        ending = EndPolicy(session, opts, writer_pid)
        flusher = _Flusher(sink)
        flusher.start()
        while not session.wait(0.05):
            if sink.broken:  # nobody reads our output any more (`| head`): end, as strace does
                ending.stop()
                break
            ending.check(interrupted)
            if dumps is not None:
                dumps.forward()
            for notice in session.take_notices():
                say(notice)
        flusher.stop()
        for notice in session.take_notices():
            say(notice)
        if not text_opts.quiet_attach:
            for tid in session.detached_tids:
                say(f"Process {tid} detached")
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    sink.close()
    _, wstatus = os.waitpid(writer_pid, 0)
    writer_status = os.waitstatus_to_exitcode(wstatus)
    if command is not None:
        command.wait()  # it has read the whole trace: the writer's end is closed
    if ending.writer_killed:
        say("the output stopped moving; the rest of the trace is lost")
        return 128 + (interrupted.signal or signal.SIGTERM)
    if sink.broken or writer_status == WRITER_READER_GONE:
        session.stop()
        return 128 + signal.SIGPIPE
    error = session.error
    if error:
        say(error)
        return 1
    if writer_status not in (0, WRITER_CANNOT_WRITE):
        return 1  # an internal error in the writer, already reported in one line
    # A lost output (full disk, closed stderr) was reported by the writer; the program
    # ran to its end regardless, and its status is ours, as under strace.
    if not opts.command:
        # Attached programs were detached and run on; a signal that ended the trace
        # ends tracetui as it ends `strace -p` (128+N), else 0.
        return 128 + interrupted.signal if interrupted.signal else 0
    return session.exit_status


def convert_session(opts: TraceOptions, args: argparse.Namespace) -> int:
    """`--no-ui -r FILE [-o OUT]`: a recorded session written as text or JSON lines, the
    same text `-o` wrote while it was recorded (given the same output options); or an
    strace log imported and written the same way, then one line on what it held."""
    from tracer.formats.recording import open_recording
    from tracer.formats.session_file import SessionFileError

    out_fd = -1
    if args.output:
        try:
            out_fd = os.open(
                args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666
            )
        except OSError as e:
            say(f"cannot write {args.output}: {e.strerror}")
            return 1
    try:
        recording = open_recording(args.read)
        batches = recording.batches
        writer = make_writer(opts, args, out_fd, record=False)
    except SessionFileError as e:
        say(str(e))
        return 1
    except OSError as e:
        say(f"cannot write the trace: {e.strerror or e}")
        return 1
    try:
        for batch in batches:
            writer.write(batch)
        writer.close()
    except SessionFileError as e:
        writer.close()
        say(str(e))
        return 1
    except BrokenPipeError:
        return 128 + signal.SIGPIPE
    except OSError as e:
        say(f"cannot write {getattr(writer, 'target', 'the output')}: {e.strerror or e}")
        return 1
    report = recording.report()
    if report:
        say(report)
    return 1 if recording.incomplete else 0


class _Flusher(threading.Thread):
    """Sends what the worker holds while the tracee is blocked. On its own thread, so
    that a clogged output (a reader that stopped reading) never blocks the main thread,
    which must stay free to act on signals."""

    def __init__(self, sink) -> None:
        super().__init__(name="tracetui-flush", daemon=True)
        self.sink = sink
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.sink.flush()

    def stop(self) -> None:
        self._done.set()


class EndPolicy:
    """What a signal to tracetui does to the traced programs.

    Attached programs are detached at once. A launched program gets the chance to
    end by itself, as under strace: Ctrl-C already reached it (same process
    group); SIGTERM/SIGHUP are passed on to it. If it has not ended after a grace
    period, or at a second signal, it is killed.
    """

    GRACE = 2.0
    # How long a stop may wait for the worker before the output is given up: a worker
    # blocked on a full pipe to the writer (whose reader stopped reading) cannot stop.
    STOP_WAIT = 1.0

    def __init__(self, session: TraceSession, opts: TraceOptions, writer_pid: int = 0) -> None:
        self.session = session
        self.launched = bool(opts.command)
        self.writer_pid = writer_pid
        self.writer_killed = False
        self.first_signal_at = 0.0
        self.seen = 0
        self.stopped = False

    def check(self, interrupted: _Interrupted) -> None:
        if self.stopped or not interrupted.signal:
            return
        if interrupted.count != self.seen:
            self.seen = interrupted.count
            if not self.launched or self.first_signal_at:
                self.stop()
                return
            self.first_signal_at = time.monotonic()
            if interrupted.signal != signal.SIGINT:
                self.session.signal_launched(interrupted.signal)
        elif time.monotonic() - self.first_signal_at > self.GRACE:
            self.stop()

    def stop(self) -> None:
        self.stopped = True
        for _ in range(10):
            self.session.stop(timeout=self.STOP_WAIT)
            if self.session.wait(0):
                return
            if self.writer_pid and _blocked_writing(self.writer_pid):
                # The output does not move (a reader that stopped reading), so neither
                # can the worker: give the output up, which unblocks its pipe write.
                try:
                    os.kill(self.writer_pid, signal.SIGKILL)
                    self.writer_killed = True
                except OSError:
                    pass
                self.session.stop()
                return


def _blocked_writing(pid: int) -> bool:
    """The process sits in write(2) (/proc/PID/syscall starts with the call's number)."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0] == "1"
    except (OSError, IndexError):
        return False


def release_standard_streams() -> None:
    """stdin and stdout become /dev/null, as strace's do: a pipe into or out of the
    traced program then ends when the program closes its end, not when tracetui exits
    (`tracetui sh -c 'exec >&-; sleep 9' | cat` lets cat finish at once)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in (0, 1):
        if fd != null:
            os.dup2(null, fd)
    if null > 1:
        os.close(null)


def make_writer(
    opts: TraceOptions,
    args: argparse.Namespace,
    out_fd: int = -1,
    record: bool = True,
    release_streams: bool = False,
):
    """Runs in the writer process: wrap the output and build the chosen format's writer
    (`release_streams`: first let go of stdin and stdout, which it never writes).

    Text goes out as UTF-8; anything that could not be encoded (it never should: paths
    and buffers are escaped as strace escapes them) becomes a visible escape rather
    than an error that would lose the trace.
    """
    from tracer.syscalls import fmt
    from tracer.syscalls.render import RenderContext

    if release_streams:
        release_standard_streams()
    settings = getattr(args, "strace", None)
    text_opts = settings.text if settings is not None else None
    ctx = RenderContext(strsize=opts.strsize, show_fd_paths=opts.resolve_fds, render_cache={})
    if settings is not None:
        fmt.configure(settings.strings_in_hex, settings.const_style)
        ctx.abbrev, ctx.verbose, ctx.raw = settings.abbrev, settings.verbose, settings.raw
        ctx.show_fd_paths = bool(text_opts.decode_fds)
        if text_opts.decode_fds - {"path"}:
            from tracer.formats.fd_details import FdDetails

            ctx.fd_details = FdDetails(text_opts.decode_fds)
    if record and getattr(args, "flight", None) is not None:
        from tracer.flight import FlightRecorder

        return FlightRecorder(args.flight, ctx, opts.command)  # writes only when triggered
    recorder = None
    if record and getattr(args, "write", None):
        from tracer.formats.session_file import SessionRecorder

        recorder = SessionRecorder(args.write, ctx, opts.command)
        if not args.output and getattr(args, "summary_options", None) is None:
            return recorder  # -w alone only records
    if text_opts is not None and text_opts.per_process_prefix:
        fd, target = -1, f"{args.output}.PID"
    elif out_fd >= 0:
        fd, target = out_fd, args.output
    elif sys.stderr is not None:
        fd, target = os.dup(2), "stderr"
    else:  # `2>&-`: the trace has nowhere to go; the writer reports that (to nobody)
        raise OSError(9, "stderr is closed")
    out = None
    if fd >= 0:
        out = open(  # noqa: SIM115 - owned by the writer, closed by its close()
            fd, "w", encoding="utf-8", errors="backslashreplace", buffering=1 << 16
        )
    if args.format == "jsonl":
        from tracer.formats.jsonl import JsonLinesWriter

        writer = JsonLinesWriter(out, ctx)
    elif args.format == "perfetto":
        from tracer.formats.trace_events import TraceEventWriter

        writer = TraceEventWriter(out, ctx, opts.command)
    elif args.format == "firefox":
        from tracer.formats.firefox_profile import FirefoxProfileWriter

        writer = FirefoxProfileWriter(out, ctx, opts.command)
    else:
        from tracer.formats.strace_text import (
            PREFIX_FILE,
            PREFIX_FILE_WHEN_MANY,
            PREFIX_NONE,
            PREFIX_TERMINAL,
            StraceTextWriter,
        )

        if not opts.follow_forks:
            prefix = PREFIX_NONE
        elif args.output:
            prefix = PREFIX_FILE if args.f_count or len(opts.attach) > 1 else PREFIX_FILE_WHEN_MANY
        else:
            prefix = PREFIX_TERMINAL
        writer = StraceTextWriter(out, ctx, prefix, text_opts)
    writer.target = target
    if getattr(args, "summary_options", None) is not None:  # -c, -C
        from tracer.summary.writer import summary_writer

        writer = summary_writer(args.summary_options, writer, out, ctx, text_opts)
    if recorder is not None:
        from tracer.formats.session_file import Tee

        return Tee(writer, recorder)
    return writer


if __name__ == "__main__":
    sys.exit(main())
