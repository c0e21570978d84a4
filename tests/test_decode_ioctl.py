"""ioctl device structures print as strace prints them: terminals, block and loop devices,
file flags, FIEMAP, random, watchdog, rtc and namespaces, checked against the program's own
expectations (and strace 6.1 on the same program), in both capture loops."""

from __future__ import annotations

import pytest
from decode_oracle import RUNNERS, check_oracle, compare_with_strace

from tracer.engine import core_plan
from tracer.engine.syscall_plan import SyscallPlan
from tracer.options import TraceOptions
from tracer.syscalls import fmt
from tracer.syscalls.decoders.ioctl import request_name, request_text

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_ioctl_arguments_are_decoded_by_their_device_family(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "ioctl")
    assert any(line.startswith("ioctl(-1, LOOP_CONFIGURE, {fd=5,") for line in expected)


def test_requests_are_named_as_strace_names_them():
    assert request_name(0x5402) == "SNDCTL_TMR_START or TCSETS"
    assert request_name(0xC0481273) == "BLKTRACESETUP"
    assert request_name(0x80084521) == "EVIOCGBIT(EV_KEY, 8)"
    assert request_name(0x80084812) == "HIDIOCGPHYS(8)"
    assert request_name(0x5A00) == "ZFS_IOC_POOL_CREATE"


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("abbrev", "FS_IOC_FIEMAP"),
        ("raw", "0xc020660b"),
        ("verbose", "0xc020660b /* FS_IOC_FIEMAP */"),
    ],
)
def test_the_request_follows_the_constant_style(style, text):
    fmt.configure(constants=style)
    try:
        assert request_text(0xC020660B) == text
    finally:
        fmt.configure()


def test_the_c_core_takes_ioctls_whole():
    """Every ioctl capture is declared as data, so C needs no Python for an ioctl stop."""
    plan = SyscallPlan(TraceOptions(command=["true"]))
    assert plan.table.by_nr[16].name == "ioctl"  # x86_64
    assert core_plan.c_may_handle(plan, 16, "ioctl", None)


def test_ioctl_results_print_as_strace_does_when_they_succeed(tmp_path):
    """HDIO_GETGEO's start sector (after its alignment hole), HDIO_DRIVE_CMD's sectors
    (cut at -s, an address where memory ends first), EVIOCGMTSLOTS: strace is the oracle,
    with every ioctl made to succeed."""
    options = ["-e", "trace=ioctl,write", "-e", "inject=ioctl:retval=42"]
    lines = compare_with_strace(tmp_path, "ioctl_success", options)
    assert any("EVIOCGMTSLOTS(12), {code=ABS_MT_SLOT, values=[1, 3]}" in line for line in lines)
