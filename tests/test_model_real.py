"""Process tree, fd tables and error groups follow a real traced program.

The C program is its own oracle: it writes what it did (fd numbers, pids) to
a report file, and the test compares the models with that report.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tracer.model import ErrorGroups, FdTables, ProcessTree
from tracer.options import TraceOptions
from tracer.session import TraceSession
from tracer.store import EventStore

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc"),
]

PROGRAM = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    FILE *rep = fopen(argv[1], "w");
    setvbuf(rep, NULL, _IONBF, 0);
    int f = open("/etc/hostname", O_RDONLY);
    int d = dup(f);
    int d2 = dup2(f, 20);
    int p[2];
    pipe2(p, O_CLOEXEC);
    int c = fcntl(f, F_DUPFD_CLOEXEC, 30);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    close(d);
    int missing = open("/nonexistent/tracetui-test", O_RDONLY);
    fprintf(rep, "open %d\ndup %d\ndup2 %d\npipe_r %d\npipe_w %d\ncloexec_dup %d\nsocket %d\nclosed %d\nmissing %d\nparent %d\n",
            f, d, d2, p[0], p[1], c, s, d, missing, getpid());
    pid_t child = fork();
    if (child == 0) {
        int g = open("/etc/passwd", O_RDONLY);
        fprintf(rep, "child %d\nchild_open %d\n", getpid(), g);
        fclose(rep);
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
    fprintf(rep, "done\n");
    return 3;
}
"""


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    d = tmp_path_factory.mktemp("fdprog")
    src, exe, rep = d / "fdprog.c", d / "fdprog", d / "report.txt"
    src.write_text(PROGRAM)
    subprocess.run(["gcc", "-O0", "-o", str(exe), str(src)], check=True)
    session = TraceSession(TraceOptions(command=[str(exe), str(rep)]))
    session.start()
    assert session.wait(50)
    events = session.drain()
    store = EventStore()
    tree, fds, errors = ProcessTree(), FdTables(), ErrorGroups()
    # Feed in small batches, as the app does.
    for i in range(0, len(events), 7):
        update = store.append(events[i : i + 7])
        for model in (tree, fds, errors):
            model.update(store, update)
    report = {}
    for line in Path(rep).read_text().splitlines():
        key, _, value = line.partition(" ")
        report[key] = int(value) if value.lstrip("-").isdigit() else value
    return store, tree, fds, errors, report


def test_process_tree_shows_parent_child_and_exit_codes(traced):
    store, tree, _, _, rep = traced
    parent, child = tree.get(rep["parent"]), tree.get(rep["child"])
    assert parent is not None and child is not None
    assert child.ppid == parent.pid
    assert [c.pid for c in tree.children(parent.pid)] == [child.pid]
    assert parent in tree.roots()
    assert parent.state == "exited" and parent.exit_code == 3
    assert child.state == "exited" and child.exit_code == 0
    assert child.exe == "/bin/true" or child.exe.endswith("/true")
    assert parent.syscalls > 10 and parent.errors >= 1
    assert store.pid(parent.start_row) == parent.pid


def test_fd_table_follows_open_dup_pipe_and_close(traced):
    store, _, fds, _, rep = traced
    pid = rep["parent"]
    e = fds.get(pid, rep["open"])
    assert e.path == "/etc/hostname" and e.kind == "file" and e.created_by == "openat"
    assert "openat" in store.line(e.created_row) and "/etc/hostname" in store.line(e.created_row)
    assert fds.get(pid, rep["dup2"]).path == "/etc/hostname"
    assert fds.get(pid, rep["dup2"]).created_by == "dup2"
    cl = fds.get(pid, rep["cloexec_dup"])
    assert cl.created_by == "fcntl" and cl.cloexec and cl.path == "/etc/hostname"
    r, w = fds.get(pid, rep["pipe_r"]), fds.get(pid, rep["pipe_w"])
    assert r.kind == w.kind == "pipe" and r.cloexec and w.cloexec
    assert fds.get(pid, rep["socket"]).kind == "socket"
    # The dup'ed fd was closed: it is listed closed, with the row of the close.
    assert fds.get(pid, rep["closed"]) is None or fds.get(pid, rep["closed"]).created_by != "dup"
    closed = [x for x in fds.entries(pid) if x.created_by == "dup" and x.fd == rep["dup"]]
    assert closed and closed[0].closed_by == "close"
    assert store.line(closed[0].closed_row).startswith(f"close({rep['dup']}")
    assert rep["missing"] == -1 and fds.open_count(pid) >= 7


