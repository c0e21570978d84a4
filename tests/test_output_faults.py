"""Where the trace goes never changes the traced program, and every byte survives.

Odd file names and arguments print as strace prints them; a full disk, a closed
stderr or a FIFO neither kill nor hang the program; `nohup` is honoured.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import ROOT, compile_c, run_tracetui, strip_pid, tracetui_cmd

# File names strace must escape: not UTF-8, a newline, an ESC sequence, quote,
# backslash and tab, the `<>` of -y's own brackets, UTF-8 and octal-looking bytes.
ODD_NAMES = [
    b"a\xffb",
    b"nl\nx",
    b"esc\x1b[31m",
    b'q"b\\s\tt',
    b"<lt>gt",
    b"\xc3\xa9t\xc11",
]

ODD_FILES = r"""
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* argv[1]: a directory; then one file name per argument, created, written, removed. */
int main(int argc, char **argv) {
    if (chdir(argv[1]) != 0) return 99;
    for (int i = 2; i < argc; i++) {
        int fd = open(argv[i], O_CREAT | O_WRONLY | O_TRUNC, 0644);
        write(fd, "x\377\n\0\033", 5);
        close(fd);
        unlink(argv[i]);
    }
    return 3;
}
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _fd_lines(lines: list[str], work: Path) -> list[str]:
    """The calls on the odd files, pid prefixes off (pids differ between runs)."""
    keep = ("openat(", "write(3<", "close(3<", "unlink(")
    calls = [strip_pid(line) for line in lines]
    return [c for c in calls if c.startswith(keep) and str(work) in c or c.startswith("unlink(")]


