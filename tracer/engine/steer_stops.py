"""Steering at syscall stops: fault injection, delays and breakpoint holds.

A mixin of `Worker` (shares its state), called from the syscall stops for calls
whose numbers a rule or breakpoint names (`SyscallPlan.set_steered` makes those
Python's in both loops) and for tasks with something pending (`_steer_tasks`).

- Injection: at entry the syscall number is set to -1 (orig_rax), so the kernel
  skips the call (or to a call without side effects, strace's `syscall=`); pokes write
  into the memory an argument points to, at entry or exit (engine/poke.py); at exit the return value (rax) is set to -ERRNO or N. Registers
  go through python-ptrace's binding (`ptrace_getregs`/`ptrace_setregs` and its
  `user_regs_struct`).
- Holds (a delay, a breakpoint) never block the loop: the task simply is not
  resumed (`Task.held`, as pause holds it) and the loop goes on serving the others;
  a delay's timer wakes the loop through `request()` when the time comes.
- Nothing is left stopped: `_steer_let_go` runs before cleanup detaches or kills.
"""

from __future__ import annotations

import heapq
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracer.engine import ptrace_api as pt
from tracer.engine.poke import apply_pokes
from tracer.engine.tasks import Task
from tracer.events import DELAYED, INJECTED, INJECTED_KEY, POKED, BreakpointHit, Syscall
from tracer.steer.steering import Steering

if TYPE_CHECKING:
    from tracer.engine.worker import Worker as _Base
    from tracer.steer.rules import InjectRule
else:
    _Base = object

_MASK = (1 << 64) - 1
HOLD_DELAY = "delay"
HOLD_BREAK = "break"
# What the user may do with a thread a breakpoint holds (`Worker.do_break_action`).
ACTIONS = ("continue", "step", "exit", "fail")


@dataclass(slots=True, eq=False)
class TaskSteer:
    """What steering has pending for one task."""

    hold: str = ""  # HOLD_DELAY / HOLD_BREAK while held stopped by steering
    at_exit: bool = False  # held at its call's exit (else at its entry)
    tamper: bool = False  # the call's number was set to -1: its result is ours to set
    nr: int = -1  # the call's own number (put back if we let go of it at entry)
    error: int = 0
    retval: int | None = None
    marks: int = 0  # INJECTED | DELAYED for the call in progress
    delay_exit: float = 0.0
    signal: int = 0  # delivered when the task is resumed from its entry
    step: bool = False  # hold at the task's next syscall entry
    stop_at_exit: bool = False  # hold at this call's exit
    poke_exit: tuple[tuple[int, bytes], ...] = ()  # strace's poke_exit= for this call
    poke_args: tuple[int, ...] = ()  # the call's arguments, where poke_exit writes
    entry_mem: dict | None = None  # the entry's captures read again after poke_enter

    @property
    def idle(self) -> bool:
        return not (
            self.hold
            or self.tamper
            or self.marks
            or self.signal
            or self.step
            or self.stop_at_exit
            or self.delay_exit
            or self.poke_exit
        )


def set_registers(tid: int, **values: int) -> bool:
    """Change registers of a stopped task through python-ptrace's binding."""
    from ptrace.binding import ptrace_getregs, ptrace_setregs

    try:
        regs = ptrace_getregs(tid)
        for name, value in values.items():
            setattr(regs, name, value & _MASK)
        ptrace_setregs(tid, regs)
    except Exception:  # PtraceError: the task is gone or not stopped
        return False
    return True


