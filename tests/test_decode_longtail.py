"""The long tail prints as strace does: C argument types, NULL, `X_???` comments, prctl
option by option, ioctl requests named from the kernel headers, and table-driven calls."""

from __future__ import annotations

import pytest
from conftest import compile_c, run_tracetui
from decode_oracle import RUNNERS, check_oracle

from tracer.syscalls.decoders.arguments import flags_arg, unknown_name
from tracer.syscalls.decoders.ioctl import request_name
from tracer.syscalls.xlat import file as xfile

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize("runner", RUNNERS)
def test_arguments_at_their_c_types_and_table_driven_calls(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "longtail")
    assert "landlock_restrict_self(-1, 0)" in expected[0]


@pytest.mark.parametrize("runner", RUNNERS)
def test_prctl_prints_each_option_as_strace_does(tmp_path, runner):
    expected = check_oracle(tmp_path, runner, "prctl")
    assert any(line.startswith("prctl(PR_GET_CHILD_SUBREAPER, [") for line in expected)


def test_unknown_values_get_the_comment_of_their_table():
    assert unknown_name(["AT_SYMLINK_NOFOLLOW", "AT_EMPTY_PATH"]) == "AT_???"
    assert unknown_name(["R_OK", "W_OK", "X_OK"]) == "?_OK"
    assert flags_arg(0x1, xfile.AT_FLAGS).text == "0x1 /* AT_??? */"
    assert flags_arg(0x100, xfile.AT_FLAGS).text == "AT_SYMLINK_NOFOLLOW"


def test_ioctl_requests_sharing_a_number_print_every_name():
    assert request_name(0x80081272) == "BLKGETSIZE64"
    assert request_name(0x40049409) == "BTRFS_IOC_CLONE or FICLONE"
    assert request_name(0x80044501) == "EVIOCGVERSION"


_NOT_UTF8 = r"""
#include <fcntl.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	int fd = open("bad\xff\xfename", O_CREAT | O_RDWR, 0600);
	write(fd, "\xff\xfe", 2);
	fsync(fd);
	close(fd);
	unlink("bad\xff\xfename");
	return 0;
}
"""


@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_bytes_that_are_not_utf8_print_with_strace_escapes(tmp_path, fmt):
    """A non-UTF-8 filename, argv and -y path go through every writer without a crash."""
    prog = compile_c(_NOT_UTF8, name="not_utf8")
    out = tmp_path / f"trace.{fmt}"
    arg = b"arg\xff".decode("utf-8", "surrogateescape")
    proc = run_tracetui(
        "--no-ui", "-y", "--format", fmt, "-o", str(out), str(prog), arg, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    text = out.read_text(encoding="utf-8")
    escaped = "\\\\377\\\\376" if fmt == "jsonl" else "\\377\\376"
    assert f"bad{escaped}name" in text  # the path argument
    assert f"bad{escaped}name>" in text  # the -y path of the fd
    assert ("arg\\\\377" if fmt == "jsonl" else '"arg\\377"') in text
