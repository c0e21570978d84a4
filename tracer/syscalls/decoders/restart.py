"""restart_syscall: strace shows which call it resumes, `<... resuming interrupted
clock_nanosleep ...>`. The engine remembers, per task, the call that was interrupted
with ERESTART_RESTARTBLOCK and hands it over in the capture (`RESUMING_KEY`)."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls import capture
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder

capture.python_only("restart_syscall")


@decoder("restart_syscall")
def decode_restart_syscall(call: Syscall, ctx: RenderContext) -> Decoded:
    nr = (call.mem or {}).get(capture.RESUMING_KEY, -1)
    d = ctx.table.get(nr) if nr >= 0 else None
    name = d.name if d is not None else "system call"
    return Decoded([Arg(f"<... resuming interrupted {name} ...>", nr, "other", name)])