class SteerStops(_Base):
    def _steer_init(self, steering: Steering | None) -> None:
        self.steering = steering if steering is not None else Steering()
        self._steer_tasks: dict[int, TaskSteer] = {}
        self._wakeups: list[tuple[float, int]] = []  # (monotonic deadline, tid), a heap
        self._steer_plan()

    def _steer_plan(self) -> None:
        """Make the calls steering may act on Python's (both loops)."""
        s = self.steering
        self.plan.set_steered(s.numbers() if s.active else frozenset())
        self._plain = self.plan.plain_numbers()
        if self.core is not None:
            self._set_core_plan()

    def steer_change(self, fn) -> None:
        """Runs on the worker thread (via request): change the rules, then the plan."""
        fn(self.steering)
        self._steer_plan()

    def _steer_state(self, tid: int) -> TaskSteer:
        st = self._steer_tasks.get(tid)
        if st is None:
            st = self._steer_tasks[tid] = TaskSteer()
        return st

    # ---- entry and exit ---------------------------------------------------------------

    def _steer_entry(self, task: Task, call: Syscall) -> None:
        st = self._steer_tasks.get(task.tid)
        if st is not None:  # a new call: what was pending for the last one is over
            st.tamper, st.marks, st.delay_exit, st.stop_at_exit, st.at_exit = (
                False,
                0,
                0.0,
                False,
                False,
            )
            st.poke_exit = ()
            if st.step:
                st.step = False
                self._break_hold(task, call, 0, at_exit=False)
                return
        if not self.plan.is_steered(call.nr):
            return
        rule = self.steering.injection(call)
        if rule is not None:
            self._inject_entry(task, call, rule)
        bp = self.steering.breakpoint(call)
        if bp is not None:
            self._break_hold(task, call, bp.id, at_exit=False)

    def _inject_entry(self, task: Task, call: Syscall, rule: InjectRule) -> None:
        st = self._steer_state(task.tid)
        # The kernel runs no call (-1), or the harmless one strace's syscall= names.
        if rule.tampers and set_registers(task.tid, orig_rax=rule.syscall):
            st.tamper, st.nr, st.error, st.retval = True, call.nr, rule.error, rule.retval
            st.marks |= INJECTED
        if rule.signal:
            st.signal = rule.signal
        if rule.poke_enter and self._poke(task, st, call.nr, call.args, rule.poke_enter):
            # strace prints the arguments as the kernel will see them: read them again.
            cap = self.plan.entry_capture(call.nr)
            if cap is not None:
                self.mem.tid = task.tid
                st.entry_mem = cap(self.mem, call.args, self.plan.limits)
        if rule.poke_exit:
            st.nr, st.poke_exit, st.poke_args = call.nr, rule.poke_exit, call.args
        if rule.delay_exit:
            st.delay_exit = rule.delay_exit
            st.marks |= DELAYED
        if rule.delay_enter:
            st.marks |= DELAYED
            self._hold_for(task, rule.delay_enter)

    def _steer_exit(self, task: Task, ret: int, is_error: bool) -> tuple[int, bool, int]:
        """At a call's exit: the injected result, set in the task's registers; and the marks."""
        st = self._steer_tasks[task.tid]
        if st.poke_exit:
            pokes, st.poke_exit = st.poke_exit, ()
            self._poke(task, st, st.nr, st.poke_args, pokes)
        marks, st.marks = st.marks, 0
        if st.tamper:
            st.tamper = False
            if st.retval is not None:
                ret, is_error = st.retval, False
            else:
                ret, is_error = -st.error, True
            set_registers(task.tid, rax=ret)
        return ret, is_error, marks

    def _steer_after_exit(self, task: Task, call: Syscall) -> None:
        st = self._steer_tasks.get(task.tid)
        if st is None:
            return
        if st.delay_exit:
            delay, st.delay_exit = st.delay_exit, 0.0
            self._hold_for(task, delay)
        if st.stop_at_exit:
            st.stop_at_exit = False
            self._break_hold(task, call, 0, at_exit=True)

    def _poke(
        self, task: Task, st: TaskSteer, nr: int, args: tuple[int, ...], pokes: tuple
    ) -> bool:
        """strace's poke_enter=/poke_exit=: the call is marked only if something was
        written; what could not be is told as strace tells it (`Worker.notices`)."""
        d = self.plan.table.get(nr)
        name, nargs = (d.name, d.nargs) if d is not None else (f"syscall_{nr:#x}", 6)
        poked, problems = apply_pokes(task.tid, name, nargs, args, pokes)
        if poked:
            st.marks |= POKED
        self.notices.extend(problems)
        return poked

    def _steer_mem(self, tid: int, mem: dict | None, marks: int) -> dict:
        """The exit part's memory with the marks, and the entry's captures as read again
        after a poke (they replace the entry's when the parts are joined)."""
        st = self._steer_tasks.get(tid)
        again = st.entry_mem if st is not None else None
        if st is not None:
            st.entry_mem = None
        return {**(again or {}), **(mem or {}), INJECTED_KEY: marks}

    # ---- holds ------------------------------------------------------------------------

    def _break_hold(self, task: Task, call: Syscall, bp_id: int, at_exit: bool) -> None:
        st = self._steer_state(task.tid)
        st.hold, st.at_exit = HOLD_BREAK, at_exit
        self.queue.put(BreakpointHit(task.tgid, task.tid, time.time(), bp_id, at_exit, call.nr))
        if self.steering.all_stop:
            self.do_pause()  # the others stop at their next stop; this one is held already

    def _hold_for(self, task: Task, seconds: float) -> None:
        self._steer_state(task.tid).hold = HOLD_DELAY
        heapq.heappush(self._wakeups, (time.monotonic() + seconds, task.tid))
        timer = threading.Timer(seconds, self._wake_soon)
        timer.daemon = True
        timer.start()

    def _wake_soon(self) -> None:
        """On a timer thread: have the worker release the delayed tasks whose time came."""
        self.request(self._wake_due, timeout=2.0)

    def _wake_due(self) -> None:
        now = time.monotonic()
        while self._wakeups and self._wakeups[0][0] <= now:
            _, tid = heapq.heappop(self._wakeups)
            st = self._steer_tasks.get(tid)
            if st is not None and st.hold == HOLD_DELAY:
                self._steer_release(tid)

    def _steer_release(self, tid: int) -> None:
        """Let a task steering held go on (unless a pause holds everything: resume will)."""
        st = self._steer_tasks.get(tid)
        if st is not None:
            st.hold = ""
            if st.idle:
                del self._steer_tasks[tid]
        task = self.tasks.get(tid)
        if task is None or not task.held or self.paused:
            return
        task.held = False
        pt.ptrace_quiet(task.held_request, tid, 0, task.held_sig)

    def _steer_tampers(self, tid: int) -> bool:
        """Whether the task's call in progress was skipped by an injection (so it returns
        even if it is one that never does, exit_group)."""
        st = self._steer_tasks.get(tid)
        return st is not None and st.tamper

    def steer_held(self, tid: int) -> bool:
        st = self._steer_tasks.get(tid)
        return st is not None and bool(st.hold)

    def do_break_action(self, tid: int, action: str, error: int = 0) -> bool:
        """Runs on the worker thread: what to do with a thread a breakpoint holds."""
        st = self._steer_tasks.get(tid)
        task = self.tasks.get(tid)
        if st is None or task is None or st.hold != HOLD_BREAK:
            return False
        if action == "fail" and not st.at_exit and not st.tamper:
            call = task.inflight
            if error and call is not None and set_registers(tid, orig_rax=-1):
                st.tamper, st.nr, st.error, st.retval = True, call.nr, error, None
                st.marks |= INJECTED
        elif action == "step":
            st.step = True
        elif action == "exit" and not st.at_exit:
            st.stop_at_exit = True
        self._steer_release(tid)
        if (
            self.steering.all_stop
            and self.paused
            and not any(s.hold == HOLD_BREAK for s in self._steer_tasks.values())
        ):
            self.do_resume()
        return True

    def _steer_let_go(self) -> None:
        """Before cleanup: calls held at entry with their number changed get it back (a
        detached program runs them as if we were never there); holds end."""
        for tid, st in list(self._steer_tasks.items()):
            task = self.tasks.get(tid)
            if task is not None and st.tamper and st.hold and not st.at_exit and st.nr >= 0:
                set_registers(tid, orig_rax=st.nr)
            st.hold = ""
        self._steer_tasks.clear()
        self._wakeups.clear()