def test_forked_child_inherits_and_exec_closes_cloexec(traced):
    _, _, fds, _, rep = traced
    child, parent = rep["child"], rep["parent"]
    own = fds.get(child, rep["child_open"])
    assert own is not None and own.path == "/etc/passwd"
    assert (
        fds.get(parent, rep["child_open"]) is None
        or fds.get(parent, rep["child_open"]).path != "/etc/passwd"
    )
    # Inherited without O_CLOEXEC: still open after exec; with it: closed by execve.
    assert fds.get(child, rep["dup2"]).path == "/etc/hostname"
    for key in ("pipe_r", "pipe_w", "cloexec_dup"):
        assert fds.get(child, rep[key]) is None
        gone = [x for x in fds.entries(child) if x.fd == rep[key] and x.closed_by == "execve"]
        assert gone, key


def test_a_forked_childs_table_copies_every_field_of_each_entry():
    """FdTable.copy names FdEntry's fields one by one (for speed): none may be left out."""
    from dataclasses import fields

    from tracer.model.fds import FdEntry, FdTable

    values = {  # a value of its own for each field: swapped ones show
        f.name: (i + 1 if "int" in f.type else True if f.type == "bool" else f"v{i}")
        for i, f in enumerate(fields(FdEntry))
    }
    table = FdTable()
    table.open[7] = FdEntry(**values)
    child = table.copy()
    assert child.open[7] == table.open[7] and child.open[7] is not table.open[7]


def test_failed_open_is_grouped_with_its_path(traced):
    store, _, _, errors, _ = traced
    g = errors.get("openat", 2, "/nonexistent/tracetui-test")
    assert g is not None and g.count == 1
    assert store.failed(g.first_row) and store.errno(g.first_row) == 2
    assert "ENOENT" in store.line(g.first_row)


def test_nofile_limit_of_a_live_process_matches_proc():
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    import os

    assert FdTables().nofile_limit(os.getpid()) == (
        None if soft == resource.RLIM_INFINITY else soft
    )


def test_plain_word_search_finds_what_the_lines_show(traced):
    """Every name, fd, path and return value shown on a real trace's lines is found by a plain word."""
    store = traced[0]
    checked = 0
    assert store.text.ensure()
    for row in range(len(store)):
        text = store.text.lines[row]
        if not store.is_syscall(row):
            assert text == store.line(row).lower()
            continue
        rc = store.rendered(row)
        shown = [rc.name, f"= {rc.ret}"] + [a.text for a in rc.args if a.kind in ("fd", "path")]
        for piece in shown:
            assert piece.lower() in text, (store.line(row), text)
            checked += 1
    assert checked > 50
    from tracer.filter import parse_filter

    for word in ("/etc/hostname", "enoent", "/nonexistent/tracetui-test", "openat"):
        got = set(parse_filter(f'"{word}"').match_rows(store))
        assert got == {r for r in range(len(store)) if word in store.line(r).lower()}, word


