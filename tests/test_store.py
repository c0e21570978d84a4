"""EventStore: rows in stream order, calls completed in place, rebuilt events, rendered lines."""

from __future__ import annotations

from tracer.events import (
    Exec,
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.filter import parse_filter
from tracer.store import EventStore
from tracer.syscalls.table import get_table

T = get_table()


def call(seq, name, args, ret=0, error=0, pid=10, mem=None, fds=None, start=1.0, end=1.5):
    c = Syscall(seq, pid, pid, T.number(name), args, start)
    c.end, c.done, c.ret, c.error, c.mem, c.fds = end, True, ret, error, mem, fds
    return c


def test_rows_keep_stream_order_and_kinds():
    s = EventStore()
    u = s.append(
        [
            ProcessStarted(0, 10, 10, 1, 0.5),
            call(1, "close", (3,)),
            SignalDelivered(2, 10, 10, 2.0, 17),
            Exited(3, 10, 10, 3.0, code=0),
            TraceEnded(4.0),
        ]
    )
    assert (u.first_new_row, u.count_new, len(s)) == (0, 4, 4)
    assert [s.kind(r) for r in range(4)] == ["process", "syscall", "signal", "process"]
    assert list(u.effects) == [0, 1, 2, 3] and u.ended is not None
    assert s.line(3) == "+++ exited with 0 +++"
    assert s.line(2).startswith("--- SIGCHLD {") and s.line(2).endswith("} ---")
    assert s.name(1) == "close" and s.nr(0) == -1


def test_resumed_call_completes_its_row_in_place():
    s = EventStore()
    c = Syscall(5, 10, 11, T.number("read"), (0, 0x1000, 64), 1.0)
    s.append([Unfinished(c)])
    assert s.in_progress(0) and s.ret(0) is None
    assert "<... in progress>" in s.line(0)
    s.append([call(6, "getpid", (), ret=10)])
    c.end, c.done, c.ret, c.mem = 1.25, True, 3, {1: b"abc"}
    u = s.append([Resumed(c)])
    assert u.count_new == 0 and u.changed_rows == [0] and list(u.effects) == [0]
    assert not s.in_progress(0) and s.ret(0) == 3 and s.duration(0) == 0.25
    # getpid's row came after it while it ran: the line says how long it took (strace -T).
    assert s.line(0) == 'read(0, "abc", 64) = 3 <0.250000>'
    ev = s.event(0)
    assert (ev.pid, ev.tid, ev.seq, ev.mem, ev.done) == (10, 11, 5, {1: b"abc"}, True)


def test_event_is_rebuilt_from_columns():
    s = EventStore()
    c = call(7, "openat", (0xFFFFFF9C, 0x5000, 0), ret=-1, error=2, mem={1: b"/nope"}, fds=None)
    s.append([c])
    ev = s.event(0)
    assert (ev.nr, ev.args, ev.ret, ev.error, ev.mem, ev.start, ev.end) == (
        c.nr,
        c.args,
        -1,
        2,
        {1: b"/nope"},
        1.0,
        1.5,
    )
    assert s.failed(0) and s.errno(0) == 2
    assert (
        s.line(0) == 'openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)'
    )
    assert s.rendered(0).args[1].kind == "path"


def test_equal_fd_names_are_stored_once():
    s = EventStore()
    s.append([call(i, "close", (3,), fds={3: "/etc/hostname"}) for i in range(100)])
    assert len({s.fds_ix[r] for r in range(100)}) == 1
    assert s.fds_of(42) == {3: "/etc/hostname"}
    assert s.line(42) == "close(3</etc/hostname>) = 0"


def test_fd_index_includes_arguments_and_returned_fds():
    s = EventStore()
    s.append(
        [
            call(0, "openat", (0xFFFFFF9C, 0x5000, 0), ret=4, mem={1: b"/x"}),
            call(1, "read", (4, 0, 1), ret=0),
            call(2, "dup2", (4, 9), ret=9),
            call(3, "close", (5,), ret=-1, error=9),
        ]
    )
    assert list(s.fd_index.rows(4)) == [0, 1, 2]
    assert list(s.fd_index.rows(9)) == [2]
    assert list(s.fd_index.rows(5)) == [3]


def _threads_interleaving():
    """Two threads' calls as the worker hands them out when they interleave: each call
    object is complete by the time the app drains it (the worker filled it in place)."""
    a = call(1, "openat", (-100, 0x1000, 0), ret=3, pid=10, mem={1: b"/etc/hostname"})
    a.start, a.end = 1.0, 1.4
    b = call(2, "write", (1, 0x2000, 3), ret=3, pid=10, mem={1: b"abc"}, start=1.1, end=1.2)
    b.tid = 11
    c = call(3, "read", (3, 0x3000, 8), ret=8, pid=10, start=1.5, end=1.6)
    return a, b, c, [Unfinished(a), b, Resumed(a), Unfinished(c), Resumed(c)]


def _columns(s: EventStore) -> tuple:
    names = ("kinds", "pids", "tids", "nrs", "starts", "ends", "durations", "rets", "errnos",
             "flags")  # fmt: skip
    return (
        *(list(getattr(s, n)) for n in names),
        [list(a) for a in s.args],
        [s.mem_of(r) for r in range(len(s))],
        [s.line(r) for r in range(len(s))],
        list(s.fd_index.rows(3)),
    )


def test_interleaved_threads_in_one_batch_equal_one_event_at_a_time():
    a, b, c, events = _threads_interleaving()
    batch = EventStore()
    u = batch.append(events)
    assert (u.first_new_row, u.count_new) == (0, 3) and u.changed_rows == [0, 2]
    assert list(u.effects) == [1, 0, 2]  # b's write took effect before a's openat returned
    assert not any(batch.in_progress(r) for r in range(3))
    # a was overtaken by b's row while it ran (its line ends with its duration); c was not.
    assert batch.line(0) == 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3 <0.400000>'
    assert batch.line(2).endswith(" = 8")
    assert list(batch.fd_index.rows(3)) == [0, 2]
    one = EventStore()
    for ev in _threads_interleaving()[3]:
        one.append([ev])
    assert _columns(batch) == _columns(one)


def test_a_call_in_progress_shows_its_arguments_up_to_the_first_the_exit_decides():
    """As strace before `<unfinished ...>`: `read(3,` and not the count after the buffer."""
    s = EventStore()
    calls = [
        Syscall(1, 10, 10, T.number("read"), (3, 0x1000, 10), 1.0),
        Syscall(2, 10, 10, T.number("wait4"), (0xFFFFFFFFFFFFFFFF, 0x2000, 0, 0), 1.0),
        Syscall(3, 10, 10, T.number("close"), (4,), 1.0),
    ]
    s.append([Unfinished(c) for c in calls])
    assert [s.line(r) for r in range(3)] == [
        "read(3, <... in progress>",
        "wait4(-1, <... in progress>",
        "close(4 <... in progress>",
    ]


def test_search_text_is_built_when_needed_and_follows_completion():
    s = EventStore()
    c = Syscall(5, 10, 11, T.number("read"), (3, 0x1000, 64), 1.0)
    c.fds = {3: "/etc/hostname"}
    s.append([Unfinished(c), call(6, "close", (3,), fds={3: "/etc/hostname"})])
    # Appending does not index (the traced program waits for the app's ingest).
    assert s.text.built_upto == 0 and s.text.pending == 2 and s.text.lines == ["", ""]
    assert s.text.ensure()
    assert s.text.built_upto == 2
    assert "read(3</etc/hostname>" in s.text.lines[0] and "in progress" in s.text.lines[0]
    c.end, c.done, c.ret, c.mem = 1.25, True, 3, {1: b"ABC"}
    s.append([Resumed(c)])
    assert s.text.lines[0] == "" and s.text.built_upto == 0  # completed in place: built again
    assert s.text.ensure_rows(range(0, 1)) and s.text.built_upto == 2
    assert s.text.lines[0] == 'read(3</etc/hostname>, "abc", 64) = 3'
    assert s.line(0).lower() == 'read(3</etc/hostname>, "abc", 64) = 3 <0.250000>'
    assert s.text.lines[1] == s.line(1).lower()
    # Equal texts are one string: repeated calls cost a pointer each.
    s.append([call(7, "close", (3,), fds={3: "/etc/hostname"})])
    assert s.text.build_some(1.0) == 1 and s.text.pending == 0
    assert s.text.lines[2] is s.text.lines[1]


def test_a_filter_indexes_exactly_the_rows_it_scans():
    s = EventStore()
    s.append([call(i, "openat", (0xFFFFFF9C, 1, 0), mem={1: b"/etc/f%d" % i}) for i in range(50)])
    flt = parse_filter("path:/etc/f4")
    assert s.text.pending == 50
    assert list(flt.match_rows(s, range(40, 50))) == list(range(40, 50))
    assert s.text.lines[:40] == [""] * 40 and s.text.built_upto == 0
    assert list(flt.match_rows(s)) == [4, *range(40, 50)]
    assert s.text.pending == 0
    # A cancelled match leaves the rest unindexed and says so.
    s.append([call(60 + i, "close", (3,)) for i in range(3000)])
    assert flt.match_rows(s, should_stop=lambda: True) is None
    assert s.text.built_upto == 50


def test_rows_stand_at_their_time_as_strace_prints_them():
    """The tracer emits a call when it returns: an exec's event and a thread's call that began
    later come first in the stream, yet the rows stand in time order (effects in stream order)."""
    s = EventStore()
    execve = call(2, "execve", (0x1000, 0x2000, 0x3000), start=1.0, end=1.3)
    exec_event = Exec(1, 10, 10, 1.2, "/bin/true", ["true"])
    other_thread = call(3, "getpid", (), ret=10, pid=11, start=1.25, end=1.26)
    first_thread = call(4, "read", (0, 0, 1), ret=1, start=1.24, end=1.4)
    u = s.append(
        [ProcessStarted(0, 10, 10, 1, 0.5), exec_event, execve, other_thread, first_thread]
    )
    assert [s.name(r) for r in range(len(s))] == ["started", "execve", "exec", "read", "getpid"]
    assert [s.time(r) for r in range(len(s))] == sorted(s.time(r) for r in range(len(s)))
    assert [s.name(r) for r in u.effects] == ["started", "exec", "execve", "getpid", "read"]


def test_the_launchers_frames_are_not_the_first_execs_stack():
    """tracetui forks the program and calls execve for it: that stack is tracetui's own."""
    from tracer.events import Frame

    s = EventStore()
    ours = [Frame(0x1234, "/usr/bin/python3.11", "PyRun", 0x34)]
    first = call(1, "execve", (0x1000, 0x2000, 0x3000), start=1.0, end=1.1)
    first.stack = ours
    again = call(3, "execve", (0x1000, 0x2000, 0x3000), start=2.0, end=2.1)
    again.stack = [Frame(0x99, "/bin/sh", "main", 0x9)]
    s.append(
        [ProcessStarted(0, 10, 10, 4242, 0.5), first, Exec(2, 10, 10, 1.05, "/bin/sh", ["sh"])]
    )
    s.append([again])
    assert 1 not in s.stacks, "the launcher's frames are dropped"
    assert s.stacks[3] == again.stack, "a program's own exec keeps its stack"


def test_dropping_the_oldest_rows_renumbers_everything_the_store_holds():
    """The explorer's memory bound: after drop_oldest(k) the store is exactly the store of
    the newer events alone (same columns, indexes, captures, texts), rows from 0."""
    evs = []
    for i in range(400):
        name = ("openat", "read", "close", "write")[i % 4]
        args = (0xFFFFFF9C, 1, 0) if name == "openat" else (3 + i % 5, 0, 64)
        mem = {1: b"/etc/f%d" % (i % 7)} if name == "openat" else None
        failed = i % 9 == 0
        evs.append(
            call(i, name, args, ret=-2 if failed else 3, error=2 if failed else 0,
                 pid=10 + i % 3, mem=mem, fds={3 + i % 5: f"/tmp/x{i}"}, start=1.0 + i)
        )  # fmt: skip
    evs.insert(150, ProcessStarted(1000, 99, 99, 10, 150.5))
    whole = EventStore()
    for at in range(0, len(evs), 50):
        whole.append(evs[at : at + 50])
    whole.text.ensure(120)  # partly indexed, as in the app
    k = whole.drop_oldest(170)
    assert k == 170 and whole.dropped == 170 and len(whole) == 231
    newer = EventStore()
    newer.append(evs[170:])
    assert len(newer) == len(whole)
    for row in range(len(whole)):
        assert whole.line(row) == newer.line(row)
        assert repr(whole.event(row)) == repr(newer.event(row))
        assert whole.mem_of(row) == newer.mem_of(row) and whole.fds_of(row) == newer.fds_of(row)
    for fd in range(3, 8):
        assert list(whole.fd_index.rows(fd)) == list(newer.fd_index.rows(fd))
    for pid in (10, 11, 12, 99):
        assert list(whole.pid_index.rows(pid)) == list(newer.pid_index.rows(pid))
    assert list(whole.row_ids) == list(range(len(whole)))
    # Captures of dropped rows are freed: only the blobs rows point at remain.
    assert sum(b is not None for b in whole.blobs) <= len(newer.blobs)
    for text in ("path:/etc/f3", "err", "pid:11 close", "fd:4", "x399", "-name:read"):
        flt = parse_filter(text)
        assert list(flt.match_rows(whole)) == list(flt.match_rows(newer)), text
    assert whole.text.lines == newer.text.lines
    # A second drop leaves most blobs dead: the list is compacted and rows renumbered.
    assert whole.drop_oldest(200) == 200 and whole.dropped == 370
    newest = EventStore()
    newest.append(evs[370:])
    assert len(whole.blobs) <= len(newest.blobs) + 1
    for row in range(len(whole)):
        assert whole.line(row) == newest.line(row)
        assert whole.mem_of(row) == newest.mem_of(row) and whole.fds_of(row) == newest.fds_of(row)


def test_a_call_in_progress_is_never_dropped():
    s = EventStore()
    c = Syscall(5, 10, 10, T.number("read"), (0, 0, 64), 1.0)
    s.append([call(i, "close", (3,)) for i in range(5)] + [Unfinished(c)])
    s.append([call(10 + i, "close", (3,), start=2.0 + i) for i in range(5)])
    assert s.drop_oldest(8) == 5  # row 5 is the read still in progress
    assert s.in_progress(0) and s.name(0) == "read"
    c.end, c.done, c.ret = 9.0, True, 0
    upd = s.append([Resumed(c)])
    assert upd.changed_rows == [0] and not s.in_progress(0)


def test_rows_by_key_add_many_equals_one_add_per_row():
    # The ingest adds a batch a key at a time; lookups must answer as row-by-row adds.
    import random

    from tracer.store.rows_by_key import RowsByKey

    rnd = random.Random(7)
    one, many = RowsByKey(), RowsByKey()
    row = 0
    for batch in range(60):
        n = rnd.randint(0, 40)
        rows = list(range(row, row + n))
        keys = [rnd.choice((1, 2, 3, 99)) for _ in rows] if batch % 3 else [5] * n
        if batch % 7 == 0 and row:
            rows = [r - 3 for r in rows]  # late rows (a call completed in place)
        for r, k in zip(rows, keys, strict=True):
            one.add(r, k)
        many.add_many(rows, keys)
        row += n
    for key in (1, 2, 3, 5, 99, 4):
        assert list(many.rows(key)) == list(one.rows(key))
    assert list(many.rows_of_any([1, 5])) == list(one.rows_of_any([1, 5]))


def _fork_exec_events() -> list:
    """A real fork/exec loop's events: a process event or a signal every few calls."""
    from tests.conftest import collect
    from tracer.options import TraceOptions
    from tracer.session import TraceSession

    session = TraceSession(
        TraceOptions(command=["sh", "-c", "for i in 1 2 3 4; do /bin/true; done; kill -CHLD $$"])
    )
    session.start()
    events = collect(session)
    types = {type(ev) for ev in events}
    assert {ProcessStarted, Exec, Exited, SignalDelivered} <= types, types
    return events


def _everything(s: EventStore, u) -> tuple:
    return (
        _columns(s),
        list(u.effects),
        u.changed_rows,
        {r: (type(ev), ev.seq) for r, ev in s.others.items()},
        {nr: list(s.nr_index.rows(nr)) for nr in set(s.nrs)},
        {p: list(s.pid_index.rows(p)) for p in set(s.pids) | set(s.tids)},
        sorted(s.stacks),
    )


def test_process_events_among_calls_give_the_rows_they_give_alone(monkeypatch):
    """Process events and signals are appended with the calls around them, in one run of
    columns (a fork/exec loop brings one every few calls); their rows and the indexes are
    the same as when each ends the run, for live calls and for a recording's CALL_ROWs."""
    from tracer.store.event_store import _CALL_FIELDS, NO_NR

    events = _fork_exec_events()
    # As a recording brings them: complete calls as CALL_ROWs, where they completed.
    as_rows = [
        _CALL_FIELDS(ev.call if type(ev) is Resumed else ev)
        if type(ev) in (Syscall, Resumed)
        else ev
        for ev in events
        if type(ev) is not Unfinished
    ]
    joined = []
    for batch in (events, as_rows):
        s = EventStore()
        runs = []
        add_calls = s._add_calls
        monkeypatch.setattr(
            s, "_add_calls", lambda *a, runs=runs, f=add_calls: runs.append(1) or f(*a)
        )
        joined.append((_everything(s, s.append(batch)), len(runs), s))
    monkeypatch.setattr(EventStore, "_joins_run", lambda self, ev, t: False)
    for batch, (got, runs, s) in zip((events, as_rows), joined, strict=True):
        alone = EventStore()
        assert got == _everything(alone, alone.append(batch))
        others = sum(type(ev) in (ProcessStarted, Exec, Exited, SignalDelivered) for ev in batch)
        assert runs < others, "the process events did not join the runs of calls"
        assert NO_NR not in s.nr_index and s.line(len(s) - 1)
