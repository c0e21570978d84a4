"""Fault injection (issue #17): strace's -e inject=/fault= and tracetui's --inject FILTER ACTION.

Real programs under real ptrace. Where strace itself defines the answer (which calls
`when=` picks, what the program then sees), the program prints what it saw and strace's
run of the same program is the oracle.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import compile_c, run_tracetui
from tracer.steer.rules import SteerSpecError, When, parse_strace_inject, parse_when

pytestmark = pytest.mark.timeout(120)

COUNTS = (Path(__file__).with_name("inject_programs") / "inject_counts.c").read_text()

THREAD_DELAY = r"""
/* Thread A sits in a delayed getppid() while thread B makes getpid() calls: B's count
 * says whether the tracer kept serving B during A's delay. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static volatile int done;
static void *spin(void *arg) {
    long n = 0;
    while (!done) { syscall(SYS_getpid); n++; }
    printf("calls_during_delay %ld\n", n);
    return arg;
}
int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    usleep(20000);
    syscall(SYS_getppid);
    done = 1;
    pthread_join(t, NULL);
    return 0;
}
"""


def _strace_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["strace", "-f", "-o", "/dev/null", *args], capture_output=True, text=True, timeout=60
    )


def _lines(stdout: str) -> list[str]:
    return [ln for ln in stdout.splitlines() if not ln.startswith("getppid_ns")]


needs_strace = pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")


@needs_strace
def test_failing_every_openat_makes_cat_fail_as_under_strace(tracer_loop, tmp_path):
    """`-e inject=openat:error=EACCES -- cat /etc/hostname`: cat reports Permission denied
    and fails, with the status strace's run of it has (the loader's opens fail first)."""
    out = tmp_path / "t.txt"
    proc = run_tracetui(
        "--no-ui", "-o", str(out), "-e", "inject=openat:error=EACCES", "--", "cat", "/etc/hostname"
    )
    ref = _strace_run("-e", "inject=openat:error=EACCES", "cat", "/etc/hostname")
    assert "Permission denied" in proc.stderr
    assert proc.returncode != 0 and proc.returncode == ref.returncode
    text = out.read_text()
    assert "= -1 EACCES (Permission denied) (INJECTED)" in text
    assert "= 3" not in [ln.split(")")[-1].strip() for ln in text.splitlines() if "openat" in ln]


def test_a_path_filter_fails_only_that_open(tracer_loop, tmp_path):
    """`--inject 'path:/etc/hostname' error=ENOENT`: the loader's opens succeed, cat's open
    of /etc/hostname fails, and only that line is marked."""
    out = tmp_path / "t.txt"
    proc = run_tracetui(
        "--no-ui",
        "-o",
        str(out),
        "-e",
        "trace=openat",
        "--inject",
        "path:/etc/hostname",
        "error=ENOENT",
        "--",
        "cat",
        "/etc/hostname",
    )
    assert proc.returncode == 1
    assert "/etc/hostname: No such file or directory" in proc.stderr
    lines = out.read_text().splitlines()
    injected = [ln for ln in lines if "(INJECTED)" in ln]
    assert len(injected) == 1 and '"/etc/hostname"' in injected[0]
    assert injected[0].endswith("= -1 ENOENT (No such file or directory) (INJECTED)")
    libc = [ln for ln in lines if "libc.so.6" in ln]
    assert libc and all(ln.endswith("= 3") for ln in libc)


@needs_strace
@pytest.mark.parametrize("when", ["2+2", "3", "2..4", "1..6+3", "5+"])
def test_when_counts_per_syscall_and_thread_as_strace_does(tracer_loop, when):
    """Which dup() calls of two threads and a child fail: the same as under strace."""
    prog = str(compile_c(COUNTS, name="inject_counts"))
    spec = f"inject=dup:error=EPERM:when={when}"
    ours = run_tracetui("--no-ui", "-o", "/dev/null", "-e", "trace=dup", "-e", spec, "--", prog)
    ref = _strace_run("-e", "trace=dup", "-e", spec, prog)
    assert ours.returncode == 0, ours.stderr
    assert _lines(ours.stdout) == _lines(ref.stdout)
    assert "EPERM" in ours.stdout


def test_retval_is_what_the_program_gets(tracer_loop):
    prog = str(compile_c(COUNTS, name="inject_counts"))
    proc = run_tracetui(
        "--no-ui", "-o", "/dev/null", "-e", "inject=dup:retval=42:when=2", "--", prog, "3"
    )
    assert "main 1:ok 2:42 3:ok" in proc.stdout
    assert "thread 1:ok 2:42 3:ok" in proc.stdout


def test_fault_defaults_to_enosys_and_marks_the_line(tracer_loop, tmp_path):
    out = tmp_path / "t.txt"
    prog = str(compile_c(COUNTS, name="inject_counts"))
    run_tracetui("--no-ui", "-o", str(out), "-e", "trace=dup", "-e", "fault=dup:when=1", prog, "2")
    marked = [ln for ln in out.read_text().splitlines() if "(INJECTED)" in ln]
    assert len(marked) == 3  # the first dup of each task: two threads and a child
    assert all("= -1 ENOSYS (Function not implemented) (INJECTED)" in ln for ln in marked)


EXIT_GROUP_RETURNS = r"""
/* exit_group whose fault was injected returns: the program says what it got back, then
 * leaves through exit(2) with another status. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    long r = syscall(SYS_exit_group, 42);
    printf("exit_group returned %ld errno %d\n", r, errno);
    fflush(stdout);
    syscall(SYS_exit, 7);
    return 1;
}
"""


def test_a_fault_injected_into_exit_group_makes_it_return(tracer_loop, tmp_path):
    """`-e fault=exit_group:error=ENOSYS` (strace's qual_fault-exit_group): the kernel never
    runs exit_group, the program sees ENOSYS and goes on, and the line shows the result,
    not `= ?` (the call used to be completed as one that never returns before steering)."""
    out = tmp_path / "t.txt"
    prog = str(compile_c(EXIT_GROUP_RETURNS, name="exit_group_returns"))
    proc = run_tracetui(
        "--no-ui",
        "-o",
        str(out),
        "-e",
        "trace=exit,exit_group",
        "-e",
        "fault=exit_group:error=ENOSYS",
        prog,
    )
    assert proc.stdout == "exit_group returned -1 errno 38\n"
    assert proc.returncode == 7, proc.stderr
    lines = [
        ln.split(None, 1)[1] if ln[:1].isdigit() else ln for ln in out.read_text().splitlines()
    ]
    assert [" ".join(ln.split()) for ln in lines] == [
        "exit_group(42) = -1 ENOSYS (Function not implemented) (INJECTED)",
        "exit(7) = ?",
        "+++ exited with 7 +++",
    ]


GETPID_THRICE = r"""
/* Three getpid() calls; each prints what it got: ok, or the errno it failed with. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
    for (int i = 0; i < 3; i++) {
        long r = syscall(SYS_getpid);
        printf(r < 0 ? "%d " : "ok ", errno);
    }
    printf("\n");
    return 0;
}
"""


@pytest.mark.parametrize(
    "rules",
    [
        ("fault=getpid:error=ENOSYS", "fault=getpid:error=EPERM:when=2+"),
        ("fault=getppid,getpid:error=ENOSYS", "fault=getpid:error=EPERM:when=2+"),
    ],
)
def test_a_later_rule_for_a_syscall_replaces_the_earlier_one_even_where_it_skips(
    tracer_loop, rules
):
    """strace keeps one inject rule per syscall, the last given: when its `when=` skips a
    call, no earlier rule takes it (strace's qual_fault-exit_group: `fault=all` then
    `fault=exit:...:when=2+` leaves the first exit alone). The first getpid runs."""
    prog = str(compile_c(GETPID_THRICE, name="getpid_thrice"))
    options = [arg for rule in rules for arg in ("-e", rule)]
    proc = run_tracetui("--no-ui", "-o", "/dev/null", "-e", "trace=getpid", *options, prog)
    assert proc.stdout == "ok 1 1 \n", proc.stderr
    if shutil.which("strace") is not None:
        assert _strace_run("-e", "trace=getpid", *options, prog).stdout == proc.stdout


@pytest.mark.parametrize(
    "how",
    [
        ("-e", "inject=getppid:delay_enter=300ms"),
        ("-e", "inject=getppid:delay_exit=300000"),  # strace's unit: microseconds
        ("--inject", "name:getppid", "delay=0.3s"),
    ],
)
def test_a_delay_lengthens_the_call_by_at_least_the_delay(tracer_loop, tmp_path, how):
    out = tmp_path / "t.txt"
    prog = str(compile_c(COUNTS, name="inject_counts"))
    proc = run_tracetui("--no-ui", "-o", str(out), "-e", "trace=getppid", *how, prog, "1")
    ns = int(next(ln for ln in proc.stdout.splitlines() if ln.startswith("getppid_ns")).split()[1])
    assert ns >= 300_000_000
    assert any(ln.endswith("(DELAYED)") for ln in out.read_text().splitlines())


def test_a_delayed_thread_does_not_stop_the_others(tracer_loop):
    prog = str(compile_c(THREAD_DELAY, name="thread_delay"))
    proc = run_tracetui(
        "--no-ui", "-o", "/dev/null", "-e", "inject=getppid:delay_enter=500ms", "--", prog
    )
    count = int(proc.stdout.split()[-1])
    assert count > 50  # getpid() went on, stopping at every call, for half a second


def test_injected_calls_are_marked_in_json_lines(tracer_loop, tmp_path):
    out = tmp_path / "t.jsonl"
    prog = str(compile_c(COUNTS, name="inject_counts"))
    run_tracetui(
        "--no-ui",
        "--format",
        "jsonl",
        "-o",
        str(out),
        "-e",
        "trace=dup",
        "--inject",
        "name:dup",
        "error=EPERM count=1",
        prog,
        "2",
    )
    import json

    calls = [json.loads(ln) for ln in out.read_text().splitlines()]
    marked = [c for c in calls if c.get("injected")]
    assert len(marked) == 1  # count=1: the first matching call only
    assert marked[0]["injected"] == ["injected"] and marked[0]["errno"] == "EPERM"


@pytest.mark.parametrize(
    "args, words",
    [
        (("-e", "inject=openat"), "say what to do"),
        (("-e", "inject=openat:error=EFOO"), "invalid error 'EFOO'"),
        (("-e", "inject=openat:error=EIO:retval=1"), "one error= or retval="),
        (("-e", "inject=openat:error=EIO:when=0"), "invalid when="),
        (("-e", "inject=nosuchcall:error=EIO"), "invalid system call"),
        (("-e", "inject=openat:retval=x"), "invalid retval"),
        (("-e", "inject=openat:delay_enter=soon"), "invalid delay"),
        (("--inject", "path:/x", "error=EFOO"), "invalid error"),
        (("--inject", "err", "error=EIO"), "known only when the call returns"),
        (("--inject", "name:nosuch", "error=EIO"), "unknown syscall"),
        (("--inject", "name:openat", "explode"), "invalid --inject action"),
        (("--inject=openat:error=EFOO",), "invalid error"),
        (("-e", "fault=chdir:retval=0"), "invalid fault argument 'chdir:retval=0'"),
        (("-e", "inject=chdir:signal=1:signal=2"), "invalid inject argument"),
        (("-e", "inject=chdir:error=1:syscall=chdir"), "without side effects"),
    ],
)
def test_bad_inject_specs_give_one_clear_line(args, words):
    proc = run_tracetui("--no-ui", *args, "--", "true")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracetui: ") and words in lines[0], lines


def test_strace_long_spelling_and_program_arguments_are_told_apart(tmp_path):
    """`--inject=SET:...` is strace's; the same text after the program is the program's."""
    out = tmp_path / "t.txt"
    proc = run_tracetui(
        "--no-ui", "-o", str(out), "--fault=dup", "--", "echo", "--inject=openat:error=EIO"
    )
    assert proc.stdout.strip() == "--inject=openat:error=EIO"


def test_when_expressions():
    assert [n for n in range(1, 10) if parse_when("2+2").hits(n)] == [2, 4, 6, 8]
    assert [n for n in range(1, 10) if parse_when("3").hits(n)] == [3]
    assert [n for n in range(1, 10) if parse_when("2..4").hits(n)] == [2, 3, 4]
    assert [n for n in range(1, 10) if parse_when("1..6+3").hits(n)] == [1, 4]
    assert [n for n in range(1, 8) if parse_when("5+").hits(n)] == [5, 6, 7]
    assert When().hits(1) and When().hits(99)
    rule = parse_strace_inject("openat:error=EACCES:delay_exit=1ms:signal=USR1")
    assert rule.error == 13 and rule.delay_exit == pytest.approx(0.001) and rule.signal == 10
    assert parse_strace_inject("openat:poke_enter=@arg2=0001").poke_enter == ((2, b"\0\1"),)
    for bad in ("@arg8=00", "@arg1=0", "@arg1=00,@arg1=00", "@arg1=nothex"):
        with pytest.raises(SteerSpecError):
            parse_strace_inject(f"openat:poke_enter={bad}")


SIGNALLED = r"""
/* Counts the SIGUSR1s the tracer injects into its getppid() calls, and what each
 * call returned (a signal alone leaves the call to run). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
static volatile sig_atomic_t got;
static void on_usr1(int sig) { (void)sig; got++; }
int main(void) {
    signal(SIGUSR1, on_usr1);
    pid_t parent = getppid(), seen[5];
    int ok = 1;
    for (int i = 0; i < 5; i++) seen[i] = getppid();
    for (int i = 0; i < 5; i++) ok &= seen[i] == parent || seen[i] == -1;
    printf("signals %d ok %d\n", (int)got, ok);
    return 0;
}
"""


@needs_strace
def test_signal_is_delivered_at_the_chosen_calls_as_under_strace(tracer_loop):
    prog = str(compile_c(SIGNALLED, name="inject_signalled"))
    for spec in (
        "inject=getppid:signal=SIGUSR1:when=2+2",
        "inject=getppid:error=EPERM:signal=USR1",
    ):
        ours = run_tracetui("--no-ui", "-o", "/dev/null", "-e", spec, "--", prog)
        ref = _strace_run("-e", spec, prog)
        assert ours.returncode == 0, ours.stderr
        assert ours.stdout == ref.stdout
    assert (
        run_tracetui(
            "--no-ui", "-o", "/dev/null", "-e", "inject=getppid:signal=SIGUSR1:when=2+2", "--", prog
        ).stdout
        == "signals 3 ok 1\n"
    )


def test_an_endpoint_filter_fails_the_calls_that_talk_to_it(tracer_loop, tmp_path):
    # `--inject '127.0.0.1:9' ...`: the connect naming that endpoint fails; with -yy a
    # send on the connected socket is found by the socket's endpoints too.
    script = tmp_path / "udp.py"
    script.write_text(
        "import socket\n"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "try:\n    s.connect(('127.0.0.1', 9))\nexcept OSError as e:\n    print('connect', e)\n"
        "t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "t.connect(('127.0.0.1', 10))\n"
        "try:\n    t.send(b'x')\nexcept OSError as e:\n    print('send', e)\n"
    )
    spec = ("--inject", "127.0.0.1:9", "error=ENETDOWN")
    proc = run_tracetui("--no-ui", "-o", "/dev/null", *spec, "--", "python3", str(script))
    assert proc.stdout == "connect [Errno 100] Network is down\n"
    spec = ("--inject", "name:sendto 127.0.0.1:10", "error=ENETDOWN")
    proc = run_tracetui("--no-ui", "-yy", "-o", "/dev/null", *spec, "--", "python3", str(script))
    assert proc.stdout == "send [Errno 100] Network is down\n"