def test_path_filter_matches_path_arguments_and_fd_paths(traced):
    from tracer.filter import parse_filter

    store = traced[0]
    for needle in ("/etc", "hostname", "/nonexistent"):

        def about(row: int, needle: str = needle) -> bool:
            rc = store.rendered(row)
            if rc is None:
                return False
            fds = store.fds_of(row) or {}
            return any(a.kind == "path" and needle in a.text for a in rc.args) or any(
                needle in v for v in fds.values()
            )

        expected = [r for r in range(len(store)) if about(r)]
        assert expected, needle
        assert list(parse_filter(f"path:{needle}").match_rows(store)) == expected
        everything = set(range(len(store)))
        assert set(parse_filter(f"-path:{needle}").match_rows(store)) == everything - set(expected)


SHARED_FILES = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *rep;

static int opener(void *arg) {
    int fd = open("/etc/hostname", O_RDONLY);
    fprintf(rep, "sharer %d\nshared_open %d\n", getpid(), fd);
    return 0;
}

static int execer(void *arg) {
    execl("/bin/true", "true", (char *)NULL);
    return 127;
}

int main(int argc, char **argv) {
    rep = fopen(argv[1], "w");
    setvbuf(rep, NULL, _IONBF, 0);
    char *stack = malloc(1 << 16), *stack2 = malloc(1 << 16);
    int keep = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    pid_t a = clone(opener, stack + (1 << 16), CLONE_FILES | SIGCHLD, NULL);
    waitpid(a, NULL, 0);
    pid_t b = clone(execer, stack2 + (1 << 16), CLONE_FILES | SIGCHLD, NULL);
    waitpid(b, NULL, 0);
    fprintf(rep, "parent %d\nkeep %d\nexecer %d\n", getpid(), keep, b);
    return 0;
}
"""


def test_clone_files_children_share_the_table_until_exec_unshares_it(tmp_path, cc):
    """A CLONE_FILES child's open lands in its parent's table; a CLONE_FILES child that
    execs gets a copy, whose close-on-exec closes leave the parent's fds open."""
    exe, rep = cc(SHARED_FILES, name="shared_files"), tmp_path / "report.txt"
    session = TraceSession(TraceOptions(command=[str(exe), str(rep)]))
    session.start()
    assert session.wait(50)
    store, fds = EventStore(), FdTables()
    events = session.drain()
    for i in range(0, len(events), 5):
        fds.update(store, store.append(events[i : i + 5]))
    report = dict(line.split(" ") for line in rep.read_text().splitlines())
    parent, keep = int(report["parent"]), int(report["keep"])
    shared_fd = int(report["shared_open"])
    assert fds.get(parent, shared_fd).path == "/etc/hostname"  # opened by the sharer
    assert fds.get(parent, keep).path == "/etc/passwd"  # O_CLOEXEC: open in the parent
    execer = int(report["execer"])
    gone = [x for x in fds.entries(execer) if x.fd == keep and x.closed_by == "execve"]
    assert gone, "the exec'ing child's copy closes the close-on-exec fd"


OPEN_CLOSE_LOOP = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    int keep = open("/etc/passwd", O_RDONLY);
    for (int i = 0; i < n; i++) close(open("/etc/hostname", O_RDONLY));
    return keep < 0;
}
"""


def test_the_files_pane_lists_the_open_fds_and_the_newest_closed_ones(cc):
    # A loop that opens and closes a file keeps an entry per open; the pane lists the
    # most recent CLOSED_SHOWN (a table of 333,000 rows kept the app busy for minutes).
    from tui.models import CLOSED_SHOWN, Models

    exe = cc(OPEN_CLOSE_LOOP, name="open_close_loop")
    session = TraceSession(TraceOptions(command=[str(exe), str(CLOSED_SHOWN + 200)]))
    session.start()
    assert session.wait(50)
    store, models = EventStore(), Models(read_proc=False)
    models.update(store, store.append(session.drain()))
    pid = session.worker.main_pid
    rows = models.fd_rows(pid)
    closed = [r for r in rows if not r.open]
    assert len(closed) == CLOSED_SHOWN
    assert closed[0].created_row > closed[-1].created_row  # the most recently closed first
    assert all(r.open for r in rows[: len(rows) - CLOSED_SHOWN])
