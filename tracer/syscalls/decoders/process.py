"""Decoders for process lifetime: execve, clone, wait4/waitid, exit, and per-task setup (clone3: clone3.py)."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import (
    ENVIRONMENT_KEY,
    LIMIT_STR,
    LIMIT_STR_PLUS1,
    SKIP,
    CaptureLimits,
    Handoff,
    MemoryReader,
    Read,
    Strings,
    declare_entry,
    declare_exit,
    fd_args,
    read_strings,
    unpack_strings,
)
from tracer.syscalls.decoders.arguments import (
    dirfd_arg,
    flags_arg,
    int_arg,
    mem_of,
    ok,
    path_arg,
    path_capture,
    ptr_arg,
    struct_arg,
)
from tracer.syscalls.decoders.misc import clock_ticks
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import file as xfile
from tracer.syscalls.xlat import process as x

_PTR = struct.Struct("<Q")
_INT = struct.Struct("<i")
MAX_ENV_COUNT = 65536

# --- execve -----------------------------------------------------------------------


def _argv(blob: bytes) -> tuple[list[bytes | None], bool, list[int]]:
    ptrs, complete, strings = unpack_strings(blob, True)
    # At most strsize + 1 pointers are read: a complete array has at most strsize.
    return strings, complete, ptrs


def _env_count(blob: bytes) -> tuple[int, bool]:
    """(variables, unterminated): an array whose end could not be read is unterminated
    (strace: `/* 5 vars, unterminated */`); one longer than we count is not."""
    ptrs, complete, _ = unpack_strings(blob, False)
    return len(ptrs), not complete and len(ptrs) < MAX_ENV_COUNT


# The environment's strings, kept where strace prints them (-v).
ENV_STRINGS_KEY = "env_strings"
_ALWAYS = (0, 0, (0,))  # a Handoff condition every call meets


def _whole_array(mem: MemoryReader, addr: int, limits: CaptureLimits) -> tuple | None:
    """Every pointer of a NULL-terminated array and its string (-s long), as `_argv` gives
    them: strace -v prints argv and envp whole."""
    op = Strings(0, 0, MAX_ENV_COUNT)
    blob = read_strings(op, mem, (addr,), limits)
    if blob is SKIP:
        return None
    ptrs, complete, _ = unpack_strings(blob, False)
    return [mem.read_cstr(p, limits.strsize) for p in ptrs], complete, ptrs


def _whole_arrays(base: int):
    def read(mem: MemoryReader, args, ret: int, limits: CaptureLimits) -> dict:
        got = {base + 1: _whole_array(mem, args[base + 1], limits)}
        got[ENV_STRINGS_KEY] = _whole_array(mem, args[base + 2], limits)
        return {k: v for k, v in got.items() if v is not None}

    return read


def _exec_ops(base: int, whole: bool = False) -> tuple:
    ops = (
        *path_capture(base, dirfds=(0,) if base else ()).ops,
        Strings(base + 1, base + 1, LIMIT_STR_PLUS1, True, LIMIT_STR, convert=_argv),
        Strings(base + 2, base + 2, MAX_ENV_COUNT, convert=_env_count),
    )
    if whole:  # strings past -s of them: the Python loop reads them
        ops += (Handoff(_ALWAYS, _whole_arrays(base)),)
    return ops


def read_environments(whole: bool) -> None:
    """Read argv and the environment whole (strace -v prints them; by default -s of argv's
    strings and the number of variables). Set once before tracing starts; the worker and
    the writer process inherit it."""
    declare_entry("execve", *_exec_ops(0, whole))
    declare_entry("execveat", *_exec_ops(1, whole))


read_environments(False)
fd_args((0,), "execveat")


def argv_arg(call: Syscall, ctx: RenderContext, pos: int, key: int | str | None = None) -> Arg:
    """An argv-like array of strings (argument `pos`, captured under `key`, else `pos`)."""
    raw = call.args[pos]
    captured = mem_of(call, pos if key is None else key)
    if captured is None:
        return ptr_arg(raw)
    strings, complete = captured[0], captured[1]
    ptrs = captured[2] if len(captured) > 2 else []
    limit = ctx.strsize if ctx.abbreviated(call) else len(strings)
    # a string strace cannot read prints as its address
    parts = [
        fmt.quote_cstr(s, ctx.strsize) if s is not None or i >= len(ptrs) else f"{ptrs[i]:#x}"
        for i, s in enumerate(strings[:limit])
    ]
    if not complete and ptrs and len(ptrs) <= limit:
        # the array's end could not be read: strace names the element it stopped at
        parts.append(f"... /* {(raw & 0xFFFFFFFFFFFFFFFF) + 8 * len(ptrs):#x} */")
    elif not complete or len(strings) > limit:
        parts.append("...")
    value = [s.decode("utf-8", "surrogateescape") if s is not None else None for s in strings]
    return Arg("[" + ", ".join(parts) + "]", raw, "struct", value)


def envp_arg(call: Syscall, pos: int, ctx: RenderContext | None = None) -> Arg:
    raw = call.args[pos]
    count = mem_of(call, pos)
    env = call.mem.get(ENVIRONMENT_KEY) if call.mem else None
    if ctx is not None and not ctx.abbreviated(call) and mem_of(call, ENV_STRINGS_KEY) is not None:
        return argv_arg(call, ctx, pos, ENV_STRINGS_KEY)
    if env is not None and ctx is not None and not ctx.abbreviated(call):
        # Unabbreviated (-v), strace prints every variable, not -s of them.
        parts = [fmt.quote_cstr(fmt.os_bytes(v), ctx.strsize) for v in env]
        return Arg("[" + ", ".join(parts) + "]", raw, "struct", list(env))
    if not raw or count is None:
        return ptr_arg(raw)
    count, unterminated = count if isinstance(count, tuple) else (count, False)
    unterminated = ", unterminated" if unterminated else ""
    text = f"{raw:#x} /* {count} var{'' if count == 1 else 's'}{unterminated} */"
    return Arg(text, raw, "ptr", count)


@decoder("execve")
def decode_execve(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([path_arg(call, 0), argv_arg(call, ctx, 1), envp_arg(call, 2, ctx)])


@decoder("execveat")
def decode_execveat(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [dirfd_arg(call, ctx, a[0]), path_arg(call, 1), argv_arg(call, ctx, 2)]
    return Decoded([*args, envp_arg(call, 3, ctx), flags_arg(a[4], xfile.AT_FLAGS)])


# --- clone, fork ----------------------------------------------------------------


def clone_flags(flags: int, table: list[tuple[int, str]]) -> str:
    """strace's two parts under -X: the flags (hex) and the exit signal (decimal),
    `0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */`."""
    sig = flags & x.CSIGNAL
    rest = flags & ~x.CSIGNAL
    sig_text = fmt.styled_decimal(sig, fmt.signal_name(sig)) if sig else ""
    if not rest:
        return sig_text or "0"
    text = _clone_flag_names(rest, table)
    return f"{text}|{sig_text}" if sig else text


@fmt.constant_text
def _clone_flag_names(flags: int, table: list[tuple[int, str]]) -> str:
    return fmt.flags(flags, table)


def _int32(data: bytes) -> int:
    return _INT.unpack_from(data)[0]


# The child's tid the kernel stored at parent_tid (as data, so the C core takes clone).
declare_exit(
    "clone",
    Read(
        2,
        2,
        size=4,
        exact=True,
        null_skip=True,
        bad_skip=True,
        convert=_int32,
        when=(0, x.CLONE_PARENT_SETTID, ()),
    ),
)


@decoder("clone")
def decode_clone(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = a[0] & 0xFFFFFFFFFFFFFFFF
    text = clone_flags(flags, x.CLONE_FLAGS)
    args = [
        Arg(f"child_stack={fmt.pointer(a[1])}", a[1], "ptr", a[1]),
        Arg(f"flags={text}", a[0], "flags", text),
    ]
    if flags & (x.CLONE_PARENT_SETTID | x.CLONE_PIDFD):
        tid = mem_of(call, 2)
        shown = f"[{tid}]" if tid is not None and ok(call) else fmt.pointer(a[2])
        args.append(Arg(f"parent_tid={shown}", a[2], "ptr", tid, True))
    if flags & x.CLONE_SETTLS:
        args.append(Arg(f"tls={fmt.pointer(a[4])}", a[4], "ptr", a[4], True))
    if flags & (x.CLONE_CHILD_SETTID | x.CLONE_CHILD_CLEARTID):
        args.append(Arg(f"child_tidptr={fmt.pointer(a[3])}", a[3], "ptr", a[3], True))
    return Decoded(args)


# --- wait4, waitid -------------------------------------------------------------------------


def format_wait_status(status: int) -> str:
    """`[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]` without the brackets."""
    status &= 0xFFFFFFFF
    low = status & 0x7F
    if status & 0xFF == 0x7F:
        text = f"{{WIFSTOPPED(s) && WSTOPSIG(s) == {fmt.signal_name((status >> 8) & 0xFF)}}}"
        event = status >> 16
        if event:
            text += " | " + x.PTRACE_EVENTS.get(event, f"{event:#x}") + " << 16"
        return text
    if status == 0xFFFF:
        return "{WIFCONTINUED(s)}"
    if low == 0:
        text = f"{{WIFEXITED(s) && WEXITSTATUS(s) == {(status >> 8) & 0xFF}}}"
        extra = status & ~0xFFFF
    else:
        core = " && WCOREDUMP(s)" if status & 0x80 else ""
        text = f"{{WIFSIGNALED(s) && WTERMSIG(s) == {fmt.signal_name(low)}{core}}}"
        extra = status & ~0xFF
    return f"{text} | {extra:#x}" if extra else text


# struct rusage: two struct timeval, then fourteen longs
_RUSAGE = struct.Struct("<qQqQ14Q")
_RUSAGE_LONGS = (
    "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
    "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw",
)  # fmt: skip


def format_rusage(ru: tuple, abbreviated: bool = True) -> str:
    """The two times, then the counters (all of them only under -v, as strace)."""
    text = (
        f"{{ru_utime={{tv_sec={ru[0]}, tv_usec={ru[1]}}}, "
        f"ru_stime={{tv_sec={ru[2]}, tv_usec={ru[3]}}}"
    )
    if abbreviated or len(ru) < _RUSAGE.size // 8:
        return text + ", ...}"
    return (
        text + "".join(f", {name}={v}" for name, v in zip(_RUSAGE_LONGS, ru[4:], strict=True)) + "}"
    )


declare_exit(
    "wait4",
    Read(
        1, 1, 4, ret_positive=True, null_skip=True, exact=True, convert=lambda d: _INT.unpack(d)[0]
    ),
    Read(3, 3, _RUSAGE.size, null_skip=True, exact=True, convert=_RUSAGE.unpack),
)


def rusage_arg(call: Syscall, ctx: RenderContext, pos: int, decoded: bool = True) -> Arg:
    raw = call.args[pos]
    ru = mem_of(call, pos)
    if ru is None or not ok(call) or not decoded:
        return ptr_arg(raw, at_exit=True)
    return struct_arg(format_rusage(ru, ctx.abbreviated(call)), raw, ru, at_exit=True)


@decoder("wait4")
def decode_wait4(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    status = mem_of(call, 1)
    if a[1] and status is not None and ok(call) and call.ret:
        st = struct_arg(f"[{format_wait_status(status)}]", a[1], status, at_exit=True)
    else:
        st = ptr_arg(a[1], at_exit=True)
    return Decoded(
        [
            int_arg(a[0]),
            st,
            flags_arg(a[2], x.WAIT_OPTIONS, unknown="W???"),
            rusage_arg(call, ctx, 3, decoded=bool(call.ret)),  # no child reported: not filled
        ]
    )


# siginfo_t as filled for SIGCHLD: signo, errno, code, pid, uid, status, utime, stime
_SIGCHLD_INFO = struct.Struct("<iii4xiIi4xqq")


# siginfo and rusage: no key where NULL, None where unreadable or short.
declare_exit(
    "waitid",
    Read(2, 2, _SIGCHLD_INFO.size, null_skip=True, exact=True, convert=_SIGCHLD_INFO.unpack),
    Read(4, 4, _RUSAGE.size, null_skip=True, exact=True, convert=_RUSAGE.unpack),
)


def format_sigchld_info(si: tuple) -> str:
    signo, _errno, code, pid, uid, status, utime, stime = si
    if signo == 0:
        return "{}"
    code_name = x.CLD_CODES.get(code, str(code))
    shown = str(status) if code == x.CLD_EXITED else fmt.signal_name(status)
    return (
        f"{{si_signo={fmt.signal_name(signo)}, si_code={code_name}, si_pid={pid}, "
        f"si_uid={uid}, si_status={shown}, si_utime={clock_ticks(utime)}, "
        f"si_stime={clock_ticks(stime)}}}"
    )


@decoder("waitid")
def decode_waitid(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    idtype = a[0] & 0xFFFFFFFF
    ident = ctx.fd_arg(call, a[1]) if idtype == 3 else int_arg(a[1])
    si = mem_of(call, 2)
    if si is not None and ok(call):
        info = struct_arg(format_sigchld_info(si), a[2], si, at_exit=True)
    else:
        info = ptr_arg(a[2], at_exit=True)
    kind = Arg(x.WAITID_TYPES.get(idtype, str(idtype)), a[0], "flags", idtype)
    return Decoded(
        [
            kind,
            ident,
            info,
            flags_arg(a[3], x.WAIT_OPTIONS, unknown="W???"),
            rusage_arg(call, ctx, 4),
        ]
    )


# --- exit and per-task setup -----------------------------------------------------------------


@decoder("exit", "exit_group")
def decode_exit(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0])])
