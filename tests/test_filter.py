"""The filter language: parse errors are one line; each term selects the right rows."""

from __future__ import annotations

import pytest

from tracer.events import Resumed, SignalDelivered, Syscall, Unfinished
from tracer.filter import FilterError, parse_filter
from tracer.store import EventStore
from tracer.syscalls.table import get_table

T = get_table()


def call(seq, name, args, ret=0, error=0, pid=10, mem=None, fds=None, dur=1e-6):
    start = 1.0 + seq * 1e-3  # rows stand in time order: the fixture's calls follow each other
    c = Syscall(seq, pid, pid, T.number(name), args, start)
    c.end, c.done, c.ret, c.error, c.mem, c.fds = start + dur, True, ret, error, mem, fds
    return c


@pytest.fixture
def store():
    s = EventStore()
    s.append(
        [
            call(
                0,
                "openat",
                (0xFFFFFF9C, 1, 0),
                ret=3,
                mem={1: b"/etc/hostname"},
                fds={3: "/etc/hostname"},
            ),
            call(1, "read", (3, 2, 64), ret=5, mem={1: b"vm\n/etc"}, fds={3: "/etc/hostname"}),
            call(2, "openat", (0xFFFFFF9C, 1, 0), ret=-1, error=2, mem={1: b"/missing"}),
            call(3, "write", (1, 2, 5), ret=5, pid=20, mem={1: b"hello"}, dur=0.01),
            call(4, "mmap", (0, 4096, 3, 34, 0xFFFFFFFF, 0), ret=0x7F0000000000),
            call(5, "close", (3,), fds={3: "/etc/hostname"}),
            SignalDelivered(6, 10, 10, 1.0065, 17),
            call(7, "access", (1, 4), ret=-1, error=13, mem={0: b"/root/secret"}),
        ]
    )
    return s


def rows(store, text):
    return list(parse_filter(text).match_rows(store))


@pytest.mark.parametrize(
    "text, message",
    [
        ("name:opnat", "unknown syscall 'opnat'"),
        ("dur>1xs", "bad duration '1xs'"),
        ("class:foo", "unknown class 'foo'"),
        ("errno:ENOPE", "unknown errno 'ENOPE'"),
        ("pid:abc", "bad pid 'abc'"),
        ("fd:x", "bad fd 'x'"),
    ],
)
def test_invalid_filters_give_one_line(text, message):
    with pytest.raises(FilterError) as e:
        parse_filter(text)
    assert e.value.message == message and "\n" not in str(e.value)


def test_terms_select_rows(store):
    assert rows(store, "") == list(range(8))
    assert rows(store, "name:openat") == [0, 2]
    assert rows(store, "syscall:openat,close") == [0, 2, 5]
    assert rows(store, "err") == [2, 7]
    assert rows(store, "errno:EACCES") == [7]
    assert rows(store, "-err") == [0, 1, 3, 4, 5, 6]
    assert rows(store, "pid:20") == [3]
    assert rows(store, "fd:3") == [0, 1, 5]
    assert rows(store, "dur>1ms") == [3]
    assert rows(store, "dur<=1ms name:mmap") == [4]
    assert rows(store, "class:memory") == [4]
    assert rows(store, "class:file|desc name:openat") == [0, 2]
    # path: path arguments and fd paths, not data buffers that happen to contain it.
    assert rows(store, "path:/etc") == [0, 1, 5]
    assert rows(store, "path:secret") == [7]
    assert rows(store, "HOSTNAME") == [0, 1, 5]
    assert rows(store, "sigchld") == [6]
    assert rows(store, '"= -1"') == [2, 7]
    assert rows(store, "-hostname -sigchld err") == [2, 7]


def test_refined_filter_on_previous_result_equals_fresh_match(store):
    typed = ["o", "op", "ope", "open", "openat"]
    prev_f, prev_rows = None, None
    for text in typed:
        f = parse_filter(text)
        if prev_f is not None:
            assert f.refines(prev_f)
        got = f.match_rows(store, prev_rows)
        assert list(got) == rows(store, text)
        prev_f, prev_rows = f, got
    assert not parse_filter("open").refines(parse_filter("openat"))
    assert parse_filter("name:openat err").refines(parse_filter("err"))


