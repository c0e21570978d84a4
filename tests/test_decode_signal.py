"""Signal and poll-family decoding: sigaction, masks, a delivered signal, poll/select/epoll.

The traced program computes each expected line (handler and restorer
addresses, fds) and tracetui must print exactly those lines, including the
`--- SIGUSR1 {...} ---` delivery line and `rt_sigreturn({mask=[]})`.
"""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle

from tracer.syscalls.decoders.signal import render_siginfo, render_sigset, signal_name

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_signal_and_poll_calls_print_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "signal_poll")
    assert any(line.startswith("--- SIGUSR1") for line in expected)


def test_signal_names_follow_strace():
    assert signal_name(2) == "SIGINT"
    assert signal_name(32) == "SIGRTMIN"
    assert signal_name(64) == "SIGRT_32"
    assert signal_name(0) == "0"


def test_sigsets_invert_when_mostly_full():
    full_but_kill_stop = (~((1 << 8) | (1 << 18)) & (2**64 - 1)).to_bytes(8, "little")
    assert render_sigset(full_but_kill_stop, 8) == "~[KILL STOP]"
    assert render_sigset((1 << 1 | 1 << 14).to_bytes(8, "little"), 8) == "[INT TERM]"


def _siginfo(signo: int, code: int, *words: tuple[int, int, int]) -> bytes:
    """A raw siginfo: (offset, size, value) fields after the header."""
    buf = bytearray(128)
    buf[0:4] = signo.to_bytes(4, "little")
    buf[8:12] = (code & 0xFFFFFFFF).to_bytes(4, "little")
    for off, size, value in words:
        buf[off : off + size] = (value & (2 ** (8 * size) - 1)).to_bytes(size, "little")
    return bytes(buf)


def test_siginfo_layouts():
    chld = _siginfo(17, 1, (16, 4, 1234), (20, 4, 0), (24, 4, 3))
    assert render_siginfo(chld) == (
        "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1234, si_uid=0, si_status=3, "
        "si_utime=0, si_stime=0}"
    )
    killed = _siginfo(17, 2, (16, 4, 7), (24, 4, 9))
    assert "si_code=CLD_KILLED" in render_siginfo(killed)
    assert "si_status=SIGKILL" in render_siginfo(killed)
    assert (
        render_siginfo(_siginfo(11, 1)) == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}"
    )
    queued = _siginfo(10, -1, (16, 4, 5), (20, 4, 1000), (24, 8, 42))
    assert render_siginfo(queued) == (
        "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=5, si_uid=1000, si_int=42, si_ptr=0x2a}"
    )
    assert "si_code=SI_TKILL" in render_siginfo(_siginfo(15, -6, (16, 4, 1)))
