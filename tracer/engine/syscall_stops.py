"""Syscall stops: what the worker does at a syscall's entry and exit.

Split from the worker loop so each part stays readable; `SyscallStops` is a
mixin of `Worker` and shares its state (tasks, plan, queue, fd names).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from tracer.engine import ptrace_api as pt
from tracer.engine.stream import CallExit, CallGone
from tracer.engine.syscall_plan import FD_CLEAR, FD_CLOSE_ARG0, FD_DROP_ARG1, FD_RETURNS
from tracer.engine.tasks import Task
from tracer.events import Syscall
from tracer.syscalls.capture import (
    ERESTART_RESTARTBLOCK,
    RESUMING_KEY,
    SOCKETS_KEY,
)

if TYPE_CHECKING:
    from tracer.engine.worker import Worker as _Base
else:
    _Base = object


class SyscallStops(_Base):
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
        """A call's entry: capture what must be read now and send the entry part."""
        plan = self.plan
        if task.inflight is not None:  # an entry with no exit seen: it did not return
            self._complete_without_return(task)
        if not plan.is_traced(nr) or (task.launching and nr != self.execve_nr):
            return
        call = Syscall(0, task.tgid, task.tid, nr, args, time.time())
        if nr == plan.restart_nr:
            call.mem = {RESUMING_KEY: task.interrupted_nr}
            task.interrupted_nr = -1
        cap = plan.entry_capture(nr)
        if cap is not None:
            self.mem.tid = task.tid
            self.mem.stack_pointer = sp
            try:
                call.mem = cap(self.mem, args, plan.limits) or None
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
                extra = self._mem_fds(task, call.mem, call.fds)
                if extra is not None:
                    call.fds = extra
            if self.sockets is not None and call.fds:
                found = self._socket_details(task, call.fds)
                if found:
                    if call.mem is None:
                        call.mem = {}
                    call.mem[SOCKETS_KEY] = found
        if self.unwinder is not None and plan.wants_stack(nr):
            self._capture_stack(task, call)
        task.inflight = call
        self.queue.put(call)
        if plan.is_steered(nr) or task.tid in self._steer_tasks:
            self._steer_entry(task, call)  # injection, breakpoints (steer_stops.py)
        if plan.never_returns(nr) and not self._steer_tampers(task.tid):
            # exit/exit_group: the task disappears without an exit stop, unless an
            # injection skipped the call (strace's qual_fault-exit_group: it returns).
            self._complete_without_return(task)

    def _mem_fds(self, task: Task, mem: dict, fds: dict[int, str] | None) -> dict[int, str] | None:
        """Names of the fds a capture found in memory (`mem["_fds"]`), added to `fds`."""
        extra = mem.get("_fds")
        if not extra:
            return None
        out = dict(fds) if fds is not None else {}
        for fd in extra:
            if fd >= 0 and fd not in out:
                name = self.fdnames.lookup(task.tgid, fd)
                if name is not None:
                    out[fd] = name
        return out

    def _socket_details(self, task: Task, fds: dict[int, str]) -> tuple[tuple[int, str], ...]:
        """strace -yy: the socket fds among `fds` with what strace prints for them, looked
        up now, while the task is stopped (a socket may be gone by the time a line is
        written)."""
        describe = self.sockets.describe
        out = []
        for fd, name in fds.items():
            if name.startswith("socket:["):
                text = describe(task.tgid, fd, name)
                if text is not None:
                    out.append((fd, text))
        return tuple(out)

    def _capture_stack(self, task: Task, call: Syscall) -> None:
        from ptrace.binding import ptrace_getregs  # python-ptrace: register access

        from tracer.stack.regs import Regs

        try:
            regs = Regs.from_user_regs(ptrace_getregs(task.tid))
            call.stack = self.unwinder.unwind(task.tgid, task.tid, regs)
        except Exception:
            call.stack = None

    def _leave(self, task: Task, ret: int, is_error: bool) -> None:
        """A call's exit: capture what it wrote, keep the fd names true, send the exit part."""
        call = task.inflight
        if call is None:
            return
        task.inflight = None
        plan = self.plan
        end = time.time()
        nr = call.nr
        tgid = task.tgid
        mem = fds = None
        error = marks = 0
        steered = task.tid in self._steer_tasks
        if steered:
            ret, is_error, marks = self._steer_exit(task, ret, is_error)
        if is_error:
            error = -ret
            mem = self._capture_exit(task, call, ret, plan.error_capture(nr))
            if error == ERESTART_RESTARTBLOCK:  # what a restart_syscall will resume
                task.interrupted_nr = nr
        else:
            mem = self._capture_exit(task, call, ret, plan.exit_capture(nr))
            effect = plan.fd_effect(nr)
            if effect:
                fds = self._apply_fd_effect(task, call, effect, ret, mem)
                if fds and self.sockets is not None:
                    mem = self._exit_socket_details(task, call, fds, mem)
            if plan.changes_maps(nr) and self.unwinder is not None:
                self.unwinder.invalidate(tgid)
        if marks:  # strace's (INJECTED) / (DELAYED), carried in the call's memory
            mem = self._steer_mem(task.tid, mem, marks)
        self.queue.put(CallExit(task.tid, end, ret, error, mem, fds))
        if steered:
            self._steer_after_exit(task, call)

    def _capture_exit(self, task: Task, call: Syscall, ret: int, cap) -> dict | None:
        """What `cap` (the plan's exit or error capture of the call) reads, or None."""
        if cap is None:
            return None
        self.mem.tid = task.tid
        try:
            return cap(self.mem, call.args, ret, self.plan.limits) or None
        except Exception:
            return None

    def _exit_socket_details(
        self, task: Task, call: Syscall, fds: dict[int, str], mem: dict | None
    ) -> dict | None:
        """The exit's new socket fds (accept's, socketpair's) added to the entry's."""
        found = self._socket_details(task, fds)
        if not found:
            return mem
        merged = dict(call.mem.get(SOCKETS_KEY, ()) if call.mem else ())
        merged.update(found)
        mem = mem if mem is not None else {}
        mem[SOCKETS_KEY] = tuple(merged.items())
        return mem

    def _apply_fd_effect(
        self, task: Task, call: Syscall, effect: int, ret: int, mem: dict | None
    ) -> dict[int, str] | None:
        """Keep the fd-name cache true after calls that change the fd table; the names
        the exit adds (the new fd, fds passed in memory)."""
        tgid = task.tgid
        names = self.fdnames
        fds: dict[int, str] | None = None
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
                    fds = {ret: name}
        for m in (call.mem, mem):
            if m is not None and self.plan.resolve_fds and "_fds" in m:
                for fd in m["_fds"]:
                    names.drop(tgid, fd)
                extra = self._mem_fds(task, m, fds)
                if extra is not None:
                    fds = extra
        return fds

    def _complete_without_return(self, task: Task) -> None:
        if task.inflight is None:
            return
        task.inflight = None
        self.queue.put(CallGone(task.tid))

    # ---- non-syscall stops ----------------------------------------------------------------
