"""Bad input is answered by one clear line and a non-zero exit, never a traceback,
and nothing is written half."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, compile_c, run_tracetui, wait_for

from tracer.engine.attach_errors import attach_error


def _one_clear_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tracetui: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--bogus", "true"], "--bogus"),
        (["-e", "trace=nosuchcall", "true"], "nosuchcall"),
        (["-s", "-1", "true"], "-s"),
        (["-s", "99999999999", "true"], "-s"),
        (["-s", "many", "true"], "-s"),
        (["--capture-size", "-1", "true"], "--capture-size"),
        (["--capture-size", "99999999999", "true"], "--capture-size"),
        ([], "nothing to trace"),
        (["--"], "nothing to trace"),
        ([""], "''"),
        (["/"], "Is a directory"),
    ],
)
def test_bad_arguments_get_one_line(args, says):
    """A user mistypes an option or names something that is not a program."""
    line = _one_clear_line(run_tracetui("--no-ui", *args, timeout=30))
    assert says in line


def test_a_file_that_is_not_executable(tmp_path):
    data = tmp_path / "data.bin"
    data.write_bytes(b"\x7fELF")
    data.chmod(0o644)
    assert "not executable" in _one_clear_line(run_tracetui("--no-ui", str(data)))


def test_output_in_a_missing_directory(tmp_path):
    line = _one_clear_line(run_tracetui("--no-ui", "-o", str(tmp_path / "no/such/x"), "true"))
    assert "No such file or directory" in line


def test_a_script_without_shebang_is_refused_before_any_output(tmp_path):
    """The kernel would refuse it (ENOEXEC): say so, and write no trace file."""
    script = tmp_path / "script.sh"
    script.write_text("echo hi\n")
    script.chmod(0o755)
    out = tmp_path / "trace.txt"
    line = _one_clear_line(run_tracetui("--no-ui", "-o", str(out), str(script)))
    assert "Exec format error" in line
    assert not out.exists()


def test_a_long_argv_and_binary_arguments_are_traced(tmp_path):
    """A 100k-character argument and bytes that are not UTF-8 trace like any others."""
    out = tmp_path / "trace.txt"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", str(out), "/bin/echo"]
    proc = subprocess.run(
        [*cmd, "a" * 100_000, b"\xff\x01\x1b"],
        capture_output=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    execve = [x for x in out.read_text().splitlines() if "execve(" in x][0]
    assert '"' + "a" * 32 + '"...' in execve
    assert '"\\377\\1\\33"' in execve


def test_a_name_that_is_not_utf8_is_escaped_in_the_message():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "tracer.cli", "--no-ui", b"./no\xff\nsuch"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert "./no\\377\\nsuch" in _one_clear_line(proc)


def _kernel_thread() -> int:
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    data = f.read()
            except OSError:
                continue
            if int(data[data.rfind(")") + 2 :].split()[6]) & 0x00200000:
                return int(name)
    pytest.skip("no kernel thread visible")


def test_attaching_to_a_kernel_thread_says_so():
    line = _one_clear_line(run_tracetui("--no-ui", "-p", str(_kernel_thread())))
    assert "kernel thread" in line


def test_attaching_to_itself_says_so():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = "import os, sys\nfrom tracer.cli import main\nsys.exit(main(['--no-ui', '-p', str(os.getpid())]))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env
    )
    assert "itself" in _one_clear_line(proc)


def test_a_refusal_despite_cap_sys_ptrace_does_not_blame_the_user():
    """As root (CAP_SYS_PTRACE), EPERM is not about the user: the message says what is."""
    with open("/proc/self/status") as f:
        eff = int(next(x for x in f if x.startswith("CapEff:")).split()[1], 16)
    if not eff >> 19 & 1:
        pytest.skip("needs CAP_SYS_PTRACE")
    message = attach_error(1, errno.EPERM)
    assert "same user" not in message and "CAP_SYS_PTRACE" in message


def test_nested_tracing_names_the_request(tmp_path):
    """tracetui run under strace -f cannot seize its child: the error names PTRACE_SEIZE."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        ["strace", "-f", "-o", "/dev/null", sys.executable, "-m", "tracer.cli", "--no-ui", "true"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    line = _one_clear_line(proc)
    assert "PTRACE_SEIZE" in line and "0x4206" not in line


WAIT_FOR_FILE = r"""
#include <time.h>
#include <unistd.h>
/* Runs until the file argv[1] exists. */
int main(int argc, char **argv) {
    struct timespec ts = {0, 20000000};
    while (access(argv[1], F_OK) != 0) nanosleep(&ts, 0);
    return 0;
}
"""

ZOMBIE_MAKER = r"""
#include <unistd.h>
/* A child that exits at once and is never waited for: a zombie while we sleep. */
int main(void) {
    if (fork() == 0) _exit(0);
    sleep(60);
    return 0;
}
"""


def test_a_zombie_among_the_pids_is_warned_about_and_the_rest_traced(tmp_path):
    """`-p good -p zombie`: like strace, trace the good one and warn about the zombie."""
    good = subprocess.Popen(
        [str(compile_c(WAIT_FOR_FILE, name="wait_for_file")), str(tmp_path / "go")]
    )
    maker = subprocess.Popen([str(compile_c(ZOMBIE_MAKER, name="zombie_maker"))])
    tracer = None
    try:
        children: list[int] = []

        def zombie_ready() -> bool:
            children[:] = [
                int(t) for t in open(f"/proc/{maker.pid}/task/{maker.pid}/children").read().split()
            ]
            return (
                bool(children) and open(f"/proc/{children[0]}/stat").read().split(")")[1][1] == "Z"
            )

        assert wait_for(zombie_ready, 10)
        out = tmp_path / "trace.txt"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        tracer = subprocess.Popen(
            [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", str(out)]
            + ["-p", str(good.pid), "-p", str(children[0])],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert wait_for(lambda: out.exists() and "nanosleep" in out.read_text(), 20)
        (tmp_path / "go").touch()
        _, err = tracer.communicate(timeout=30)
        assert tracer.returncode == 0, err
        # The warning, then strace's attach line for the pid that was traced (it ends by
        # itself: no detach line).
        lines = err.splitlines()
        assert len(lines) == 2 and "zombie" in lines[0], err
        assert lines[1] == f"tracetui: Process {good.pid} attached"
        assert out.read_text().splitlines()[-1].endswith("+++ exited with 0 +++")
    finally:
        for p in (good, maker, tracer):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


HOOK = """
import importlib.abc, os, signal, sys
class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while this module loads
        return None
sys.meta_path.insert(0, Interrupt())
from tui.launch import main
sys.exit(main(["--no-ui", "-o", "/dev/null", "true"]))
"""


@pytest.mark.parametrize(
    "module",
    ["tracer.cli", "tracer.options", "dataclasses", "tracer.session", "tracer.engine.worker"],
)
def test_ctrl_c_while_starting_up_ends_quietly(module):
    """Ctrl-C in the first moments (while modules load): no traceback, at most one line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", HOOK.format(module=module)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) <= 1
    assert proc.returncode == 128 + signal.SIGINT
