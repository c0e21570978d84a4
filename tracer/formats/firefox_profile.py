"""`--format firefox`: the Firefox Profiler's processed profile format.

profiler.firefox.com ("Load a profile from file") opens it. We write format
version 55 (`meta.preprocessedProfileVersion`), the last one with every table
per thread (`stringArray`, `funcTable`, `frameTable`, `stackTable`,
`resourceTable`, `nativeSymbols`); the profiler upgrades it to its current
version as it loads, the path its own saved profiles of that age take.

- One profiler thread per traced thread, grouped by process (`pid`), named as
  in the Chrome export.
- **Samples**: every syscall is one sample at its start, weighted by its
  duration in milliseconds (`weightType: "tracing-ms"`), so the call tree and
  the flame graph add up time spent in syscalls. The stack is the one recorded
  with `-k` (outermost frame first), and its leaf is always a frame named after
  the syscall, so every flame ends in a syscall. A call recorded without a stack
  is a sample whose stack is that one syscall frame: without `-k` the call tree
  is time per syscall, and with `--stack-filter` the unstacked calls stand beside
  the stacked ones instead of vanishing.
- **Markers**: every syscall is also an interval marker named after it, with
  strace's text of its arguments and result (and its stack as the marker's
  cause, when it has one); signals, execs, exits and the rest are instant markers.

Frames carry their module (a library in `libs`), their offset in it, the
function and source line found by `tracer.stack`; the profile says it is
symbolicated, so the profiler does not look the modules up on its symbol server.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from tracer.events import Frame, Syscall
from tracer.formats.export_timeline import CallSpan, Moment, Timeline, readable, stack_frames
from tracer.formats.output import TextOutput
from tracer.syscalls.render import RenderContext

PROCESSED_PROFILE_VERSION = 55
GECKO_PROFILE_VERSION = 29  # the Gecko format of that time; kept for the profiler's records

# meta.categories: the first grey one is the default.
CATEGORY_OTHER, CATEGORY_USER, CATEGORY_KERNEL = 0, 1, 2
CATEGORIES = [
    {"name": "Other", "color": "grey", "subcategories": ["Other"]},
    {"name": "User", "color": "yellow", "subcategories": ["Other"]},
    {"name": "Kernel", "color": "orange", "subcategories": ["Other"]},
]

# Marker phases (profile.ts: MarkerPhase).
INSTANT, INTERVAL = 0, 1

RESOURCE_LIBRARY = 1  # ResourceType.Library

MARKER_SCHEMA = [
    {
        "name": "Syscall",
        "tooltipLabel": "{marker.name}({marker.data.arguments}) = {marker.data.result}",
        "tableLabel": "{marker.name}({marker.data.arguments}) = {marker.data.result}",
        "chartLabel": "{marker.name}",
        "display": ["marker-chart", "marker-table", "timeline-overview"],
        "description": "A system call, as strace prints it",
        "fields": [
            {"key": "arguments", "label": "Arguments", "format": "string"},
            {"key": "result", "label": "Result", "format": "string"},
            {"key": "errno", "label": "Error", "format": "string"},
            {"key": "category", "label": "Class", "format": "string"},
            {"key": "returned", "label": "Returned", "format": "string"},
        ],
    },
    {
        "name": "Signal",
        "tooltipLabel": "{marker.name} {marker.data.siginfo}",
        "tableLabel": "{marker.name} {marker.data.siginfo}",
        "chartLabel": "{marker.name}",
        "display": ["marker-chart", "marker-table", "timeline-overview"],
        "description": "A signal delivered to the thread",
        "fields": [{"key": "siginfo", "label": "siginfo", "format": "string"}],
    },
    {
        "name": "Task",
        "tooltipLabel": "{marker.name}",
        "tableLabel": "{marker.name} {marker.data.detail}",
        "chartLabel": "{marker.name}",
        "display": ["marker-chart", "marker-table", "timeline-overview"],
        "description": "A task started, exec'd, stopped, was detached or ended",
        "fields": [{"key": "detail", "label": "Detail", "format": "string"}],
    },
]


class _Strings:
    def __init__(self) -> None:
        self.array: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        i = self._index.get(text)
        if i is None:
            i = self._index[text] = len(self.array)
            self.array.append(text)
        return i


class _Thread:
    """One traced thread's tables, deduplicated as they grow."""

    def __init__(self, pid: int, tid: int) -> None:
        self.pid, self.tid = pid, tid
        self.strings = _Strings()
        self.funcs: dict[tuple, int] = {}
        self.func_cols: dict[str, list] = {k: [] for k in ("name", "resource", "fileName")}
        self.frames: dict[tuple, int] = {}
        self.frame_cols: dict[str, list] = {k: [] for k in ("address", "category", "func", "line")}
        self.stacks: dict[tuple[int | None, int], int] = {}
        self.stack_prefix: list[int | None] = []
        self.stack_frame: list[int] = []
        self.resources: dict[int, int] = {}  # lib index -> resource index
        self.resource_cols: dict[str, list] = {"lib": [], "name": []}
        self.samples: list[tuple[float, int, float]] = []  # time, stack, weight
        self.markers: list[tuple[float, float, int, int, dict[str, Any]]] = []

    def resource(self, lib: int, name: str) -> int:
        r = self.resources.get(lib)
        if r is None:
            r = self.resources[lib] = len(self.resource_cols["lib"])
            self.resource_cols["lib"].append(lib)
            self.resource_cols["name"].append(self.strings(name))
        return r

    def func(self, name: str, resource: int, file: str | None) -> int:
        key = (name, resource, file)
        f = self.funcs.get(key)
        if f is None:
            f = self.funcs[key] = len(self.func_cols["name"])
            self.func_cols["name"].append(self.strings(name))
            self.func_cols["resource"].append(resource)
            self.func_cols["fileName"].append(self.strings(file) if file else None)
        return f

    def frame(self, func: int, address: int, category: int, line: int | None) -> int:
        key = (func, address, category, line)
        i = self.frames.get(key)
        if i is None:
            i = self.frames[key] = len(self.frame_cols["func"])
            cols = self.frame_cols
            cols["func"].append(func)
            cols["address"].append(address)
            cols["category"].append(category)
            cols["line"].append(line)
        return i

    def stack(self, prefix: int | None, frame: int) -> int:
        key = (prefix, frame)
        s = self.stacks.get(key)
        if s is None:
            s = self.stacks[key] = len(self.stack_frame)
            self.stack_prefix.append(prefix)
            self.stack_frame.append(frame)
        return s


