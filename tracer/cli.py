"""The `tracetui` command: arguments, then the headless writer or the app.

Every failure a user can cause ends in one line on stderr and exit status 1,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable

from tracer.options import TraceOptions
from tracer.session import TraceError, TraceSession
from tracer.syscall_selection import SelectionError, parse_stack_filter, parse_trace_expr

USAGE = "tracetui [options] PROG [ARGS...]  |  tracetui [options] -p PID [-p PID...]"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
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
    p.add_argument("-o", "--output", metavar="FILE", help="headless output file (default: stderr)")
    p.add_argument(
        "--format", choices=["text", "jsonl"], default="text", help="headless output format"
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
        "--decode-fds",
        action="store_true",
        help="headless: show what each fd refers to (always on in the app)",
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
        dest="follow",
        action="store_true",
        default=True,
        help="follow forks, threads and exec (the default)",
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
    p.add_argument("command", nargs=argparse.REMAINDER, help="program and its arguments")
    return p


def options_from_args(args: argparse.Namespace) -> TraceOptions:
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if not args.command and not args.attach:
        raise UsageError("nothing to trace: give a program to run or -p PID")
    if args.string_limit < 0:
        raise UsageError("-s must be zero or more")
    traced = None
    for expr in args.expr:
        traced = parse_trace_expr(expr)
    stack_set = None
    stacks = args.stack_traces
    if args.stack_filter:
        stack_set = parse_stack_filter(args.stack_filter)
        stacks = True
    headless = args.no_ui
    return TraceOptions(
        command=list(args.command),
        attach=list(dict.fromkeys(args.attach)),  # -p X -p X: once
        follow_forks=args.follow,
        strsize=args.string_limit,
        bufsize=(args.string_limit + 1)
        if headless
        else max(args.capture_size, args.string_limit + 1),
        trace_syscalls=traced,
        seccomp=not args.no_seccomp,
        stack_traces=stacks,
        stack_syscalls=stack_set,
        resolve_fds=args.decode_fds or not headless,
        detach_on_exit=args.detach,
    )


def inherited_ignored_signals() -> tuple[int, ...]:
    """Signals ignored by whoever started us (read before we install our own handlers)."""
    return tuple(
        s
        for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGTERM)
        if signal.getsignal(s) == signal.SIG_IGN
    )


Interactive = Callable[[TraceOptions, argparse.Namespace], int]


def main(argv: list[str] | None = None, interactive: Interactive | None = None) -> int:
    """Parse, then trace headless here or hand over to `interactive` (the app's launcher).

    The library never imports the UI: the `tracetui` command is `tui.launch:main`,
    which passes its launcher in. Without one, only `--no-ui` is available.
    """
    ignored = inherited_ignored_signals()
    try:
        args = build_parser().parse_args(argv)
        opts = options_from_args(args)
        opts.ignored_signals = ignored
    except (UsageError, SelectionError) as e:
        print(f"tracetui: {e}", file=sys.stderr)
        return 1
    if args.no_ui:
        return run_headless(opts, args)
    if interactive is None:
        print(
            "tracetui: the explorer is started with `tracetui` (or `python -m tui`); "
            "this entry point only runs --no-ui",
            file=sys.stderr,
        )
        return 1
    return interactive(opts, args)


class _Interrupted:
    def __init__(self) -> None:
        self.signal = 0
        self.count = 0

    def __call__(self, signo: int, _frame: object) -> None:
        self.signal = signo
        self.count += 1


def run_headless(opts: TraceOptions, args: argparse.Namespace) -> int:
    from tracer.formats.pipeline import WRITER_READER_GONE, PipeSink, start_writer_process
    from tracer.syscalls.render import load_decoders

    load_decoders()  # once, before the fork, so the writer does not import them again
    if args.output:
        try:
            open(args.output, "w").close()  # noqa: SIM115 - fail early, in one line
        except OSError as e:
            print(f"tracetui: cannot write {args.output}: {e.strerror}", file=sys.stderr)
            return 1
    writer_pid, pipe_fd = start_writer_process(lambda: make_writer(opts, args))
    sink = PipeSink(pipe_fd)
    session = TraceSession(opts, sink=sink)
    interrupted = _Interrupted()
    handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, interrupted) for s in handled}
    try:
        try:
            session.start()
        except TraceError as e:
            sink.close()
            os.waitpid(writer_pid, 0)
            print(f"tracetui: {e}", file=sys.stderr)
            return 1
        ending = EndPolicy(session, opts)
        while not session.wait(0.05):
            sink.flush()  # what the worker holds while the tracee is blocked
            if sink.broken:  # nobody reads our output any more (`| head`): end, as strace does
                session.stop()
                break
            ending.check(interrupted)
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    sink.close()
    _, wstatus = os.waitpid(writer_pid, 0)
    writer_status = os.waitstatus_to_exitcode(wstatus)
    if sink.broken or writer_status == WRITER_READER_GONE:
        session.stop()
        return 128 + signal.SIGPIPE
    error = session.error
    if error:
        print(f"tracetui: {error}", file=sys.stderr)
        return 1
    if writer_status != 0:
        return 1  # the writer said why, in one line
    if not opts.command:
        return 0
    return session.exit_status


class EndPolicy:
    """What a signal to tracetui does to the traced programs.

    Attached programs are detached at once. A launched program gets the chance to
    end by itself, as under strace: Ctrl-C already reached it (same process
    group); SIGTERM/SIGHUP are passed on to it. If it has not ended after a grace
    period, or at a second signal, it is killed.
    """

    GRACE = 2.0

    def __init__(self, session: TraceSession, opts: TraceOptions) -> None:
        self.session = session
        self.launched = bool(opts.command)
        self.first_signal_at = 0.0
        self.seen = 0
        self.stopped = False

    def check(self, interrupted: _Interrupted) -> None:
        if self.stopped or not interrupted.signal:
            return
        if interrupted.count != self.seen:
            self.seen = interrupted.count
            if not self.launched or self.first_signal_at:
                self._stop()
                return
            self.first_signal_at = time.monotonic()
            if interrupted.signal != signal.SIGINT:
                self.session.signal_launched(interrupted.signal)
        elif time.monotonic() - self.first_signal_at > self.GRACE:
            self._stop()

    def _stop(self) -> None:
        self.stopped = True
        self.session.stop()


def make_writer(opts: TraceOptions, args: argparse.Namespace):
    """Runs in the writer process: open the output and build the chosen format's writer."""
    from tracer.syscalls.render import RenderContext, load_decoders

    load_decoders()
    ctx = RenderContext(strsize=opts.strsize, show_fd_paths=opts.resolve_fds)
    out = open(args.output, "w", buffering=1 << 16) if args.output else sys.stderr  # noqa: SIM115
    if args.format == "jsonl":
        from tracer.formats.jsonl import JsonLinesWriter

        return JsonLinesWriter(out, ctx)
    from tracer.formats.strace_text import (
        PREFIX_FILE,
        PREFIX_NONE,
        PREFIX_TERMINAL,
        StraceTextWriter,
    )

    if not opts.follow_forks:
        prefix = PREFIX_NONE
    else:
        prefix = PREFIX_FILE if args.output else PREFIX_TERMINAL
    return StraceTextWriter(out, ctx, prefix)


if __name__ == "__main__":
    sys.exit(main())
