"""What memory each syscall needs read while the tracee is stopped.

Decoder families register, per syscall name, an entry capture and/or an exit
capture. The worker calls them with a `MemoryReader` on the stopped task; they
return the bytes to keep (a dict merged into `Syscall.mem`). They must read
only what rendering will need: this runs on the hot path.

Entry capture: `fn(mem, args, limits) -> dict | None`
Exit capture:  `fn(mem, args, ret, limits) -> dict | None`   (called only when
the call returned; `ret` is the raw signed return value, negative errno on
failure)

Registered fd roles tell the worker which argument positions are file
descriptors, so it can record what they referred to (strace -y).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from tracer.syscalls.families import note_registration


class MemoryReader(Protocol):
    def read(self, addr: int, size: int) -> bytes | None:
        """Up to `size` bytes at `addr` (short if the mapping ends), None if unreadable."""

    def read_cstr(self, addr: int, limit: int) -> bytes | None:
        """The NUL-terminated string at `addr` without its NUL, at most `limit` bytes.

        Returns `limit + 1` bytes' worth only when the string is longer than
        `limit` (the extra byte tells the renderer to print `...`). None when memory
        ends before the NUL and before the limit: strace prints the address then.
        """


@dataclass(slots=True)
class CaptureLimits:
    """How much to read: `strsize` is strace's -s; `bufsize` caps data buffers kept for inspection."""

    strsize: int = 32
    bufsize: int = 4096
    # strace reads a path's PATH_MAX bytes: PATH_MAX - 1 to show and one more to see
    # whether it ends there (a read stops at the byte after `path_max`).
    path_max: int = 4095
    fd_paths: bool = True  # strace -y: captures may read what AT_FDCWD etc. refer to

    @property
    def data_limit(self) -> int:
        return max(self.strsize + 1, self.bufsize)


EntryCapture = Callable[[MemoryReader, tuple[int, ...], CaptureLimits], dict[Any, Any] | None]
ExitCapture = Callable[[MemoryReader, tuple[int, ...], int, CaptureLimits], dict[Any, Any] | None]

ENTRY_CAPTURES: dict[str, EntryCapture] = {}
EXIT_CAPTURES: dict[str, ExitCapture] = {}
# Exit captures of failed calls: only reads declared `on_error` (declare_exit).
ERROR_CAPTURES: dict[str, ExitCapture] = {}
# Argument positions holding file descriptors, per syscall name.
FD_ARGS: dict[str, tuple[int, ...]] = {}
# Calls whose exit capture runs also when they are interrupted to be restarted (strace
# prints nanosleep's remaining time then), and calls Python must see whole (the engine
# keeps per-task state for them: restart_syscall names the call it resumes). Both are
# Python's in both loops.
EXIT_ON_RESTART: set[str] = set()
PYTHON_ONLY: set[str] = set()
# The kernel's restart codes (ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND,
# ERESTART_RESTARTBLOCK): the call was interrupted and will be run again.
RESTART_ERRNOS = frozenset({512, 513, 514, 516})
ERESTART_RESTARTBLOCK = 516
# restart_syscall's capture: the number of the call it resumes (-1: unknown).
RESUMING_KEY = "_resuming"


def on_entry(*names: str) -> Callable[[EntryCapture], EntryCapture]:
    def register(fn: EntryCapture) -> EntryCapture:
        ops = getattr(fn, "ops", None)
        if ops is not None:  # a capture built from data (`Read`s): keep it as data
            declare_entry(names, *ops)
            return fn
        note_registration("entry", names)
        for n in names:
            ENTRY_CAPTURES[n] = fn
            ENTRY_SPECS.pop(n, None)
        return fn

    return register


def on_exit(*names: str) -> Callable[[ExitCapture], ExitCapture]:
    def register(fn: ExitCapture) -> ExitCapture:
        ops = getattr(fn, "ops", None)
        if ops is not None:
            declare_exit(names, *ops)
            return fn
        note_registration("exit", names)
        for n in names:
            EXIT_CAPTURES[n] = fn
            EXIT_SPECS.pop(n, None)
        return fn

    return register


def fd_args(positions: tuple[int, ...], *names: str) -> None:
    note_registration("fd_args", names)
    for n in names:
        FD_ARGS[n] = positions


# Calls that return a new fd only for some arguments (bpf's commands): name -> the test
# on the arguments. The engine names the fd they return (-y) when the test holds.
RETURNS_FD_WHEN: dict[str, Callable[[tuple[int, ...]], bool]] = {}


