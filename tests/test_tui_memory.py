"""The explorer's memory under a flood: what it paints is freed, past the bound too.

A real program floods the real app (Textual's pilot, headless) through a small
`--max-events` bound. The memory itself is measured in bench/memory_bench.py;
here the cause of the creep it found is checked by counting objects: Textual's
strips are cyclic (a strip caches itself as its own crop/extend result), so they
need the cyclic collector, and the app once `gc.freeze()`d after every ingest,
which hid each tick's strips from the collector for good (~150k objects per
million events, ~25 B/event of RSS past the bound).
"""

from __future__ import annotations

import gc
import json
import os

import pytest
from conftest import compile_c
from textual.strip import Strip

from tracer.options import TraceOptions
from tracer.session import TraceSession
from tui.app import TraceApp
from tui.testing import run_async, settle

pytestmark = pytest.mark.timeout(120)

# Makes argv[1] getppid calls, then writes how many it made (the oracle) to argv[2].
FLOOD = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = atol(argv[1]), made = 0;
	for (long i = 0; i < n; i++, made++)
		syscall(SYS_getppid);
	FILE *out = fopen(argv[2], "w");
	fprintf(out, "{\"getppid\": %ld}\n", made);
	fclose(out);
	return 0;
}
"""

CALLS = 150_000
BOUND = 20_000


def frozen_strips_that_died() -> int:
    """Strips hidden from the collector (frozen) that nothing reaches any more: leaked."""
    gc.collect()  # what the collector could always free
    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        return sum(1 for o in gc.garbage if type(o) is Strip)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@run_async
async def test_strips_painted_during_a_flood_past_the_bound_are_freed(tmp_path) -> None:
    """A user watches 150,000 calls pour through a 20,000-event bound: the list paints
    all the while, and nothing it painted stays behind once it is off screen."""
    exe = compile_c(FLOOD, name="getppid_flood")
    oracle = tmp_path / "oracle.json"
    master, slave = os.openpty()
    session = TraceSession(TraceOptions(command=[str(exe), str(CALLS), str(oracle)], tty_fd=slave))
    try:
        session.start()
    finally:
        os.close(slave)
    frozen_strips_that_died()  # start from a process where nothing is frozen
    app = TraceApp(session, master, "flood", max_rows=BOUND)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot, timeout=90)
        made = json.loads(oracle.read_text())["getppid"]
        calls = sum(1 for r in range(len(app.store)) if app.store.is_syscall(r))
        assert app.store.dropped > 0 and len(app.store) <= BOUND
        assert made == CALLS and calls <= BOUND
        leaked = frozen_strips_that_died()
    assert leaked == 0, f"{leaked} strips painted during the flood were never freed"
