"""After `-p`, fds opened before the attach: flags by name and sockets with their endpoints.

A live program opens a listening socket, a connection and a file, then tells
the test its fds and port (its own oracle); the fd table is seeded from /proc.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tracer.model.fds import FdTables
from tui.endpoints import socket_target

pytestmark = pytest.mark.timeout(30)

PROGRAM = textwrap.dedent(
    """
    import json, socket, sys, time
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
    cli = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    f = open("/etc/hostname")
    print(json.dumps({"port": srv.getsockname()[1], "client_port": cli.getsockname()[1],
                      "srv": srv.fileno(), "cli": cli.fileno(), "file": f.fileno()}), flush=True)
    time.sleep(30)
    """
)


def test_an_attached_process_fds_show_flag_names_and_socket_endpoints():
    proc = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, text=True)
    try:
        facts = json.loads(proc.stdout.readline())
        tables = FdTables()
        tables.seed_from_proc(proc.pid)
        entries = {e.fd: e for e in tables.entries(proc.pid)}
        target = {fd: socket_target(e.path, e.local, e.peer, False) for fd, e in entries.items()}
        assert f"on 127.0.0.1:{facts['port']}" in target[facts["srv"]]
        assert (
            f"127.0.0.1:{facts['client_port']} -> 127.0.0.1:{facts['port']}" in target[facts["cli"]]
        )
        assert target[facts["srv"]].endswith("tcp")
        assert entries[facts["file"]].flags == "O_RDONLY|O_CLOEXEC"
        assert all(not e.flags.startswith("0") for e in entries.values()), "no raw octal"
    finally:
        proc.kill()
        proc.wait()
