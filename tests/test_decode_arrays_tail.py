"""The long tail's arrays and small structs print as strace 6.1 prints them: iovec
arrays (process_madvise, process_vm_readv/writev, vmsplice, a failed preadv), arrays
that stop being readable (`... /* 0x... */`), syslog, reboot, ustat, umask, pidfds
(`<pid:N>` read while the tracee is stopped), x86 TLS descriptors and SO_TIMESTAMP
control messages, and the rarer socket address families (AF_RXRPC, AF_IEEE802154,
AF_ALG, AF_NFC, AF_VSOCK, AF_QIPCRTR, AF_XDP, AF_MCTP). strace itself is the oracle: both tracers run the same program
(tests/decode_programs/arrays_tail.c) with the same options."""

from __future__ import annotations

import re

import pytest
from decode_oracle import RUNNERS, check_oracle, compare_with_strace

pytestmark = pytest.mark.timeout(120)

_CALLS = (
    "process_madvise,process_vm_readv,process_vm_writev,vmsplice,preadv,writev,pwrite64,"
    "semop,setgroups,poll,select,syslog,reboot,ustat,umask,_sysctl,get_robust_list,"
    "sched_setaffinity,timer_create,pidfd_open,pidfd_send_signal,pidfd_getfd,"
    "set_thread_area,get_thread_area,remap_file_pages,recvmsg,connect,write,getpid"
)
_TRACE = ["-e", f"trace={_CALLS}"]


def test_arrays_and_small_structs_match_strace(tmp_path):
    """-yy names pidfds by their process; -e write=all dumps writes whatever came of them.
    (The C capture core takes the calls whose captures are data; the next test runs the
    Python loop, so each loop is checked once without tracing the program four times.)"""
    lines = compare_with_strace(tmp_path, "arrays_tail", [*_TRACE, "-yy", "-e", "write=all"])
    assert any(line.startswith("vmsplice(") for line in lines)
    assert any(re.search(r"<pid:\d+>", line) for line in lines)


def test_verbose_and_short_limits_match_strace(tmp_path, monkeypatch):
    """-v shows whole poll arrays, -s 2 cuts the others, -X verbose comments the flags."""
    monkeypatch.setenv("TRACETUI_LOOP", "python")
    lines = compare_with_strace(
        tmp_path, "arrays_tail", [*_TRACE, "-v", "-s", "2", "-X", "verbose"]
    )
    assert any(line.startswith("remap_file_pages(") for line in lines)
    assert any("sa_family=0x2c /* AF_XDP */" in line for line in lines)


@pytest.mark.parametrize("runner", RUNNERS)
def test_wait_results_print_as_the_program_computes(tmp_path, runner):
    """wait4/waitid: an unfilled rusage, a filled one, and the options in strace's order."""
    expected = check_oracle(tmp_path, runner, "wait_status")
    assert any("WIFEXITED(s) && WEXITSTATUS(s) == 42" in line for line in expected)
