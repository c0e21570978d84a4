"""Extended attributes print as strace does: names, values (a trailing NUL hidden), name lists."""

from __future__ import annotations

import os

import pytest
from decode_oracle import RUNNERS, check_oracle, compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


def _need_user_xattrs(tmp_path) -> None:
    probe = tmp_path / "probe"
    probe.write_text("")
    try:
        os.setxattr(probe, "user.probe", b"1")
    except OSError:
        pytest.skip("the test directory's filesystem has no user xattrs")
    finally:
        probe.unlink()


@pytest.mark.parametrize("runner", RUNNERS)
def test_xattr_calls_print_as_strace_does(tmp_path, runner):
    _need_user_xattrs(tmp_path)
    expected = check_oracle(tmp_path, runner, "xattr")
    assert any(line.startswith("getxattr(") for line in expected)
    assert any(line.startswith("listxattr(") and "\\0" in line for line in expected)


_EDGE_CALLS = (
    "setxattr,lsetxattr,fsetxattr,getxattr,lgetxattr,fgetxattr,listxattr,llistxattr,"
    "flistxattr,removexattr,lremovexattr,fremovexattr,utime,utimes,futimesat,utimensat,write"
)


@pytest.mark.parametrize("options", [["-y"], ["-s", "4"]], ids=["y", "s4"])
def test_xattr_and_file_times_edges_match_strace(tmp_path, options):
    """NULL and bad pointers, buffers cut short by an unreadable page, failed calls, sizes
    of 0 and around XATTR_SIZE_MAX, UTIME_NOW/UTIME_OMIT: the text strace prints for
    tests/decode_programs/xattr_edges.c, under each loop (the C core takes these calls
    whole: their captures are data)."""
    _need_user_xattrs(tmp_path)
    lines = compare_with_strace(tmp_path, "xattr_edges", ["-e", f"trace={_EDGE_CALLS}", *options])
    assert any(line.startswith("getxattr(") and line.endswith(", 0) = 4") for line in lines)
    assert any(line.startswith("utimensat(") and "UTIME_NOW" in line for line in lines)
    assert sum(line.startswith("fgetxattr(") for line in lines) == 3


def test_a_getxattr_return_above_xattr_size_max_prints_the_address():
    """The capture reads `ret` bytes whatever the size; a return above XATTR_SIZE_MAX
    (only for a size of 0: nothing was copied) prints the address, as strace does."""
    from tracer.events import Syscall
    from tracer.syscalls.render import RenderContext, render

    ctx = RenderContext()
    nr = ctx.table.number("getxattr")

    def getxattr(ret: int) -> Syscall:
        c = Syscall(0, 10, 10, nr, (0x1000, 0x2000, 0x3000, 0, 0, 0), 0.0, 0.0, ret, 0)
        c.mem = {0: b"/f", 1: b"user.a", 2: b"xxxxx" + b"y" * 4091}
        c.done = True
        return c

    assert render(getxattr(5), ctx).args_text() == '"/f", "user.a", "xxxxx", 0'
    assert render(getxattr(65537), ctx).args_text() == '"/f", "user.a", 0x3000, 0'
