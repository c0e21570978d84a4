"""strace's options: each run under strace 6.1 and under `tracetui --no-ui` with the
same flags, on the same corpus program, and the outputs compared after the
normalisation of bench/compare_strace.py (pids, addresses, times)."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui

REPO = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed"),
    pytest.mark.timeout(120),
]


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location(
        "compare_strace", REPO / "bench" / "compare_strace.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["compare_strace"] = module
    spec.loader.exec_module(module)
    return module


def _run_both(harness, tmp_path: Path, options: list[str], program: str = "file_ops.c"):
    """(strace's text, tracetui's text) for the corpus program under `options`."""
    exe = compile_c(program)
    env = dict(os.environ, PATH="/usr/local/bin:/usr/bin:/bin")
    env["PYTHONPATH"] = str(REPO)
    texts = []
    work = tmp_path / "work"  # the same path for both: -y shows it
    for candidate in ("strace", "tracetui"):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        out = tmp_path / f"{candidate}.out"
        argv = harness.tracer_argv(candidate, out, options) + [str(exe)]
        subprocess.run(
            argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60
        )
        texts.append(harness.read_output(out, options))
    return texts


def _agree(harness, texts: tuple[str, str], timed: bool = False) -> None:
    ref, cand = (harness.normalise(harness.parse_trace(t, timed)) for t in texts)
    totals = harness.Totals()
    harness.compare(ref, cand, totals, "case")
    ratios = totals.ratios()
    assert ref, texts[0]
    report = harness.report_text(totals, {}, "tracetui")
    assert ratios["coverage"] == 1.0 and totals.candidate == totals.reference, report
    assert ratios["returns"] == 1.0, report
    assert ratios["args"] == 1.0, report


TIMED = [
    ["-t"],
    ["-tt"],
    ["-ttt"],
    ["-r"],
    ["-T"],
    ["-tt", "-T"],
    ["-ttt", "-r"],
    ["--absolute-timestamps=format:unix,precision:ns"],
    ["--absolute-timestamps=precision:ms"],
    ["--relative-timestamps=ms"],
    ["--syscall-times=ns"],
]


@pytest.mark.parametrize("options", TIMED, ids=" ".join)
def test_times_are_printed_as_strace_prints_them(harness, tmp_path, options):
    """-t/-tt/-ttt/-r/-T and their long forms: the same leader and duration shapes."""
    _agree(harness, _run_both(harness, tmp_path, options), timed=True)


OUTPUT = [
    ["-a", "60"],
    ["-a", "10"],
    ["-qq"],
    ["-qqq"],
    ["-x"],
    ["-xx"],
    ["--strings-in-hex=non-ascii-chars"],
    # -X styles flags and constants rendered through the shared helpers (see README).
    ["-X", "raw", "-e", "trace=openat,mmap,newfstatat,access,mprotect,write"],
    ["-X", "verbose", "-e", "trace=openat,mmap,newfstatat,access,mprotect,write"],
    # -v: stat structs and execve's environment (getdents entries: see below, on a
    # directory both runs share, since inode numbers differ between two made alike).
    ["-v", "-e", "trace=!getdents64"],
    ["-e", "abbrev=none", "-e", "trace=execve,newfstatat,openat"],
    ["-e", "abbrev=newfstatat", "-e", "trace=!getdents64"],
    ["-e", "verbose=none"],
    ["-e", "raw=openat,read,mmap"],
    ["-yy"],
    ["--decode-fds=path,dev"],
    ["-e", "decode-fds=dev"],
]


@pytest.mark.parametrize("options", OUTPUT, ids=" ".join)
def test_output_options_print_as_strace(harness, tmp_path, options):
    _agree(harness, _run_both(harness, tmp_path, options))


CLASSES = "%file %process %network %signal %ipc %desc %memory %creds %clock %pure %stat %lstat %fstat %%stat %statfs %fstatfs %%statfs"
SELECTION = [["-e", f"trace={c}"] for c in CLASSES.split()] + [
    ["-e", "trace=file"],
    ["-e", "trace=desc"],
    ["-e", "trace=none"],
    ["-e", "trace=/^(open|close)"],
    ["-e", "trace=?nosuchcall,close"],
    ["-e", "trace=!read,write"],
    ["-e", "trace=openat@64"],
    ["-e", "status=successful"],
    ["-e", "status=failed"],
    ["-e", "status=unfinished"],
    ["-e", "status=!failed"],
    ["-z"],
    ["-Z"],
    ["-P", "/etc/ld.so.cache"],
    ["-P", "/etc/ld.so.cache", "-P", "/lib/x86_64-linux-gnu/libc.so.6"],
    ["--seccomp-bpf", "-e", "trace=%file"],
]


@pytest.mark.parametrize("options", SELECTION, ids=" ".join)
def test_selection_matches_strace(harness, tmp_path, options):
    _agree(harness, _run_both(harness, tmp_path, options))


@pytest.mark.parametrize(
    "options", [["-e", "signal=none"], ["-e", "signal=!SIGCHLD"]], ids=" ".join
)
def test_signal_selection_matches_strace(harness, tmp_path, options):
    _agree(harness, _run_both(harness, tmp_path, options, "signals.c"))


def test_ff_writes_one_file_per_task_with_its_calls_only(harness, tmp_path):
    """-ff -o PREFIX: PREFIX.TID for every task (threads too), each with only its calls."""
    texts = _run_both(harness, tmp_path, ["-ff"], "threads.c")
    _agree(harness, texts)
    ours = sorted(tmp_path.glob("tracetui.out.*"))
    theirs = sorted(tmp_path.glob("strace.out.*"))
    assert len(ours) == len(theirs) > 1
    for f in ours:
        lines = f.read_text().splitlines()
        assert lines and not any(line.startswith("[pid") for line in lines)
    # Each file's calls are its task's: the pid prefix added per file partitions them.
    events = harness.parse_trace(texts[1])
    assert {e.pid for e in events} == {f.suffix[1:] for f in ours}


def test_read_and_write_dumps_match_strace(harness, tmp_path):
    """-e read=FD / -e write=FD: strace's hex and ASCII dump after each call."""
    options = ["-e", "read=3", "-e", "write=3", "-e", "trace=read,write"]
    texts = _run_both(harness, tmp_path, options)
    _agree(harness, texts)
    dumps = [[line for line in t.splitlines() if line.startswith(" | ")] for t in texts]
    assert dumps[0] and dumps[0] == dumps[1]


