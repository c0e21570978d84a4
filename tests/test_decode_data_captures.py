"""Calls whose captures are declared as data (the C capture core takes them whole: time
and clocks, resource limits and usage, groups and ids, capabilities, scheduling, getcpu,
waitid, mincore, memfd_create, openat2, copy_file_range, splice, prctl) print as strace
6.1 prints them, under both loops, with NULL and bad pointers, memory that ends inside a
struct and failing calls. strace itself is the oracle: both tracers run
tests/decode_programs/data_captures.c with the same options."""

from __future__ import annotations

import re

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]

# What differs between two runs besides pids, addresses and times (decode_oracle masks
# those): the clock's seconds (time's value and date), times' ticks, sysinfo's counters
# and the cpu getcpu ran on.
_MASKS = (
    (re.compile(r"\b1\d{9}( /\* [^*]* \*/)?( \([^)]*\))?"), "SECONDS"),
    (re.compile(r"^(times\(.*\)) = \d+"), r"\1 = TICKS"),
    (re.compile(r"tms_(\w+)=\d+( /\* [\d.]+ s \*/)?"), r"tms_\1=N"),
    (re.compile(r"^sysinfo\(\{.*\}\) = 0$"), "sysinfo({...}) = 0"),
    (re.compile(r"^getcpu\(\[\d+\]"), "getcpu([CPU]"),
)
# -y, and without it (C's plan then names no fds) -v: every struct in full.
_OPTIONS = {"y": ["-y"], "v": ["-v", "-e", "trace=!mincore"]}


@pytest.mark.parametrize("options", list(_OPTIONS))
def test_data_captures_print_as_strace_prints_them(tmp_path, options):
    lines = compare_with_strace(tmp_path, "data_captures", _OPTIONS[options], _MASKS)
    for name in ("capget", "openat2", "prctl", "setgroups", "sched_getaffinity", "time"):
        assert any(line.startswith(f"{name}(") for line in lines), name