def returns_fd_when(name: str, test: Callable[[tuple[int, ...]], bool]) -> None:
    note_registration("returns_fd_when", (name,))
    RETURNS_FD_WHEN[name] = test


def python_only(*names: str) -> None:
    """Calls whose stops Python must see whole (see PYTHON_ONLY)."""
    note_registration("python_only", names)
    PYTHON_ONLY.update(names)


# ---- captures as data ---------------------------------------------------------------
#
# The common captures are declared as a list of `Read`s instead of a function. The
# same list is interpreted here (the Python loop) and compiled into the C capture
# core's plan (`tracer/engine/core_plan.py`), so both loops read the same memory.
# A syscall whose captures are all declared can be handled by the C core whole.

# Symbolic sizes, resolved from `CaptureLimits` when a plan is built.
LIMIT_PATH = -1  # limits.path_max
LIMIT_STR = -2  # limits.strsize
LIMIT_DATA = -3  # limits.data_limit
LIMIT_STR_PLUS1 = -4  # limits.strsize + 1 (an argv's pointers: one more says "...")

SKIP: Any = object()  # a converter's "leave the key out"

# The largest single read (what `ProcessMemory.read` can return): 64 pages.
READ_MAX = 64 * 4096
# `Read.arg` naming the stack pointer at the call's entry, not an argument.
ARG_SP = 6


@dataclass(frozen=True, slots=True)
class Read:
    """One piece of tracee memory: the address is argument `arg`.

    A string (`cstr`) is read up to `size` bytes (a limit). Bytes are read for a
    size that is `size` itself, argument `size_arg` (unsigned), or the return
    value (`size_ret`), times `scale`, at most `cap`. Outcomes, in this order:
    a size <= 0 with `nonpos_first` gives `b""` (or None without `nonpos_empty`);
    a NULL address gives None, or no key with `null_skip`; a size <= 0 gives as
    before; a failed read gives None, or no key with `bad_skip`; with `exact`, a
    short read counts as failed. `convert` turns the bytes into what the decoder
    keeps (a struct's tuple, a count); it may return SKIP. `ret_positive`: read
    only when the call returned more than 0. `when` = (argument, mask, values): read
    only when the argument's bits under the mask are one of `values` (any bit set when
    `values` is empty), as a futex's timeout exists only for some operations.
    `arg` may be `ARG_SP` (entry only): the stack pointer; `offset` is added to the
    address (rt_sigreturn's mask lies in the signal frame on the stack). `deref` >= 0:
    the address is the pointer stored at that offset from it (a field of a structure
    the argument points to, such as clone3's parent_tid); an unreadable pointer counts
    as a failed read, a NULL one as a NULL address. Exit reads run when the call
    succeeded; `on_error` ones when it failed too (nanosleep's remaining time, written
    when a signal interrupts it). `size_ptr` >= 0: the size is the int argument
    `size_ptr` points to (accept's address, as long as the length the kernel wrote
    back); a NULL or unreadable one reads nothing (no key).
    """

    key: int | str
    arg: int
    size: int = 0
    cstr: bool = False
    size_arg: int = -1
    size_ret: bool = False
    scale: int = 1
    cap: int = 0
    null_skip: bool = False
    nonpos_empty: bool = True
    nonpos_first: bool = False
    bad_skip: bool = False
    exact: bool = False
    ret_positive: bool = False
    convert: Callable[[bytes], Any] | None = None
    when: tuple[int, int, tuple[int, ...]] | None = None
    offset: int = 0
    deref: int = -1
    on_error: bool = False
    size_ptr: int = -1


@dataclass(frozen=True, slots=True)
class Cwd:
    """The task's cwd under `_cwd`, when the first of `dirfds` that is AT_FDCWD exists (-y)."""

    dirfds: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Strings:
    """A NULL-terminated array of pointers at argument `arg` (execve's argv, envp).

    At most `count` pointers are read; with `strings`, the first `strsize` of them are
    read as strings of at most `strsize` bytes (as `read_cstr`). The raw outcome is
    one blob both loops build alike (see `strings_blob`); `convert` makes it what the
    decoder keeps. Nothing is kept when the address is NULL or no pointer is readable.
    """

    key: int | str
    arg: int
    count: int
    strings: bool = False
    strsize: int = 0
    convert: Callable[[bytes], Any] | None = None


