"""The x86_64 table: numbers the kernel headers fix, and classes strace's filters rely on."""

import re
from pathlib import Path

import pytest

from tracer.syscalls.classes import Class
from tracer.syscalls.table import COMPAT_BASE, SyscallTable, get_table
from tracer.syscalls.x86_64 import ENTRIES

UNISTD = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")


def table() -> SyscallTable:
    return SyscallTable("x86_64", ENTRIES)


def test_known_numbers():
    t = table()
    assert t.number("read") == 0
    assert t.number("openat") == 257
    assert t.number("execve") == 59
    assert t.number("exit_group") == 231
    assert t.name(231) == "exit_group"


def test_numbers_and_names_are_unique():
    nrs = [e[0] for e in ENTRIES]
    names = [e[1] for e in ENTRIES]
    assert len(nrs) == len(set(nrs))
    assert len(names) == len(set(names))
    assert all(0 <= e[2] <= 6 for e in ENTRIES)


@pytest.mark.skipif(not UNISTD.exists(), reason="kernel headers not installed")
def test_matches_kernel_headers():
    t = table()
    kernel = {
        int(m.group(2)): m.group(1)
        for m in re.finditer(r"#define __NR_(\w+) (\d+)", UNISTD.read_text())
    }
    for nr, name in kernel.items():
        assert t.name(nr) == name


def test_classes_and_properties():
    t = table()
    assert t.by_name["openat"].classes & (Class.FILE | Class.DESC | Class.RETURNS_FD) == (
        Class.FILE | Class.DESC | Class.RETURNS_FD
    )
    assert t.by_name["exit_group"].classes & Class.NEVER_RETURNS
    assert t.by_name["mmap"].classes & Class.MEMORY_MAPPING
    assert not t.by_name["brk"].classes & Class.MEMORY_MAPPING
    assert t.by_name["getpid"].classes & Class.PURE
    native_stat = {n for n in t.numbers_in_class(Class.STAT) if n < COMPAT_BASE}
    assert native_stat == {t.number("stat")}
    assert t.number("newfstatat") in t.numbers_in_class(Class.FSTAT)
    assert t.number("connect") in t.numbers_in_class(Class.NETWORK)
    assert t.number("read") not in t.numbers_in_class(Class.FILE)


def test_default_table_is_x86_64_here():
    assert get_table().by_name["openat"].nr == 257