def test_u_runs_the_program_as_that_user(tmp_path):
    """-u nobody: the program sees nobody's uid and gid, and the trace shows them."""
    nobody = pwd.getpwnam("nobody")
    exe = compile_c(
        "#include <stdio.h>\n#include <unistd.h>\n"
        'int main(void){printf("%d %d\\n", (int)getuid(), (int)getgid()); return 0;}\n',
        name="whoami",
    )
    out = tmp_path / "trace.txt"
    proc = run_tracetui(
        "--no-ui", "-u", "nobody", "-e", "trace=getuid,getgid", "-o", str(out), str(exe)
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(nobody.pw_uid), str(nobody.pw_gid)]
    text = out.read_text()
    assert f"getuid() = {nobody.pw_uid}" in " ".join(text.split())


def test_E_sets_and_removes_variables(tmp_path):
    out = tmp_path / "trace.txt"
    proc = run_tracetui(
        "--no-ui",
        "-E",
        "TRACETUI_X=1",
        "-E",
        "HOME",
        "-e",
        "trace=none",
        "-o",
        str(out),
        "/usr/bin/env",
    )
    assert proc.returncode == 0, proc.stderr
    assert "TRACETUI_X=1" in proc.stdout.splitlines()
    assert not any(line.startswith("HOME=") for line in proc.stdout.splitlines())


