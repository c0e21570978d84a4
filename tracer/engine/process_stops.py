"""Process stops: new tasks, signals, group-stops, exec and exits.

A mixin of `Worker` (shares its state); the syscall half is in `syscall_stops`.
"""

from __future__ import annotations

import os
import signal
import time
from typing import TYPE_CHECKING

from tracer.engine import ptrace_api as pt
from tracer.engine.core import ST_NEWTASK
from tracer.engine.stream import CallMoved
from tracer.engine.tasks import Task, read_cmdline, read_comm, read_environ, read_ppid, read_tgid
from tracer.events import Exec, Exited, ProcessStarted, SignalDelivered, Stopped

if TYPE_CHECKING:
    from tracer.engine.worker import Worker as _Base
else:
    _Base = object

STOP_SIGNALS = frozenset({signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU})


class ProcessStops(_Base):
    def _new_task(self, tid: int) -> Task:
        """A task whose first stop came before its creator's fork/clone event."""
        tgid = read_tgid(tid)
        ppid = read_ppid(tgid)
        # A thread belongs to its process; a new process inherits from its parent,
        # so children of attached programs are detached (not killed) at the end.
        creator = self.tasks.get(tgid) or self.tasks.get(ppid)
        attached = creator.attached if creator else not self.opts.command
        task = Task(tid, tgid, attached=attached)
        self.tasks[tid] = task
        self._announce(task, ppid)
        return task

    def _announce(self, task: Task, parent: int) -> None:
        is_thread = task.tid != task.tgid
        if is_thread:
            self._emit(
                ProcessStarted(
                    self._next(), task.tgid, task.tid, task.tgid, time.time(), is_thread=True
                )
            )
        elif task.tgid not in self.known_pids:
            self.known_pids.add(task.tgid)
            self.fdnames.copy(parent, task.tgid)
            self._emit(
                ProcessStarted(
                    self._next(),
                    task.tgid,
                    task.tid,
                    parent,
                    time.time(),
                    comm=read_comm(task.tgid),
                )
            )

    def _other_stop(self, tid: int, status: int, sig: int) -> None:
        event = status >> 16
        task = self.tasks.get(tid)
        if task is None:
            task = self._new_task(tid)
        if task.launching and event not in (pt.PTRACE_EVENT_EXEC, pt.PTRACE_EVENT_SECCOMP):
            # Our own SIGSTOP/SIGCONT handshake before exec: not the program's doing.
            self._restart(task)
            return
        if event == 0:
            self._signal_stop(task, sig)
        elif event == pt.PTRACE_EVENT_STOP:
            if sig in STOP_SIGNALS:
                if not task.group_stopped:
                    task.group_stopped = True
                    self._emit(Stopped(self._next(), task.tgid, tid, time.time(), sig))
                pt.ptrace_quiet(pt.PTRACE_LISTEN, tid)
                return
            if task.group_stopped:
                task.group_stopped = False
                self._emit(Stopped(self._next(), task.tgid, tid, time.time(), 0, resumed=True))
            self._restart(task)
        elif event == pt.PTRACE_EVENT_SECCOMP:
            raw = self.info.get(tid)
            if raw is not None and raw[0] == pt.SYSCALL_INFO_SECCOMP:
                nr, args = pt.SyscallInfoReader.entry(raw)
                task.in_seccomp_call = True
                self._enter(task, nr, args, pt.SyscallInfoReader.stack_pointer(raw))
            self._restart(task, event_stop=True)
        elif event in (pt.PTRACE_EVENT_FORK, pt.PTRACE_EVENT_VFORK, pt.PTRACE_EVENT_CLONE):
            child = pt.geteventmsg(tid)
            if child > 0 and child not in self.tasks:
                is_thread = event == pt.PTRACE_EVENT_CLONE and read_tgid(child) == task.tgid
                ctask = Task(child, task.tgid if is_thread else child, attached=task.attached)
                self.tasks[child] = ctask
                self._announce(ctask, task.tgid)
                if self.core is not None and not self.paused:
                    # Its first stop (PTRACE_EVENT_STOP) needs nothing from Python: C
                    # resumes it, one wait for the GIL fewer per child.
                    self.core.set_task(child, ctask.tgid, ST_NEWTASK)
            self._restart(task)
        elif event == pt.PTRACE_EVENT_EXEC:
            self._exec_stop(task)
            self._restart(task)
        else:
            self._restart(task)

    def _signal_stop(self, task: Task, sig: int) -> None:
        info = pt.get_siginfo(task.tid)
        if info is None:
            # No siginfo: a group-stop reported without SEIZE semantics; just go on.
            self._restart(task)
            return
        self._emit(SignalDelivered(self._next(), task.tgid, task.tid, time.time(), sig, info))
        self._restart(task, sig)

    def _exec_stop(self, task: Task) -> None:
        former = pt.geteventmsg(task.tid)
        tgid = task.tgid
        if former > 0 and former != task.tid:
            # A non-leader thread exec'd: it now carries the leader's tid.
            if self.core is not None:
                self._adopt_core_call(former)  # its execve, entered in C
                self.core.forget(former)
            old = self.tasks.pop(former, None)
            steer = self._steer_tasks.pop(former, None)
            if steer is not None:  # its execve's injection or delay is the leader id's now
                self._steer_tasks[task.tid] = steer
            if old is not None and old.inflight is not None:
                # The leader's own call (a wait, a futex) never returns: the assembler
                # ends it when it moves the thread's execve to the leader's id.
                self._emit(CallMoved(former, task.tid))
                task.inflight = old.inflight
                task.in_seccomp_call = old.in_seccomp_call
            elif task.inflight is not None:
                self._complete_without_return(task)
        if tgid == self.main_pid:
            self.main_execed = True
            task.launching = False
        self.fdnames.clear(tgid)
        if self.unwinder is not None:
            self.unwinder.invalidate(tgid)
        filename = pt.read_link(f"/proc/{tgid}/exe") or ""
        self._emit(
            Exec(
                self._next(),
                tgid,
                task.tid,
                time.time(),
                filename,
                read_cmdline(tgid),
                read_environ(tgid),
                former_tid=former if former != task.tid else 0,
            )
        )

    def _task_gone(self, tid: int, status: int) -> None:
        if self.core is not None:
            self._adopt_core_call(tid)
            self.core.forget(tid)
        task = self.tasks.pop(tid, None)
        if task is None:
            return
        if task.inflight is not None:
            self._complete_without_return(task)
        if os.WIFEXITED(status):
            code, sig = os.WEXITSTATUS(status), None
        else:
            code, sig = None, os.WTERMSIG(status)
        core = bool(os.WCOREDUMP(status)) if sig is not None else False
        is_thread = tid != task.tgid
        self._emit(Exited(self._next(), task.tgid, tid, time.time(), code, sig, core, is_thread))
        if not is_thread:
            self.fdnames.clear(tid)
            if self.unwinder is not None:
                self.unwinder.forget(tid)
        if tid == self.main_pid:
            self.exit_status = code if code is not None else 128 + (sig or 0)
            if not self.main_execed and self.exec_error_fd is not None:
                self._check_exec_error()

    def _check_exec_error(self) -> None:
        fd = self.exec_error_fd
        self.exec_error_fd = None
        if fd is None:
            return
        try:
            os.set_blocking(fd, False)
            data = os.read(fd, 32)
        except OSError:
            data = b""
        finally:
            os.close(fd)
        if data:
            err = int(data or b"1")
            self.exec_failure = f"cannot run '{self.opts.command[0]}': {os.strerror(err)}"

    # ---- pause / resume / stop (run on the worker thread via request()) ------------------
