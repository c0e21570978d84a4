"""The ptrace loop: the only code that calls ptrace.

One thread (the tracer) waits for stops, captures what each stop needs now
(registers via PTRACE_GET_SYSCALL_INFO, the memory the decoders asked for,
what fds refer to, optionally the stack) and appends typed events to the
`EventQueue`. It never formats text. Commands from other threads (pause,
resume, stop) arrive through `request()`, which wakes the worker out of
waitpid with a signal aimed at its thread.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from tracer import ptrace_api as pt
from tracer.event_queue import EventQueue
from tracer.events import (
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
from tracer.fdnames import FdNames
from tracer.launcher import fork_stopped_child, seccomp_program
from tracer.options import TraceOptions
from tracer.syscall_plan import SyscallPlan
from tracer.tasks import (
    Task,
    list_threads,
    read_cmdline,
    read_comm,
    read_environ,
    read_ppid,
    read_tgid,
)

SIGTRAP_SYSGOOD = signal.SIGTRAP | 0x80
_ptrace = pt._ptrace
_now = time.time
_unpack_entry = pt.SyscallInfoReader.entry
_unpack_exit = pt._EXIT.unpack_from
_unpack_info = pt._ENTRY.unpack_from  # entry layout; at exit word 4 is rval, word 5 is_error
_GET_INFO = pt.PTRACE_GET_SYSCALL_INFO
_INFO_SIZE = pt.SYSCALL_INFO_SIZE
_SIGN = 1 << 63
_WRAP = 1 << 64
STOP_SIGNALS = frozenset({signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU})
DOORBELL = signal.SIGRTMIN + 6

EV_SECCOMP_STATUS = signal.SIGTRAP | (pt.PTRACE_EVENT_SECCOMP << 8)


class StartError(Exception):
    """One-line reason the session could not start (reported before any UI)."""


class Worker:
    def __init__(self, options: TraceOptions, queue: EventQueue, path: str | None = None) -> None:
        self.opts = options
        self.queue = queue
        self.path = path
        self.plan = SyscallPlan(options)
        self.execve_nr = self.plan.table.number("execve")
        # Numbers whose stops need nothing but the record (no memory, fds, stack, effects).
        self._plain = self.plan.plain_numbers()
        self._info_buf = ctypes.create_string_buffer(pt.SYSCALL_INFO_SIZE)
        self._info_addr = ctypes.addressof(self._info_buf)
        self.tasks: dict[int, Task] = {}
        self.known_pids: set[int] = set()
        self.fdnames = FdNames(cache=options.trace_syscalls is None)
        self.mem = pt.ProcessMemory()
        self.info = pt.SyscallInfoReader()
        self.waiter = pt.Waiter()
        self.seq = 0
        self.unemitted = 0  # tasks with an entered call not yet emitted
        self.main_pid = 0
        self.exit_status = 0
        self.exec_error_fd: int | None = None
        self.main_execed = False
        self.seccomp_active = False
        self.paused = False
        self.stopping = False
        self.start_error: str | None = None
        self.error: str | None = None  # why tracing ended abnormally
        self.exec_failure: str | None = None
        self.started = threading.Event()
        self.thread_ident = 0
        self._commands: deque[tuple[Callable[[], None], threading.Event]] = deque()
        self._doorbell_ok = False
        self.unwinder: Any = None
        if options.stack_traces:
            from tracer.stack import StackUnwinder

            self.unwinder = StackUnwinder()

    # ---- control from other threads -------------------------------------------------

    def request(self, fn: Callable[[], None], timeout: float = 5.0) -> bool:
        """Run `fn` on the worker thread; wait until it ran. False if the worker is gone."""
        done = threading.Event()
        self._commands.append((fn, done))
        deadline = time.monotonic() + timeout
        while not done.is_set():
            if not self.thread_alive():
                return False
            if self._doorbell_ok:
                try:
                    signal.pthread_kill(self.thread_ident, DOORBELL)
                except (ProcessLookupError, OSError):
                    return False
            if done.wait(0.05):
                break
            if time.monotonic() > deadline:
                return False
        return True

    def thread_alive(self) -> bool:
        return any(t.ident == self.thread_ident for t in threading.enumerate())

    def _run_commands(self) -> None:
        while self._commands:
            fn, done = self._commands.popleft()
            try:
                fn()
            finally:
                done.set()

    # ---- lifecycle ------------------------------------------------------------------

    def run(self, doorbell_ok: bool) -> None:
        """Thread body: start, trace until no task is left or stop is requested, clean up."""
        self.thread_ident = threading.get_ident()
        self._doorbell_ok = doorbell_ok
        error: str | None = None
        try:
            try:
                self._start()
            except StartError as e:
                self.start_error = str(e)
                return
            finally:
                self.started.set()
            self._loop()
        except Exception as e:  # an internal error must still leave tracees running
            error = f"internal error in the tracer: {type(e).__name__}: {e}"
        finally:
            try:
                self._cleanup()
            except Exception as e:
                error = error or f"internal error while detaching: {type(e).__name__}: {e}"
            finally:
                self.error = error or self.exec_failure
                if self.start_error is None:
                    self._emit(TraceEnded(time.time(), self.exit_status, self.error))
                self.queue.close()

    def _start(self) -> None:
        o = self.opts
        if o.command:
            self._launch()
        for pid in o.attach:
            self._attach(pid)

    def _options(self, launched: bool) -> int:
        opts = pt.PTRACE_O_TRACESYSGOOD | pt.PTRACE_O_TRACEEXEC
        if self.opts.follow_forks:
            opts |= pt.PTRACE_O_TRACEFORK | pt.PTRACE_O_TRACEVFORK | pt.PTRACE_O_TRACECLONE
        if launched:
            if not self.opts.detach_on_exit:
                opts |= pt.PTRACE_O_EXITKILL
            if self.seccomp_active:
                opts |= pt.PTRACE_O_TRACESECCOMP
        return opts

    def _launch(self) -> None:
        o = self.opts
        assert self.path is not None
        filt = self.plan.traced_numbers
        prog = seccomp_program(filt) if (filt is not None and o.seccomp) else None
        self.seccomp_active = prog is not None
        pid, rfd = fork_stopped_child(
            self.path, o.command, o.env, o.cwd, o.tty_fd, prog, o.ignored_signals
        )
        self.exec_error_fd = rfd
        _, status = os.waitpid(pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            raise StartError(f"cannot start '{o.command[0]}': child exited early")
        try:
            pt.ptrace(pt.PTRACE_SEIZE, pid, 0, self._options(launched=True))
        except OSError as e:
            os.kill(pid, signal.SIGKILL)
            raise StartError(f"cannot trace '{o.command[0]}': {e.strerror}") from None
        self.main_pid = pid
        task = Task(pid, pid, launching=True)
        self.tasks[pid] = task
        self.known_pids.add(pid)
        self._emit(
            ProcessStarted(
                self._next(), pid, pid, os.getpid(), time.time(), argv=list(o.command), comm=""
            )
        )
        # The child sits in a plain SIGSTOP stop; SIGCONT lets it reach exec under tracing.
        os.kill(pid, signal.SIGCONT)

    def _attach(self, pid: int) -> None:
        from tracer.attach_errors import attach_error

        if not os.path.exists(f"/proc/{pid}"):
            raise StartError(f"cannot attach to pid {pid}: no such process")
        tids = list_threads(pid) or [pid]
        tgid = read_tgid(pid)
        if tgid != pid:
            raise StartError(f"cannot attach to pid {pid}: it is a thread of process {tgid}")
        # Threads can be born while we seize: list again until nothing new appears
        # (once seized, a thread's new threads are followed by the kernel).
        seized: list[int] = []
        tried: set[int] = set()
        while True:
            new = [t for t in tids if t not in tried]
            if not new:
                break
            for tid in new:
                tried.add(tid)
                try:
                    pt.ptrace(pt.PTRACE_SEIZE, tid, 0, self._options(launched=False))
                except OSError as e:
                    if tid == pid:
                        raise StartError(attach_error(pid, e.errno or 0)) from None
                    continue  # the thread ended meanwhile
                self.tasks[tid] = Task(tid, pid, attached=True)
                seized.append(tid)
                pt.ptrace_quiet(pt.PTRACE_INTERRUPT, tid)
            tids = list_threads(pid)
        tids = seized
        self.known_pids.add(pid)
        now = time.time()
        self._emit(
            ProcessStarted(
                self._next(),
                pid,
                pid,
                read_ppid(pid),
                now,
                attached=True,
                comm=read_comm(pid),
                argv=read_cmdline(pid),
            )
        )
        for tid in tids:
            if tid != pid and tid in self.tasks:
                self._emit(
                    ProcessStarted(self._next(), pid, tid, pid, now, is_thread=True, attached=True)
                )

    # ---- emission ---------------------------------------------------------------------

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _emit(self, ev: Any) -> None:
        self.queue.put(ev)

    def _flush_unfinished(self, except_tid: int) -> None:
        """Emit other tasks' entered calls as Unfinished before an event of `except_tid`."""
        for t in self.tasks.values():
            if t.tid != except_tid and t.inflight is not None and not t.inflight_emitted:
                t.inflight_emitted = True
                self.unemitted -= 1
                self.queue.put(Unfinished(t.inflight))

    # ---- the loop ---------------------------------------------------------------------

    def _loop(self) -> None:
        tasks = self.tasks
        wait = self.waiter.wait
        commands = self._commands
        poll_mode = not self._doorbell_ok
        queue = self.queue
        fast = self._fast_syscall_stop
        waitpid = pt._waitpid
        status_box = ctypes.c_int(0)
        status_ref = ctypes.byref(status_box)
        flags = pt.WAIT_FLAGS
        while tasks and not self.stopping:
            if commands:
                self._run_commands()
                continue
            if self.paused and all(t.held or t.group_stopped for t in tasks.values()):
                pid, status = wait(nohang=True)
                if pid == 0:
                    time.sleep(0.02)
                    continue
            elif poll_mode:
                pid, status = wait(nohang=True)
                if pid == 0:
                    time.sleep(0.0005)
                    continue
            else:
                pid = waitpid(-1, status_ref, flags)
                if pid < 0:
                    pid = -ctypes.get_errno()
                status = status_box.value
            if pid < 0:
                if pid == -4:  # EINTR: the doorbell
                    continue
                break  # ECHILD: nothing left to wait for
            if (status & 0xFFFF) == 0x857F:  # syscall stop (SIGTRAP|0x80, no event)
                fast(pid)
            elif (status & 0xFF) == 0x7F:
                self._other_stop(pid, status, (status >> 8) & 0xFF)
            else:
                self._task_gone(pid, status)
            if queue.full():
                queue.wait_for_space(lambda: bool(self._commands))

    def _fast_syscall_stop(self, tid: int) -> None:
        """The hot path: one syscall-entry or -exit stop, with as few calls as possible."""
        task = self.tasks.get(tid)
        if task is None or task.launching or self.paused or self.seccomp_active:
            self._syscall_stop(tid)
            return
        if _ptrace(_GET_INFO, tid, _INFO_SIZE, self._info_addr) > 0:
            v = _unpack_info(self._info_buf)
            op = v[0]
            if op == 1:
                nr = v[4]
                if nr < 1024 and self._plain[nr] and task.inflight is None:
                    # No capture, no fds, no stack: just the record.
                    task.inflight = Syscall(0, task.tgid, tid, nr, v[5:11], _now())
                    task.inflight_emitted = False
                    self.unemitted += 1
                else:
                    self._enter(task, nr, v[5:11])
            elif op == 2:
                ret = v[4]
                if ret & _SIGN:
                    ret -= _WRAP
                is_error = bool(v[5] & 0xFF)
                call = task.inflight
                task.in_seccomp_call = False
                if (
                    call is not None
                    and not task.inflight_emitted
                    and call.nr < 1024
                    and self._plain[call.nr]
                ):
                    task.inflight = None
                    call.end = _now()
                    call.ret = ret
                    call.done = True
                    if is_error:
                        call.error = -ret
                    self.seq += 1
                    call.seq = self.seq
                    self.unemitted -= 1
                    if self.unemitted:
                        self._flush_unfinished(tid)
                    self.queue.put(call)
                else:
                    self._leave(task, ret, is_error)
        _ptrace(24, tid, None, None)  # PTRACE_SYSCALL

    def _restart(self, task: Task, sig: int = 0) -> None:
        req = pt.PTRACE_SYSCALL
        if self.seccomp_active and not task.in_seccomp_call:
            req = pt.PTRACE_CONT
        if self.paused:
            task.held = True
            task.held_request = req
            task.held_sig = sig
            return
        pt.ptrace_quiet(req, task.tid, 0, sig)

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
            self._enter(task, nr, args)
        elif op == pt.SYSCALL_INFO_EXIT:
            ret, is_error = pt.SyscallInfoReader.exit(raw)
            task.in_seccomp_call = False
            self._leave(task, ret, is_error)
        self._restart(task)

    def _enter(self, task: Task, nr: int, args: tuple[int, ...]) -> None:
        plan = self.plan
        if task.inflight is not None:  # an entry with no exit seen: it did not return
            self._complete_without_return(task)
        if not plan.is_traced(nr) or (task.launching and nr != self.execve_nr):
            return
        call = Syscall(0, task.tgid, task.tid, nr, args, time.time())
        cap = plan.entry_capture(nr)
        if cap is not None:
            self.mem.tid = task.tid
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
        from tracer.syscall_plan import FD_CLEAR, FD_CLOSE_ARG0, FD_DROP_ARG1, FD_RETURNS

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
                    self._flush_unfinished(tid)
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
                self._enter(task, nr, args)
            self._restart(task)
        elif event in (pt.PTRACE_EVENT_FORK, pt.PTRACE_EVENT_VFORK, pt.PTRACE_EVENT_CLONE):
            child = pt.geteventmsg(tid)
            if child > 0 and child not in self.tasks:
                is_thread = event == pt.PTRACE_EVENT_CLONE and read_tgid(child) == task.tgid
                ctask = Task(child, task.tgid if is_thread else child, attached=task.attached)
                self.tasks[child] = ctask
                self._announce(ctask, task.tgid)
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
        self._flush_unfinished(task.tid)
        self._emit(SignalDelivered(self._next(), task.tgid, task.tid, time.time(), sig, info))
        self._restart(task, sig)

    def _exec_stop(self, task: Task) -> None:
        former = pt.geteventmsg(task.tid)
        tgid = task.tgid
        if former > 0 and former != task.tid:
            # A non-leader thread exec'd: it now carries the leader's tid.
            old = self.tasks.pop(former, None)
            # The leader's own call (a wait, a futex) never returns: it is gone.
            if task.inflight is not None:
                self._complete_without_return(task)
            if old is not None and old.inflight is not None:
                task.inflight = old.inflight
                task.inflight_emitted = old.inflight_emitted
                task.inflight.tid = task.tid
                task.in_seccomp_call = old.in_seccomp_call
        if tgid == self.main_pid:
            self.main_execed = True
            task.launching = False
        self.fdnames.clear(tgid)
        if self.unwinder is not None:
            self.unwinder.invalidate(tgid)
        try:
            filename = os.readlink(f"/proc/{tgid}/exe")
        except OSError:
            filename = ""
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
        task = self.tasks.pop(tid, None)
        if task is None:
            return
        if task.inflight is not None:
            call = task.inflight
            self.tasks[tid] = task  # so completion bookkeeping sees it
            self._complete_without_return(task)
            del self.tasks[tid]
            del call
        if os.WIFEXITED(status):
            code, sig = os.WEXITSTATUS(status), None
        else:
            code, sig = None, os.WTERMSIG(status)
        core = bool(os.WCOREDUMP(status)) if sig is not None else False
        is_thread = tid != task.tgid
        if self.unemitted:
            self._flush_unfinished(tid)
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

    def do_pause(self) -> None:
        if self.paused:
            return
        self.paused = True
        for t in self.tasks.values():
            if not t.held and not t.group_stopped:
                pt.ptrace_quiet(pt.PTRACE_INTERRUPT, t.tid)

    def do_resume(self) -> None:
        if not self.paused:
            return
        self.paused = False
        for t in list(self.tasks.values()):
            if t.held:
                t.held = False
                pt.ptrace_quiet(t.held_request, t.tid, 0, t.held_sig)

    def set_stack_traces(self, enabled: bool, numbers: frozenset[int] | None = None) -> None:
        """Runs on the worker thread (via request): stacks for what is traced from now on."""
        if enabled and self.unwinder is None:
            from tracer.stack import StackUnwinder

            self.unwinder = StackUnwinder()
        self.opts.stack_traces = enabled
        self.plan.set_stacks(enabled, numbers)
        self._plain = self.plan.plain_numbers()

    def do_stop(self) -> None:
        self.stopping = True

    def _cleanup(self) -> None:
        """Leave no task stopped: kill launched ones (unless --detach), detach attached ones."""
        if self.exec_error_fd is not None:
            try:
                os.close(self.exec_error_fd)
            except OSError:
                pass
            self.exec_error_fd = None
        if not self.tasks:
            return
        to_kill = {t.tgid for t in self.tasks.values() if not t.attached}
        if self.opts.detach_on_exit:
            to_kill = set()
        for tgid in to_kill:
            try:
                os.kill(tgid, signal.SIGKILL)
            except OSError:
                pass
        detach = [t for t in self.tasks.values() if t.tgid not in to_kill]
        from tracer.detach import detach_all

        detach_all(self, detach)
        # Reap what we killed so no zombie or stopped task stays behind.
        deadline = time.monotonic() + 5
        while any(t.tgid in to_kill for t in self.tasks.values()) and time.monotonic() < deadline:
            pid, status = self.waiter.wait(nohang=True)
            if pid < 0:
                break
            if pid == 0:
                time.sleep(0.005)
                continue
            if (status & 0xFF) == 0x7F:
                pt.ptrace_quiet(pt.PTRACE_CONT, pid)
                continue
            self._task_gone(pid, status)
