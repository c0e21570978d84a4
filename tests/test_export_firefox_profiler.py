"""The Firefox export (`--format firefox`) opened by the Firefox Profiler itself.

The consumer is the profiler's own command-line tool, `@firefox-devtools/profiler-cli`
from npm, run by node: a build of the profiler's sources that loads a file the way
profiler.firefox.com does when one is dropped on it (format detection, our processed
profile of version 55 upgraded to the profiler's current version, the profile view
built) and answers queries from the same selectors that draw its call tree and marker
table. The traced program is the oracle (export_oracle.py), and the session file says
how long each call took.

What this checks: the profiler accepts the file without looking anything up on a symbol
server; it shows our threads grouped by process, named after their programs; each
thread has one sample per syscall; its call tree ends each stack in the syscall, below
the program's own functions (getppid under ask_parent under worker), weighed in
milliseconds that add up to the calls' durations; every syscall is a marker labelled
with strace's text, and a marker's stack is the call's stack.

What it does not check: drawing (the web app's React components and canvases, the
flame graph's layout), the profiler's URL state, and loading in a browser.

Not speedscope: its "Firefox" importer reads the Gecko format wrapped in a devtools
export (`systemHost.name == "Firefox"`), not the processed format we write, and even
there it reads one thread (the only one, or "GeckoMain"), times the samples by the gaps
between them (a weight column is ignored), and drops frames not named
"function (file:line)": it could not check our threads, weights or syscall frames.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from export_consumers import FirefoxProfilerCli, npm_package
from export_oracle import record_and_export

pytestmark = pytest.mark.timeout(300)

PROFILER_CLI_VERSION = "0.10.0"


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> dict:
    """The oracle program traced with stacks into a session file, exported both ways."""
    return record_and_export(tmp_path_factory.mktemp("firefox"))


@pytest.fixture(scope="module")
def profiler(request, recording):
    """Our Firefox export, loaded by the Firefox Profiler's command-line tool."""
    package = npm_package(request.config, "@firefox-devtools/profiler-cli", PROFILER_CLI_VERSION)
    cli = FirefoxProfilerCli(package, recording["firefox"])
    yield cli
    cli.close()


def thread_handles(profiler: FirefoxProfilerCli) -> dict[int, dict]:
    """tid -> the profiler's row for that thread (its handle, name, process...)."""
    listed = profiler.query("thread", "list", "--limit", "1000")
    assert listed["hiddenByLimit"] == 0
    return {t["tid"]: t for t in listed["threads"]}


def call_tree(profiler: FirefoxProfilerCli, handle: str) -> dict:
    tree = profiler.query("thread", "samples-top-down", "--thread", handle, "--max-lines", "100000")
    assert tree["weightType"] == "tracing-ms"
    return tree["regularCallTree"]


def paths_to(node: dict, leaf: str, above: tuple[str, ...] = ()) -> list[tuple[tuple, dict]]:
    """Every call node named `leaf`, with the function names from the root to it."""
    found = []
    for child in node.get("children", ()):
        path = (*above, child["name"])
        if child["name"] == leaf:
            found.append((path, child))
        found.extend(paths_to(child, leaf, path))
    return found


def test_the_firefox_profiler_opens_our_threads_with_a_sample_per_syscall(recording, profiler):
    oracle, calls = recording["oracle"], recording["calls"]
    threads = thread_handles(profiler)
    assert {(int(t["pid"]), tid) for tid, t in threads.items()} == {(p, t) for p, t, _, _ in calls}
    main, worker, child = (
        threads[oracle["pid"]],
        threads[oracle["worker_tid"]],
        threads[oracle["child"]],
    )
    assert main["processName"] == recording["program"] and worker["pid"] == str(oracle["pid"])
    assert child["processName"] == "true"
    per_thread = Counter(tid for _, tid, _, _ in calls)
    for tid, t in threads.items():
        info = profiler.query("thread", "info", "--thread", t["threadHandle"])
        assert info["sampleCount"] == per_thread[tid], t["name"]
    # The file says it is symbolicated: the profiler took our names and asked no server.
    assert "Profile loaded successfully" in profiler.daemon_log()
    assert "Symbolicating" not in profiler.daemon_log()


