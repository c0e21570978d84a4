"""clone3(2): `struct clone_args`, whose size the caller passes.

Fields past the size given are not the caller's and are not shown; bytes past the
struct the kernel knows print as `/* bytes 88..95 */ "..."` when they are not zero,
`???` when they cannot be read. On success the kernel's stores (pidfd, parent_tid)
and those extra bytes print again after `=>`.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import Read, declare_entry, declare_exit
from tracer.syscalls.render import Decoded, RenderContext, decoder
from tracer.syscalls.xlat import process as x

from .arguments import mem_of, ok, ptr_arg, struct_arg, ulong_arg
from .kstructs import hex_quote, xflags

# flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
# set_tid, set_tid_size, cgroup
CLONE_ARGS = struct.Struct("<11Q")
CLONE_ARGS_MIN = 64  # CLONE_ARGS_SIZE_VER0: up to and including tls
_SET_TID_END = 80  # CLONE_ARGS_SIZE_VER1
_CGROUP_AT = 80
_TAIL_MAX = 4096  # extra bytes looked at past the struct
_SET_TID_MAX = 256  # elements of set_tid read (the kernel takes at most 32)
_INT = struct.Struct("<i")
_UNREADABLE = "???"


def _clone_args(data: bytes) -> tuple | None:
    """The struct as a tuple (zero past the caller's size); None when it is shorter
    than the first version."""
    if len(data) < CLONE_ARGS_MIN:
        return None
    return CLONE_ARGS.unpack(data.ljust(CLONE_ARGS.size, b"\0"))


def _int32(data: bytes) -> int:
    return _INT.unpack_from(data)[0]


# All as data, so the C core takes clone3 (and the thread it starts: a pthread_create
# costs no Python stop). What sits behind pointers inside the struct (set_tid's array,
# and the pidfd and tid the kernel stores) is read through them (`deref`). The bytes
# past the struct are read from its end for up to the caller's size (more than there
# are; the decoder keeps size - 88 of them) and set_tid's array for up to its largest
# count: reads that cannot say "size - 88" or "count" in data, and cost nothing when
# there is nothing there (a NULL set_tid, a size of 88).
_TAIL = Read("tail", 0, offset=CLONE_ARGS.size, size_arg=1, cap=_TAIL_MAX)
declare_entry(
    "clone3",
    Read("args", 0, size_arg=1, cap=CLONE_ARGS.size, exact=True, convert=_clone_args),
    _TAIL,
    Read("set_tid", 0, size=_SET_TID_MAX * _INT.size, deref=64, null_skip=True, bad_skip=True),
)
declare_exit(
    "clone3",
    Read("pidfd", 0, size=4, deref=8, exact=True, null_skip=True, bad_skip=True, convert=_int32),
    Read(
        "parent_tid", 0, size=4, deref=24, exact=True, null_skip=True, bad_skip=True, convert=_int32
    ),
    Read("tail_out", 0, offset=CLONE_ARGS.size, size_arg=1, cap=_TAIL_MAX),
)


def _tail(call: Syscall, key: str) -> bytes | None:
    """The caller's bytes past the struct (size - 88 of them, at most _TAIL_MAX), None
    when they could not all be read."""
    need = min((call.args[1] & 0xFFFFFFFFFFFFFFFF) - CLONE_ARGS.size, _TAIL_MAX)
    data = mem_of(call, key)
    return data[:need] if data is not None and len(data) >= need else None


def _tail_text(tail: bytes | None) -> str | None:
    """The bytes past the struct: None when all zero."""
    if tail is None:
        return _UNREADABLE
    if not any(tail):
        return None
    end = CLONE_ARGS.size + len(tail) - 1
    return f"/* bytes {CLONE_ARGS.size}..{end} */ {hex_quote(tail)}"


def _exit_signal(sig: int) -> str:
    if sig > 0xFF:
        return str(sig)
    return fmt.styled_decimal(sig, fmt.signal_name(sig)) if sig else "0"


def _set_tid(data: bytes | None, addr: int, count: int, strsize: int) -> str:
    """`[1, 2]`: the tids to use, at most -s of them; the address when unreadable."""
    if not addr or not count or not data or len(data) < _INT.size:
        return fmt.pointer(addr)
    limit = min(count, strsize)
    shown = min(limit, len(data) // _INT.size)
    parts = [str(_INT.unpack_from(data, i * _INT.size)[0]) for i in range(shown)]
    if shown < limit:  # memory ended first: strace names where
        parts.append(f"... /* {addr + shown * _INT.size:#x} */")
    elif count > limit:
        parts.append("...")
    return "[" + ", ".join(parts) + "]"


def format_clone_args(call: Syscall, ctx: RenderContext) -> str:
    ca = mem_of(call, "args")
    size = call.args[1] & 0xFFFFFFFFFFFFFFFF
    flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls = ca[:8]
    set_tid, set_tid_size, cgroup = ca[8:11]
    parts = [f"flags={xflags(flags, x.CLONE_FLAGS + x.CLONE3_FLAGS, 'CLONE_???')}"]
    if flags & x.CLONE_PIDFD:
        parts.append(f"pidfd={fmt.pointer(pidfd)}")
    if flags & (x.CLONE_CHILD_SETTID | x.CLONE_CHILD_CLEARTID):
        parts.append(f"child_tid={fmt.pointer(child_tid)}")
    if flags & x.CLONE_PARENT_SETTID:
        parts.append(f"parent_tid={fmt.pointer(parent_tid)}")
    parts.append(f"exit_signal={_exit_signal(exit_signal)}")
    parts.append(f"stack={fmt.pointer(stack)}")
    parts.append(f"stack_size={stack_size:#x}" if stack_size else "stack_size=0")
    if flags & x.CLONE_SETTLS:
        parts.append(f"tls={fmt.pointer(tls)}")
    if size >= _SET_TID_END and (set_tid or set_tid_size):
        tids = _set_tid(mem_of(call, "set_tid"), set_tid, set_tid_size, ctx.strsize)
        parts.append(f"set_tid={tids}, set_tid_size={set_tid_size}")
    if size > _CGROUP_AT and (cgroup or flags & x.CLONE_INTO_CGROUP):
        parts.append(f"cgroup={cgroup}")
    if size > CLONE_ARGS.size:
        tail = _tail_text(_tail(call, "tail"))
        if tail is not None:
            parts.append(tail)
    return "{" + ", ".join(parts) + "}"


def _returned(call: Syscall) -> list[str]:
    """What the kernel stored, for ` => {...}` after a successful call."""
    ca = mem_of(call, "args")
    flags = ca[0]
    out: list[str] = []
    for bit, key, addr in ((x.CLONE_PIDFD, "pidfd", ca[1]), (x.CLONE_PARENT_SETTID, "parent_tid", ca[3])):  # fmt: skip
        if flags & bit:
            value = mem_of(call, key) if addr else None
            out.append(f"{key}=[{value}]" if value is not None else f"{key}={fmt.pointer(addr)}")
    if call.args[1] & 0xFFFFFFFFFFFFFFFF > CLONE_ARGS.size:
        tail = _tail_text(_tail(call, "tail_out"))
        if tail is not None:
            out.append(tail)
    return out


@decoder("clone3")
def decode_clone3(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    ca = mem_of(call, "args")
    if ca is None:
        first = ptr_arg(a[0])
    else:
        text = format_clone_args(call, ctx)
        changed = _returned(call) if ok(call) else []
        if changed:
            text += " => {" + ", ".join(changed) + "}"
        first = struct_arg(text, a[0], ca, at_exit=bool(changed))
    return Decoded([first, ulong_arg(a[1])])
