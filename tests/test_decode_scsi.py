"""SCSI generic ioctls print as strace 6.1 prints them: ints through a pointer (read at
entry for setters, at exit for getters, the address where they cannot be read),
SG_SCSI_RESET's values by name, SG_GET_TIMEOUT without an argument, SG_GET_SCSI_ID's
and SG_GET_REQUEST_TABLE's structures once the call succeeded, SG_IO's NULL and
unknown interface id. strace itself is the oracle: both tracers run
tests/decode_programs/scsi.c with the same options, failing (EBADF) and with every
ioctl made to succeed."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = ["-e", "trace=ioctl,write"]
_RUNS = {
    "failing": _TRACE,
    "injected": [*_TRACE, "-e", "inject=ioctl:retval=0"],
    "injected-verbose": [*_TRACE, "-e", "inject=ioctl:retval=0", "-X", "verbose"],
    "injected-raw": [*_TRACE, "-e", "inject=ioctl:retval=0", "-X", "raw"],
}


@pytest.mark.parametrize("run", list(_RUNS))
def test_scsi_generic_requests_print_as_strace_prints_them(tmp_path, run):
    lines = compare_with_strace(tmp_path, "scsi", _RUNS[run])
    assert any("SG_SCSI_RESET" in line or "0x2284" in line for line in lines)
    if "injected" in run:
        assert any("h_cmd_per_lun=-3" in line for line in lines)
