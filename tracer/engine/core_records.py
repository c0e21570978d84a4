"""Reading the C capture core's records back into call parts.

Runs on the consumer's side (the app's thread, the headless writer process):
each record becomes an entry part (`Syscall`, not done) or a `CallExit`, and
each capture goes into `mem` under the key its `Read` names, through the same
converter the Python loop applies (`capture.finish_op`, inlined here for speed), so
both loops give the same values (tests/test_capture_core.py compares them).
"""

from __future__ import annotations

import os
import struct
from functools import cache
from typing import Any

from tracer.engine.stream import CallExit, CallGone, CoreBatch
from tracer.events import Exec, Exited, ProcessStarted, SignalDelivered, Syscall
from tracer.syscalls import capture
from tracer.syscalls.capture import CWD_KEY, SKIP, Op

_HEAD = struct.Struct("<BBHiiid")
_ENTRY = struct.Struct("<BBHiiid6Q")  # head + args
_EXIT = struct.Struct("<BBHiiidq")  # head + ret
_CAP = struct.Struct("<BBhiI")
# An entry and its exit back to back, neither with captures: the common case, read at once.
_PAIR = struct.Struct("<BBHiiid6QBBHiiidq")
R_ENTRY = 1
R_EXIT = 2
R_SIGNAL = 3  # a signal delivered by C: head (nr = the signal) + 128 bytes of siginfo
SIGINFO_SIZE = 128
R_EXEC = 4  # an exec event taken by C: head + 3 captures (exe, cmdline, environ)
R_TASK = 5  # a new task C announced: head (nr: its creator's tgid) + 16 bytes of comm
COMM_SIZE = 16
R_GONE = 6  # a task that ended: head (nr: its wait status)
RF_ERROR, RF_FDS = 1, 2
C_BYTES, C_NONE, C_FDNAME, C_CWD = 1, 2, 3, 4


class _OpsByNr(dict):
    """nr -> the declared captures (`specs`: capture.ENTRY_SPECS or EXIT_SPECS) of that
    call, () if none; looked up, with its family loaded, the first time a record needs it."""

    def __init__(self, specs: dict[str, tuple[Op, ...]]) -> None:
        super().__init__()
        self._specs = specs

    def __missing__(self, nr: int) -> tuple[Op, ...]:
        from tracer.syscalls.families import load_families
        from tracer.syscalls.table import get_table

        d = get_table().get(nr)
        ops: tuple[Op, ...] = ()
        if d is not None:
            load_families((d.name,))
            ops = self._specs.get(d.name, ())
        self[nr] = ops
        return ops


@cache
def _ops_by_nr() -> tuple[_OpsByNr, _OpsByNr]:
    return _OpsByNr(capture.ENTRY_SPECS), _OpsByNr(capture.EXIT_SPECS)


@cache
def _never_returns() -> frozenset[int]:
    from tracer.syscalls.table import Class, get_table

    return frozenset(nr for nr, d in get_table().by_nr.items() if d.classes & Class.NEVER_RETURNS)


def _captures(
    data: bytes, off: int, n: int, ops: tuple[Op, ...]
) -> tuple[dict[Any, Any] | None, dict[int, str] | None, int]:
    mem: dict[Any, Any] | None = None
    fds: dict[int, str] | None = None
    unpack = _CAP.unpack_from
    for _ in range(n):
        kind, idx, _pad, aux, length = unpack(data, off)
        off += 12
        if kind == C_FDNAME:
            if fds is None:
                fds = {}
            fds[aux] = data[off : off + length].decode("utf-8", "surrogateescape")
        elif kind == C_CWD:
            if mem is None:
                mem = {}
            mem[CWD_KEY] = data[off : off + length].decode("utf-8", "surrogateescape")
        else:
            op = ops[idx]
            if kind == C_BYTES:
                value = data[off : off + length]
                if op.convert is not None:  # as capture.finish_op
                    value = op.convert(value)
                    if value is SKIP:
                        off += length
                        continue
            else:
                value = None
            if mem is None:
                mem = {}
            mem[op.key] = value
        off += length
    return mem, fds, off


def _split_nul(data: bytes) -> list[str]:
    return [os.fsdecode(a) for a in data.split(b"\0")[:-1]]  # as tasks.read_cmdline


def _exec_record(data: bytes, off: int) -> tuple[Exec, int]:
    """An exec event C took, as `ProcessStops._exec_stop` makes it from /proc."""
    _kind, _flags, _n, tid, tgid, _nr, t = _HEAD.unpack_from(data, off)
    off += 24
    parts: list[bytes | None] = []
    for _ in range(3):
        _c, _idx, _pad, ok, length = _CAP.unpack_from(data, off)
        off += 12
        parts.append(data[off : off + length] if ok else None)
        off += length
    exe, cmdline, environ = parts
    return (
        Exec(
            0,
            tgid,
            tid,
            t,
            os.fsdecode(exe) if exe else "",
            _split_nul(cmdline) if cmdline is not None else [],
            _split_nul(environ) if environ is not None else None,
        ),
        off,
    )


