"""bpf(2): the command, its attr as the command's layout says (bpf_attr.py), the size.

The attr is read whole at entry when its size is within a page (strace prints the
address otherwise, or for a command it does not decode), with the memory its fields
point to and the fds it names (-y). Getters (BPF_OBJ_GET_INFO_BY_FD, BPF_PROG_QUERY)
read it again at exit to show what the kernel changed (`info_len=152 => 104`).
"""

from __future__ import annotations

import os

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    MemoryReader,
    on_entry,
    on_exit,
    returns_fd_when,
)
from tracer.syscalls.fmt import pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import bpf as x

from .arguments import mem_of, ok
from .arrays import read_array
from .bpf_attr import (
    COMMANDS,
    OBJ_GET_INFO_BY_FD,
    PROG_QUERY,
    Command,
    Group,
    extra_data,
    groups_of,
)
from .bpf_fields import Attr, Field, Show
from .kstructs import xval

PAGE_SIZE = 4096
_GETTERS = frozenset({OBJ_GET_INFO_BY_FD, PROG_QUERY})
_INFO_MAX = 256  # bytes of an info struct looked at
_INFO_KINDS = {"anon_inode:bpf-map": "map", "anon_inode:bpf-prog": "prog"}


def _command(args: tuple[int, ...]) -> Command | None:
    """The command's layout when strace would decode its attr."""
    size = args[2] & 0xFFFFFFFF
    if not args[1] or not 0 < size <= PAGE_SIZE:
        return None
    return COMMANDS.get(args[0] & 0xFFFFFFFF)


def _read_attr(mem: MemoryReader, args: tuple[int, ...]) -> bytes | None:
    size = args[2] & 0xFFFFFFFF
    data = mem.read(args[1], size)
    return data if data is not None and len(data) == size else None


def _fields(groups: list[Group]):
    for group in groups:
        for fld in group:
            yield fld
            yield from fld.parts


@on_entry("bpf")
def capture_bpf(mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    cmd = _command(args)
    if cmd is None:
        return None
    data = _read_attr(mem, args)
    if data is None:
        return {"attr": None}
    attr = Attr(data)
    got: dict = {"attr": data}
    fds: list[int] = []
    groups, _ = groups_of(cmd, attr)
    for fld in _fields(groups):
        if fld.deref is not None:
            got[fld.name] = fld.deref(mem, attr, limits)
        if fld.fd:
            fds.append(attr.i32(fld.off))
        if fld.fds is not None:
            fds.extend(fld.fds(got.get(fld.name)))
    wanted = sorted({fd for fd in fds if fd >= 0})
    if wanted:
        got["_fds"] = wanted
    if args[0] & 0xFFFFFFFF == OBJ_GET_INFO_BY_FD:
        got["info_kind"] = _info_kind(mem, attr.i32(0))
        # what a failed call leaves (exit captures run only after a success)
        got["info_in"] = _read_info(mem, attr)
    return got


def _read_info(mem: MemoryReader, attr: Attr) -> bytes | None:
    addr, size = attr.u64(8), attr.u32(4)
    return mem.read(addr, min(size, _INFO_MAX)) if addr and size else None


def _info_kind(mem: MemoryReader, fd: int) -> str | None:
    """Which struct an info buffer holds: what kind of bpf object the fd is (strace
    asks /proc whatever -y says)."""
    tid = getattr(mem, "tid", 0)
    if not tid or fd < 0:
        return None
    try:
        return _INFO_KINDS.get(os.readlink(f"/proc/{tid}/fd/{fd}"))
    except OSError:
        return None


@on_exit("bpf")
def capture_bpf_exit(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    if args[0] & 0xFFFFFFFF not in _GETTERS or _command(args) is None:
        return None
    data = _read_attr(mem, args)
    if data is None:
        return None
    got: dict = {"attr_out": data}
    attr = Attr(data)
    if args[0] & 0xFFFFFFFF == PROG_QUERY and ret >= 0:
        got["prog_ids_out"] = read_array(mem, attr.u64(16), attr.u32(24), 4, limits.strsize)
    elif args[0] & 0xFFFFFFFF == OBJ_GET_INFO_BY_FD:
        got["info_out"] = _read_info(mem, attr)
    return got


def _fd_command(args: tuple[int, ...]) -> bool:
    cmd = COMMANDS.get(args[0] & 0xFFFFFFFF)
    return cmd is not None and cmd.returns_fd


returns_fd_when("bpf", _fd_command)


def _shown(fld: Field, s: Show) -> bool:
    return fld.when is None or fld.when(s.attr)


def render_attr(cmd: Command, s: Show) -> str:
    groups, end = groups_of(cmd, s.attr)
    text = ", ".join(fld.show(s) for g in groups for fld in g if _shown(fld, s))
    if cmd.wrap:
        text = f"{cmd.wrap}={{{text}}}"
    extra = extra_data(s.attr, end, s.abbrev)
    if extra:
        text += ", " + extra
    return "{" + text + "}"


@decoder("bpf")
def decode_bpf(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    number = a[0] & 0xFFFFFFFF
    first = Arg(xval(number, x.COMMANDS, "BPF_???"), a[0], "flags", number)
    size = a[2] & 0xFFFFFFFF
    cmd = _command(a)
    data = mem_of(call, "attr")
    if cmd is None or data is None:
        second = Arg(pointer(a[1]), a[1], "ptr", a[1])
    else:
        out = mem_of(call, "attr_out")
        show = Show(
            attr=Attr(data),
            mem=call.mem or {},
            fd=lambda fd: ctx.fd(call, fd),
            strsize=ctx.strsize,
            abbrev=ctx.abbreviated(call),
            ok=ok(call),
            exit_attr=Attr(out) if out is not None else None,
        )
        second = Arg(render_attr(cmd, show), a[1], "struct", None, at_exit=number in _GETTERS)
    third = Arg(str(size), a[2], "int", size)
    ret_fd = cmd is not None and cmd.returns_fd and ok(call)
    # a number, however large (the generic rendering shows 64-bit values in hex)
    ret = str(call.ret) if ok(call) and not ret_fd else None
    return Decoded([first, second, third], ret=ret, ret_fd=ret_fd)
