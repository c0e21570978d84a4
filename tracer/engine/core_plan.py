"""The C capture core's plan: one row per syscall number, compiled from the Python
capture registry (`tracer/syscalls/capture.py`) and the session's `SyscallPlan`.

A row says whether the call is traced, whether C may handle it whole (every
capture it needs is declared as data, it has no stack, no effect C cannot
apply, and it returns), which arguments are fds to name (-y), and the reads
to make at entry and exit. The layout matches `NrPlan` in capture_core.c.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from tracer.engine.syscall_plan import (
    FCNTL_NEW_FD,
    FD_CLEAR,
    FD_CLOSE_ARG0,
    FD_DROP_ARG1,
    FD_IN_MEMORY,
    FD_RETURNS,
    SyscallPlan,
)
from tracer.syscalls import capture
from tracer.syscalls.capture import (
    IOV_SHOWN_MAX,
    Cwd,
    FdName,
    FdsIn,
    Handoff,
    Iovecs,
    Op,
    Read,
    SocketHandoff,
    Strings,
    resolve_size,
)

NR_MAX = 1024
OPS_MAX = 8
# capture_core.c Op: kind, arg, size source, size arg, flags, scale, offset, size, cap,
# then the `when` head (argument, count of values), deref, on_error, `when` mask, values.
_OP = struct.Struct("<BBBBBBhqqBBhB3xQ6I")
WHEN_MAX = 6
_ROW_HEAD = struct.Struct("<BBBB")
ROW_SIZE = _ROW_HEAD.size + 2 * OPS_MAX * _OP.size

P_TRACED, P_C_OK, P_FD_RETURNS, P_CLOSE_ARG0, P_DROP_ARG1, P_CLEAR = 1, 2, 4, 8, 16, 32
P_HANDOFF = 64  # some op is a Handoff or a SocketHandoff
P_ERROR_READS = 128  # some exit op reads when the call failed (Read.on_error)
K_NOP, K_CSTR, K_BYTES, K_CWD, K_STRINGS, K_PYTHON, K_NEW_FD, K_IOV, K_FDS, K_FDNAME = range(10)
K_PY_PROTO = 10
F_PTRS, F_STRINGS = 64, 128  # Strings ops (capture_core.c run_strings_op)
S_CONST, S_ARG, S_RET, S_PTR = 0, 1, 2, 3
_NO_WHEN = (0xFF, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0)  # when_arg 0xFF: always; deref -1: none
_NO_OP = _OP.pack(K_NOP, 0, 0, 0, 0, 0, 0, 0, 0, *_NO_WHEN)
# fd effects C applies to its fd-name cache itself (the rest need Python).
_C_EFFECTS = FD_RETURNS | FD_CLOSE_ARG0 | FD_DROP_ARG1 | FD_CLEAR


@dataclass(frozen=True, slots=True)
class NewFdWhen:
    """An exit op of the plan only, never read: the call returns a new fd (-y names it)
    only when `when` holds for its arguments (fcntl's F_DUPFD), as
    `SyscallPlan.returns_fd` decides for the Python loop."""

    when: tuple[int, int, tuple[int, ...]]


# Calls that make a new fd for some arguments only, with the test as data.
_NEW_FD_WHEN = {"fcntl": FCNTL_NEW_FD}


def _flags(op: Read) -> int:
    return (
        (1 if op.null_skip else 0)
        | (2 if op.nonpos_empty else 0)
        | (4 if op.nonpos_first else 0)
        | (8 if op.bad_skip else 0)
        | (16 if op.exact else 0)
        | (32 if op.ret_positive else 0)
    )


def _pack_op(op: Op | NewFdWhen, plan: SyscallPlan) -> bytes:
    limits = plan.limits
    if isinstance(op, Cwd):
        if not limits.fd_paths:
            return _NO_OP
        mask = sum(1 << i for i in op.dirfds)
        return _OP.pack(K_CWD, mask, 0, 0, 0, 1, 0, 0, 0, *_NO_WHEN)
    if isinstance(op, Handoff):  # C checks `when` at entry and hands a match to Python
        return _OP.pack(K_PYTHON, 0, 0, 0, 0, 1, 0, 0, 0, *_when(op))
    if isinstance(op, NewFdWhen):  # C checks `when` at exit before naming the new fd
        return _OP.pack(K_NEW_FD, 0, 0, 0, 0, 1, 0, 0, 0, *_when(op))
    if isinstance(op, FdsIn):  # capture_core.c name_fds_in, as capture.read_fds_in
        if not limits.fd_paths:
            return _NO_OP
        count_arg = op.count_arg if op.count_arg >= 0 else 0xFF  # 0xFF: `count`
        return _OP.pack(
            K_FDS, op.arg, 0, count_arg, 0, op.stride, op.offset, op.max, op.count, *_NO_WHEN
        )
    if isinstance(op, SocketHandoff):  # capture_core.c take_entry: the call is Python's
        name = op.proto[:24].ljust(24, b"\0")
        return _OP.pack(
            K_PY_PROTO, op.fd_arg, 0, 0, 0, 1, 0, 0, 0, 0xFF, len(op.proto), -1, 0, 0,
            *struct.unpack("<6I", name),
        )  # fmt: skip
    if isinstance(op, FdName):  # capture_core.c run_op, as capture.read_fd_name
        return _OP.pack(K_FDNAME, op.arg, 0, 0, 0, 1, 0, 0, 0, *_NO_WHEN)
    if isinstance(op, Iovecs):  # capture_core.c run_iov_op, as capture.read_iovecs
        shown = min(limits.strsize + 1, IOV_SHOWN_MAX)
        return _OP.pack(
            K_IOV, op.arg, op.budget, op.count_arg, 0, 1, 0, shown, limits.data_limit, *_NO_WHEN
        )
    if isinstance(op, Strings):
        flags = F_PTRS | (F_STRINGS if op.strings else 0)
        count = resolve_size(op.count, limits)
        strsize = resolve_size(op.strsize, limits) if op.strings else 0
        return _OP.pack(K_STRINGS, op.arg, 0, 0, flags, 1, 0, count, strsize, *_NO_WHEN)
    when = _when(op)
    if op.cstr:
        return _OP.pack(
            K_CSTR, op.arg, 0, 0, _flags(op), 1, op.offset, resolve_size(op.size, limits), 0, *when
        )
    if op.size_ret:
        src, sarg = S_RET, 0
    elif op.size_ptr >= 0:
        src, sarg = S_PTR, op.size_ptr
    elif op.size_arg >= 0:
        src, sarg = S_ARG, op.size_arg
    else:
        src, sarg = S_CONST, 0
    return _OP.pack(
        K_BYTES,
        op.arg,
        src,
        sarg,
        _flags(op),
        op.scale,
        op.offset,
        resolve_size(op.size, limits) if src == S_CONST else 0,
        max(resolve_size(op.cap, limits), 0),
        *when,
    )


def _when(op: Read | Handoff | NewFdWhen) -> tuple[int, ...]:
    """The op's tail: `when` (argument, count of values), deref, `when` mask and values."""
    deref, on_error = (op.deref, int(op.on_error)) if isinstance(op, Read) else (-1, 0)
    if op.when is None:
        return (0xFF, 0, deref, on_error, *_NO_WHEN[4:])
    arg, mask, values = op.when
    vals = tuple(values) + (0,) * (WHEN_MAX - len(values))
    return (arg, len(values), deref, on_error, mask, *vals)


def _ops(ops: tuple[Op | NewFdWhen, ...], plan: SyscallPlan) -> bytes:
    return b"".join(_pack_op(op, plan) for op in ops) + _NO_OP * (OPS_MAX - len(ops))


def c_may_handle(plan: SyscallPlan, nr: int, name: str, unwinder: Any) -> bool:
    """C takes a call whole only when nothing about it needs Python."""
    if name in capture.PYTHON_ONLY:
        return False
    if plan.entry_capture(nr) is not None and name not in capture.ENTRY_SPECS:
        return False
    if plan.exit_capture(nr) is not None and name not in capture.EXIT_SPECS:
        return False
    if len(capture.ENTRY_SPECS.get(name, ())) > OPS_MAX:
        return False
    if len(capture.EXIT_SPECS.get(name, ())) > OPS_MAX:
        return False
    for op in (*capture.ENTRY_SPECS.get(name, ()), *capture.EXIT_SPECS.get(name, ())):
        if isinstance(op, Read | Handoff) and op.when is not None and len(op.when[2]) > WHEN_MAX:
            return False
    effect = plan.fd_effect(nr)
    if effect & ~(_C_EFFECTS | FD_IN_MEMORY):
        return False
    if effect & FD_IN_MEMORY and not any(
        isinstance(op, FdsIn) for op in capture.EXIT_SPECS.get(name, ())
    ):
        return False  # new fds in memory C cannot find (SCM_RIGHTS)
    if effect & FD_RETURNS and plan.resolve_fds:
        if name in capture.RETURNS_FD_WHEN:
            return False  # a new fd for some arguments, by a test in Python (bpf)
        if name in _NEW_FD_WHEN and len(capture.EXIT_SPECS.get(name, ())) >= OPS_MAX:
            return False  # no room for the test among the exit ops
    # A call that never returns (exit, exit_group) is fine: the task's end completes it.
    if plan.is_steered(nr):
        return False  # an injection rule or breakpoint decides at its entry (tracer/steer)
    if plan.wants_stack(nr):
        return False
    return not (unwinder is not None and plan.changes_maps(nr))


def compile_plan(plan: SyscallPlan, unwinder: Any = None) -> bytes:
    """The plan rows for NR_MAX syscall numbers, as capture_core.c reads them."""
    rows = []
    by_nr = plan.table.by_nr
    for nr in range(NR_MAX):
        d = by_nr.get(nr)
        if d is None:
            # Unknown numbers go to Python, which records them raw.
            rows.append(_ROW_HEAD.pack(P_TRACED if plan.is_traced(nr) else 0, 0, 0, 0))
            rows.append(_NO_OP * (2 * OPS_MAX))
            continue
        traced = plan.is_traced(nr)
        flags = P_TRACED if traced else 0
        entry = capture.ENTRY_SPECS.get(d.name, ())
        exit_ = capture.EXIT_SPECS.get(d.name, ())
        ok = traced and c_may_handle(plan, nr, d.name, unwinder)
        fdmask = 0
        if ok:
            flags |= P_C_OK
            effect = plan.fd_effect(nr)
            if effect & FD_RETURNS and plan.resolve_fds:
                flags |= P_FD_RETURNS
                if d.name in _NEW_FD_WHEN:
                    exit_ = (*exit_, NewFdWhen(_NEW_FD_WHEN[d.name]))
            if effect & FD_CLOSE_ARG0:
                flags |= P_CLOSE_ARG0
            if effect & FD_DROP_ARG1:
                flags |= P_DROP_ARG1
            if effect & FD_CLEAR:
                flags |= P_CLEAR
            if plan.resolve_fds:
                fdmask = sum(1 << p for p in plan.fd_positions(nr))
            if any(isinstance(op, Handoff | SocketHandoff) for op in (*entry, *exit_)):
                flags |= P_HANDOFF
            if any(isinstance(op, Read) and op.on_error for op in exit_):
                flags |= P_ERROR_READS
        else:
            entry = exit_ = ()
        rows.append(_ROW_HEAD.pack(flags, fdmask, len(entry), len(exit_)))
        rows.append(_ops(entry, plan))
        rows.append(_ops(exit_, plan))
    return b"".join(rows)


def c_ok_numbers(rows: bytes) -> list[bool]:
    """Per syscall number: may C handle the call whole (P_C_OK in its plan row)."""
    return [bool(rows[nr * ROW_SIZE] & P_C_OK) for nr in range(NR_MAX)]
