"""strace's behaviour around the trace, not its decoding: injected signals and results,
fault= with syscall=, a launched program beside -p, the environment under -E and -v,
-c -w, repeated --absolute-timestamps, and tracetui letting go of stdin and stdout.
Where strace prints something, strace itself is the oracle."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from conftest import ROOT, run_tracetui, tracetui_cmd
from decode_oracle import compare_with_strace

pytestmark = pytest.mark.timeout(120)

_STEER = [
    "-e",
    "trace=write,getpid,chdir,getuid,geteuid,umask,access,getcwd,nanosleep,restart_syscall",
    "-e",
    "inject=chdir:signal=USR1",
    "-e",
    "inject=geteuid:retval=0x100000000",
    "-e",
    "fault=umask:when=2:syscall=gettid",
    "-e",
    "inject=access:poke_enter=@arg1=2f746d7000",  # "/tmp"
    "-e",
    "inject=getcwd:poke_exit=@arg1=2f706f6b656400",  # "/poked"
]


@pytest.mark.usefixtures("tracer_loop")
def test_injected_signals_results_and_substitute_calls_read_as_under_strace(tmp_path):
    """-e trace= runs under a seccomp filter, whose entry stop drops a signal: the
    injected SIGUSR1 must still be delivered (as from the kernel) before getuid. A sleep
    interrupted to be restarted shows its time left, then restart_syscall what it resumes."""
    lines = compare_with_strace(tmp_path, "steering", _STEER)
    assert "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---" in lines
    assert "geteuid() = 4294967296 (INJECTED)" in lines
    assert "umask(022) = -1 ENOSYS (Function not implemented) (INJECTED)" in lines
    assert 'access("/tmp", F_OK) = 0 (INJECTED: args)' in lines
    assert any(line.startswith('getcwd("/poked", 64)') for line in lines), lines
    assert lines[-1] == "restart_syscall(<... resuming interrupted nanosleep ...>) = 0"


def test_a_poke_past_the_call_s_arguments_is_told_and_changes_nothing(tmp_path):
    out = tmp_path / "trace.txt"
    proc = run_tracetui(
        "--no-ui", "-o", str(out), "-e", "trace=chdir",
        "-e", "inject=chdir:poke_enter=@arg2=00", "sh", "-c", "cd /",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert re.search(
        r"Failed to tamper with process \d+: requested to tamper with argument #2, "
        r"but system call 'chdir' has only 1 arguments",
        proc.stderr,
    ), proc.stderr
    assert 'chdir("/") = 0\n' in re.sub(r" +=", " =", out.read_text())


def test_a_launched_program_beside_p_keeps_the_attached_calls(tmp_path):
    """No seccomp filter with -p: the attached process's calls must be seen too."""
    go = tmp_path / "go"
    attached = subprocess.Popen(["sh", "-c", f"while ! [ -e {go} ]; do sleep 0.1; done; cd /tmp"])
    out = tmp_path / "trace.txt"
    try:
        proc = run_tracetui(
            "--no-ui", "-o", str(out), "-e", "trace=chdir", "-p", str(attached.pid),
            "sh", "-c", f"cd /; sleep 0.3; touch {go}; sleep 0.5",
        )  # fmt: skip
    finally:
        go.touch()
        attached.wait(10)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert re.search(rf'^{attached.pid} +chdir\("/tmp"\) += 0$', text, re.M), text


def test_the_environment_is_found_and_printed_as_strace_does(tmp_path):
    """-E PATH=/ does not change where the program is found; -v prints every variable."""
    env = {f"V{i}": "x" for i in range(40)}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    out = tmp_path / "trace.txt"
    cmd = tracetui_cmd("--no-ui", "-o", str(out), "-v", "-e", "trace=execve", "-E", "PATH=/")
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    proc = subprocess.run([*cmd, "true"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    execve = out.read_text().splitlines()[0]
    assert '"V39=x"' in execve and '"PATH=/"' in execve and ", ...]" not in execve, execve


def test_c_with_w_is_the_summary_wall_clock(tmp_path):
    proc = run_tracetui("--no-ui", "-c", "-w", "-S", "calls", "true")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^100\.00 .* total$", proc.stderr, re.M), proc.stderr


def test_the_standard_streams_are_let_go_once_the_program_runs():
    """A reader of tracetui's stdout sees its end when the program closes its copy,
    while the program (and so tracetui) still runs."""
    cmd = tracetui_cmd("--no-ui", "-qq", "-e", "trace=none", "sh", "-c", "exec >&-; sleep 2")
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout.read() == b""
    still_running = proc.poll() is None
    assert proc.wait(30) == 0
    assert still_running, "stdout stayed open until tracetui ended"


@pytest.mark.parametrize(
    "options, digits",
    [
        (["--absolute-timestamps=precision:ms", "--absolute-timestamps=format:unix"], 3),
        (["--absolute-timestamps=format:unix", "--absolute-timestamps=precision:ns"], 9),
        (["--absolute-timestamps=format:unix", "--absolute-timestamps=precision:s"], 0),
    ],
)
def test_repeated_absolute_timestamps_combine(options, digits):
    from tracer.cli import build_parser
    from tracer.strace_options import settings_from_args

    text = settings_from_args(build_parser().parse_args([*options, "true"])).text
    assert (text.timestamps, text.timestamp_digits) == ("unix", digits)


def test_strace_delay_and_retval_spellings():
    from tracer.steer.rules import parse_delay, parse_retval

    assert [parse_delay(d) for d in ("8e5", "1.6s", "+8e8ns", ".16E7", "1.6e+6us")] == [
        pytest.approx(x) for x in (0.8, 1.6, 0.8, 1.6, 1.6)
    ]
    assert [parse_retval(v) for v in ("0x100000000", "010", "42", "-1")] == [1 << 32, 8, 42, -1]
