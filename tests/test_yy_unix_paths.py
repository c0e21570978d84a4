"""UNIX sockets' names in -yy fd annotations (issue #14): `3<UNIX-STREAM:[12->13,"/x"]>`,
`@"name"` for abstract ones, quoted under -x, -xx and --strings-in-hex=non-ascii-chars
as strace 6.1 quotes strings. strace is the oracle for tests/decode_programs/unix_yy.c;
the writer's own lookup (a call recorded without socket details) must print the same
text as the one made while the tracee is stopped."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from decode_oracle import compare_with_strace

from tracer.engine.socket_details import SocketDetails
from tracer.events import Syscall
from tracer.formats.fd_details import FdDetails
from tracer.model.sock_diag import SocketEndpoints
from tracer.syscalls import fmt

HEX_STYLES = {
    "default": [],
    "x": ["-x"],
    "xx": ["-xx"],
    "non-ascii-chars": ["--strings-in-hex=non-ascii-chars"],
    "x-s4": ["-x", "-s", "4"],  # -s does not cut a socket's name
}


@pytest.mark.timeout(120)
@pytest.mark.usefixtures("tracer_loop")
@pytest.mark.parametrize("style", HEX_STYLES)
def test_unix_socket_names_in_yy_print_as_strace(tmp_path, style):
    lines = compare_with_strace(tmp_path, "unix_yy", ["-f", "-yy", *HEX_STYLES[style]])
    listens = [line for line in lines if line.startswith("listen(")]
    assert len(listens) == 7
    assert sum(',@"' in line for line in listens) == 4  # the four abstract names
    assert any(line.startswith("accept4(") and "->" in line for line in lines)
    assert any(line.startswith("poll([{fd=") and "UNIX-STREAM:[" in line for line in lines)


@pytest.fixture
def unix_sockets(tmp_path) -> Iterator[list[socket.socket]]:
    """A listening stream socket on an abstract name with a control byte and a NUL, a
    seqpacket one on a path with a quote and a backslash, an unnamed datagram one."""
    made = [
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM),
        socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET),
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM),
    ]
    made[0].bind(b"\0" + os.fsencode(tmp_path) + b"/ab\x01c\0zz")
    made[1].bind(os.fsencode(tmp_path) + b'/q"\\x')
    for s in made[:2]:
        s.listen()
    yield made
    for s in made:
        s.close()


@pytest.mark.parametrize("hex_style", ["none", "non-ascii-chars", "non-ascii", "all"])
def test_the_writers_lookup_names_sockets_as_the_stopped_tracee_lookup(
    unix_sockets, tmp_path, monkeypatch, hex_style
):
    monkeypatch.setattr(fmt.STYLE, "strings_in_hex", hex_style)
    fd_details = FdDetails(frozenset({"path", "socket"}))
    texts = []
    for s in unix_sockets:
        link = os.readlink(f"/proc/self/fd/{s.fileno()}")
        at_stop = SocketDetails().describe(os.getpid(), s.fileno(), link)
        in_writer = SocketEndpoints().describe(os.getpid(), int(link[8:-1]))
        call = Syscall(seq=1, pid=os.getpid(), tid=os.getpid(), nr=0, args=(), start=0.0)
        assert in_writer == at_stop
        assert fd_details(call, s.fileno(), link) == f"<{at_stop}>"
        texts.append(at_stop)
    inode = os.readlink(f"/proc/self/fd/{unix_sockets[0].fileno()}")[8:-1]
    if hex_style == "none":
        assert texts[0] == f'UNIX-STREAM:[{inode},@"{tmp_path}/ab\\1c"]'
        assert texts[1].startswith("UNIX:[") and texts[1].endswith(f',"{tmp_path}/q\\"\\\\x"]')
        assert texts[2].startswith("UNIX:[") and "," not in texts[2]