def test_odd_file_names_and_arguments_print_exactly_as_strace(tmp_path):
    """`-y -o FILE` with names that are not UTF-8 or hold control characters: the whole
    trace is written, escaped byte for byte as strace 6.1 escapes it."""
    prog = compile_c(ODD_FILES, name="odd_files")
    work = tmp_path / "work"
    work.mkdir()
    argv = [str(prog), str(work), *ODD_NAMES]
    mine = tmp_path / "mine.txt"
    theirs = tmp_path / "strace.txt"
    proc = subprocess.run(
        [*tracetui_cmd("--no-ui", "-f", "-y", "-o", str(mine)), *argv],
        capture_output=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr == b""
    subprocess.run(["strace", "-f", "-y", "-o", str(theirs), *argv], check=False, timeout=60)
    mine_lines = mine.read_text().splitlines()
    theirs_lines = theirs.read_text().splitlines()
    expected = _fd_lines(theirs_lines, work)
    assert len(expected) == 4 * len(ODD_NAMES)
    assert _fd_lines(mine_lines, work) == expected
    # The arguments too, in the execve line (its environment pointer differs).
    execve = [strip_pid(x) for x in mine_lines if "execve(" in x][0]
    assert (
        execve.split("], ")[0]
        == [strip_pid(x) for x in theirs_lines if "execve(" in x][0].split("], ")[0]
    )
    assert "\n" not in "".join(mine_lines) and "\x1b" not in mine.read_text()
    assert mine_lines[-1].endswith("+++ exited with 3 +++")


def test_json_keeps_bytes_that_are_not_utf8(tmp_path):
    """JSON lines: paths and argv that are not UTF-8 are readable escapes, never U+FFFD
    or lone surrogates, and their exact bytes are beside them in hex."""
    prog = compile_c(ODD_FILES, name="odd_files")
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "trace.jsonl"
    args = [str(prog), str(work), *ODD_NAMES]
    proc = subprocess.run(
        [*tracetui_cmd("--no-ui", "-y", "--format", "jsonl", "-o", str(out)), *args],
        capture_output=True,
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 3, proc.stderr
    raw = out.read_bytes()
    assert b"\\ufffd" not in raw and b"\\udc" not in raw
    events = [json.loads(line) for line in raw.decode("ascii").splitlines()]
    want_argv = [os.fsencode(a) for a in args]
    execs = [e for e in events if e["type"] == "exec"]
    assert [bytes.fromhex(h) for h in execs[0]["argv_hex"]] == want_argv
    assert execs[0]["argv"][2] == "a\\xffb"
    started = [e for e in events if e["type"] == "process_started"]
    assert [bytes.fromhex(h) for h in started[0]["argv_hex"]] == want_argv
    seen = set()
    for e in events:
        for fd, text in (e.get("fds") or {}).items():
            exact = (e.get("fds_hex") or {}).get(fd)
            seen.add(bytes.fromhex(exact) if exact is not None else os.fsencode(text))
    for name in ODD_NAMES:
        assert os.fsencode(str(work)) + b"/" + name in seen


KILLED_CALLS = r"""
#include <pthread.h>
#include <time.h>
#include <unistd.h>
static int p[2];
static void *paused(void *a) { pause(); return 0; }
static void *reading(void *a) { char b[16]; read(p[0], b, sizeof b); return 0; }
int main(void) {
    pthread_t t, u;
    pipe(p);
    pthread_create(&t, 0, paused, 0);
    pthread_create(&u, 0, reading, 0);
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, 0);
    getpid();
    _exit(0); /* both threads die inside their calls */
}
"""


def test_calls_cut_short_by_exit_end_as_in_strace(tmp_path):
    """A call whose thread dies in it: `<... read resumed> <unfinished ...>) = ?` where the
    buffer was left to print, `<... pause resumed>) = ?` where nothing was."""
    prog = compile_c(KILLED_CALLS, name="killed_calls")
    mine = tmp_path / "mine.txt"
    proc = run_tracetui("--no-ui", "-o", str(mine), str(prog))
    assert proc.returncode == 0, proc.stderr
    theirs = tmp_path / "strace.txt"
    subprocess.run(["strace", "-f", "-o", str(theirs), str(prog)], check=True, timeout=60)

    def cut_short(path: Path) -> list[str]:
        lines = [strip_pid(x) for x in path.read_text().splitlines()]
        return sorted(x for x in lines if x.endswith("= ?") and "resumed>" in x)

    assert cut_short(mine) == cut_short(theirs)
    assert any(x.startswith("<... pause resumed>) ") for x in cut_short(mine))


EXIT_AFTER_MARK = r"""
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
/* Writes its marker file (argv[1]) at the very end, then exits with argv[2]. */
int main(int argc, char **argv) {
    for (int i = 0; i < 200; i++) getppid();
    close(open(argv[1], O_CREAT | O_WRONLY, 0644));
    return atoi(argv[2]);
}
"""


def test_a_full_disk_loses_the_output_not_the_program(tmp_path):
    """`-o /dev/full`: one line says the trace is lost; the program runs to its end and
    tracetui exits with the program's status."""
    prog = compile_c(EXIT_AFTER_MARK, name="exit_after_mark")
    mark = tmp_path / "done"
    proc = run_tracetui("--no-ui", "-o", "/dev/full", str(prog), str(mark), "7")
    assert proc.returncode == 7, proc.stderr
    assert mark.exists()
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "cannot write /dev/full" in lines[0], proc.stderr


def test_a_closed_stderr_loses_the_output_not_the_program(tmp_path):
    """`tracetui --no-ui prog 2>&-`: the trace has nowhere to go; the program still
    runs to its end, its status is ours, and nothing lands on stdout instead."""
    prog = compile_c(EXIT_AFTER_MARK, name="exit_after_mark")
    mark = tmp_path / "done"
    proc = subprocess.run(
        [*tracetui_cmd("--no-ui", str(prog), str(mark), "5")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(2),
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 5
    assert mark.exists()
    assert proc.stdout == b""


def test_a_fifo_reader_gets_the_whole_trace(tmp_path):
    """`-o FIFO` with `cat FIFO` already waiting: cat sees one writer from start to end
    and gets every line; tracetui exits with the program's status."""
    prog = compile_c(EXIT_AFTER_MARK, name="exit_after_mark")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = tmp_path / "got.txt"
    with open(got, "wb") as sink:
        reader = subprocess.Popen(["cat", str(fifo)], stdout=sink)
        try:
            proc = run_tracetui(
                "--no-ui", "-o", str(fifo), str(prog), str(tmp_path / "m"), "4", timeout=30
            )
            reader.wait(timeout=30)
        finally:
            reader.kill()
            reader.wait()
    assert proc.returncode == 4, proc.stderr
    lines = got.read_text().splitlines()
    assert sum("getppid()" in x for x in lines) == 200
    assert lines[-1].endswith("+++ exited with 4 +++")


@pytest.mark.parametrize("signo", [signal.SIGTERM, signal.SIGINT])
def test_a_fifo_without_reader_can_be_interrupted(tmp_path, signo):
    """Nobody opens the FIFO: tracetui waits for a reader, and SIGTERM or Ctrl-C end
    it at once, without a traceback and before any program was started."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    mark = tmp_path / "started"
    p = subprocess.Popen(
        [*tracetui_cmd("--no-ui", "-o", str(fifo), "touch", str(mark))],
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        # Wait until it sits in open(2) on the FIFO.
        deadline = threading.Event()
        for _ in range(500):
            try:
                if "fifo_open" in Path(f"/proc/{p.pid}/wchan").read_text() or (
                    Path(f"/proc/{p.pid}/syscall").read_text().split()[0] == "257"
                ):
                    break
            except (OSError, IndexError):
                pass
            deadline.wait(0.02)
        p.send_signal(signo)
        _, err = p.communicate(timeout=20)
    finally:
        p.kill()
        p.wait()
    assert p.returncode != 0
    assert "Traceback" not in err
    assert len(err.splitlines()) <= 1
    assert not mark.exists()


NOHUP_PROG = r"""
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* Sends the given signal to its parent (tracetui) three times, then reports whether it
   itself ignores that signal, and exits 7. */
int main(int argc, char **argv) {
    int sig = argv[1][0] == 'H' ? SIGHUP : SIGINT;
    struct timespec ts = {0, 400000000};
    for (int i = 0; i < 3; i++) { kill(getppid(), sig); nanosleep(&ts, 0); }
    struct sigaction sa;
    sigaction(sig, 0, &sa);
    printf("%s\n", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    return 7;
}
"""


@pytest.mark.parametrize("name", ["HUP", "INT"])
def test_signals_ignored_at_start_stay_ignored(tmp_path, name):
    """`nohup tracetui ...` (or a background job's ignored SIGINT): a hangup reaches
    neither tracetui nor the program; the program inherits the signal ignored."""
    prog = compile_c(NOHUP_PROG, name="nohup_prog")
    signo = getattr(signal, "SIG" + name)
    out = tmp_path / "trace.txt"
    proc = subprocess.run(
        [*tracetui_cmd("--no-ui", "-o", str(out), str(prog), name)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: signal.signal(signo, signal.SIG_IGN),
        timeout=60,
        env=_env(),
    )
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout == "ignored\n"
    assert out.read_text().splitlines()[-1].endswith("+++ exited with 7 +++")