def test_A_appends_to_the_output(tmp_path):
    out = tmp_path / "trace.txt"
    for _ in range(2):
        run_tracetui("--no-ui", "-A", "-e", "trace=exit_group", "-o", str(out), "/bin/true")
    assert out.read_text().count("exit_group(0)") == 2


def test_o_without_f_prints_a_single_process_as_strace_and_prefixes_once_it_forks(tmp_path):
    """strace -o FILE without -f prints no pid; tracetui follows children anyway, so
    its lines take the `PID ` prefix from the first line a second task is traced."""
    one, forks = tmp_path / "one.txt", tmp_path / "forks.txt"
    mine = tmp_path / "strace.txt"
    options = ["-e", "trace=getuid,exit_group"]
    prog = compile_c(
        "#include <sys/wait.h>\n#include <unistd.h>\n"
        "int main(int c, char **v) { getuid(); if (c > 1) { if (fork() == 0) _exit(getuid() > 0);"
        " wait(0); } getuid(); return 0; }\n",
        name="fork_once",
    )
    run_tracetui("--no-ui", *options, "-o", str(one), str(prog))
    subprocess.run(["strace", *options, "-o", str(mine), str(prog)], check=True)
    assert one.read_text() == mine.read_text()  # no pid anywhere, strace's bytes
    run_tracetui("--no-ui", *options, "-o", str(forks), str(prog), "fork")
    lines = forks.read_text().splitlines()
    assert lines[0].startswith("getuid()"), lines
    assert all(line.split()[0].isdigit() for line in lines[1:]), lines
    assert len({line.split()[0] for line in lines[1:]}) == 2


@pytest.mark.parametrize(
    "signals",
    [" ", "", "!", "all, chld", "SIG", "256", "1-1", "9,chdir", "chld,,alrm", ",chld", "0"]
    + ["cld", "iot", "SIGPOLL", "\u00b2", "\u0663", "sigterm,Usr1"],
)
def test_a_signal_set_is_refused_or_taken_as_strace_takes_it(signals):
    # strace's qualify_tokens: tokens as given (` ` is not a signal), `all` only whole,
    # numbers up to 255; its tests (qual_signal) check the refusals and their words.
    ours = run_tracetui("--no-ui", "-o", "/dev/null", "-e", f"signal={signals}", "/bin/true")
    theirs = subprocess.run(
        ["strace", "-o", "/dev/null", "-e", f"signal={signals}", "/bin/true"],
        capture_output=True,
        text=True,
    )
    assert ours.returncode == theirs.returncode
    assert ours.stderr.replace("tracetui:", "strace:") == theirs.stderr


@pytest.mark.parametrize("flag", ["-i", "-n", "-Y", "-e kvm=vcpu"])
def test_unsupported_strace_option_is_named_in_one_line(flag):
    proc = run_tracetui("--no-ui", *flag.split(), "/bin/true")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and flag.split()[0].split("=")[0] in lines[0] or "inject" in lines[0], (
        lines
    )


def test_version_still_names_the_capture_loop():
    proc = run_tracetui("-V")
    assert proc.returncode == 0 and "capture loop" in proc.stdout


def test_output_to_a_command_gets_the_whole_trace(tmp_path):
    # strace's -o |COMMAND (and -o !COMMAND): the trace is the command's stdin; tracetui
    # waits for the command, and the program's status is still its own.
    got = tmp_path / "got.txt"
    for mark in ("|", "!"):
        proc = run_tracetui(
            "--no-ui",
            "-e",
            "trace=openat",
            "-o",
            f"{mark}grep -c hostname > {got}",
            "sh",
            "-c",
            "cat /etc/hostname > /dev/null; exit 3",
        )
        assert proc.returncode == 3, proc.stderr
        assert got.read_text().strip() == "1"
    proc = run_tracetui("--no-ui", "-ff", "-o", "|cat", "true")
    assert proc.returncode != 0 and "-ff cannot write to a command" in proc.stderr


