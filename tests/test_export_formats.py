"""Exports: a recorded session opened as a Chrome/Perfetto trace and as a Firefox
Profiler profile, checked by a real consumer where one exists.

The Chrome JSON is imported by speedscope's own importer (the npm package, run by
node through tests/consumers/speedscope_import.js): its profiles must be our
threads, and its calls our syscalls. The Firefox export is checked here against
the processed format's rules (the profiler's src/types/profile.ts, version 55,
`check_processed_profile`), and opened by the Firefox Profiler itself in
test_export_firefox_profiler.py. The traced program is the oracle
(export_oracle.py): it writes down what it did.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import compile_c, run_tracetui
from export_consumers import npm_package, speedscope_import
from export_oracle import PROGRAM, record_and_export

pytestmark = pytest.mark.timeout(300)

SPEEDSCOPE_VERSION = "1.25.0"


@pytest.fixture(scope="session")
def speedscope(request) -> Path:
    """speedscope's npm package, installed once into pytest's cache directory."""
    return npm_package(request.config, "speedscope", SPEEDSCOPE_VERSION)


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> dict:
    """The oracle program traced with stacks into a session file, exported both ways."""
    return record_and_export(tmp_path_factory.mktemp("export"))


# -- Chrome JSON trace events (--format perfetto)


def check_trace_events(doc: dict) -> None:
    """The trace event format's rules for what we write (X, i, M events)."""
    assert isinstance(doc["traceEvents"], list)
    assert doc["displayTimeUnit"] in ("ms", "ns")
    for ev in doc["traceEvents"]:
        assert isinstance(ev["name"], str) and ev["name"], ev
        assert isinstance(ev["pid"], int) and isinstance(ev["tid"], int), ev
        ph = ev["ph"]
        assert ph in ("X", "i", "M"), ev
        if ph == "X":
            assert isinstance(ev["ts"], float | int) and isinstance(ev["dur"], float | int), ev
            assert ev["dur"] >= 0, ev
            assert isinstance(ev["args"], dict) and "arguments" in ev["args"], ev
        elif ph == "i":
            assert isinstance(ev["ts"], float | int) and ev["s"] in ("t", "p", "g"), ev
        else:
            assert ev["name"] in (
                "process_name",
                "process_labels",
                "process_sort_index",
                "thread_name",
                "thread_sort_index",
            ), ev
            assert isinstance(ev["args"], dict) and ev["args"], ev
    # Slices of one thread never overlap: syscalls of a thread are sequential.
    by_thread: dict[int, list[tuple[float, float]]] = {}
    for ev in doc["traceEvents"]:
        if ev["ph"] == "X":
            by_thread.setdefault(ev["tid"], []).append((ev["ts"], ev["ts"] + ev["dur"]))
    for spans in by_thread.values():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end - 1e-6, (end, start)


def test_the_chrome_trace_has_one_slice_per_syscall_on_named_threads(recording):
    doc = json.loads(recording["perfetto"].read_text())
    check_trace_events(doc)
    events = doc["traceEvents"]
    oracle, calls = recording["oracle"], recording["calls"]
    slices = [e for e in events if e["ph"] == "X"]
    assert len(slices) == len(calls)
    assert Counter((e["tid"], e["name"]) for e in slices) == Counter((c[1], c[2]) for c in calls)
    worker_asks = [e for e in slices if e["tid"] == oracle["worker_tid"] and e["name"] == "getppid"]
    assert len(worker_asks) == oracle["asks"]
    assert all(e["pid"] == oracle["pid"] for e in worker_asks)
    # Every thread with slices is named, after the program its process runs.
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert {(e["pid"], e["tid"]) for e in slices} <= set(names)
    processes = {e["pid"]: e["args"]["name"] for e in events if e["name"] == "process_name"}
    assert processes[oracle["pid"]] == recording["program"]
    assert processes[oracle["child"]] == "true"
    # The read that the worker's calls overtook is one slice around them.
    assert (oracle["pid"], "read") in recording["resumed"]
    (read,) = [e for e in slices if e["name"] == "read" and '"x"' in e["args"]["arguments"]]
    assert read["ts"] <= min(e["ts"] for e in worker_asks)
    assert read["ts"] + read["dur"] >= max(e["ts"] + e["dur"] for e in worker_asks)
    # Arguments, results, stacks: strace's text in args.
    greets = [e for e in slices if e["name"] == "write" and "hello" in e["args"]["arguments"]]
    assert len(greets) == oracle["greets"]
    assert all(e["args"]["result"] == "6" for e in greets)
    assert all(any(f.startswith("greet ") for f in e["args"]["stack"]) for e in greets)
    # Signals, execs and exits are instants on their thread.
    instants = {(e["cat"], e["name"], e["tid"]) for e in events if e["ph"] == "i"}
    assert ("signal", "SIGUSR1", oracle["pid"]) in instants
    assert ("exec", "exec true", oracle["child"]) in instants
    assert ("exit", "exit 0", oracle["child"]) in instants


