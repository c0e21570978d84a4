"""32-bit calls (`int $0x80`) of a 64-bit program are named by the i386 table, not the x86_64 one."""

from __future__ import annotations

import subprocess

import pytest
from conftest import compile_c, strip_pid, trace_text

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


def test_int80_calls_are_named_from_the_i386_table(tmp_path):
    exe = compile_c("int80_calls.c")
    native = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30)
    if native.returncode != 0 or "ok" not in native.stderr:
        pytest.skip("this kernel runs no 32-bit system calls (no IA32 emulation)")
    lines, proc = trace_text(tmp_path, str(exe))
    assert proc.returncode == 0, proc.stderr
    expected = [ln for ln in proc.stdout.splitlines() if ln]
    shown = [strip_pid(ln) for ln in lines]
    pid = expected[0].split("= ")[1]
    assert any(ln.replace(" ", "") == f"getpid()={pid}" for ln in shown), shown
    write_line = expected[1].replace(" ", "")
    assert any(ln.replace(" ", "") == write_line for ln in shown), (write_line, shown)
    # The same numbers read as x86_64 calls would have been stat(2) and writev(20).
    assert not any(ln.startswith(("stat(", "writev(")) for ln in shown), shown


def test_name_filter_finds_both_personalities():
    from tracer.filter import parse_filter
    from tracer.syscalls.table import COMPAT_BASE, get_table

    t = get_table()
    term = parse_filter("name:write").terms[0]
    assert term.nrs == {t.number("write"), COMPAT_BASE + 4}
    assert parse_filter("name:socketcall").terms[0].nrs == {COMPAT_BASE + 102}  # i386 only