def test_verbose_prints_directory_entries_statx_and_uname_as_strace(tmp_path):
    # strace -v prints getdents64's entries, statx's every field and uname's six.
    d = tmp_path / "dir"
    d.mkdir()
    for name in ("plain", "with space", 'quote"d', "tab\tname", "ünï"):
        (d / name).write_text("x")
    (d / "sub").mkdir()
    os.symlink("plain", d / "link")
    script = f"ls -a -U {d} >/dev/null; stat {d} >/dev/null; uname >/dev/null"
    subprocess.run(["sh", "-c", script], check=True)  # the atime moves at the first listing
    for flags in (["-v"], ["-v", "-x"], ["-v", "-xx"]):
        outs = []
        for cmd in (["strace"], ["--no-ui"]):
            out = tmp_path / "out.txt"
            args = [*flags, "-f", "-e", "trace=getdents64,statx,uname", "-o", str(out)]
            args += ["sh", "-c", script]
            if cmd == ["strace"]:
                subprocess.run(["strace", *args], check=True, timeout=60)
            else:
                proc = run_tracetui(*cmd, *args)
                assert proc.returncode == 0, proc.stderr
            lines = [x.split(" ", 1)[-1].lstrip() for x in out.read_text().splitlines()]
            outs.append([x for x in lines if x.startswith(("getdents64", "statx", "uname"))])
        assert outs[0] == outs[1]
        assert any("d_name=" in x for x in outs[1]) and any("stx_ino=" in x for x in outs[1])


VECTORED = """
import os, socket
r, w = os.pipe()
os.writev(w, [b"hello ", b"world, this is a longer second buffer!\\n", b""])
os.readv(r, [bytearray(4), bytearray(100)])
a, b = socket.socketpair()
a.sendmsg([b"abc", b"defgh"])
b.recvmsg_into([bytearray(2), bytearray(10)])
"""


def test_read_and_write_dumps_of_vectored_calls_are_strace_s(tmp_path):
    # -e read=/-e write= dump readv/writev/recvmsg/sendmsg buffer by buffer, as strace.
    import re

    script = tmp_path / "vectored.py"
    script.write_text(VECTORED)
    outs = []
    for tracer in ("strace", "tracetui"):
        out = tmp_path / f"{tracer}.txt"
        args = ["-f", "-e", "trace=writev,readv,sendmsg,recvmsg", "-e", "write=all"]
        args += ["-e", "read=all"]
        args += ["-o", str(out), sys.executable, str(script)]
        if tracer == "strace":
            subprocess.run(["strace", *args], check=True, timeout=60)
        else:
            proc = run_tracetui("--no-ui", *args)
            assert proc.returncode == 0, proc.stderr
        lines = [re.sub(r"^\d+ +", "", x) for x in out.read_text().splitlines()]
        outs.append([re.sub(r"0x[0-9a-f]+", "ADDR", x) for x in lines if "SIGCHLD" not in x])
    assert outs[0] == outs[1]
    assert sum(1 for x in outs[1] if "bytes in buffer" in x) == 8


