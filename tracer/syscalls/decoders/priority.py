"""Decoders for scheduling priority and placement: get/setpriority, ioprio_get/set, getcpu."""

from __future__ import annotations

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_exit
from tracer.syscalls.decoders.arguments import ok
from tracer.syscalls.fmt import STYLE
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import complete, int_arg, ptr_arg, u32, xval


def _which(raw: int, table: dict[int, str], unknown: str) -> Arg:
    v = to_int(raw)
    return Arg(xval(v & 0xFFFFFFFF, table, unknown), raw, "flags", v)


@decoder("getpriority")
def decode_getpriority(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([_which(call.args[0], x.PRIO_WHICH, "PRIO_???"), int_arg(call.args[1])])


@decoder("setpriority")
def decode_setpriority(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([_which(a[0], x.PRIO_WHICH, "PRIO_???"), int_arg(a[1]), int_arg(a[2])])


def ioprio_text(value: int) -> str:
    """`IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)`: the class in the top 3 bits of 16, data below."""
    cls = xval(value >> 13, x.IOPRIO_CLASSES, "IOPRIO_CLASS_???")
    return f"IOPRIO_PRIO_VALUE({cls}, {value & 0x1FFF})"


def ioprio_styled(value: int) -> str:
    """An ioprio argument under -X: `16388`, or `16388 /* IOPRIO_PRIO_VALUE(...) */`."""
    if STYLE.constants == "abbrev":
        return ioprio_text(value)
    number = to_int(value)  # an int: the number is signed, the class split from its bits
    if STYLE.constants == "raw":
        return str(number)
    return f"{number} /* {ioprio_text(value)} */"


@decoder("ioprio_get")
def decode_ioprio_get(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    ret = None
    if ok(call) and call.ret is not None and STYLE.constants != "raw":
        ret = f"{call.ret} ({ioprio_text(call.ret)})"
    return Decoded([_which(a[0], x.IOPRIO_WHO, "IOPRIO_WHO_???"), int_arg(a[1])], ret=ret)


@decoder("ioprio_set")
def decode_ioprio_set(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    prio = a[2] & 0xFFFFFFFF
    text = ioprio_styled(prio)  # strace splits any int: the class is everything above 13 bits
    return Decoded(
        [
            _which(a[0], x.IOPRIO_WHO, "IOPRIO_WHO_???"),
            int_arg(a[1]),
            Arg(text, a[2], "flags", prio),
        ]
    )


declare_exit("getcpu", Read(0, 0, 4, null_skip=True), Read(1, 1, 4, null_skip=True))


@decoder("getcpu")
def decode_getcpu(call: Syscall, ctx: RenderContext) -> Decoded:
    out = []
    for i in (0, 1):
        raw = call.args[i]
        data = complete((call.mem or {}).get(i), 4) if ok(call) else None
        text = f"[{u32(data)}]" if data is not None else ptr_arg(raw).text
        out.append(Arg(text, raw, "int", u32(data) if data else None, at_exit=True))
    return Decoded([*out, ptr_arg(call.args[2])])
