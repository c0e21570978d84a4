"""`--format perfetto`: the Chrome JSON trace event format.

Perfetto's UI (ui.perfetto.dev), chrome://tracing, the Firefox Profiler and
speedscope all open it. One track per thread, grouped by process; each syscall
is a complete slice (`"ph": "X"`) with strace's text of its arguments and result
in `args`; signals, execs, exits (and task starts, stops, detaches) are
thread-scoped instant events (`"ph": "i"`). Process and thread names come as
metadata events (`"ph": "M"`) at the end, once the last exec of each process is
known.

Times are microseconds from the first event, as floats with three decimals
(nanoseconds; the recorded clock is the system's, read as a double, so the last
digits are not all significant). The trace streams out as it is traced: only
the names wait for the end.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from tracer.formats.export_timeline import CallSpan, Moment, Timeline, frame_label, stack_frames
from tracer.formats.output import TextOutput
from tracer.syscalls.render import RenderContext

_dump = json.JSONEncoder(separators=(",", ":")).encode


def _us(ns: int) -> float:
    return ns / 1000


class TraceEventWriter(TextOutput):
    """Writes `{"traceEvents": [...], ...}`; the closing part comes at `close`."""

    def __init__(self, out: TextIO, ctx: RenderContext, command: list[str] | None = None) -> None:
        super().__init__(out)
        self.timeline = Timeline(ctx)
        self.command = command or []
        self._count = 0
        self._closed = False
        self.out.write('{"traceEvents":[\n')

    def write(self, events: list[Any]) -> None:
        self._put(self.timeline.feed(events))

    def _put(self, items: list[CallSpan | Moment]) -> None:
        t0 = self.timeline.t0 or 0.0
        parts = []
        for item in items:
            obj = self._span(item, t0) if type(item) is CallSpan else self._instant(item, t0)
            parts.append(_dump(obj))
        if parts:
            sep = ",\n" if self._count else ""
            self.out.write(sep + ",\n".join(parts))
            self._count += len(parts)

    def _span(self, span: CallSpan, t0: float) -> dict[str, Any]:
        call = span.call
        text = self.timeline.call_text(call)
        # Whole nanoseconds first, so that a slice's end is exactly the next one's start
        # when they touch, never a rounding past it.
        start_ns = round((call.start - t0) * 1e9)
        end_ns = max(start_ns, round((span.end - t0) * 1e9))
        args: dict[str, Any] = {"arguments": text.arguments, "result": text.result}
        if text.errno:
            args["errno"] = text.errno
        if span.cut:
            args["returned"] = False
        frames = stack_frames(call)
        if frames:
            args["stack"] = [frame_label(f) for f in frames]
        return {
            "name": text.name,
            "cat": text.category,
            "ph": "X",
            "ts": _us(start_ns),
            "dur": _us(end_ns - start_ns),
            "pid": call.pid,
            "tid": call.tid,
            "args": args,
        }

    def _instant(self, moment: Moment, t0: float) -> dict[str, Any]:
        obj = {
            "name": moment.name,
            "cat": moment.kind,
            "ph": "i",
            "s": "t",
            "ts": _us(round((moment.time - t0) * 1e9)),
            "pid": moment.pid,
            "tid": moment.tid,
        }
        if moment.detail:
            obj["args"] = moment.detail
        return obj

    def _metadata(self) -> list[dict[str, Any]]:
        tl = self.timeline
        meta: list[dict[str, Any]] = []
        pids = dict.fromkeys(pid for pid, _ in tl.threads())
        for order, pid in enumerate(pids):
            meta.append(_meta("process_name", pid, pid, {"name": tl.process_name(pid)}))
            meta.append(_meta("process_sort_index", pid, pid, {"sort_index": order}))
            command = tl.command_lines.get(pid)
            if command:
                meta.append(_meta("process_labels", pid, pid, {"labels": command}))
        for pid, tid in tl.threads():
            meta.append(_meta("thread_name", pid, tid, {"name": tl.thread_name(tid)}))
            # The main thread first, then threads in the order they appeared.
            meta.append(
                _meta("thread_sort_index", pid, tid, {"sort_index": 0 if tid == pid else tid})
            )
        return meta

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._put(self.timeline.finish())
        meta = self._metadata()
        if meta:
            sep = ",\n" if self._count else ""
            self.out.write(sep + ",\n".join(_dump(m) for m in meta))
        command = " ".join(self.command) or self.timeline.first_command()
        other = {"generator": "tracetui", "command": command}
        if self.timeline.t0 is not None:
            other["start_time_unix_s"] = repr(self.timeline.t0)
        self.out.write('\n],"displayTimeUnit":"ns","otherData":' + _dump(other) + "}\n")
        super().close()


def _meta(name: str, pid: int, tid: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "ph": "M", "pid": pid, "tid": tid, "args": args}
