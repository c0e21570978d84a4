#!/usr/bin/env python3
"""Story: "the server is at 100% CPU and stopped answering, but logs nothing useful".

A TCP server on 127.0.0.1 (ephemeral port) runs with a low file-descriptor
limit (RLIMIT_NOFILE = 32, as a too-strict systemd LimitNOFILE= would set) and
leaks every accepted connection (it never closes them). A child process it
forks plays 60 clients. Once the fd table is full, poll() keeps saying the
listening socket is readable (clients are waiting in the backlog) but accept4()
fails with EMFILE every time: the server spins. It gives up by itself after
200 failed accepts or 5 seconds, so the example always ends.

The trace shows the pattern at a glance: a run of accept4(3, ...) = 4..31
(socket:[...]) calls, then a tight loop of poll() = 1 / accept4() = -1 EMFILE
(Too many open files). The fd table shows 32 open descriptors, none closed.

    tracetui python3 examples/emfile_server.py
Filter ideas: `accept4`, errors only, or the process's fd table.
(strace equivalent: strace -f -e trace=accept4,poll,prlimit64 python3 ...)
"""

import errno
import os
import resource
import select
import socket
import sys
import time

FD_LIMIT = 32
CLIENTS = 60
MAX_FAILURES = 200
MAX_SECONDS = 5.0


def run_clients(port: int, release_fd: int) -> None:
    """Child: open CLIENTS connections and hold them until the parent says stop."""
    conns = []
    for _ in range(CLIENTS):
        s = socket.create_connection(("127.0.0.1", port))
        conns.append(s)
    os.read(release_fd, 1)  # EOF when the parent is done
    os._exit(0)


def main() -> int:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    release_r, release_w = os.pipe()

    pid = os.fork()
    if pid == 0:
        listener.close()
        os.close(release_w)
        run_clients(port, release_r)
    os.close(release_r)

    # The misconfiguration: a tiny fd limit for a server.
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))
    print(f"server: listening on 127.0.0.1:{port} with RLIMIT_NOFILE={FD_LIMIT}")

    leaked = []  # the bug: accepted connections are never closed
    failures = 0
    deadline = time.monotonic() + MAX_SECONDS
    poller = select.poll()
    poller.register(listener, select.POLLIN)
    while failures < MAX_FAILURES and time.monotonic() < deadline:
        if not poller.poll(100):
            continue
        try:
            conn, _ = listener.accept()
        except OSError as e:
            if e.errno != errno.EMFILE:
                raise
            failures += 1  # and retry at once: this is the spin
            continue
        leaked.append(conn)

    print(f"server: accepted {len(leaked)} clients, {failures} accept() failures; giving up")
    for conn in leaked:
        conn.close()
    os.close(release_w)
    os.waitpid(pid, 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
