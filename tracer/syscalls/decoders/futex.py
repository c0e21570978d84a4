"""futex: operation names with _PRIVATE / FUTEX_CLOCK_REALTIME, per-operation argument lists;
futex_waitv: its array of waiters."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import Read, declare_entry
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import misc as x

from .arrays import array_items
from .clock import clock_arg
from .kstructs import hex_arg, ptr_arg, timespec, xflags, xval

(WAIT, WAKE, FD, REQUEUE, CMP_REQUEUE, WAKE_OP, LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_BITSET,
 WAKE_BITSET, WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2) = range(14)  # fmt: skip
_TIMEOUT_OPS = {WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI, LOCK_PI2}


# The operations strace names: each command, its _PRIVATE form (FUTEX_FD's spelled out),
# and FUTEX_CLOCK_REALTIME only with the waits that take an absolute timeout. Any other
# value is unknown as a whole.
_CLOCKED = (WAIT, WAIT_BITSET, WAIT_REQUEUE_PI)
_OP_NAMES: dict[int, str] = {
    **x.FUTEX_OPS,
    **{
        cmd | x.FUTEX_PRIVATE_FLAG: name + "_PRIVATE"
        for cmd, name in x.FUTEX_OPS.items()
        if cmd != FD
    },
    FD | x.FUTEX_PRIVATE_FLAG: "FUTEX_FD|FUTEX_PRIVATE_FLAG",
}
_OP_NAMES.update(
    {
        op | x.FUTEX_CLOCK_REALTIME: _OP_NAMES[op] + "|FUTEX_CLOCK_REALTIME"
        for cmd in _CLOCKED
        for op in (cmd, cmd | x.FUTEX_PRIVATE_FLAG)
    }
)


def futex_op_name(op: int) -> str:
    return xval(op, _OP_NAMES, "FUTEX_???")


def _shifted(value: int, shift: int, table: dict[int, str], unknown: str) -> str:
    """A field of FUTEX_WAKE_OP's encoded operation: `NAME<<shift`, or `0x5<<28 /* X_??? */`
    (with its comment whatever -X says)."""
    if value in table:
        return xval(value, table, unknown) + f"<<{shift}"
    return f"{value:#x}<<{shift} /* {unknown} */"


def wake_op_text(val3: int) -> str:
    text = "FUTEX_OP_OPARG_SHIFT<<28|" if val3 >> 28 & 8 else ""
    text += _shifted(val3 >> 28 & 7, 28, x.FUTEX_WAKE_OPS, "FUTEX_OP_???")
    oparg = val3 >> 12 & 0xFFF
    text += f"|{oparg:#x}<<12|" if oparg else "|0<<12|"
    text += _shifted(val3 >> 24 & 0xF, 24, x.FUTEX_WAKE_CMPS, "FUTEX_OP_CMP_???")
    cmparg = val3 & 0xFFF
    return text + (f"|{cmparg:#x}" if cmparg else "|0")


declare_entry(
    "futex", Read("timeout", 3, 16, null_skip=True, when=(1, 127, tuple(sorted(_TIMEOUT_OPS))))
)


def _uint(raw: int) -> Arg:
    v = raw & 0xFFFFFFFF
    return Arg(str(v), raw, "int", v)


@decoder("futex")
def decode_futex(call: Syscall, ctx: RenderContext) -> Decoded:
    uaddr, op, val, utime, uaddr2, val3 = call.args[:6]
    op &= 0xFFFFFFFF
    cmd = op & 127
    args = [ptr_arg(uaddr), Arg(futex_op_name(op), call.args[1], "flags", op)]
    timeout = Arg(timespec((call.mem or {}).get("timeout"), utime) if utime else "NULL", utime,
                  "struct")  # fmt: skip
    v3 = val3 & 0xFFFFFFFF
    bitset = Arg(
        "FUTEX_BITSET_MATCH_ANY" if v3 == 0xFFFFFFFF else (f"{v3:#x}" if v3 else "0"),
        val3,
        "int",
        v3,
    )
    if cmd == WAIT:
        args += [_uint(val), timeout]
    elif cmd == WAIT_BITSET:
        args += [_uint(val), timeout, bitset]
    elif cmd in (WAKE, FD):
        args.append(_uint(val))
    elif cmd == WAKE_BITSET:
        args += [_uint(val), bitset]
    elif cmd == REQUEUE:
        args += [_uint(val), _uint(utime), ptr_arg(uaddr2)]
    elif cmd in (CMP_REQUEUE, CMP_REQUEUE_PI):
        args += [_uint(val), _uint(utime), ptr_arg(uaddr2), _uint(val3)]
    elif cmd == WAKE_OP:
        args += [_uint(val), _uint(utime), ptr_arg(uaddr2), Arg(wake_op_text(v3), val3, "flags")]
    elif cmd in (LOCK_PI, LOCK_PI2):
        args.append(timeout)
    elif cmd in (UNLOCK_PI, TRYLOCK_PI):
        pass
    elif cmd == WAIT_REQUEUE_PI:
        args += [_uint(val), timeout, ptr_arg(uaddr2)]
    else:
        args += [_uint(val), hex_arg(utime), ptr_arg(uaddr2), hex_arg(v3)]  # val3: an int
    return Decoded(args)


# ---- futex_waitv -----------------------------------------------------------------------

_WAITV = struct.Struct("<QQII")  # val, uaddr, flags, __reserved
# The kernel's FUTEX_WAITV_MAX: strace shows no more waiters than that, whatever -s says.
_WAITV_MAX = 128
_WAITV_FLAGS = [(0x2, "FUTEX_32"), (x.FUTEX_PRIVATE_FLAG, "FUTEX_PRIVATE_FLAG")]

declare_entry(
    "futex_waitv",
    Read(0, 0, size_arg=1, scale=_WAITV.size, cap=(_WAITV_MAX + 1) * _WAITV.size, null_skip=True),
    Read(3, 3, 16, null_skip=True, exact=True),
)


def _waiter(data: bytes, off: int) -> str:
    val, uaddr, flags, reserved = _WAITV.unpack_from(data, off)
    text = (
        f"{{val={val:#x}" if val else "{val=0"
    ) + f", uaddr={fmt.pointer(uaddr)}, flags={xflags(flags, _WAITV_FLAGS, 'FUTEX_???')}"
    return text + (f", __reserved={reserved:#x}}}" if reserved else "}")


@decoder("futex_waitv")
def decode_futex_waitv(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    count = a[1] & 0xFFFFFFFF
    limit = min(ctx.strsize, _WAITV_MAX)
    waiters = array_items((call.mem or {}).get(0), a[0], count, _WAITV.size, _waiter, limit)
    tmo = timespec((call.mem or {}).get(3), a[3]) if a[3] else "NULL"
    return Decoded(
        [
            Arg(waiters, a[0], "struct"),
            _uint(a[1]),
            hex_arg(a[2] & 0xFFFFFFFF),
            Arg(tmo, a[3], "struct"),
            clock_arg(a[4]),
        ]
    )
