"""Plain-word search finds what programs send and receive, past the `-s` shown in the list.

A real program writes, sends and receives; each phrase sits beyond the first 32
bytes (the list's `-s`), and the quoted phrase is searched as one.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from conftest import collect

from tracer.filter import parse_filter
from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.store import EventStore
from tracer.syscalls.render import load_decoders

pytestmark = pytest.mark.timeout(60)

PROGRAM = textwrap.dedent(
    """
    import os, socket
    pad = b"." * 100  # the phrases come after the first 32 bytes the list shows
    # (each phrase is cut in two here: python reads this source, which must not match)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    a.send(pad + b"SET SESSION CHARACTERISTICS AS TRANSACTION READ" + b" ONLY")  # sendto(2)
    b.recv(4096)  # recvfrom(2)
    a.sendmsg([pad, b"PHRASE IN A" + b" MESSAGE"])
    b.recvmsg(4096)
    os.write(1, pad + b"needle-in" + b"-a-write\\n")
    """
)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> EventStore:
    load_decoders()
    script = Path(tmp_path_factory.mktemp("search")) / "talk.py"
    script.write_text(PROGRAM)
    out = open("/dev/null", "w")
    session = TraceSession(TraceOptions(command=[sys.executable, str(script)], tty_fd=out.fileno()))
    session.start()
    try:
        events = collect(session)
    finally:
        out.close()
    s = EventStore(strsize=32)
    s.append(events)
    return s


def matched_names(store: EventStore, text: str) -> list[str]:
    return [store.name(r) for r in parse_filter(text).match_rows(store)]


def test_a_quoted_phrase_finds_the_query_sent_and_received(store):
    assert matched_names(store, '"READ ONLY"') == ["sendto", "recvfrom"]
    assert "sendto" not in matched_names(store, 'name:sendto -"read only"')


def test_words_find_the_data_of_sendmsg_and_recvmsg(store):
    assert matched_names(store, '"phrase in a message"') == ["sendmsg", "recvmsg"]


def test_a_write_is_searched_past_the_bytes_the_list_shows(store):
    assert matched_names(store, "needle-in-a-write") == ["write"]


ENDPOINTS = textwrap.dedent(
    """
    import os, socket, tempfile
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # (the script is read by python, so it never spells an endpoint as searched)
    u.connect(("127.0.0.1", 9))
    u.sendto(b"x", ("127.0.0.2", 5353))
    path = os.path.join(tempfile.mkdtemp(), "srv" + ".sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    v6.connect(("::1", 853))
    """
)


def test_a_search_finds_calls_by_their_endpoint(tmp_path):
    """`127.0.0.1:9`, `[::1]:853` or a UNIX path finds the connect, sendto, bind that
    name it (the sockaddr itself is a struct the search text leaves out)."""
    load_decoders()
    script = tmp_path / "endpoints.py"
    script.write_text(ENDPOINTS)
    session = TraceSession(TraceOptions(command=[sys.executable, str(script)]))
    session.start()
    s = EventStore(strsize=32)
    s.append(collect(session))
    # (python asks getsockname/getpeername for them too, as it closes the sockets)
    for endpoint, call in (
        ("127.0.0.1:9", "connect"),
        ("127.0.0.2:5353", "sendto"),
        ("[::1]:853", "connect"),
        ("srv.sock", "bind"),
    ):
        found = matched_names(s, endpoint)
        assert found[0] == call and set(found[1:]) <= {"getsockname", "getpeername"}, found
