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

from tracer.engine import ptrace_api as pt
from tracer.engine.core import (
    L_NEW,
    ST_KEEP,
    ST_NONE,
    ST_PYCALL,
    ST_PYTASK,
    TAKE_RECORDS,
    WHY_ERROR,
    WHY_STOP,
    held_limits,
    load_core,
)
from tracer.engine.core_plan import c_ok_numbers, compile_plan
from tracer.engine.fdnames import CoreFdNames, FdNames
from tracer.engine.launcher import fork_stopped_child, seccomp_program
from tracer.engine.process_stops import ProcessStops
from tracer.engine.spin import SpinBudget, warm_cpu_allowed
from tracer.engine.steer_stops import SteerStops
from tracer.engine.stream import CallExit, CoreBatch
from tracer.engine.syscall_plan import SyscallPlan
from tracer.engine.syscall_stops import SyscallStops
from tracer.engine.tasks import (
    Task,
    list_threads,
    read_cmdline,
    read_comm,
    read_ppid,
    read_tgid,
)
from tracer.event_queue import EventQueue
from tracer.events import (
    ProcessStarted,
    Syscall,
    TraceEnded,
)
from tracer.options import TraceOptions
from tracer.steer.steering import Steering
from tracer.syscalls.table import AUDIT_ARCH_X86_64, COMPAT_BASE

SIGTRAP_SYSGOOD = signal.SIGTRAP | 0x80
_ptrace = pt._ptrace
_now = time.time
_monotonic = time.monotonic
_unpack_entry = pt.SyscallInfoReader.entry
_unpack_exit = pt._EXIT.unpack_from
_unpack_info = pt._ENTRY.unpack_from  # entry layout; at exit word 4 is rval, word 5 is_error
_GET_INFO = pt.PTRACE_GET_SYSCALL_INFO
_INFO_SIZE = pt.SYSCALL_INFO_SIZE
_SIGN = 1 << 63
_WRAP = 1 << 64
DOORBELL = signal.SIGRTMIN + 6
# Event stops whose handling leaves the task's call alone (see `_dispatch`).
_KEEPS_CALL = frozenset(
    {0, pt.PTRACE_EVENT_FORK, pt.PTRACE_EVENT_VFORK, pt.PTRACE_EVENT_CLONE, pt.PTRACE_EVENT_STOP}
)
_ARCH_X86_64 = AUDIT_ARCH_X86_64


class StartError(Exception):
    """One-line reason the session could not start (reported before any UI)."""


