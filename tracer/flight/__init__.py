"""The flight recorder: keep the last events in a ring, write them out when a trigger fires.

`--ring N|SIZE` bounds the ring, `--trigger FILTER|crash|killed` says when to dump it
(also SIGUSR1), `--after M` adds events after the trigger. Headless, the recorder is
the writer process's writer (tracer/formats/pipeline.py), so the ptrace thread does
not see it; in the app the feed hands it each batch.
"""

from typing import TYPE_CHECKING

from tracer.flight.spec import FlightSpec, FlightSpecError, flight_spec

if TYPE_CHECKING:
    from tracer.flight.recorder import FlightRecorder

__all__ = ["FlightRecorder", "FlightSpec", "FlightSpecError", "flight_spec"]


def __getattr__(name: str):
    # The recorder (and the event store it brings) is imported when it is used, not
    # when the command line registers --ring/--trigger.
    if name == "FlightRecorder":
        from tracer.flight.recorder import FlightRecorder

        return FlightRecorder
    raise AttributeError(name)