class FirefoxProfileWriter(TextOutput):
    """Gathers the whole trace, then writes one JSON document at `close`."""

    def __init__(self, out: TextIO, ctx: RenderContext, command: list[str] | None = None) -> None:
        super().__init__(out)
        self.timeline = Timeline(ctx)
        self.command = command or []
        self.threads: dict[int, _Thread] = {}
        self.libs: list[dict[str, Any]] = []
        self._lib_index: dict[str, int] = {}
        self._stacks_seen = False
        self._closed = False

    def write(self, events: list[Any]) -> None:
        for item in self.timeline.feed(events):
            self._add(item)

    def flush(self) -> None:
        pass  # nothing is written before the end

    def _thread(self, pid: int, tid: int) -> _Thread:
        t = self.threads.get(tid)
        if t is None:
            t = self.threads[tid] = _Thread(pid, tid)
        return t

    def _add(self, item: CallSpan | Moment) -> None:
        if type(item) is CallSpan:
            self._add_call(item)
            return
        t = self._thread(item.pid, item.tid)
        if item.kind == "signal":
            data = {"type": "Signal", **item.detail}
        else:
            detail = ", ".join(f"{k}={v}" for k, v in item.detail.items())
            data = {"type": "Task", "detail": detail}
        t.markers.append((item.time, item.time, INSTANT, t.strings(item.name), data))

    def _add_call(self, span: CallSpan) -> None:
        call = span.call
        t = self._thread(call.pid, call.tid)
        text = self.timeline.call_text(call)
        stack = self._stack_of(t, call, text.name)
        weight_ms = max(0.0, span.end - call.start) * 1000.0
        t.samples.append((call.start, stack, weight_ms))
        data: dict[str, Any] = {
            "type": "Syscall",
            "arguments": text.arguments,
            "result": text.result,
            "category": text.category,
        }
        if text.errno:
            data["errno"] = text.errno
        if span.cut:
            data["returned"] = "no"
        if call.stack:
            data["cause"] = {"stack": stack}
        t.markers.append((call.start, span.end, INTERVAL, t.strings(text.name), data))

    def _stack_of(self, t: _Thread, call: Syscall, name: str) -> int:
        prefix: int | None = None
        frames = stack_frames(call)
        if frames:
            self._stacks_seen = True
        # The unwinder gives the innermost frame first; a stack table grows from the root.
        last = len(frames) - 1
        for depth, fr in enumerate(reversed(frames)):
            prefix = t.stack(prefix, self._frame(t, fr, is_return=depth != last))
        leaf = t.frame(t.func(name, -1, None), -1, CATEGORY_KERNEL, None)
        return t.stack(prefix, leaf)

    def _frame(self, t: _Thread, fr: Frame, is_return: bool) -> int:
        if fr.module:
            lib = self._lib(fr.module)
            resource = t.resource(lib, self.libs[lib]["name"])
            # The profiler's addresses point into the call instruction: a return
            # address less one.
            address = max(0, fr.module_offset - 1) if is_return else fr.module_offset
            where = f"{self.libs[lib]['name']}+{fr.module_offset:#x}"
        else:
            resource, address, where = -1, -1, f"{fr.pc:#x}"
        name = fr.function or where
        file = readable(fr.file) if fr.file else None
        return t.frame(t.func(name, resource, file), address, CATEGORY_USER, fr.line)

    def _lib(self, module: str) -> int:
        i = self._lib_index.get(module)
        if i is None:
            path = readable(module)
            name = os.path.basename(path) or path
            i = self._lib_index[module] = len(self.libs)
            self.libs.append(
                {
                    "arch": os.uname().machine,
                    "name": name,
                    "path": path,
                    "debugName": name,
                    "debugPath": path,
                    "breakpadId": "",
                    "codeId": None,
                }
            )
        return i

    # -- the document

    def profile(self) -> dict[str, Any]:
        """The whole profile as a JSON-ready dict (after the stream has ended)."""
        tl = self.timeline
        t0 = tl.t0 if tl.t0 is not None else 0.0
        order = {tid: i for i, (_, tid) in enumerate(tl.threads())}
        threads = sorted(self.threads.values(), key=lambda t: (order.get(t.tid, len(order)), t.tid))
        first_of_process: dict[int, float] = {}
        end_of_process: dict[int, float] = {}
        for tid, when in tl.thread_first.items():
            pid = tl.thread_pid.get(tid, tid)
            first_of_process[pid] = min(when, first_of_process.get(pid, when))
        for tid, when in tl.thread_exit.items():
            pid = tl.thread_pid.get(tid, tid)
            if tid == pid:
                end_of_process[pid] = when
        end_ms = (tl.last_time - t0) * 1000.0 if tl.last_time else 0.0
        command = " ".join(readable(a) for a in self.command) or tl.first_command()
        meta = {
            "interval": 1.0,
            "startTime": t0 * 1000.0,
            "endTime": tl.last_time * 1000.0 if tl.last_time else t0 * 1000.0,
            "profilingStartTime": 0.0,
            "profilingEndTime": end_ms,
            "processType": 0,
            "product": f"tracetui: {command}" if command else "tracetui",
            "importedFrom": "tracetui",
            "arguments": command,
            "stackwalk": 1 if self._stacks_seen else 0,
            "debug": False,
            "version": GECKO_PROFILE_VERSION,
            "preprocessedProfileVersion": PROCESSED_PROFILE_VERSION,
            "categories": CATEGORIES,
            "markerSchema": MARKER_SCHEMA,
            "symbolicated": True,
            "usesOnlyOneStackType": True,
            "sourceCodeIsNotOnSearchfox": True,
            "keepProfileThreadOrder": True,
            "initialVisibleThreads": list(range(len(threads))),
            "sampleUnits": {"time": "ms", "eventDelay": "ms", "threadCPUDelta": "ns"},
            "platform": "X11",
            "oscpu": f"{os.uname().sysname} {os.uname().machine}",
        }

        def ms(when: float) -> float:
            return round((when - t0) * 1000.0, 6)

        out_threads = []
        for t in threads:
            pid = t.pid
            ended = tl.thread_exit.get(t.tid)
            proc_end = end_of_process.get(pid)
            out_threads.append(
                _thread_json(
                    t,
                    name=tl.thread_name(t.tid),
                    process_name=tl.process_name(pid),
                    process_start=ms(first_of_process.get(pid, t0)),
                    process_end=ms(proc_end) if proc_end is not None else None,
                    register=ms(tl.thread_first.get(t.tid, t0)),
                    unregister=ms(ended) if ended is not None else None,
                    ms=ms,
                )
            )
        return {
            "meta": meta,
            "libs": self.libs,
            "pages": [],
            "counters": [],
            "threads": out_threads,
        }

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for item in self.timeline.finish():
            self._add(item)
        json.dump(self.profile(), self.out, separators=(",", ":"))
        self.out.write("\n")
        super().close()


