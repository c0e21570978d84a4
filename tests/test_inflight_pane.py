"""The In-flight pane (key 6): what each live thread waits in, for how long, on a real
program whose thread blocks in `read` on a pipe; Enter goes to the call."""

from __future__ import annotations

import pytest
from conftest import compile_c

from tui.testing import run_async, settle, traced_app
from tui.widgets.inflight_pane import InflightPane

pytestmark = pytest.mark.timeout(120)

# The reader thread blocks in read() on a pipe nobody writes to; the main thread waits
# on its terminal. Each writes its tid to stdout first, so the test knows who is who.
PROGRAM = r"""
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fds[2];

static void *reader(void *arg) {
    char buf[16];
    (void) arg;
    dprintf(1, "reader %ld\n", (long) syscall(SYS_gettid));
    read(fds[0], buf, sizeof buf);
    return NULL;
}

int main(void) {
    pthread_t t;
    char c;
    pipe(fds);
    pthread_create(&t, NULL, reader, NULL);
    read(0, &c, 1);
    return 0;
}
"""


def traced(command: list[str], size=(200, 45)):
    return traced_app(command, size)


def reader_tid(app) -> int | None:
    """The reader thread's tid, from the write the program made (the store's own row)."""
    store = app.store
    for row in range(len(store)):
        if store.is_syscall(row) and store.name(row) == "write" and "reader " in store.line(row):
            return store.tid(row)
    return None


def expected_row(store, tid: int, nr: int) -> int:
    """Where Enter must land: the thread's call in progress if the list has it as a row,
    else the thread's last row."""
    mine = [r for r in range(len(store)) if store.tid(r) == tid]
    for row in mine:
        if store.in_progress(row) and store.nr(row) == nr:
            return row
    return mine[-1]


@run_async
async def test_a_thread_blocked_in_read_on_a_pipe_shows_with_a_growing_timer():
    """6 shows each thread's call: the reader's read on its pipe, its wait growing;
    Enter on it goes to the call (or the thread's last row) in the list."""
    async with traced([str(compile_c(PROGRAM, name="inflight_prog"))]) as (app, pilot):
        pane = app.query_one(InflightPane)
        await settle(app, pilot, until=lambda: reader_tid(app) is not None)
        tid = reader_tid(app)
        await pilot.press("6")
        await settle(app, pilot, until=lambda: tid in pane.waits and len(pane.waits) == 2)
        first = pane.waits[tid]
        shown = pane._shown[str(tid)]
        assert shown.text.startswith("read(3<pipe:[") and shown.text.endswith(", …, 16)")
        assert shown.call.tid == tid
        main = [r for r in pane._shown.values() if r.tid == r.pid]
        assert main and main[0].text.startswith("read(0</dev/pts/")
        await settle(app, pilot, until=lambda: pane.waits.get(tid, 0) > first)
        assert pane.waits[tid] > first, "the timer runs"
        # Longest wait first.
        order = [int(pane.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(2)]
        assert sorted(pane.waits, key=lambda t: -pane.waits[t]) == order

        pane.move_cursor(row=order.index(tid))
        await pilot.press("enter")
        want = expected_row(app.store, tid, shown.call.nr)
        await settle(app, pilot, until=lambda: app.syscall_list.current_row == want)
        assert app.syscall_list.current_row == want and app.store.tid(want) == tid
        assert app.syscall_list.has_focus
