"""The tracer polls for the next stop only while polling pays off."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

from tracer.engine.spin import SHORT_SLEEP_S, SpinBudget, _cpu_quota, warm_cpu_allowed


def test_budget_stays_full_while_stops_come_back_to_back():
    b = SpinBudget(200)
    for _ in range(10):
        b.hit()
        assert b.polls == 200
    b.slept(SHORT_SLEEP_S / 2)  # just missed: polling a little longer would have caught it
    assert b.polls == 200


def test_long_sleeps_stop_the_polling_and_a_short_one_brings_it_back():
    b = SpinBudget(200)
    seen = []
    for _ in range(5):
        b.slept(0.5)  # the program blocks (a read on a pipe, a sleep)
        seen.append(b.polls)
    assert seen == [50, 12, 3, 0, 0]
    b.slept(SHORT_SLEEP_S / 2)
    assert b.polls == 200


def test_zero_disables_polling():
    b = SpinBudget(0)
    b.hit()
    b.slept(0.0)
    assert b.polls == 0


def _group(root, rel: str, name: str, text: str) -> None:
    d = root / rel
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(text)


def test_the_warm_thread_stays_off_under_a_cpu_quota_anywhere_above_us(tmp_path):
    # cgroup v2: our group has no quota, its parent does (a container given 1.5 CPUs).
    _group(tmp_path, "pod/app", "cpu.max", "max 100000\n")
    _group(tmp_path, "pod", "cpu.max", "150000 100000\n")
    assert _cpu_quota(tmp_path, "0::/pod/app\n")
    assert not warm_cpu_allowed(30, tmp_path, "0::/pod/app\n")
    (tmp_path / "pod" / "cpu.max").write_text("max 100000\n")
    assert not _cpu_quota(tmp_path, "0::/pod/app\n")
    # cgroup v1: the cpu controller's quota, in a mount named by its controllers
    _group(tmp_path, "cpu,cpuacct/job", "cpu.cfs_quota_us", "50000\n")
    v1 = "4:memory:/job\n3:cpu,cpuacct:/job\n0::/\n"
    assert _cpu_quota(tmp_path, v1)
    (tmp_path / "cpu,cpuacct" / "job" / "cpu.cfs_quota_us").write_text("-1\n")
    assert not _cpu_quota(tmp_path, v1)


def test_the_warm_thread_is_allowed_with_cpus_to_spare_and_polling_on(tmp_path):
    free = "0::/\n"
    if len(os.sched_getaffinity(0)) >= 2:
        assert warm_cpu_allowed(30, tmp_path, free)
    assert not warm_cpu_allowed(0, tmp_path, free)  # no polling: stops are rare


def test_the_warm_thread_is_off_on_one_cpu(tmp_path):
    # Tracer and program share the one CPU: there is no idle CPU to keep awake.
    code = (
        "from pathlib import Path; from tracer.engine.spin import warm_cpu_allowed; "
        f"print(warm_cpu_allowed(30, Path({str(tmp_path)!r}), '0::/'))"
    )
    cpu = min(os.sched_getaffinity(0))
    out = subprocess.run(
        ["taskset", "-c", str(cpu), sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == "False"