def test_speedscope_imports_the_chrome_trace_as_our_threads_and_syscalls(recording, speedscope):
    result = speedscope_import(speedscope, recording["perfetto"])
    assert result["importer"] == ["Trace Event Format profile"]
    oracle, calls = recording["oracle"], recording["calls"]
    threads = {(pid, tid) for pid, tid, _, _ in calls}
    assert len(result["profiles"]) == len(threads)
    assert sum(p["calls"] for p in result["profiles"]) == len(calls)
    # speedscope names each profile "PROCESS (pid N), THREAD (tid N)" from our metadata.
    worker = [p for p in result["profiles"] if f"(tid {oracle['worker_tid']})" in p["name"]]
    assert len(worker) == 1
    assert worker[0]["name"].startswith(f"{recording['program']} (pid {oracle['pid']})")
    expected = Counter(name for _, tid, name, _ in calls if tid == oracle["worker_tid"])
    assert worker[0]["byName"] == dict(expected)
    assert worker[0]["byName"]["getppid"] == oracle["asks"]


# -- Firefox Profiler processed profile (--format firefox)


def _column_lengths_agree(table: dict, name: str) -> None:
    n = table["length"]
    for key, col in table.items():
        if key != "length" and isinstance(col, list):
            assert len(col) == n, f"{name}.{key}: {len(col)} values, length {n}"


def check_processed_profile(profile: dict) -> None:
    """The processed profile format's invariants (profile.ts, version 55)."""
    meta = profile["meta"]
    assert meta["preprocessedProfileVersion"] == 55
    for key in ("interval", "startTime", "processType", "product", "stackwalk", "version"):
        assert key in meta, key
    categories = meta["categories"]
    assert any(c["color"] == "grey" for c in categories)
    assert all(c["subcategories"] and c["subcategories"][0] == "Other" for c in categories)
    schemas = {s["name"]: s for s in meta["markerSchema"]}
    for s in schemas.values():
        assert s["display"] and all("key" in f and "format" in f for f in s["fields"]), s
    libs = profile["libs"]
    for lib in libs:
        assert {"arch", "name", "path", "debugName", "debugPath", "breakpadId"} <= set(lib)
    for th in profile["threads"]:
        strings = th["stringArray"]
        assert isinstance(th["pid"], str) and isinstance(th["tid"], int)
        assert isinstance(th["name"], str) and isinstance(th["isMainThread"], bool)
        for key in ("processStartupTime", "registerTime", "pausedRanges", "processType"):
            assert key in th, key
        tables = (
            "samples",
            "markers",
            "stackTable",
            "frameTable",
            "funcTable",
            "resourceTable",
            "nativeSymbols",
        )
        for key in tables:
            _column_lengths_agree(th[key], key)
        res, funcs, frames, stacks = (
            th["resourceTable"],
            th["funcTable"],
            th["frameTable"],
            th["stackTable"],
        )
        for i in range(res["length"]):
            assert 0 <= res["lib"][i] < len(libs) and 0 <= res["name"][i] < len(strings)
        for i in range(funcs["length"]):
            assert 0 <= funcs["name"][i] < len(strings)
            assert funcs["resource"][i] == -1 or 0 <= funcs["resource"][i] < res["length"]
            assert funcs["fileName"][i] is None or 0 <= funcs["fileName"][i] < len(strings)
        for i in range(frames["length"]):
            assert 0 <= frames["func"][i] < funcs["length"]
            assert frames["category"][i] is None or 0 <= frames["category"][i] < len(categories)
            assert frames["category"][i] is None or frames["subcategory"][i] is not None
        for i in range(stacks["length"]):
            prefix = stacks["prefix"][i]
            assert prefix is None or 0 <= prefix < i  # parents before children
            assert 0 <= stacks["frame"][i] < frames["length"]
        samples = th["samples"]
        assert samples["weightType"] in ("samples", "tracing-ms", "bytes")
        assert all(s is None or 0 <= s < stacks["length"] for s in samples["stack"])
        assert samples["time"] == sorted(samples["time"])
        assert samples["weight"] is None or all(w >= 0 for w in samples["weight"])
        markers = th["markers"]
        for i in range(markers["length"]):
            assert 0 <= markers["name"][i] < len(strings)
            assert markers["phase"][i] in (0, 1, 2, 3)
            if markers["phase"][i] == 1:
                assert markers["endTime"][i] >= markers["startTime"][i]
            data = markers["data"][i]
            assert data is None or data["type"] in schemas, data
            if data and "cause" in data:
                assert 0 <= data["cause"]["stack"] < stacks["length"]


def _sample_stacks(th: dict) -> list[list[str]]:
    """Each sample's stack as function names, root first."""
    strings, stacks = th["stringArray"], th["stackTable"]
    funcs, frames = th["funcTable"], th["frameTable"]
    out = []
    for s in th["samples"]["stack"]:
        names = []
        while s is not None:
            names.append(strings[funcs["name"][frames["func"][stacks["frame"][s]]]])
            s = stacks["prefix"][s]
        out.append(names[::-1])
    return out