@dataclass(frozen=True, slots=True)
class Handoff:
    """Memory that data cannot name (a buffer behind a pointer inside a captured
    structure): when an argument's bits match `when` (as `Read.when`), the call is
    Python's, and `read(mem, args, ret, limits) -> dict | None` runs with the other ops
    (`ret` is 0 at entry). The C core checks `when` at the call's entry, wherever the
    op is declared, and hands a matching call to the Python loop; other calls stay C's.
    `on_error` (exit ops), as `Read.on_error`: run also when the call failed (`ret` is
    then -errno), for memory a kernel writes back with an error (GIO_UNIMAP's count).
    """

    when: tuple[int, int, tuple[int, ...]]
    read: Callable[..., dict[Any, Any] | None]
    on_error: bool = False


# Iovecs.budget: every buffer whole (a write), none (the bases only), the return value's
# worth in all (a read: what it got).
IOV_ALL, IOV_NONE, IOV_RET = 0, 1, 2
IOV_SHOWN_MAX = 1024  # elements read at most (strace shows -s of them, then "...")
_IOV_ALL_DATA = 1 << 62
_IOV_HEAD = struct.Struct("<IBQ")  # elements, the array's end unreadable, its address
_IOV_ITEM = struct.Struct("<QQi")  # iov_base, iov_len, bytes of data that follow (-1: None)
_IOVEC = struct.Struct("<QQ")


def unpack_iovecs(blob: bytes) -> tuple[list[tuple[int, int, bytes | None]], int | None]:
    """(elements [(iov_base, iov_len, data or None)], the address where the array stopped
    being readable or None) from an `Iovecs` blob."""
    n, short, end = _IOV_HEAD.unpack_from(blob)
    off = _IOV_HEAD.size
    vecs: list[tuple[int, int, bytes | None]] = []
    for _ in range(n):
        base, length, dlen = _IOV_ITEM.unpack_from(blob, off)
        off += _IOV_ITEM.size
        if dlen < 0:
            vecs.append((base, length, None))
        else:
            vecs.append((base, length, blob[off : off + dlen]))
            off += dlen
    return vecs, (end if short else None)


@dataclass(frozen=True, slots=True)
class Iovecs:
    """A `struct iovec` array at argument `arg` of argument `count_arg` elements, with the
    data of their buffers (`budget`: IOV_ALL, IOV_NONE, IOV_RET), each at most the data
    limit. Elements kept: at most -s + 1 (strace prints "..." for more) and
    IOV_SHOWN_MAX; nothing when the address is NULL, the count 0 or the array's end
    past the address space. The raw outcome is one blob both loops build alike
    (`read_iovecs`, capture_core.c run_iov_op); `convert` makes it (elements, end)."""

    key: int | str
    arg: int
    count_arg: int
    budget: int = IOV_ALL
    convert: Callable[[bytes], Any] = unpack_iovecs


def read_iovecs(
    op: Iovecs, mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits
):
    """The raw outcome of an `Iovecs` op: its blob, or SKIP."""
    addr = args[op.arg] & _U64
    count = args[op.count_arg] & _U64
    shown = min(count, limits.strsize + 1, IOV_SHOWN_MAX)
    if not addr or shown <= 0 or count * _IOVEC.size > _U64 - addr + 1:
        return SKIP
    raw = mem.read(addr, shown * _IOVEC.size) or b""
    budget = _IOV_ALL_DATA if op.budget == IOV_ALL else -1 if op.budget == IOV_NONE else ret
    n = len(raw) // _IOVEC.size
    parts = [_IOV_HEAD.pack(n, n < shown, addr + n * _IOVEC.size)]
    for i in range(n):
        base, length = _IOVEC.unpack_from(raw, i * _IOVEC.size)
        data = None
        if budget >= 0:
            take = min(length, budget, limits.data_limit)
            data = mem.read(base, take) if take > 0 else b""
            if op.budget != IOV_ALL:  # a write shows each buffer whole; a read what it got
                budget -= min(length, budget)
        if data is None:
            parts.append(_IOV_ITEM.pack(base, length, -1))
        else:
            parts.append(_IOV_ITEM.pack(base, length, len(data)) + data)
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class FdsIn:
    """Under -y, the fds stored in an array in memory, named as argument fds are (poll's
    pollfd.fd): `count_arg`'s low 32 bits elements (with `count_arg` -1: `count`; at
    most `max`) of `stride` bytes at argument `arg`, an int fd at `offset` in each;
    negative ones are no fds. The Python loop lists them under `_fds` for the worker to
    name; the C core names them itself (capture_core.c name_fds_in), and hands the call
    to Python under -yy. At exit they are new fds (pipe's pair): any name kept for their
    numbers is dropped first, by the worker or by C."""

    arg: int
    count_arg: int
    stride: int
    offset: int = 0
    max: int = 1024
    count: int = 0


