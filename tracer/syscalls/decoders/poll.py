"""poll/ppoll, select/pselect6 and the epoll family.

The fds inside pollfd arrays and fd_sets are listed under `_fds` at entry so
the worker records what they refer to (strace -y annotates them too).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    FdsIn,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
    on_entry,
    on_exit,
)
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import poll as x

from .arrays import array_text
from .kstructs import complete, int_arg, timespec, timeval, u64, ulong_arg, xflags, xval
from .siginfo import render_sigset

_POLLFD = struct.Struct("<ihh")
_POLL_MAX = 1024
_FDSET_MAX_BYTES = 1024  # 8192 fds
_EPOLL_EVENT = struct.Struct("<IQ")  # packed on x86_64: 12 bytes
_EPOLL_MAX = 1024


# ---- poll, ppoll ---------------------------------------------------------------------------------


def _pollfds(data: bytes | None) -> list[tuple[int, int, int]]:
    if not data:
        return []
    return [_POLLFD.unpack_from(data, off) for off in range(0, len(data) - 7, 8)]


# The pollfd array at entry (its fds named under -y) and back at exit with revents;
# read as data, so the C core takes poll and ppoll whole. select and pselect6 keep
# Python captures: their fds are bits of fd_sets, which `FdsIn` cannot list.
_POLLFDS_IN = (
    Read("pollfds", 0, size_arg=1, scale=_POLLFD.size, cap=_POLL_MAX * _POLLFD.size,
         nonpos_empty=False),
    FdsIn(0, 1, _POLLFD.size, 0, _POLL_MAX),
)  # fmt: skip
_POLLFDS_OUT = Read(
    "revents", 0, size_arg=1, scale=_POLLFD.size, cap=_POLL_MAX * _POLLFD.size,
    nonpos_empty=False, ret_positive=True,
)  # fmt: skip
declare_entry("poll", *_POLLFDS_IN)
declare_exit("poll", _POLLFDS_OUT)
declare_entry(
    "ppoll",
    *_POLLFDS_IN,
    Read("timeout", 2, 16, null_skip=True),
    Read("sigmask", 3, size_arg=4, cap=128, null_skip=True),
)
declare_exit("ppoll", _POLLFDS_OUT, Read("left", 2, 16, null_skip=True))


def _pollfd_text(call: Syscall, ctx: RenderContext) -> Callable[[bytes], str]:
    def element(data: bytes) -> str:
        fd, events, _rev = _POLLFD.unpack(data)
        if fd < 0:
            return f"{{fd={fd}}}"
        ev = xflags(events & 0xFFFF, x.POLL_EVENTS, "POLL???")
        return f"{{fd={ctx.fd(call, fd)}, events={ev}}}"

    return element


def _render_pollfds(call: Syscall, ctx: RenderContext, data: bytes | None, nfds: int) -> str:
    """The array at entry: -s elements of it unless -v."""
    limit = ctx.strsize if ctx.abbreviated(call) else _POLL_MAX
    return array_text(data, call.args[0], nfds, _POLLFD.size, limit, _pollfd_text(call, ctx))


def _poll_result(call: Syscall, ctx: RenderContext, extra: str = "") -> str | None:
    """`N ([{fd=4, revents=POLLOUT}])`: the fds with events, -s of them unless -v."""
    if call.ret is None or call.error:
        return None
    if call.ret == 0:
        return "0 (Timeout)"
    limit = ctx.strsize if ctx.abbreviated(call) else _POLL_MAX
    ready = []
    for fd, _ev, rev in _pollfds((call.mem or {}).get("revents")):
        if not rev or fd < 0:
            continue
        if len(ready) >= limit:
            ready.append("...")
            break
        ready.append(f"{{fd={fd}, revents={xflags(rev & 0xFFFF, x.POLL_EVENTS, 'POLL???')}}}")
    return f"{call.ret} ([{', '.join(ready)}]{extra})"


@decoder("poll")
def decode_poll(call: Syscall, ctx: RenderContext) -> Decoded:
    nfds = call.args[1] & 0xFFFFFFFF
    fds = _render_pollfds(call, ctx, (call.mem or {}).get("pollfds"), nfds)
    return Decoded([Arg(fds, call.args[0], "struct"), Arg(str(nfds), call.args[1], "int", nfds),
                    int_arg(call.args[2])], ret=_poll_result(call, ctx))  # fmt: skip


@decoder("ppoll")
def decode_ppoll(call: Syscall, ctx: RenderContext) -> Decoded:
    mem = call.mem or {}
    nfds = call.args[1] & 0xFFFFFFFF
    fds = _render_pollfds(call, ctx, mem.get("pollfds"), nfds)
    tmo = timespec(mem.get("timeout"), call.args[2]) if call.args[2] else "NULL"
    size = call.args[4] & 0xFFFFFFFFFFFFFFFF
    mask = render_sigset(mem.get("sigmask"), size, call.args[3]) if call.args[3] else "NULL"
    left = f", left {timespec(mem.get('left'), call.args[2])}" if call.args[2] else ""
    return Decoded(
        [Arg(fds, call.args[0], "struct"), Arg(str(nfds), call.args[1], "int", nfds),
         Arg(tmo, call.args[2], "struct"), Arg(mask, call.args[3], "struct"), ulong_arg(call.args[4])],
        ret=_poll_result(call, ctx, left),
    )  # fmt: skip


# ---- select, pselect6 ----------------------------------------------------------------------------


def _fdset_bytes(nfds: int) -> int:
    return min(((max(nfds, 0) + 63) // 64) * 8, _FDSET_MAX_BYTES)


def _fds_in(data: bytes | None, nfds: int) -> list[int]:
    if not data:
        return []
    bits = int.from_bytes(data, "little")
    return [fd for fd in range(min(nfds, len(data) * 8)) if bits >> fd & 1]


@on_entry("select", "pselect6")
def _capture_select_in(mem: MemoryReader, args, limits: CaptureLimits):
    nfds = to_int(args[0])
    size = _fdset_bytes(nfds)
    got: dict = {}
    fds: set[int] = set()
    for i in (1, 2, 3):
        if args[i] and size:
            got[f"set{i}"] = data = mem.read(args[i], size)
            if data is not None and len(data) == size:  # a set read whole (as strace -P)
                fds.update(_fds_in(data, nfds))
    if args[4]:
        got["timeout"] = mem.read(args[4], 16)
    if len(args) > 5 and args[5]:
        got["sigdata"] = mem.read(args[5], 16)
        sig = complete(got["sigdata"], 16)
        if sig is not None and u64(sig):
            got["sigmask"] = mem.read(u64(sig), min(u64(sig, 8), 128))
    got["_fds"] = sorted(fds)
    return got


@on_exit("select", "pselect6")
def _capture_select_out(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    if ret < 0:
        return None
    size = _fdset_bytes(to_int(args[0]))
    got: dict = {}
    for i in (1, 2, 3):
        if args[i] and size and ret:
            data = mem.read(args[i], size)  # strace shows a set it reads whole, only
            got[f"out{i}"] = data if data is not None and len(data) == size else None
    if args[4]:
        got["left"] = mem.read(args[4], 16)
    return got


def _fdset_text(call: Syscall, ctx: RenderContext, data: bytes | None, nfds: int, addr: int,
                annotate: bool) -> str:  # fmt: skip
    if not addr:
        return "NULL"
    if data is None or len(data) < _fdset_bytes(nfds):  # strace reads the set whole
        return pointer(addr)
    fds = _fds_in(data, nfds)
    return "[" + " ".join(ctx.fd(call, fd) if annotate else str(fd) for fd in fds) + "]"


def _decode_select(call: Syscall, ctx: RenderContext, time_fmt) -> Decoded:
    mem = call.mem or {}
    nfds = to_int(call.args[0])
    args = [int_arg(call.args[0])]
    for i in (1, 2, 3):
        text = _fdset_text(call, ctx, mem.get(f"set{i}"), nfds, call.args[i], True)
        args.append(Arg(text, call.args[i], "struct"))
    tmo = time_fmt(mem.get("timeout"), call.args[4]) if call.args[4] else "NULL"
    args.append(Arg(tmo, call.args[4], "struct"))
    ret = None
    if call.ret is not None and not call.error:
        if call.ret == 0:
            ret = "0 (Timeout)"
        else:
            parts = []
            for i, label in ((1, "in"), (2, "out"), (3, "except")):
                fds = _fds_in(mem.get(f"out{i}"), nfds) if call.args[i] else []
                if fds:
                    parts.append(f"{label} [{' '.join(map(str, fds))}]")
            if call.args[4]:
                parts.append(f"left {time_fmt(mem.get('left'), call.args[4])}")
            ret = f"{call.ret} ({', '.join(parts)})"
    return Decoded(args, ret=ret)


@decoder("select")
def decode_select(call: Syscall, ctx: RenderContext) -> Decoded:
    return _decode_select(call, ctx, timeval)


@decoder("pselect6")
def decode_pselect6(call: Syscall, ctx: RenderContext) -> Decoded:
    dec = _decode_select(call, ctx, timespec)
    mem = call.mem or {}
    addr = call.args[5]
    sig = complete(mem.get("sigdata"), 16)
    if not addr:
        text = "NULL"
    elif sig is None:
        text = pointer(addr)
    else:
        mask = render_sigset(mem.get("sigmask"), u64(sig, 8), u64(sig)) if u64(sig) else "NULL"
        text = f"{{sigmask={mask}, sigsetsize={u64(sig, 8)}}}"
    dec.args.append(Arg(text, addr, "struct"))
    return dec


# ---- epoll ---------------------------------------------------------------------------------------


def _epoll_event(data: bytes, off: int = 0) -> str:
    events, value = _EPOLL_EVENT.unpack_from(data, off)
    ev = xflags(events, x.EPOLL_EVENTS, "EPOLL???")
    return f"{{events={ev}, data={{u32={value & 0xFFFFFFFF}, u64={value}}}}}"


@decoder("epoll_create")
def decode_epoll_create(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0])], ret_fd=True)


@decoder("epoll_create1")
def decode_epoll_create1(call: Syscall, ctx: RenderContext) -> Decoded:
    flags = xflags(call.args[0] & 0xFFFFFFFF, x.EPOLL_CREATE_FLAGS, "EPOLL_???")
    return Decoded([Arg(flags, call.args[0], "flags")], ret_fd=True)


# The event, unless the op is EPOLL_CTL_DEL (2), which ignores it (strace prints its
# address). `when` cannot say "not 2", so two reads share the key: op 0, and an op with
# a bit set other than bit 1 (every op but 0 and 2); a NULL event leaves the key out.
declare_entry(
    "epoll_ctl",
    Read("event", 3, _EPOLL_EVENT.size, null_skip=True, when=(1, 0xFFFFFFFF, (0,))),
    Read("event", 3, _EPOLL_EVENT.size, null_skip=True, when=(1, 0xFFFFFFFD, ())),
)


@decoder("epoll_ctl")
def decode_epoll_ctl(call: Syscall, ctx: RenderContext) -> Decoded:
    op = to_int(call.args[1])
    data = complete((call.mem or {}).get("event"), _EPOLL_EVENT.size)
    if not call.args[3]:
        ev = "NULL"
    else:
        ev = _epoll_event(data) if data is not None else pointer(call.args[3])
    op_text = xval(op & 0xFFFFFFFF, x.EPOLL_CTL_OPS, "EPOLL_CTL_???")  # 0, not 0x0 (%#x)
    return Decoded([ctx.fd_arg(call, call.args[0]), Arg(op_text, call.args[1], "flags", op),
                    ctx.fd_arg(call, call.args[2]), Arg(ev, call.args[3], "struct")])  # fmt: skip


declare_exit(
    ("epoll_wait", "epoll_pwait", "epoll_pwait2"),
    Read(
        "events",
        1,
        size_ret=True,
        scale=_EPOLL_EVENT.size,
        cap=_EPOLL_MAX * _EPOLL_EVENT.size,
        nonpos_first=True,
    ),
)


# The sigmask: sigsetsize bytes, at most 128. render_sigset shows a set of exactly 8
# bytes only (the kernel refuses other sizes: EINVAL), so any other size prints the
# address whatever was read.
_EPOLL_SIGMASK = Read("sigmask", 4, size_arg=5, cap=128, null_skip=True)
declare_entry("epoll_pwait", _EPOLL_SIGMASK)
declare_entry("epoll_pwait2", _EPOLL_SIGMASK, Read("timeout", 3, 16, null_skip=True))


def _epoll_events_text(call: Syscall, ctx: RenderContext) -> str:
    data = (call.mem or {}).get("events")
    if call.ret is None or call.error or data is None:
        return pointer(call.args[1])
    n = len(data) // _EPOLL_EVENT.size
    items = []
    for i in range(n):
        if i >= ctx.strsize:
            items.append("...")
            break
        items.append(_epoll_event(data, i * _EPOLL_EVENT.size))
    return "[" + ", ".join(items) + "]"


def _epoll_wait_args(call: Syscall, ctx: RenderContext) -> list[Arg]:
    return [ctx.fd_arg(call, call.args[0]),
            Arg(_epoll_events_text(call, ctx), call.args[1], "struct", at_exit=True),
            int_arg(call.args[2])]  # fmt: skip


@decoder("epoll_wait")
def decode_epoll_wait(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([*_epoll_wait_args(call, ctx), int_arg(call.args[3])])


@decoder("epoll_pwait", "epoll_pwait2")
def decode_epoll_pwait(call: Syscall, ctx: RenderContext) -> Decoded:
    # strace prints these at the call's exit, and a failed call's pointers as addresses.
    mem = {} if call.error else call.mem or {}
    args = _epoll_wait_args(call, ctx)
    if call.nr == ctx.table.number("epoll_pwait2"):
        tmo = timespec(mem.get("timeout"), call.args[3]) if call.args[3] else "NULL"
        args.append(Arg(tmo, call.args[3], "struct", at_exit=True))
    else:
        args.append(int_arg(call.args[3]))
    size = call.args[5] & 0xFFFFFFFFFFFFFFFF
    mask = render_sigset(mem.get("sigmask"), size, call.args[4]) if call.args[4] else "NULL"
    args += [Arg(mask, call.args[4], "struct", at_exit=True), ulong_arg(call.args[5])]
    return Decoded(args)


fd_args((0,), "epoll_wait", "epoll_pwait", "epoll_pwait2")
fd_args((0, 2), "epoll_ctl")
