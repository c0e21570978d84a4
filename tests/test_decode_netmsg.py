"""Socket messages and their neighbours print as strace 6.1 prints them: control messages
(SCM_RIGHTS cut at -s, buffers too short for a header, a truncated second header, SOL_IP
types, timestamps, a buffer past net.core.optmem_max), recvmsg's name within the length
given, sendmmsg/recvmmsg vectors, modify_ldt's 32-bit error, socket ioctls (ifreq,
SIOCGIFCONF's buffer), BLKPG's partition, AIO (iocbs, events, the signal mask) and execve's
unreadable argv/envp entries, whole under -v. strace itself is the oracle: both tracers run
tests/decode_programs/netmsg.c with the same options, in both capture loops."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = [
    "-e",
    "trace=sendmsg,recvmsg,sendmmsg,recvmmsg,modify_ldt,ioctl,io_setup,io_submit,"
    "io_getevents,io_pgetevents,io_cancel,io_destroy,execve,write",
]
# -y names the fds inside structures (SCM_RIGHTS, iocbs); -v shows vectors and arrays whole.
_OPTIONS = {"y": ["-y"], "v": ["-v", "-y"]}


@pytest.mark.parametrize("options", list(_OPTIONS))
def test_socket_messages_aio_and_socket_ioctls_print_as_strace_prints_them(tmp_path, options):
    lines = compare_with_strace(tmp_path, "netmsg", [*_TRACE, *_OPTIONS[options]])
    assert any("cmsg_type=IP_PKTINFO" in line for line in lines)
    assert any(line.startswith("io_submit(") and "aio_buf=[{iov_base=" in line for line in lines)
    assert any("4294967258 ENOSYS" in line for line in lines)