def test_apply_update_tracks_calls_completing_later(store):
    f = parse_filter("err")
    matches = f.match_rows(store)
    c = Syscall(100, 10, 10, T.number("openat"), (0xFFFFFF9C, 1, 0), 3.0)
    c.mem = {1: b"/late"}
    matches = f.apply_update(store, matches, store.append([Unfinished(c)]))
    assert list(matches) == [2, 7]
    matches = f.apply_update(
        store, matches, store.append([call(101, "close", (4,), ret=-1, error=9)])
    )
    assert list(matches) == [2, 7, 9]
    c.end, c.done, c.ret, c.error = 3.1, True, -1, 2
    matches = f.apply_update(store, matches, store.append([Resumed(c)]))
    assert list(matches) == [2, 7, 8, 9] == rows(store, "err")


def test_should_stop_cancels(store):
    assert parse_filter("hostname").match_rows(store, should_stop=lambda: True) is None


def test_describe_is_readable():
    assert parse_filter("name:openat -err dur>1ms").describe() == (
        "name openat and not failed and duration > 1ms"
    )
    assert parse_filter("").describe() == "all events"


def test_plain_words_match_flag_and_signal_names_as_displayed():
    """Typing O_CREAT or SIGTERM finds the calls whose line shows them, as the user sees it."""
    s = EventStore()
    s.append(
        [
            call(0, "openat", (0xFFFFFF9C, 1, 0o1101, 0o644), ret=3, mem={1: b"/tmp/new"}),
            call(1, "openat", (0xFFFFFF9C, 1, 0), ret=4, mem={1: b"/etc/passwd"}),
            call(2, "kill", (55, 15)),
            call(3, "fcntl", (3, 2, 1)),  # F_SETFD FD_CLOEXEC
            call(4, "fcntl", (3, 4, 0o4000)),  # F_SETFL O_NONBLOCK
            call(5, "mmap", (0, 4096, 3, 34, 0xFFFFFFFF, 0), ret=0x7F0000000000),
        ]
    )
    assert rows(s, "o_creat") == [0]
    assert rows(s, "O_RDONLY") == [1, 4]  # strace shows F_SETFL flags with O_RDONLY too
    assert rows(s, "sigterm") == [2]
    assert rows(s, "fd_cloexec") == [3]
    assert rows(s, "o_nonblock") == [4]
    assert rows(s, "prot_read|prot_write") == [5]
    assert rows(s, "map_private|map_anonymous") == [5]
    # The same arguments rendered from the cache give the same names.
    s.append([call(6, "openat", (0xFFFFFF9C, 1, 0o1101, 0o644), ret=5, mem={1: b"/tmp/b"})])
    assert rows(s, "o_creat") == [0, 6]
    # Each row's text agrees with its rendered line for these names.
    for r in range(7):
        line = s.line(r).lower()
        for word in ("o_creat", "o_rdonly", "sigterm", "fd_cloexec", "o_nonblock", "prot_read"):
            assert (word in line) == (r in rows(s, word)), (r, word, line)


def test_indexed_terms_agree_with_a_row_by_row_check():
    """pid:, name: and fd: answer from the store's indexes, negated or not, fresh or refined."""
    s = EventStore()
    evs = []
    for i in range(400):
        pid = (10, 20, 30)[i % 3]
        tid = pid + 1 if i % 7 == 0 else pid  # some rows from a thread
        name = ("read", "close", "openat", "write")[i % 4]
        args = (3 + i % 2, 0, 0) if name != "openat" else (0xFFFFFF9C, 1, 0)
        c = call(i, name, args, ret=5 if name == "openat" else 0, pid=pid, mem={1: b"/x"})
        c.tid = tid
        evs.append(c)
    s.append(evs)

    def brute(pred):
        return [r for r in range(len(s)) if pred(r)]

    def about_fd(r, fd):
        return (s.name(r) != "openat" and s.event(r).args[0] == fd) or (
            s.name(r) == "openat" and s.ret(r) == fd
        )

    checks = {
        "pid:20": lambda r: s.pid(r) == 20 or s.tid(r) == 20,
        "pid:21": lambda r: s.tid(r) == 21,
        "-pid:20": lambda r: not (s.pid(r) == 20 or s.tid(r) == 20),
        "name:read,close": lambda r: s.name(r) in ("read", "close"),
        "-name:read": lambda r: s.name(r) != "read",
        "fd:3": lambda r: about_fd(r, 3),
        "-fd:3": lambda r: not about_fd(r, 3),
        "pid:10 -name:close": lambda r: s.pid(r) == 10 and s.name(r) != "close",
        "-pid:10 -pid:30 fd:4": lambda r: s.pid(r) == 20 and about_fd(r, 4),
    }
    for text, pred in checks.items():
        assert rows(s, text) == brute(pred), text
    # Refining from a previous result gives the same rows as a fresh match.
    first = parse_filter("pid:20").match_rows(s)
    refined = parse_filter("pid:20 name:read").match_rows(s, first)
    assert list(refined) == rows(s, "pid:20 name:read")
    assert list(first) == rows(s, "pid:20")  # the previous result is left as it was


