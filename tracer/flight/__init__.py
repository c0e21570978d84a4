"""The flight recorder: keep the last events in a ring, write them out when a trigger fires.

`--ring N|SIZE` bounds the ring, `--trigger FILTER|crash|killed` says when to dump it
(also SIGUSR1), `--after M` adds events after the trigger. Headless, the recorder is
the writer process's writer (tracer/formats/pipeline.py), so the ptrace thread does
not see it; in the app the feed hands it each batch.
"""

from tracer.flight.recorder import FlightRecorder
from tracer.flight.spec import FlightSpec, FlightSpecError, flight_spec

__all__ = ["FlightRecorder", "FlightSpec", "FlightSpecError", "flight_spec"]