def test_the_firefox_profile_samples_each_syscall_with_its_stack(recording):
    profile = json.loads(recording["firefox"].read_text())
    check_processed_profile(profile)
    oracle, calls = recording["oracle"], recording["calls"]
    threads = {th["tid"]: th for th in profile["threads"]}
    assert sum(th["samples"]["length"] for th in threads.values()) == len(calls)
    syscall_names = {c[2] for c in calls}
    for tid, th in threads.items():
        stacks = _sample_stacks(th)
        # Every flame ends in a syscall, and the thread's syscalls are its samples.
        assert Counter(s[-1] for s in stacks) == Counter(c[2] for c in calls if c[1] == tid)
        assert {s[-1] for s in stacks} <= syscall_names
        # Weighted by duration, in milliseconds. A call that never returned (exit,
        # exit_group) lasts until its task ended: its marker says so.
        markers = th["markers"]
        cut_ms = sum(
            markers["endTime"][i] - markers["startTime"][i]
            for i in range(markers["length"])
            if markers["data"][i].get("returned") == "no"
        )
        expected_ms = sum(c[3] or 0 for c in calls if c[1] == tid) / 1e6
        assert sum(th["samples"]["weight"]) - cut_ms == pytest.approx(expected_ms, abs=1e-3)
    worker = threads[oracle["worker_tid"]]
    assert worker["pid"] == str(oracle["pid"]) and not worker["isMainThread"]
    asks = [s for s in _sample_stacks(worker) if s[-1] == "getppid"]
    assert len(asks) == oracle["asks"]
    assert all("ask_parent" in s and "worker" in s for s in asks)
    main = threads[oracle["pid"]]
    assert main["isMainThread"] and main["processName"] == recording["program"]
    greets = [s for s in _sample_stacks(main) if s[-1] == "write" and "greet" in s]
    assert len(greets) == oracle["greets"]
    assert all(s.index("main") < s.index("greet") for s in greets)
    assert threads[oracle["child"]]["processName"] == "true"
    # A call recorded without a stack is a sample of its syscall frame alone.
    assert [s for s in _sample_stacks(main) if s[-1] == "close"]
    assert all(s == ["close"] for s in _sample_stacks(main) if s[-1] == "close")


def test_every_syscall_is_a_firefox_marker_with_its_text(recording):
    profile = json.loads(recording["firefox"].read_text())
    oracle, calls = recording["oracle"], recording["calls"]
    marked = Counter()
    for th in profile["threads"]:
        strings, markers = th["stringArray"], th["markers"]
        for i in range(markers["length"]):
            data = markers["data"][i]
            if data["type"] == "Syscall":
                assert markers["phase"][i] == 1
                marked[(th["tid"], strings[markers["name"][i]])] += 1
    assert marked == Counter((c[1], c[2]) for c in calls)
    main = next(th for th in profile["threads"] if th["tid"] == oracle["pid"])
    texts = [
        (main["stringArray"][n], d)
        for n, d in zip(main["markers"]["name"], main["markers"]["data"], strict=True)
    ]
    writes = [d for name, d in texts if name == "write" and "hello" in d["arguments"]]
    assert len(writes) == oracle["greets"] and all(d["result"] == "6" for d in writes)
    assert all("cause" in d for d in writes)  # recorded with -k: the marker has the stack
    assert any(name == "SIGUSR1" and d["type"] == "Signal" for name, d in texts)


# -- straight from a live run, and what is refused


def test_a_live_run_writes_both_formats(tmp_path, speedscope):
    prog = compile_c(PROGRAM, name="export_oracle")
    for fmt in ("perfetto", "firefox"):
        out, oracle_file = tmp_path / f"live.{fmt}.json", tmp_path / f"oracle.{fmt}.json"
        done = run_tracetui("--no-ui", "--format", fmt, "-o", str(out), str(prog), str(oracle_file))
        assert done.returncode == 0, done.stderr
        oracle = json.loads(oracle_file.read_text())
        doc = json.loads(out.read_text())
        if fmt == "perfetto":
            check_trace_events(doc)
            asks = [
                e
                for e in doc["traceEvents"]
                if e["ph"] == "X" and e["name"] == "getppid" and e["tid"] == oracle["worker_tid"]
            ]
            assert len(asks) == oracle["asks"]
            result = speedscope_import(speedscope, out)
            slices = sum(1 for e in doc["traceEvents"] if e["ph"] == "X")
            assert sum(p["calls"] for p in result["profiles"]) == slices
        else:
            check_processed_profile(doc)
            worker = next(th for th in doc["threads"] if th["tid"] == oracle["worker_tid"])
            # Without -k a sample's stack is its syscall alone.
            stacks = _sample_stacks(worker)
            assert all(len(s) == 1 for s in stacks)
            assert Counter(s[0] for s in stacks)["getppid"] == oracle["asks"]
            assert doc["meta"]["stackwalk"] == 0


def test_one_file_formats_are_refused_with_a_file_per_task(tmp_path):
    done = run_tracetui("--no-ui", "-ff", "-o", str(tmp_path / "t"), "--format", "perfetto", "true")
    assert done.returncode == 1
    assert "not with -ff" in done.stderr