def _thread_json(
    t: _Thread,
    *,
    name: str,
    process_name: str,
    process_start: float,
    process_end: float | None,
    register: float,
    unregister: float | None,
    ms: Any,
) -> dict[str, Any]:
    samples = sorted(t.samples, key=lambda s: s[0])
    markers = sorted(t.markers, key=lambda m: m[0])
    n_funcs = len(t.func_cols["name"])
    n_frames = len(t.frame_cols["func"])
    n_res = len(t.resource_cols["lib"])
    return {
        "processType": "default",
        "processStartupTime": process_start,
        "processShutdownTime": process_end,
        "registerTime": register,
        "unregisterTime": unregister,
        "pausedRanges": [],
        "showMarkersInTimeline": True,
        "name": name,
        "isMainThread": t.tid == t.pid,
        "processName": process_name,
        "pid": str(t.pid),
        "tid": t.tid,
        "samples": {
            "stack": [s[1] for s in samples],
            "time": [ms(s[0]) for s in samples],
            "weight": [round(s[2], 6) for s in samples],
            "weightType": "tracing-ms",
            "length": len(samples),
        },
        "markers": {
            "data": [m[4] for m in markers],
            "name": [m[3] for m in markers],
            "startTime": [ms(m[0]) for m in markers],
            "endTime": [ms(m[1]) if m[2] == INTERVAL else None for m in markers],
            "phase": [m[2] for m in markers],
            "category": [CATEGORY_KERNEL] * len(markers),
            "length": len(markers),
        },
        "stackTable": {
            "frame": t.stack_frame,
            "prefix": t.stack_prefix,
            "length": len(t.stack_frame),
        },
        "frameTable": {
            "address": t.frame_cols["address"],
            "inlineDepth": [0] * n_frames,
            "category": t.frame_cols["category"],
            "subcategory": [0] * n_frames,
            "func": t.frame_cols["func"],
            "nativeSymbol": [None] * n_frames,
            "innerWindowID": [0] * n_frames,
            "line": t.frame_cols["line"],
            "column": [None] * n_frames,
            "length": n_frames,
        },
        "funcTable": {
            "name": t.func_cols["name"],
            "isJS": [False] * n_funcs,
            "relevantForJS": [False] * n_funcs,
            "resource": t.func_cols["resource"],
            "fileName": t.func_cols["fileName"],
            "lineNumber": [None] * n_funcs,
            "columnNumber": [None] * n_funcs,
            "length": n_funcs,
        },
        "resourceTable": {
            "lib": t.resource_cols["lib"],
            "name": t.resource_cols["name"],
            "host": [None] * n_res,
            "type": [RESOURCE_LIBRARY] * n_res,
            "length": n_res,
        },
        "nativeSymbols": {
            "libIndex": [],
            "address": [],
            "name": [],
            "functionSize": [],
            "length": 0,
        },
        "stringArray": t.strings.array,
    }
