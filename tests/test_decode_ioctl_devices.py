"""Device ioctls print as strace 6.1 prints them without the device: PTP clocks (their
offset samples with dates, v2 reserved words), GPIO chips (v1 and v2 line requests,
`{in} => {out}` line info, new fds at exit), virtual consoles (tones, LEDs, key maps
with their key names, accent tables cut at the kernel's maximum, screen maps running
off the mapping, unicode pairs, fonts and font names behind a second pointer) and
Video4Linux2 devices (formats, buffers, controls; an overlay's clips and extended
controls behind a second pointer, read back after a failure). Each runs once failing
with EBADF and with every ioctl made to succeed, as strace's own ioctl_*-success tests
do; strace itself is the oracle: both tracers run the same program with the same
options."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

_TRACE = ["-e", "trace=ioctl,write"]
_RUNS = {
    # EBADF: only what the program passed, in the raw constant style
    "failing-raw": [*_TRACE, "-X", "raw"],
    # success: what the kernel filled in too, every array whole (-v), constants named
    "injected-verbose": [*_TRACE, "-e", "inject=ioctl:retval=42", "-v", "-X", "verbose"],
    "injected": [*_TRACE, "-e", "inject=ioctl:retval=42"],
    # ENOMEM: GIO_UNIMAP's pairs are read back after the failure (the kernel says how
    # many it has)
    "enomem": [*_TRACE, "-e", "inject=ioctl:error=ENOMEM"],
}


@pytest.mark.parametrize("run", list(_RUNS))
def test_device_requests_print_as_strace_prints_them(tmp_path, run):
    lines = compare_with_strace(tmp_path, "ioctl_devices", _RUNS[run])
    assert any("GPIO_V2_GET_LINE_IOCTL" in line or "0xc250b407" in line for line in lines)
    assert any("KDSKBENT" in line or "0x4b47" in line for line in lines)
    assert any("VIDIOC_S_EXT_CTRLS" in line or "0xc0205648" in line for line in lines)