SHORT_SOCKETS = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    getsockname(l, (struct sockaddr *)&a, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    int s = accept(l, NULL, NULL);
    send(c, "hello", 5, 0);
    close(c);
    close(s);
    close(l);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    sendto(u, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    close(u);
    int sv[2];
    char buf[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "ab", 2);
    read(sv[1], buf, 2);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
"""


def test_yy_shows_endpoints_of_sockets_closed_at_once_as_strace(harness, tmp_path, tracer_loop):
    # -yy: endpoints are looked up while the tracee is stopped at the call, so a
    # connection closed right after its send still shows them on the send and close.
    src = tmp_path / "short_sockets.c"
    src.write_text(SHORT_SOCKETS)
    exe = tmp_path / "short_sockets"
    subprocess.run(["gcc", "-O1", "-o", str(exe), str(src)], check=True)
    calls = "trace=socket,bind,listen,connect,accept,sendto,close,socketpair,write,read"
    texts = []
    for tracer in ("strace", "tracetui"):
        out = tmp_path / f"{tracer}.txt"
        args = ["-f", "-yy", "-e", calls, "-o", str(out), str(exe)]
        if tracer == "strace":
            subprocess.run(["strace", *args], check=True, timeout=60)
        else:
            # No seccomp filter: the calls stop the way they do without -e trace.
            proc = run_tracetui("--no-ui", "--no-seccomp", *args)
            assert proc.returncode == 0, proc.stderr
        text = out.read_text()
        lines = [x for x in text.splitlines() if "(" in x and "ld.so" not in x and "libc" not in x]
        texts.append("\n".join(lines) + "\n")
    _agree(harness, texts)
    got = texts[1]
    assert "sendto(4<TCP:[127.0.0.1:" in got and "close(4<TCP:[127.0.0.1:" in got
    assert "close(3<UDP:[0.0.0.0:" in got and "write(3<UNIX-STREAM:[" in got
    assert "socket:[" not in got


MMSG = """
import ctypes, socket
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]
class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]
keep = []
def vec(*datas):
    bufs = [ctypes.create_string_buffer(d, len(d)) for d in datas]
    keep.append(bufs)
    return (iovec * len(datas))(*[iovec(ctypes.addressof(b), len(d)) for b, d in zip(bufs, datas)])
def msgs(*vecs):
    m = (mmsghdr * len(vecs))()
    for i, v in enumerate(vecs):
        m[i].hdr.iov, m[i].hdr.iovlen = v, len(v)
    return m
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
libc.sendmmsg(a.fileno(), msgs(vec(b"hello ", b"world, first message!\\n"), vec(b"second", b"")), 2, 0)
libc.recvmmsg(b.fileno(), msgs(vec(b"\\0" * 4, b"\\0" * 40), vec(b"\\0" * 3, b"\\0" * 3)), 2, 0, None)
"""


def test_read_and_write_dumps_of_mmsg_calls_are_strace_s(tmp_path):
    # sendmmsg/recvmmsg: ` = N buffers in vector K` per message, its buffers up to msg_len.
    import re

    script = tmp_path / "mmsg.py"
    script.write_text(MMSG)
    outs = []
    for tracer in ("strace", "tracetui"):
        out = tmp_path / f"{tracer}.txt"
        args = ["-f", "-e", "trace=sendmmsg,recvmmsg", "-e", "write=all", "-e", "read=all"]
        args += ["-o", str(out), sys.executable, str(script)]
        if tracer == "strace":
            subprocess.run(["strace", *args], check=True, timeout=60)
        else:
            proc = run_tracetui("--no-ui", *args)
            assert proc.returncode == 0, proc.stderr
        lines = [re.sub(r"^\d+ +", "", x) for x in out.read_text().splitlines()]
        outs.append([x for x in lines if "SIGCHLD" not in x and "+++" not in x])
    assert outs[0] == outs[1]
    assert sum(1 for x in outs[1] if "buffers in vector" in x) == 4


@pytest.mark.parametrize("style", ["raw", "verbose"])
def test_X_styles_signals_clone_flags_futex_and_clocks_as_strace(harness, tmp_path, style):
    # Values decoders build by hand (signals, siginfo, clone's exit signal, futex ops,
    # clock ids, epoll_ctl ops, sa_handler) follow -X as strace's do.
    calls = "trace=kill,rt_sigaction,clone,futex,clock_nanosleep,epoll_ctl,rt_sigprocmask"
    for program in ("children_signals.c", "poll_epoll.c"):
        _agree(harness, _run_both(harness, tmp_path, ["-X", style, "-e", calls], program))
