"""JSON lines: one object per event, with raw values and rendered text side by side.

Strings the system hands over as bytes (argv, exec's filename, what an fd refers
to, stack module paths) are not always UTF-8. Such a string is written with each
byte that is not UTF-8 as `\\xNN` (never U+FFFD, never a lone surrogate), and the
event carries the exact bytes beside it in hex: `argv_hex`, `filename_hex`,
`fds_hex`, present only when needed. Argument texts are strace's, already escaped.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from tracer.events import (
    DELAYED,
    INJECTED,
    POKED,
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
from tracer.syscalls.fmt import os_bytes
from tracer.syscalls.render import RenderContext, errno_name, render


def _os_text(text: str) -> tuple[str, str | None]:
    """(readable text, hex of the exact bytes or None when the text is the bytes)."""
    if text.isascii():
        return text, None
    data = os_bytes(text)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("utf-8", "backslashreplace"), data.hex()


def _put_text(obj: dict[str, Any], key: str, text: str | None) -> None:
    if text is None:
        obj[key] = None
        return
    obj[key], exact = _os_text(text)
    if exact is not None:
        obj[key + "_hex"] = exact


def _put_texts(obj: dict[str, Any], key: str, texts: list[str] | None) -> None:
    if texts is None:
        obj[key] = None
        return
    pairs = [_os_text(t) for t in texts]
    obj[key] = [shown for shown, _ in pairs]
    if any(exact is not None for _, exact in pairs):
        obj[key + "_hex"] = [os_bytes(t).hex() for t in texts]


def _put_fds(obj: dict[str, Any], fds: dict[int, str]) -> None:
    shown: dict[str, str] = {}
    exact: dict[str, str] = {}
    for fd, name in fds.items():
        shown[str(fd)], raw = _os_text(name)
        if raw is not None:
            exact[str(fd)] = raw
    obj["fds"] = shown
    if exact:
        obj["fds_hex"] = exact


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
    if call.injected:  # fault injection (strace's `(INJECTED)`, `(DELAYED)`)
        obj["injected"] = [
            m
            for bit, m in ((INJECTED, "injected"), (DELAYED, "delayed"), (POKED, "poked"))
            if call.injected & bit
        ]
    if call.fds:
        _put_fds(obj, call.fds)
    if call.stack:
        from tracer.stack.frame import resolve_by_module

        resolve_by_module(call.stack)
        obj["stack"] = [
            {
                "pc": f.pc,
                "module": _os_text(f.module)[0] if f.module else f.module,
                "function": f.function,
                "offset": f.offset,
                "file": _os_text(f.file)[0] if f.file else f.file,
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
        obj = {
            "type": "thread_started" if ev.is_thread else "process_started",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "parent": ev.parent,
            "time": ev.time,
            "attached": ev.attached,
        }
        _put_texts(obj, "argv", ev.argv)
        return obj
    if isinstance(ev, Exec):
        obj = {
            "type": "exec",
            "seq": ev.seq,
            "pid": ev.pid,
            "tid": ev.tid,
            "time": ev.time,
        }
        if ev.former_tid:  # a thread exec'd: the id it had before it took the process's
            obj["former_tid"] = ev.former_tid
        _put_text(obj, "filename", ev.filename)
        _put_texts(obj, "argv", ev.argv)
        return obj
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