def read_fds_in(op: FdsIn, mem: MemoryReader, args: tuple[int, ...]) -> list[int]:
    addr = args[op.arg] & _U64
    n = min(args[op.count_arg] & 0xFFFFFFFF if op.count_arg >= 0 else op.count, op.max)
    data = mem.read(addr, n * op.stride) if addr and n > 0 else None
    if not data:
        return []
    at = op.offset
    return [
        fd
        for off in range(0, len(data) - op.stride + 1, op.stride)
        if (fd := int.from_bytes(data[off + at : off + at + 4], "little", signed=True)) >= 0
    ]


def fs_text(data: bytes) -> str:
    """A /proc link's bytes as os.readlink gives them (the C core's FdName capture)."""
    return os.fsdecode(data)


@dataclass(frozen=True, slots=True)
class FdName:
    """What fd argument `arg` refers to now, read afresh from /proc (not the fd-name
    cache, which keeps one name per fd): dup2's target before the call replaces it.
    A str, or None when the fd is not open."""

    key: int | str
    arg: int
    convert: Callable[[bytes], Any] = fs_text


def read_fd_name(op: FdName, mem: MemoryReader, args: tuple[int, ...]) -> str | None:
    fd = args[op.arg] & 0xFFFFFFFF
    tid = getattr(mem, "tid", 0)
    if not tid or fd >= 0x80000000:
        return None
    try:
        return os.readlink(f"/proc/{tid}/fd/{fd}")
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class SocketHandoff:
    """When fd argument `fd_arg` is a socket of protocol `proto` (what sockfs's
    "system.sockprotoname" xattr says: b"NETLINK"), the call is Python's, and
    `read(mem, args, ret, limits) -> dict | None` runs with the other ops: a netlink
    socket's messages are decoded by its protocol, looked up in /proc. C asks at the
    call's entry, wherever the op is declared (as for `Handoff`); other calls stay C's."""

    fd_arg: int
    proto: bytes
    read: Callable[..., dict[Any, Any] | None]


def socket_proto(mem: MemoryReader, fd: int) -> bytes | None:
    """The protocol name of the tracee's socket `fd` (None: no socket, or unknown)."""
    tid = getattr(mem, "tid", 0)
    fd &= 0xFFFFFFFF
    if not tid or fd >= 0x80000000:
        return None
    try:
        return os.getxattr(f"/proc/{tid}/fd/{fd}", "system.sockprotoname").rstrip(b"\0")
    except OSError:
        return None


Op = Read | Cwd | Strings | Handoff | Iovecs | FdsIn | FdName | SocketHandoff
_STRINGS_HEAD = struct.Struct("<IB")
ENTRY_SPECS: dict[str, tuple[Op, ...]] = {}
EXIT_SPECS: dict[str, tuple[Op, ...]] = {}
# Where a consumer that saw the exec (the text writer) puts the environment the new
# image started with, for strace -v; the capture itself only counts the variables.
ENVIRONMENT_KEY = "environment"


def iov_end_key(pos: int) -> str:
    """The key of the address where the iovec array at argument `pos` stopped being
    readable (tracer/syscalls/decoders/iovec.py)."""
    return f"iov_end{pos}"


def iovecs_in(mem: dict | None, pos: int) -> tuple[list | None, int | None]:
    """(elements [(iov_base, iov_len, data)], where the array stopped being readable)
    captured for argument `pos`: an `Iovecs` op keeps both in one value, a capture
    function (decoders/iovec.py capture_iovecs) under two keys."""
    if not mem:
        return None, None
    vecs = mem.get(pos)
    if type(vecs) is tuple:
        return vecs
    return vecs, mem.get(iov_end_key(pos))


CWD_KEY = "_cwd"
# strace -yy: what each socket fd of the call was, found while the tracee was stopped
# (tracer/engine/socket_details.py): ((fd, text), ...), the text strace puts in <...>.
SOCKETS_KEY = "_sockets"
# [(fd, pid)] for pidfds a call made, read while the tracee was stopped (-e decode-fd=pidfd)
PIDFDS_KEY = "_pidfds"
_U64 = 0xFFFFFFFFFFFFFFFF
_AT_FDCWD = 0xFFFFFF9C  # -100 as the low 32 bits of the register


