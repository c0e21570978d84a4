"""JSON lines: one object per event, with raw values and rendered text side by side."""

from __future__ import annotations

import json
from typing import Any, TextIO

from tracer.events import (
    Detached,
    Exec,
    Exited,
    ProcessStarted,
    Resumed,
    SignalDelivered,
    Stopped,
    Syscall,
    TraceEnded,
    Unfinished,
)
from tracer.formats.output import TextOutput
from tracer.formats.strace_text import siginfo_text, signal_name
from tracer.syscalls.render import RenderContext, errno_name, render


def syscall_object(call: Syscall, ctx: RenderContext, kind: str = "syscall") -> dict[str, Any]:
    r = render(call, ctx)
    obj: dict[str, Any] = {
        "type": kind,
        "seq": call.seq,
        "pid": call.pid,
        "tid": call.tid,
        "nr": call.nr,
        "name": r.name,
        "args": [{"text": a.text, "raw": a.raw, "kind": a.kind} for a in r.args],
        "ret": call.ret,
        "ret_text": r.ret,
        "start": call.start,
        "duration": call.duration if call.done else None,
    }
    if call.error:
        obj["errno"] = errno_name(call.error)
    if call.fds:
        obj["fds"] = {str(k): v for k, v in call.fds.items()}
    if call.stack:
        from tracer.stack.frame import resolve_by_module

        resolve_by_module(call.stack)
        obj["stack"] = [
            {
                "pc": f.pc,
                "module": f.module,
                "function": f.function,
                "offset": f.offset,
                "file": f.file,
                "line": f.line,
                "module_offset": f.module_offset,
            }
            for f in call.stack
        ]
    return obj


def event_object(ev: object, ctx: RenderContext) -> dict[str, Any] | None:
    if isinstance(ev, Syscall):
        return syscall_object(ev, ctx)
    if isinstance(ev, Unfinished):
        return {"type": "unfinished", "tid": ev.call.tid, "pid": ev.call.pid, "nr": ev.call.nr}
    if isinstance(ev, Resumed):
        return syscall_object(ev.call, ctx)
    if isinstance(ev, SignalDelivered):
        return {
            "type": "signal",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "time": ev.time,
            "signal": signal_name(ev.signo),
            "siginfo": siginfo_text(ev),
        }
    if isinstance(ev, ProcessStarted):
        return {
            "type": "thread_started" if ev.is_thread else "process_started",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "parent": ev.parent,
            "time": ev.time,
            "attached": ev.attached,
            "argv": ev.argv,
        }
    if isinstance(ev, Exec):
        return {
            "type": "exec",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "time": ev.time,
            "filename": ev.filename,
            "argv": ev.argv,
        }
    if isinstance(ev, Exited):
        return {
            "type": "exited",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "time": ev.time,
            "code": ev.code,
            "signal": signal_name(ev.signal) if ev.signal else None,
            "core": ev.core,
            "thread": ev.is_thread,
        }
    if isinstance(ev, Stopped):
        return {
            "type": "continued" if ev.resumed else "stopped",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "time": ev.time,
            "signal": signal_name(ev.signo) if ev.signo else None,
        }
    if isinstance(ev, Detached):
        return {"type": "detached", "seq": ev.seq, "pid": ev.pid, "tid": ev.tid, "time": ev.time}
    if isinstance(ev, TraceEnded):
        return {"type": "end", "time": ev.time, "exit_status": ev.exit_status, "error": ev.error}
    return None


class JsonLinesWriter(TextOutput):
    def __init__(self, out: TextIO, ctx: RenderContext) -> None:
        super().__init__(out)
        self.ctx = ctx

    def write(self, events: list[object]) -> None:
        parts = []
        for ev in events:
            obj = event_object(ev, self.ctx)
            if obj is not None:
                parts.append(json.dumps(obj, separators=(",", ":")))
        if parts:
            self.out.write("\n".join(parts) + "\n")
