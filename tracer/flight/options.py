"""The flight recorder's command-line options (added to tracer/cli.py's parser)."""

from __future__ import annotations

import argparse

from tracer.flight.spec import DEFAULT_INTERVAL, DEFAULT_RING_EVENTS, FlightSpec, flight_spec


def add_flight_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("flight recorder")
    g.add_argument(
        "--ring",
        metavar="N|SIZE",
        help="keep only the last N events (or SIZE of them: 64MB) in memory; headless, "
        "nothing is written until a trigger fires (or SIGUSR1), then the ring goes to "
        "-w FILE's numbered files FILE.1.db, FILE.2.db, ...",
    )
    g.add_argument(
        "--trigger",
        action="append",
        default=[],
        metavar="FILTER",
        help="dump the ring when an event matches FILTER (the filter language: "
        "'errno:EMFILE', 'err name:connect'), or on 'crash' (a process killed by a "
        "core-dumping signal) or 'killed' (by any signal); repeatable; "
        f"without --ring the ring holds {DEFAULT_RING_EVENTS:,} events",
    )
    g.add_argument(
        "--after",
        type=int,
        default=0,
        metavar="M",
        help="with --trigger: also write the M events after the one that fired",
    )
    g.add_argument(
        "--trigger-interval",
        type=float,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"at most one dump per SECONDS (default {DEFAULT_INTERVAL:g}); "
        "triggers in between are counted, not dumped",
    )
    g.add_argument(
        "--max-dumps", type=int, default=0, metavar="N", help="at most N dumps (default: no limit)"
    )


def flight_from_args(args: argparse.Namespace) -> FlightSpec | None:
    """The spec, checked against the other options; raises FlightSpecError (one line)."""
    from tracer.flight.spec import FlightSpecError

    spec = flight_spec(
        args.ring, args.trigger, args.after, args.trigger_interval, args.write, args.max_dumps
    )
    if spec is None:
        return None
    if args.read:
        raise FlightSpecError("--ring/--trigger record a live trace: not with -r FILE")
    if args.no_ui or spec.triggers:
        if not args.write:
            what = "--trigger" if spec.triggers else "--ring"
            raise FlightSpecError(
                f"{what} writes the ring to session files: give -w FILE "
                "(dumps go to FILE.1.db, FILE.2.db, ...)"
            )
    if args.write:
        import os

        where = os.path.dirname(os.path.abspath(args.write))
        if not os.access(where, os.W_OK | os.X_OK):
            raise FlightSpecError(f"cannot write dumps in {where}: not a writable directory")
    if args.no_ui:
        if args.output or args.format != "text" or args.f_count >= 2 or args.separately:
            raise FlightSpecError(
                "--ring keeps the trace in memory and writes it only when a trigger fires "
                "(to -w FILE): not with -o, --format or -ff"
            )
    return spec


class DumpRequests:
    """Headless: SIGUSR1 to tracetui asks the writer process to dump its ring.

    The handler only notes it; `forward`, on the main loop, first sends down the pipe
    what the tracer holds (so the dump has the events up to now), then signals the writer.
    """

    def __init__(self, sink, writer_pid: int) -> None:
        self.sink = sink
        self.writer_pid = writer_pid
        self.asked = False

    def __call__(self, _signo: int, _frame: object) -> None:
        self.asked = True

    def forward(self) -> None:
        import os
        import signal

        if self.asked:
            self.asked = False
            self.sink.flush()
            try:
                os.kill(self.writer_pid, signal.SIGUSR1)
            except OSError:
                pass
