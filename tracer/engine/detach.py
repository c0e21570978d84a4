"""Letting go of tasks so they keep running, whatever state they are in.

PTRACE_DETACH needs the task in a ptrace stop: held tasks already are; the
others are interrupted first and detached at their next stop. A signal the
task was about to receive is passed on at detach so it is not lost; a task in
group-stop stays stopped (the kernel re-enters the group-stop), as it would
without us.
"""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING

from tracer.engine import ptrace_api as pt
from tracer.engine.tasks import Task
from tracer.events import Detached

if TYPE_CHECKING:
    from tracer.engine.worker import Worker

_SYSGOOD = signal.SIGTRAP | 0x80


def detach_all(worker: Worker, tasks: list[Task], timeout: float = 3.0) -> None:
    pending: dict[int, Task] = {}
    for t in tasks:
        if t.held:
            sig = t.held_sig
            t.held = False
            if _detach(worker, t, sig):
                continue
        # Not (or no longer) stopped: interrupt it and detach at its next stop.
        pending[t.tid] = t
        pt.ptrace_quiet(pt.PTRACE_INTERRUPT, t.tid)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pid, status = worker.waiter.wait(nohang=True)
        if pid < 0:
            break
        if pid == 0:
            time.sleep(0.002)
            continue
        task = pending.pop(pid, None)
        if (status & 0xFF) != 0x7F:  # gone: say so, as for any exit
            worker._task_gone(pid, status)
            continue
        sig = (status >> 8) & 0xFF
        event = status >> 16
        pass_sig = sig if (event == 0 and sig != _SYSGOOD) else 0
        if task is None:
            task = worker.tasks.get(pid)
            if task is not None and task.tgid in _killed(worker, tasks):
                pt.ptrace_quiet(pt.PTRACE_CONT, pid)
                continue
            if task is None:  # a child born during cleanup: let it go too
                pt.ptrace_quiet(pt.PTRACE_DETACH, pid, 0, pass_sig)
                continue
        _detach(worker, task, pass_sig)
    for task in pending.values():
        # No stop came: the task sits in a stop whose status was already taken (an
        # internal error while handling it). Detach works from there.
        _detach(worker, task, 0)


def _killed(worker: Worker, detaching: list[Task]) -> set[int]:
    keep = {t.tgid for t in detaching}
    return {t.tgid for t in worker.tasks.values() if t.tgid not in keep}


def _detach(worker: Worker, task: Task, sig: int) -> bool:
    """Detach a task in a ptrace stop; False (nothing done) if it is not in one."""
    if pt.ptrace_quiet(pt.PTRACE_DETACH, task.tid, 0, sig) < 0:
        return False
    worker.tasks.pop(task.tid, None)
    if task.attached:
        worker.detached_tids.append(task.tid)
    worker.queue.put(Detached(worker._next(), task.tgid, task.tid, time.time()))
    return True
