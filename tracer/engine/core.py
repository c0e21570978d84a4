"""Which loop runs the worker's hot path: the C capture core, or the Python loop.

The core is the `_tracetui_core` extension that `pip install .` builds from
capture_core.c where a C compiler exists. `TRACETUI_LOOP=python` forces the
Python loop (the engine tests run under both).
"""

from __future__ import annotations

import os
from types import ModuleType

from tracer.engine.core_plan import NR_MAX, OPS_MAX, ROW_SIZE

# Why run() returned (capture_core.c WHY_*).
WHY_STOP, WHY_EINTR, WHY_ERROR = 1, 3, 4
# Task states (capture_core.c ST_*).
ST_NONE, ST_CCALL, ST_PYCALL, ST_PYTASK = 1, 2, 3, 4
# A task announced at its creator's fork/clone event: C resumes its first stop.
ST_NEWTASK = 6
ST_KEEP = 0  # set_task: leave the task's state as C has it (a call C entered goes on)
# What take_tasks() reports (capture_core.c L_*): a task C saw begin, or end.
L_NEW, L_GONE = 1, 2
CORE_VERSION = 22  # capture_core.c CORE_VERSION: the layout this code speaks
# Bytes of records the core holds for its consumer before the tracees are made to
# wait (backpressure); the number of records is bounded by TraceOptions.queue_max,
# as the EventQueue's items are. An unbounded queue (--tty=inherit, where nobody
# drains until the program ends) leaves the bytes unbounded too.
HELD_BYTES = 64 << 20
# Records per batch handed to a consumer: one batch becomes events in one short step
# of the consumer's thread (a few ms), so the app stays responsive under a flood.
TAKE_RECORDS = 4096
UNBOUNDED = 1 << 40


def held_limits(queue_max: int) -> tuple[int, int]:
    """(records, bytes) the core may hold before it makes the tracees wait."""
    if queue_max >= UNBOUNDED:
        return 0xFFFFFFFF, 1 << 62
    return max(queue_max, 1), HELD_BYTES


def load_core() -> ModuleType | None:
    """The compiled core when it is installed, matches this code, and is not turned off."""
    if os.environ.get("TRACETUI_LOOP", "").strip().lower() == "python":
        return None
    try:
        import _tracetui_core as core
    except ImportError:
        return None
    if (
        getattr(core, "VERSION", 0) != CORE_VERSION
        or core.NR_PLAN_SIZE != ROW_SIZE
        or core.NR_MAX != NR_MAX
        or core.OPS_MAX != OPS_MAX
    ):
        return None
    return core


def loop_name() -> str:
    """`c` or `python`: the loop a session started now would use (seccomp-filtered
    launches always use the Python loop, since few calls stop)."""
    if load_core() is not None:
        return "c"
    if os.environ.get("TRACETUI_LOOP", "").strip().lower() == "python":
        return "python (TRACETUI_LOOP=python)"
    return "python (the C core is not built)"