def resolve_size(n: int, limits: CaptureLimits) -> int:
    if n == LIMIT_PATH:
        return limits.path_max
    if n == LIMIT_STR:
        return limits.strsize
    if n == LIMIT_DATA:
        return limits.data_limit
    if n == LIMIT_STR_PLUS1:
        return limits.strsize + 1
    return n


def when_holds(when: tuple[int, int, tuple[int, ...]], args: tuple[int, ...]) -> bool:
    """`Read.when` / `Handoff.when`: the argument's bits under the mask are one of the
    values (any bit set when there are none)."""
    arg, mask, values = when
    bits = args[arg] & mask
    return bits in values if values else bool(bits)


def read_op(op: Read, mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    """The raw outcome of one `Read`: bytes, None, or SKIP (before `convert`)."""
    if op.ret_positive and ret <= 0:
        return SKIP
    if op.when is not None and not when_holds(op.when, args):
        return SKIP
    addr = ((args[op.arg] if op.arg < ARG_SP else stack_pointer(mem)) + op.offset) & _U64
    if op.deref >= 0:
        field = mem.read(addr + op.deref, 8) if addr else None
        if field is None or len(field) < 8:
            return SKIP if op.bad_skip else None
        addr = int.from_bytes(field, "little")
    if op.cstr:
        if not addr:
            return SKIP if op.null_skip else None
        return mem.read_cstr(addr, resolve_size(op.size, limits))
    if op.size_ret:
        n = ret
    elif op.size_ptr >= 0:
        at = args[op.size_ptr] & _U64
        raw = mem.read(at, 4) if at else None
        if raw is None or len(raw) < 4:
            return SKIP
        n = int.from_bytes(raw, "little", signed=True)
    elif op.size_arg >= 0:
        n = args[op.size_arg] & _U64
    else:
        n = resolve_size(op.size, limits)
    n *= op.scale
    cap = resolve_size(op.cap, limits)
    if cap and n > cap:
        n = cap
    if n <= 0 and op.nonpos_first:
        return b"" if op.nonpos_empty else None
    if not addr:
        return SKIP if op.null_skip else None
    if n <= 0:
        return b"" if op.nonpos_empty else None
    data = mem.read(addr, n)
    if data is None or (op.exact and len(data) < min(n, READ_MAX)):
        return SKIP if op.bad_skip else None
    return data


def read_strings(op: Strings, mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
    """The raw outcome of a `Strings` op: its blob, or SKIP.

    Blob: u32 count, u8 complete, count x u64 pointers, then (with `strings`) for the
    first min(count, strsize) pointers an i32 length (-1: unreadable) and the bytes.
    capture_core.c builds the same bytes."""
    addr = args[op.arg] & _U64
    if not addr:
        return SKIP
    limit = resolve_size(op.count, limits)
    ptrs: list[int] = []
    complete = False
    while len(ptrs) < limit:
        want = min(limit - len(ptrs), 64)
        data = mem.read(addr + 8 * len(ptrs), 8 * want)
        if data is None or len(data) < 8:
            break
        for (p,) in struct.iter_unpack("<Q", data[: len(data) // 8 * 8]):
            if p == 0:
                complete = True
                break
            ptrs.append(p)
        if complete:
            break
    if not ptrs and not complete:
        return SKIP
    parts = [_STRINGS_HEAD.pack(len(ptrs), complete), struct.pack(f"<{len(ptrs)}Q", *ptrs)]
    if op.strings:
        strsize = resolve_size(op.strsize, limits)
        for p in ptrs[:strsize]:
            text = mem.read_cstr(p, strsize)
            if text is None:
                parts.append(b"\xff\xff\xff\xff")
            else:
                parts.append(struct.pack("<i", len(text)) + text)
    return b"".join(parts)


def unpack_strings(blob: bytes, with_strings: bool) -> tuple[list[int], bool, list]:
    """(pointers, complete, strings) from a `Strings` blob."""
    n, complete = _STRINGS_HEAD.unpack_from(blob)
    off = _STRINGS_HEAD.size
    ptrs = list(struct.unpack_from(f"<{n}Q", blob, off)) if n else []
    off += 8 * n
    strings: list[bytes | None] = []
    if with_strings:
        while off < len(blob):
            (length,) = struct.unpack_from("<i", blob, off)
            off += 4
            if length < 0:
                strings.append(None)
            else:
                strings.append(blob[off : off + length])
                off += length
    return ptrs, bool(complete), strings


def finish_op(op: Read, value: Any) -> Any:
    """Apply the op's converter to a read's bytes (None and SKIP pass through)."""
    if op.convert is not None and value is not None and value is not SKIP:
        return op.convert(value)
    return value


def run_ops(
    ops: tuple[Op, ...], mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits
) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for op in ops:
        if type(op) is Strings:
            value = finish_op(op, read_strings(op, mem, args, limits))
            if value is not SKIP:
                out[op.key] = value
            continue
        if type(op) is SocketHandoff:
            if socket_proto(mem, args[op.fd_arg]) == op.proto:
                got = op.read(mem, args, ret, limits)
                if got:
                    out.update(got)
            continue
        if type(op) is FdName:
            out[op.key] = read_fd_name(op, mem, args)
            continue
        if type(op) is FdsIn:
            if limits.fd_paths:
                out.setdefault("_fds", []).extend(read_fds_in(op, mem, args))
            continue
        if type(op) is Iovecs:
            blob = read_iovecs(op, mem, args, ret, limits)
            if blob is not SKIP:
                out[op.key] = op.convert(blob)
            continue
        if type(op) is Handoff:
            if when_holds(op.when, args):
                got = op.read(mem, args, ret, limits)
                if got:
                    out.update(got)
            continue
        if type(op) is Cwd:
            if limits.fd_paths:
                for i in op.dirfds:
                    if args[i] & 0xFFFFFFFF == _AT_FDCWD:
                        cwd = _task_cwd(mem)
                        if cwd is not None:
                            out[CWD_KEY] = cwd
                        break
            continue
        value = finish_op(op, read_op(op, mem, args, ret, limits))
        if value is not SKIP:
            out[op.key] = value
    return out


def stack_pointer(mem: MemoryReader) -> int:
    """The stopped task's stack pointer at the call's entry (0 if unknown)."""
    sp = getattr(mem, "stack_pointer", 0)
    if sp:
        return sp
    tid = getattr(mem, "tid", None)
    if not tid:
        return 0
    try:  # "nr arg1..arg6 sp pc" while the task is stopped in a syscall
        with open(f"/proc/{tid}/syscall") as f:
            fields = f.read().split()
        return int(fields[7], 16) if len(fields) >= 9 else 0
    except (OSError, ValueError):
        return 0


def _task_cwd(mem: MemoryReader) -> str | None:
    tid = getattr(mem, "tid", 0)
    if not tid:
        return None
    try:
        return os.readlink(f"/proc/{tid}/cwd")
    except OSError:
        return None


def declare_entry(names: tuple[str, ...] | str, *ops: Op) -> None:
    """Entry captures as data (see `Read`), for every syscall in `names`."""
    names = (names,) if isinstance(names, str) else names
    note_registration("entry", names)
    for n in names:
        ENTRY_SPECS[n] = ops
        ENTRY_CAPTURES[n] = lambda mem, args, limits, _ops=ops: run_ops(_ops, mem, args, 0, limits)


def declare_exit(names: tuple[str, ...] | str, *ops: Op) -> None:
    """Exit captures as data (see `Read`); run when the call succeeded, and the
    `on_error` reads when it failed (ERROR_CAPTURES)."""
    on_error = tuple(op for op in ops if type(op) in (Read, Handoff) and op.on_error)
    names = (names,) if isinstance(names, str) else names
    note_registration("exit", names)
    for n in names:
        EXIT_SPECS[n] = ops
        EXIT_CAPTURES[n] = lambda mem, args, ret, limits, _ops=ops: run_ops(
            _ops, mem, args, ret, limits
        )
        if on_error:
            ERROR_CAPTURES[n] = lambda mem, args, ret, limits, _ops=on_error: run_ops(
                _ops, mem, args, ret, limits
            )
        else:
            ERROR_CAPTURES.pop(n, None)


class EntryOps:
    """An entry capture given as data: callable like a capture function, and `ops` for the plan."""

    __slots__ = ("ops",)

    def __init__(self, *ops: Op) -> None:
        self.ops = ops

    def __call__(self, mem: MemoryReader, args: tuple[int, ...], limits: CaptureLimits):
        return run_ops(self.ops, mem, args, 0, limits)


class ExitOps(EntryOps):
    __slots__ = ()

    def __call__(self, mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):  # type: ignore[override]
        return run_ops(self.ops, mem, args, ret, limits)
