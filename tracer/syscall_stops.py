"""Syscall stops: what the worker does at a syscall's entry and exit.

Split from the worker loop so each part stays readable; `SyscallStops` is a
mixin of `Worker` and shares its state (tasks, plan, queue, fd names).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tracer import ptrace_api as pt
from tracer.events import Resumed, Syscall, Unfinished
from tracer.syscall_plan import FD_CLEAR, FD_CLOSE_ARG0, FD_DROP_ARG1, FD_RETURNS
from tracer.tasks import Task

if TYPE_CHECKING:
    from tracer.worker import Worker as _Base
else:
    _Base = object


class SyscallStops(_Base):
    def _flush_unfinished(self, except_tid: int) -> None:
        """Emit other tasks' entered calls as Unfinished before an event of `except_tid`."""
        for t in self.tasks.values():
            if t.tid != except_tid and t.inflight is not None and not t.inflight_emitted:
                t.inflight_emitted = True
                self.unemitted -= 1
                self.queue.put(Unfinished(t.inflight))

    # ---- the loop ---------------------------------------------------------------------

    def _syscall_stop(self, tid: int) -> None:
        task = self.tasks.get(tid)
        if task is None:
            task = self._new_task(tid)
        raw = self.info.get(tid)
        if raw is None:
            self._restart(task)
            return
        op = raw[0]
        if op == pt.SYSCALL_INFO_ENTRY:
            nr, args = pt.SyscallInfoReader.entry(raw)
            self._enter(task, nr, args, pt.SyscallInfoReader.stack_pointer(raw))
        elif op == pt.SYSCALL_INFO_EXIT:
            ret, is_error = pt.SyscallInfoReader.exit(raw)
            task.in_seccomp_call = False
            self._leave(task, ret, is_error)
        self._restart(task)

    def _enter(self, task: Task, nr: int, args: tuple[int, ...], sp: int = 0) -> None:
        plan = self.plan
        if task.inflight is not None:  # an entry with no exit seen: it did not return
            self._complete_without_return(task)
        if not plan.is_traced(nr) or (task.launching and nr != self.execve_nr):
            return
        call = Syscall(0, task.tgid, task.tid, nr, args, time.time())
        cap = plan.entry_capture(nr)
        if cap is not None:
            self.mem.tid = task.tid
            self.mem.stack_pointer = sp
            try:
                call.mem = cap(self.mem, args, plan.limits)
            except Exception:
                call.mem = None
        if plan.resolve_fds:
            positions = plan.fd_positions(nr)
            if positions:
                fds = {}
                lookup = self.fdnames.lookup
                for p in positions:
                    fd = args[p] & 0xFFFFFFFF
                    if fd < 0x80000000:
                        name = lookup(task.tgid, fd)
                        if name is not None:
                            fds[fd] = name
                call.fds = fds
            if call.mem is not None:
                self._resolve_mem_fds(task, call)
        if self.unwinder is not None and plan.wants_stack(nr):
            self._capture_stack(task, call)
        task.inflight = call
        task.inflight_emitted = False
        self.unemitted += 1
        if plan.never_returns(nr):
            # exit/exit_group: emit now, the task disappears without an exit stop.
            self._complete_without_return(task)

    def _resolve_mem_fds(self, task: Task, call: Syscall) -> None:
        extra = call.mem.get("_fds") if call.mem else None
        if extra:
            fds = call.fds if call.fds is not None else {}
            for fd in extra:
                if fd >= 0 and fd not in fds:
                    name = self.fdnames.lookup(task.tgid, fd)
                    if name is not None:
                        fds[fd] = name
            call.fds = fds

    def _capture_stack(self, task: Task, call: Syscall) -> None:
        from tracer.stack.regs import Regs

        try:
            regs = Regs.from_raw(pt.get_regs_raw(task.tid))
            call.stack = self.unwinder.unwind(task.tgid, task.tid, regs)
        except Exception:
            call.stack = None

    def _leave(self, task: Task, ret: int, is_error: bool) -> None:
        call = task.inflight
        if call is None:
            return
        task.inflight = None
        plan = self.plan
        call.end = time.time()
        call.ret = ret
        call.done = True
        nr = call.nr
        tgid = task.tgid
        if is_error:
            call.error = -ret
        else:
            cap = plan.exit_capture(nr)
            if cap is not None:
                self.mem.tid = task.tid
                try:
                    got = cap(self.mem, call.args, ret, plan.limits)
                except Exception:
                    got = None
                if got:
                    if call.mem is None:
                        call.mem = got
                    else:
                        call.mem.update(got)
            effect = plan.fd_effect(nr)
            if effect:
                self._apply_fd_effect(task, call, effect, ret)
            if plan.changes_maps(nr) and self.unwinder is not None:
                self.unwinder.invalidate(tgid)
        seq = self.seq = self.seq + 1
        call.seq = seq
        if task.inflight_emitted:
            if self.unemitted:
                self._flush_unfinished(task.tid)
            self.queue.put(Resumed(call))
        else:
            self.unemitted -= 1
            if self.unemitted:
                self._flush_unfinished(task.tid)
            self.queue.put(call)

    def _apply_fd_effect(self, task: Task, call: Syscall, effect: int, ret: int) -> None:
        """Keep the fd-name cache true after calls that change the fd table."""

        tgid = task.tgid
        names = self.fdnames
        if effect & FD_CLOSE_ARG0:
            names.drop(tgid, call.args[0] & 0xFFFFFFFF)
        if effect & FD_DROP_ARG1:
            names.drop(tgid, call.args[1] & 0xFFFFFFFF)
        if effect & FD_CLEAR:
            names.clear(tgid)
        if effect & FD_RETURNS and self.plan.returns_fd(call):
            names.drop(tgid, ret)
            if self.plan.resolve_fds:
                name = names.lookup(tgid, ret)
                if name is not None:
                    if call.fds is None:
                        call.fds = {}
                    call.fds[ret] = name
        if call.mem is not None and self.plan.resolve_fds and "_fds" in call.mem:
            for fd in call.mem["_fds"]:
                names.drop(tgid, fd)
            self._resolve_mem_fds(task, call)

    def _complete_without_return(self, task: Task) -> None:
        call = task.inflight
        if call is None:
            return
        task.inflight = None
        call.done = True
        call.no_return = True
        call.seq = self._next()
        if task.inflight_emitted:
            self.queue.put(Resumed(call))
        else:
            self.unemitted -= 1
            if self.unemitted:
                self._flush_unfinished(task.tid)
            self.queue.put(call)

    # ---- non-syscall stops ----------------------------------------------------------------
