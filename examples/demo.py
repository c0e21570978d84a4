#!/usr/bin/env python3
"""A guided tour of tracetui in about six seconds: a bit of everything.

    tracetui python3 examples/demo.py      (or: tracetui examples/demo.py)

Phases (each printed as it starts, about one second apart, so you can watch
them arrive live):
  1. files    write, reread and delete a temp file; open a missing one (ENOENT)
  2. network  a TCP server and client on 127.0.0.1 exchanging a few messages,
              plus a UDP datagram
  3. thread   a worker thread (clone3/clone with CLONE_THREAD) doing its own I/O
  4. child    a child process: fork + execve("/bin/echo") and wait4()
  5. signals  SIGUSR1 to itself with a handler, SIGALRM from alarm(), and a
              blocked-then-unblocked SIGUSR2 (rt_sigprocmask)
Things to try: filter `openat`, show errors only, open the process tree,
select the accept4() line and look at the fd table.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PAUSE = 1.0


def phase(name: str) -> None:
    print(f"demo: {name}", flush=True)
    time.sleep(PAUSE)


def files() -> None:
    with tempfile.NamedTemporaryFile("w+", prefix="tracetui-demo-", delete=False) as f:
        f.write("hello from the demo\n" * 3)
        path = f.name
    with open(path) as f:
        f.read()
    os.unlink(path)
    try:
        open("/nonexistent/tracetui-demo.conf")
    except FileNotFoundError:
        pass


def network() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname())
    conn, _ = server.accept()
    for i in range(3):
        client.sendall(f"ping {i}\n".encode())
        conn.recv(64)
        conn.sendall(f"pong {i}\n".encode())
        client.recv(64)
    for s in (client, conn, server):
        s.close()
    udp_rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_rx.bind(("127.0.0.1", 0))
    udp_tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_tx.sendto(b"hello over udp", udp_rx.getsockname())
    udp_rx.recvfrom(64)
    udp_tx.close()
    udp_rx.close()


def worker() -> None:
    fd = os.open("/dev/null", os.O_WRONLY)
    for i in range(5):
        os.write(fd, f"thread line {i}\n".encode())
        time.sleep(0.05)
    os.close(fd)


def thread() -> None:
    t = threading.Thread(target=worker, name="demo-worker")
    t.start()
    t.join()


def child() -> None:
    subprocess.run(["/bin/echo", "demo: hello from a child process"], check=True)


def signals() -> None:
    received = []
    signal.signal(signal.SIGUSR1, lambda signum, frame: received.append(signum))
    signal.signal(signal.SIGALRM, lambda signum, frame: received.append(signum))
    signal.signal(signal.SIGUSR2, lambda signum, frame: received.append(signum))
    os.kill(os.getpid(), signal.SIGUSR1)
    signal.alarm(1)
    time.sleep(1.5)  # interrupted by SIGALRM, then resumed
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    os.kill(os.getpid(), signal.SIGUSR2)  # pending while blocked
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})
    names = ", ".join(signal.Signals(s).name for s in received)
    print(f"demo: handled {names}", flush=True)


def main() -> int:
    for name, step in (
        ("files", files),
        ("network", network),
        ("thread", thread),
        ("child", child),
        ("signals", signals),
    ):
        phase(name)
        step()
    print("demo: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