class Worker(SyscallStops, ProcessStops, SteerStops):
    def __init__(
        self,
        options: TraceOptions,
        queue: EventQueue,
        path: str | None = None,
        steering: Steering | None = None,
    ) -> None:
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
        # strace -yy: socket endpoints found at the call (see socket_details.py).
        self.sockets = None
        if options.socket_details and options.resolve_fds:
            from tracer.engine.socket_details import SocketDetails

            self.sockets = SocketDetails()
        self.mem = pt.ProcessMemory()
        self.info = pt.SyscallInfoReader()
        self.waiter = pt.Waiter()
        self.spin = SpinBudget(options.spin_polls)
        self.seq = 0
        self.main_pid = 0
        self.exit_status = 0
        self.exec_error_fd: int | None = None
        self.main_execed = False
        self.seccomp_active = False
        self.paused = False
        self.stopping = False
        self.start_error: str | None = None
        self.warnings: list[str] = []  # pids given with -p that could not be attached
        # strace's `Process N attached [with M threads]` and `Process N detached`, told
        # by the consumer: -p pid -> threads seized; the attached tasks let go at the end.
        self.attached_threads: dict[int, int] = {}
        self.detached_tids: list[int] = []
        # Lines for the user while tracing (a poke that failed), as strace prints them
        # on stderr; taken by the consumer (`TraceSession.take_notices`).
        self.notices: deque[str] = deque(maxlen=1000)
        self.error: str | None = None  # why tracing ended abnormally
        self.exec_failure: str | None = None
        self.started = threading.Event()
        self.thread_ident = 0
        self._commands: deque[tuple[Callable[[], None], threading.Event]] = deque()
        self._doorbell_ok = False
        self.core: Any = None  # the C capture core, when it runs the hot path
        self._c_ok: list[bool] = []  # numbers the core's plan lets C handle whole
        self.py_stops = 0  # stops the C core handed to Python
        self.unwinder: Any = None
        if options.stack_traces:
            from tracer.stack import StackUnwinder

            self.unwinder = StackUnwinder()
        self._steer_init(steering)  # fault injection and breakpoints (steer_stops.py)

    # ---- control from other threads -------------------------------------------------

    def request(self, fn: Callable[[], None], timeout: float = 5.0) -> bool:
        """Run `fn` on the worker thread; wait until it ran. False if the worker is gone."""
        done = threading.Event()
        self._commands.append((fn, done))
        core = self.core
        if core is not None:
            core.interrupt()
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
            if core is not None:
                core.interrupt()
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
            self._start_core()
            self._loop()
        except Exception as e:  # an internal error must still leave tracees running
            error = f"internal error in the tracer: {type(e).__name__}: {e}"
            # Our fault is not the program's: let it go on untraced, never kill it.
            self.opts.detach_on_exit = True
        finally:
            main_alive = self.main_pid in self.tasks
            if self.core is not None:
                self.core.stop_warm()  # no more stops: its thread goes now, not with the Core
            try:
                self._cleanup()
            except Exception as e:
                error = error or f"internal error while detaching: {type(e).__name__}: {e}"
            finally:
                if error and main_alive:
                    self._wait_detached_main()
                self.error = error or self.exec_failure
                if self.start_error is None:
                    self._emit(TraceEnded(time.time(), self.exit_status, self.error))
                self.queue.close()

    def _wait_detached_main(self) -> None:
        """After an internal error the launched program runs on untraced: wait for it, so
        its exit status still passes through. A stop request (quit) ends the wait and
        leaves it running."""
        pid = self.main_pid
        while not self.stopping:
            self._run_commands()
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                if os.WIFEXITED(status):
                    self.exit_status = os.WEXITSTATUS(status)
                elif os.WIFSIGNALED(status):
                    self.exit_status = 128 + os.WTERMSIG(status)
                return
            time.sleep(0.02)

    def _start(self) -> None:
        o = self.opts
        if o.command:
            self._launch()
        for pid in o.attach:
            try:
                self._attach(pid)
            except StartError as e:
                # As strace: a pid that cannot be traced is reported, the others traced.
                if o.command or len(o.attach) == 1:
                    raise
                self.warnings.append(str(e))
        if o.attach and not o.command and not self.tasks:
            raise StartError("; ".join(self.warnings) or "nothing could be attached")

    def _start_core(self) -> None:
        """Hand the hot path to the C core, if it is built (not under seccomp: there few
        calls stop, and each is an event stop the Python side handles anyway)."""
        module = load_core()
        if module is None or self.seccomp_active:
            return
        cache = self.opts.trace_syscalls is None  # see FdNames
        # With -yy, C hands Python the calls on socket fds and those returning one.
        warm = self.opts.warm_cpu and warm_cpu_allowed(self.opts.spin_polls)
        self.core = module.Core(self.opts.spin_polls, cache, self.sockets is not None, warm)
        self._set_core_plan()
        self.queue.attach_core(self.core)
        # One fd-name cache, in C, kept true by the calls either side handles.
        self.fdnames = CoreFdNames(self.core)
        # New tasks and ends of tasks are C's too (not the main one's: its exit status
        # and a failed exec are read here): two waits for the GIL fewer per child.
        self.core.set_tasks(True, self.main_pid)

    def _take_core_tasks(self) -> None:
        """Learn of the tasks C saw begin and end (take_fork/take_gone in capture_core.c),
        as ProcessStops would have recorded them; C already sent their events."""
        for kind, tid, tgid, other in self.core.take_tasks():
            if kind == L_NEW:
                creator = self.tasks.get(other)
                attached = creator.attached if creator else not self.opts.command
                self.tasks[tid] = Task(tid, tgid, attached=attached)
                if tid == tgid:
                    self.known_pids.add(tgid)
            else:
                self.tasks.pop(tid, None)
                if tid == tgid and self.unwinder is not None:
                    self.unwinder.forget(tid)

    def _set_core_plan(self) -> None:
        rows = compile_plan(self.plan, self.unwinder)
        self.core.set_plan(rows)
        # A plain exec event is C's when no unwinder must forget the old image's maps.
        self.core.set_exec(self.unwinder is None)
        self._c_ok = c_ok_numbers(rows)

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
        # A filter outlives tracing: a process it covers that no tracer holds gets ENOSYS
        # for every call the filter hands to a tracer. So, as strace's --seccomp-bpf,
        # only when every child is traced too (-f), not when the program is to be let go
        # at the end (--detach), and not beside -p (an attached task has no filter and
        # would never stop at a call the loop resumes with PTRACE_CONT).
        use_filter = o.seccomp and o.follow_forks and not o.detach_on_exit and not o.attach
        prog = seccomp_program(filt) if (filt is not None and use_filter) else None
        self.seccomp_active = prog is not None
        pid, rfd = fork_stopped_child(
            self.path, o.command, o.env, o.cwd, o.tty_fd, prog, o.ignored_signals, o.run_as
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
        from tracer.engine.attach_errors import attach_error

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
        self.attached_threads[pid] = len(seized)
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

    def _loop(self) -> None:
        tasks = self.tasks
        wait = self.waiter.wait
        commands = self._commands
        poll_mode = not self._doorbell_ok
        queue = self.queue
        fast = self._fast_syscall_stop
        waitpid = pt._waitpid
        poll_waitpid = pt._waitpid_nohang
        status_box = ctypes.c_int(0)
        status_ref = ctypes.byref(status_box)
        flags = pt.WAIT_FLAGS
        nohang = flags | pt.WNOHANG
        spin = self.spin
        yield_cpu = os.sched_yield
        core = self.core
        dispatch = self._dispatch
        held_records, held_bytes = held_limits(self.opts.queue_max)
        pid = 0
        try:
            while tasks and not self.stopping:
                if commands:
                    self._run_commands()
                    continue
                if core is not None and not self.paused:
                    # Without the GIL until a stop needs Python; consumers take the records
                    # as they come (see EventQueue.attach_core).
                    why, pid, status = core.run(held_records, held_bytes)
                    self._take_core_tasks()
                    while True:
                        data, count = core.take(TAKE_RECORDS)
                        if not count:
                            break
                        queue.put(CoreBatch(data, count), count)
                    if why == WHY_STOP:
                        dispatch(pid, status)
                    elif why == WHY_ERROR:
                        break  # ECHILD: nothing left to wait for
                    if queue.full():
                        queue.wait_for_space(lambda: bool(self._commands))
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
                    # Poll briefly before sleeping: on VMs, waking a sleeping tracer costs
                    # more than the tracee's whole syscall, and the next stop usually
                    # arrives within microseconds. The budget adapts (see `SpinBudget`).
                    pid = 0
                    for _ in range(spin.polls):
                        pid = poll_waitpid(-1, status_ref, nohang)
                        if pid:
                            break
                        yield_cpu()  # to the tracee, if it waits for this CPU
                    if pid == 0:
                        slept = _monotonic()
                        pid = waitpid(-1, status_ref, flags)
                        spin.slept(_monotonic() - slept)
                    else:
                        spin.hit()
                    if pid < 0:
                        pid = -ctypes.get_errno()
                    status = status_box.value
                if pid < 0:
                    if pid == -4:  # EINTR: the doorbell
                        continue
                    break  # ECHILD: nothing left to wait for
                if core is not None:
                    dispatch(pid, status)
                elif (status & 0xFFFF) == 0x857F:  # syscall stop (SIGTRAP|0x80, no event)
                    fast(pid)
                elif (status & 0xFF) == 0x7F:
                    self._other_stop(pid, status, (status >> 8) & 0xFF)
                else:
                    self._task_gone(pid, status)
                if queue.full():
                    queue.wait_for_space(lambda: bool(self._commands))
        except Exception:
            # The task whose stop was being handled stays stopped with its wait status
            # consumed, so no further stop will come: cleanup detaches it directly.
            task = tasks.get(pid) if pid > 0 else None
            if task is not None and not task.held:
                task.held, task.held_request, task.held_sig = True, pt.PTRACE_SYSCALL, 0
            raise

    def _dispatch(self, tid: int, status: int) -> None:
        """A stop the Python side handles while the C core runs the hot path: take over
        any call C entered for the task, handle the stop, then tell C the task's state."""
        self.py_stops += 1
        if (status & 0xFF) == 0x7F and (status >> 16) in _KEEPS_CALL and status & 0xFFFF != 0x857F:
            # A new task, a signal, a group-stop: nothing to do with the task's call,
            # so a call C entered stays C's and its exit does not come to Python.
            self._other_stop(tid, status, (status >> 8) & 0xFF)
            task = self.tasks.get(tid)
            if task is None:
                self.core.forget(tid)
            elif task.launching or task.inflight is not None:
                self._sync_core(tid)
            else:
                self.core.set_task(tid, task.tgid, ST_KEEP)
            return
        self._adopt_core_call(tid)
        if (status & 0xFFFF) == 0x857F:
            self._fast_syscall_stop(tid)
        elif (status & 0xFF) == 0x7F:
            self._other_stop(tid, status, (status >> 8) & 0xFF)
            if status >> 16 == pt.PTRACE_EVENT_EXEC:
                self._sync_core(tid)
                self._give_core_call(tid)  # execve's return is C's again
                return
        else:
            self._task_gone(tid, status)
        self._sync_core(tid)

    def _give_core_call(self, tid: int) -> None:
        """Hand the task's call back to C when C may handle its number."""
        task = self.tasks.get(tid)
        call = task.inflight if task is not None else None
        if call is None or task.launching or call.nr >= len(self._c_ok) or not self._c_ok[call.nr]:
            return
        if self.core.give_call(tid, call.nr, call.args):
            task.inflight = None

    def _adopt_core_call(self, tid: int) -> None:
        """Take over the call C entered for `tid` and has not seen return, if any."""
        held = self.core.take_call(tid) if self.core is not None else None
        task = self.tasks.get(tid)
        if held is not None and task is not None and task.inflight is None:
            # C already sent the entry part; this stands in for it (nr and args for the exit).
            task.inflight = Syscall(0, task.tgid, tid, held[0], held[1], 0.0)

    def _sync_core(self, tid: int) -> None:
        task = self.tasks.get(tid)
        if task is None:
            self.core.forget(tid)
        elif task.launching or (tid in self._steer_tasks and task.inflight is None):
            # (steering: a step waits for the task's next entry, whatever its number)
            self.core.set_task(tid, task.tgid, ST_PYTASK)
        else:
            self.core.set_task(tid, task.tgid, ST_PYCALL if task.inflight else ST_NONE)

    def _fast_syscall_stop(self, tid: int) -> None:
        """The hot path: one syscall-entry or -exit stop, with as few calls as possible.

        A call that needs nothing read while the tracee is stopped (no memory, fds or
        stack) is resumed right after its registers are read, and its record is made
        while it runs: the tracee's CPU must not go idle waiting for our bookkeeping
        (on VMs, waking an idle CPU costs more than the syscall itself).
        """
        task = self.tasks.get(tid)
        if (
            task is None
            or task.launching
            or self.paused
            or self.seccomp_active
            or tid in self._steer_tasks
        ):
            self._syscall_stop(tid)
            return
        if _ptrace(_GET_INFO, tid, _INFO_SIZE, self._info_addr) <= 0:
            _ptrace(24, tid, None, None)  # PTRACE_SYSCALL
            return
        v = _unpack_info(self._info_buf)
        op = v[0]
        if op == 1:
            nr = v[4] if v[1] == _ARCH_X86_64 else COMPAT_BASE + v[4]  # int $0x80: i386 numbers
            if nr < 1024 and self._plain[nr] and task.inflight is None:
                _ptrace(24, tid, None, None)
                call = task.inflight = Syscall(0, task.tgid, tid, nr, v[5:11], _now())
                self.queue.put(call)
                return
            self._enter(task, nr, v[5:11], v[3])
        elif op == 2:
            call = task.inflight
            task.in_seccomp_call = False
            if call is not None and call.nr < 1024 and self._plain[call.nr]:
                _ptrace(24, tid, None, None)
                end = _now()
                ret = v[4]
                if ret & _SIGN:
                    ret -= _WRAP
                task.inflight = None
                self.queue.put(CallExit(tid, end, ret, -ret if v[5] & 0xFF else 0))
                return
            ret = v[4]
            if ret & _SIGN:
                ret -= _WRAP
            self._leave(task, ret, bool(v[5] & 0xFF))
        if tid in self._steer_tasks:  # held, or a signal to deliver (steer_stops.py)
            self._restart(task)
            return
        _ptrace(24, tid, None, None)

    def _restart(self, task: Task, sig: int = 0, event_stop: bool = False) -> None:
        req = pt.PTRACE_SYSCALL
        if self.seccomp_active and not task.in_seccomp_call:
            req = pt.PTRACE_CONT
        st = self._steer_tasks.get(task.tid) if self._steer_tasks else None
        if st is not None:
            # strace's inject signal=: delivered as the call is entered, or from its exit
            # stop when it entered through a seccomp event stop (which drops a signal).
            if st.signal and not event_stop:
                sig, st.signal = sig or st.signal, 0
            if st.hold:  # a delay or a breakpoint: resumed later (`_steer_release`)
                task.held, task.held_request, task.held_sig = True, req, sig
                return
            if st.idle:
                del self._steer_tasks[task.tid]
        if self.paused:
            task.held = True
            task.held_request = req
            task.held_sig = sig
            return
        pt.ptrace_quiet(req, task.tid, 0, sig)

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
            if t.held and not self.steer_held(t.tid):
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
        if self.core is not None:
            self._set_core_plan()

    def do_stop(self) -> None:
        self.stopping = True

    def _cleanup(self) -> None:
        """Leave no task stopped: kill launched ones (unless --detach), detach attached ones."""
        if self.core is not None:
            self._take_core_tasks()  # (if run() ended by an exception)
        self._steer_let_go()
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
        from tracer.engine.detach import detach_all

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