def _task_record(data: bytes, off: int, append) -> int:
    """A task's start or end C took, as `ProcessStops` makes them; the offset after it."""
    kind, _flags, _n, tid, tgid, nr, t = _HEAD.unpack_from(data, off)
    off += 24
    if kind == R_TASK:
        if tid != tgid:
            append(ProcessStarted(0, tgid, tid, tgid, t, is_thread=True))
        else:
            comm = data[off : off + COMM_SIZE].split(b"\0", 1)[0]
            append(ProcessStarted(0, tgid, tid, nr, t, comm=comm.decode("utf-8", "replace")))
        return off + COMM_SIZE
    # R_GONE: a call it was in never returns (`= ?`), then its end (`+++ exited ...`)
    append(CallGone(tid))
    if os.WIFEXITED(nr):
        code, sig = os.WEXITSTATUS(nr), None
    else:
        code, sig = None, os.WTERMSIG(nr)
    core = bool(os.WCOREDUMP(nr)) if sig is not None else False
    append(Exited(0, tgid, tid, t, code, sig, core, tid != tgid))
    return off


def unpack_core_batch(batch: CoreBatch) -> list[Any]:
    """The parts a batch holds, in order. An entry followed at once by its exit (the
    common case) becomes one whole `Syscall`, as the assembler would have made it."""
    entry_ops, exit_ops = _ops_by_nr()
    never = _never_returns()
    data = batch.data
    out: list[Any] = []
    append = out.append
    off = 0
    end = len(data)
    entry = _ENTRY.unpack_from
    exit_ = _EXIT.unpack_from
    pair = _PAIR.unpack_from
    cap = _CAP.unpack_from
    pair_end = end - _PAIR.size
    last: Syscall | None = None  # the entry just read, if its exit may follow
    while off < end:
        if data[off] == R_ENTRY:
            if (
                off <= pair_end
                and not data[off + 2]  # no captures at entry (ncaps, little-endian)...
                and not data[off + 3]
                and data[off + 72] == R_EXIT  # ... its exit next...
                and not data[off + 74]  # ... with none either
                and not data[off + 75]
                and not data[off + 1] & RF_FDS
            ):
                p = pair(data, off)
                if p[16] == p[3] and p[5] not in never:
                    if last is not None:
                        append(last)
                        last = None
                    append(
                        Syscall(0, p[4], p[3], p[5], p[7:13], p[6], p[19], p[20],
                                -p[20] if p[14] & RF_ERROR else 0, None, None, None, True)
                    )  # fmt: skip
                    off += 104
                    continue
            v = entry(data, off)
            if (
                data[off + 2] == 1  # one capture at entry (a write's buffer)...
                and not data[off + 3]
                and not data[off + 1] & RF_FDS
                and data[off + 72] == C_BYTES
                and v[5] not in never
            ):
                ops = entry_ops[v[5]]
                _kind, idx, _pad, _aux, length = cap(data, off + 72)
                if idx < len(ops):
                    op = ops[idx]
                    at = off + 84 + length
                    value = data[off + 84 : at]
                    if op.convert is not None:  # as capture.finish_op
                        value = op.convert(value)
                    if value is not SKIP:
                        if last is not None:
                            append(last)
                            last = None
                        if (  # ... and its exit next, with none: the call whole
                            at + 32 <= end
                            and data[at] == R_EXIT
                            and not data[at + 2]
                            and not data[at + 3]
                            and (x := exit_(data, at))[3] == v[3]
                        ):
                            append(
                                Syscall(0, v[4], v[3], v[5], v[7:13], v[6], x[6], x[7],
                                        -x[7] if x[1] & RF_ERROR else 0, {op.key: value},
                                        None, None, True)
                            )  # fmt: skip
                            off = at + 32
                        else:
                            last = Syscall(0, v[4], v[3], v[5], v[7:13], v[6])
                            last.mem = {op.key: value}
                            off = at
                        continue
            off += 72
            call = Syscall(0, v[4], v[3], v[5], v[7:13], v[6])
            if v[2]:
                call.mem, call.fds, off = _captures(data, off, v[2], entry_ops[v[5]])
            if v[1] & RF_FDS and call.fds is None:
                call.fds = {}
            if last is not None:
                append(last)
            if v[5] in never:
                # exit/exit_group: complete at once, as the Python loop sends it (strace
                # prints `exit_group(0) = ?` before the other threads' ends).
                call.done = call.no_return = True
                append(call)
                last = None
                continue
            last = call
            continue
        if data[off] == R_EXEC:
            if last is not None:
                append(last)
                last = None
            exec_event, off = _exec_record(data, off)
            append(exec_event)
            continue
        if data[off] == R_TASK or data[off] == R_GONE:
            if last is not None:
                append(last)
                last = None
            off = _task_record(data, off, append)
            continue
        if data[off] == R_SIGNAL:
            _kind, _flags, _n, tid, tgid, sig, t = _HEAD.unpack_from(data, off)
            off += 24
            if last is not None:
                append(last)
                last = None
            append(SignalDelivered(0, tgid, tid, t, sig, data[off : off + SIGINFO_SIZE]))
            off += SIGINFO_SIZE
            continue
        _kind, flags, ncaps, tid, _tgid, nr, t, ret = exit_(data, off)
        off += 32
        mem = fds = None
        if ncaps:
            mem, fds, off = _captures(data, off, ncaps, exit_ops[nr])
        error = -ret if flags & RF_ERROR else 0
        if last is not None and last.tid == tid:
            last.end = t
            last.ret = ret
            last.error = error
            last.done = True
            if mem:
                if last.mem:
                    last.mem.update(mem)
                else:
                    last.mem = mem
            if fds:
                if last.fds:
                    last.fds.update(fds)
                else:
                    last.fds = fds
            append(last)
            last = None
            continue
        if last is not None:
            append(last)
            last = None
        append(CallExit(tid, t, ret, error, mem, fds))
    if last is not None:
        append(last)
    return out