def test_slices_and_carried_marks_agree_with_a_row_by_row_check(monkeypatch):
    """Matching in small slices, with a negated index term carried as a byte mask into the
    next term, all-match and no-match slices: the same rows as checking each row."""
    from tracer.filter import terms

    monkeypatch.setattr(terms, "SLICE", 7)
    s = EventStore()
    evs = []
    for i in range(300):
        pid = (10, 20, 30)[i % 3]
        name = ("read", "close", "openat", "write")[i % 4]
        path = b"/etc/hosts" if i % 5 else b"/tmp/x"
        failed = i % 11 == 0
        args = (0xFFFFFF9C, 1, 0) if name == "openat" else (3, 0, 0)
        c = call(i, name, args, ret=-2 if failed else 3, error=2 if failed else 0, pid=pid)
        c.mem = {1: path}
        evs.append(c)
    s.append(evs)
    s.text.ensure()
    text = s.text.lines

    def brute(pred):
        return [r for r in range(len(s)) if pred(r)]

    checks = {
        "hosts -pid:10": lambda r: "hosts" in text[r] and s.pid(r) != 10,
        "-pid:10 err": lambda r: s.pid(r) != 10 and s.event(r).error != 0,
        "-pid:10 -err": lambda r: s.pid(r) != 10 and s.event(r).error == 0,
        "-pid:10 -name:read tmp": lambda r: (
            s.pid(r) != 10 and s.name(r) != "read" and "tmp" in text[r]
        ),
        "-pid:10 -pid:20": lambda r: s.pid(r) == 30,
        "-pid:10 fd:3": lambda r: (
            s.pid(r) != 10
            and (
                (s.name(r) != "openat" and s.event(r).args[0] == 3)
                or (s.name(r) == "openat" and s.ret(r) == 3)
            )
        ),
        "e": lambda r: "e" in text[r],  # matches every row: whole slices at once
        "zzz": lambda r: False,
        "-zzz": lambda r: True,
        "-pid:99": lambda r: True,
    }
    assert all("e" in t for t in text)
    for flt, pred in checks.items():
        assert rows(s, flt) == brute(pred), flt
        part = parse_filter(flt).match_rows(s, range(40, 200))
        assert list(part) == [r for r in brute(pred) if 40 <= r < 200], flt
    # A cancelled match stops while it scatters a negated index term, too.
    assert parse_filter("-pid:10 e").match_rows(s, should_stop=lambda: True) is None


def test_a_whole_matching_slice_never_copies_past_the_row_ids_appended_so_far():
    """Mid-append, the columns are ahead of `row_ids` (extended at the end of a batch): a
    slice where every row matches must still give all its rows."""
    s = EventStore()
    s.append([call(i, "read", (3, 0, 0), ret=5) for i in range(40)])
    s.row_ids = s.row_ids[:25]
    assert list(parse_filter("read").match_rows(s)) == list(range(40))
    assert list(parse_filter("-err").match_rows(s, range(10, 40))) == list(range(10, 40))


def test_words_do_not_match_the_raw_bytes_of_a_struct_argument():
    """A stat buffer is shown decoded ({st_mode=...}); its raw bytes are not searchable text."""
    s = EventStore()
    raw = b"xyzzy" + bytes(139)
    s.append([call(0, "fstat", (3, 0x7FFD0000), mem={1: raw}), call(1, "write", (1, 2, 5))])
    s.append([call(2, "write", (1, 2, 5), mem={1: b"xyzzy"})])
    assert "xyzzy" not in s.line(0).lower()
    assert rows(s, "xyzzy") == [2]