def test_the_profilers_call_tree_ends_in_syscalls_weighed_by_their_durations(recording, profiler):
    oracle, calls = recording["oracle"], recording["calls"]
    threads = thread_handles(profiler)
    written = {
        th["tid"]: th for th in json.loads(Path(recording["firefox"]).read_text())["threads"]
    }
    for tid, t in threads.items():
        tree = call_tree(profiler, t["threadHandle"])
        # All the weight we wrote is in the tree: the profiler dropped no sample as idle.
        assert tree["totalSamples"] == pytest.approx(sum(written[tid]["samples"]["weight"]))
    worker = call_tree(profiler, threads[oracle["worker_tid"]]["threadHandle"])
    (asks,) = paths_to(worker, "getppid")  # one node: every ask has the same stack
    path, node = asks
    assert path.index("worker") < path.index("ask_parent") < len(path) - 1
    assert node["selfSamples"] == node["totalSamples"]  # a syscall is always the leaf
    ask_ms = [
        d / 1e6 for _, tid, name, d in calls if tid == oracle["worker_tid"] and name == "getppid"
    ]
    assert len(ask_ms) == oracle["asks"]
    assert node["totalSamples"] == pytest.approx(sum(ask_ms), abs=1e-3)
    main = call_tree(profiler, threads[oracle["pid"]]["threadHandle"])
    greets = [(p, n) for p, n in paths_to(main, "write") if "greet" in p]
    assert len(greets) == 1
    path, node = greets[0]
    assert path.index("main") < path.index("greet")
    greet_ms = sum(recording["greet_durations"]) / 1e6
    assert len(recording["greet_durations"]) == oracle["greets"]
    assert node["totalSamples"] == pytest.approx(greet_ms, abs=1e-3)
    # A call recorded without a stack is its syscall alone, at the root.
    assert [p for p, _ in paths_to(main, "close")] == [("close",)]


def test_the_profiler_lists_each_syscall_as_a_marker_labelled_as_strace_prints_it(
    recording, profiler
):
    oracle, calls = recording["oracle"], recording["calls"]
    threads = thread_handles(profiler)
    for tid, t in threads.items():
        markers = profiler.query("thread", "markers", "--thread", t["threadHandle"])
        counts = {m["markerName"]: m["count"] for m in markers["byType"]}
        for name, n in Counter(c[2] for c in calls if c[1] == tid).items():
            assert counts.get(name) == n, (t["name"], name)
    worker = threads[oracle["worker_tid"]]["threadHandle"]
    asks = profiler.query("thread", "markers", "--thread", worker, "--list", "--search", "getppid")
    labels = [m["label"] for m in asks["flatMarkers"] if m["name"] == "getppid"]
    assert labels == [f"getppid() = {oracle['ppid']}"] * oracle["asks"]
    main = threads[oracle["pid"]]["threadHandle"]
    listed = profiler.query("thread", "markers", "--thread", main, "--list", "--search", "hello")
    writes = [m for m in listed["flatMarkers"] if m["name"] == "write"]
    assert len(writes) == oracle["greets"]
    assert all(m["label"].endswith(", 6) = 6") and m["hasStack"] for m in writes)
    stack = profiler.query("marker", "stack", writes[0]["handle"])["stack"]
    names = [f["name"] for f in stack["frames"]]  # innermost first
    assert names[0] == "write" and names.index("greet") < names.index("main")
    signals = profiler.query("thread", "markers", "--thread", main, "--search", "SIGUSR1")
    assert [m["count"] for m in signals["byType"] if m["markerName"] == "SIGUSR1"] == [1]
    assert oracle["signal"] == 1
