#!/usr/bin/env python3
"""Story: "some INSERTs fail with 'read-only transaction', but nobody sets that".

A toy database server on 127.0.0.1 (ephemeral port) and three client worker
processes (forked) that send line-based queries over TCP. One worker, buried
in a "reporting" code path, sends

    SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY

after which the server rejects that connection's INSERTs. The worker logs only
"query failed" and the server has no query log, so who sent it?

The trace answers: filter on `READ ONLY` (or `sendto`/`recvfrom`). The
client-side sendto() shows which worker pid sent it and on which socket; the
server-side recvfrom() shows the accepted socket it arrived on (fd N,
socket:[inode]); follow that fd back to the accept4() that returned it to get
the peer address, and see the "ERROR: ... read-only transaction" replies go
out on the same fd.

    tracetui python3 examples/query_client.py
(strace equivalent: strace -f -yy -e trace=network -s 128 python3 ...)
"""

import os
import selectors
import socket
import sys

WORKERS = {
    "orders": ["BEGIN", "INSERT INTO orders VALUES (1)", "COMMIT"],
    "reports": [
        "SELECT count(*) FROM orders",
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "SELECT sum(total) FROM orders",
        "INSERT INTO audit VALUES ('report done')",
    ],
    "billing": ["BEGIN", "INSERT INTO invoices VALUES (7)", "COMMIT"],
}


def run_worker(name: str, port: int, queries: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as s:
        stream = s.makefile("rb")
        for query in queries:
            s.sendall(query.encode() + b"\n")
            reply = stream.readline().decode().strip()
            if reply.startswith("ERROR"):
                print(f"{name}: query failed", file=sys.stderr)  # the vague log
    os._exit(0)


def answer(state: dict[str, bool], query: str) -> bytes:
    if query.startswith("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"):
        state["read_only"] = True
        return b"OK\n"
    if query.startswith("INSERT") and state["read_only"]:
        return b"ERROR: cannot execute INSERT in a read-only transaction\n"
    return b"OK\n"


def serve(listener: socket.socket, clients: int) -> None:
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    sessions: dict[socket.socket, tuple[dict[str, bool], bytearray]] = {}
    finished = 0
    while finished < clients:
        for key, _ in sel.select(timeout=5):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                sessions[conn] = ({"read_only": False}, bytearray())
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            state, buf = sessions[conn]
            data = conn.recv(4096)
            if not data:
                sel.unregister(conn)
                conn.close()
                finished += 1
                continue
            buf += data
            while b"\n" in buf:
                line, _, rest = bytes(buf).partition(b"\n")
                buf[:] = rest
                conn.sendall(answer(state, line.decode()))


def main() -> int:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    pids = []
    for name, queries in WORKERS.items():
        pid = os.fork()
        if pid == 0:
            listener.close()
            run_worker(name, port, queries)
        pids.append(pid)
    serve(listener, len(pids))
    for pid in pids:
        os.waitpid(pid, 0)
    print("server: all sessions closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
