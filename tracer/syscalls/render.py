"""Turning a captured `Syscall` into structured, rendered arguments.

Decoder families register one function per syscall name:

    @decoder("openat")
    def decode_openat(call: Syscall, ctx: RenderContext) -> Decoded: ...

A decoder returns a `Decoded`: the argument list (each with raw value, text
and kind, so the UI can filter without parsing text) and, optionally, a
rendered return value (otherwise the generic one is used). Rendering happens
on demand and is cached by the consumer, never in the ptrace loop.
"""

from __future__ import annotations

import errno as errno_mod
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.classes import Class
from tracer.syscalls.families import (
    family_loaded,
    load_all_families,
    load_families,
    note_registration,
)
from tracer.syscalls.table import COMPAT_BASE, SyscallTable, get_table


@dataclass(slots=True)
class Arg:
    """One rendered argument.

    kind: 'fd', 'path', 'str', 'buf', 'flags', 'int', 'ptr', 'struct', 'signal', 'other'.
    `value` carries the decoded value for filtering: the fd number, the path
    string, the flag names, ...
    `at_exit` marks arguments whose text depends on the call's exit (strace
    prints them after `<... resumed>`).
    `path`: what an fd argument referred to, where the call's fd map cannot say
    (dup2's target before the call replaced it), for -P; "" keeps the fd out of -P's
    matching (fsconfig's context fd, which strace's -P does not look at).
    """

    text: str
    raw: int | None = None
    kind: str = "int"
    value: Any = None
    at_exit: bool = False
    path: str | None = None


@dataclass(slots=True)
class Decoded:
    args: list[Arg]
    ret: str | None = None  # rendered return value, None for the generic rendering
    ret_fd: bool = False  # the return value is a new fd (annotate it)


@dataclass(slots=True)
class RenderContext:
    """Rendering options (strace's -s, -y) and the table."""

    strsize: int = 32
    show_fd_paths: bool = True
    table: SyscallTable = field(default_factory=get_table)
    # strace's -e abbrev= / -v (None: every call's big structs abbreviated), -e verbose=
    # (None: every call's structs dereferenced) and -e raw= (calls shown undecoded).
    abbrev: frozenset[int] | None = None
    verbose: frozenset[int] | None = None
    raw: frozenset[int] = frozenset()
    # -yy's extra text after an fd's path (socket endpoints, device numbers); set by
    # the text writer, which knows how to find them.
    fd_details: Callable[[Syscall, int, str], str | None] | None = None
    # Rendered calls by content, for a consumer that renders every call once and in
    # order (the headless writer): loops repeat the same call, and a repeat costs a
    # dict lookup instead of a decode. None: no cache.
    render_cache: dict | None = None

    def abbreviated(self, call: Syscall) -> bool:
        """Whether big structures (stat, execve's environment, ...) are cut short."""
        return self.abbrev is None or call.nr in self.abbrev

    def dereferenced(self, call: Syscall) -> bool:
        return self.verbose is None or call.nr in self.verbose

    def fd(self, call: Syscall, fd: int) -> str:
        """An fd as strace -y prints it: `3</etc/hostname>`, plain where unknown (-100 is
        AT_FDCWD only where the argument is a dirfd: `arguments.dirfd_arg`)."""
        if self.show_fd_paths and call.fds:
            name = call.fds.get(fd)
            if name is not None:
                if self.fd_details is not None:
                    detailed = self.fd_details(call, fd, name)
                    if detailed is not None:
                        return f"{fd}{detailed}"
                return f"{fd}{fmt.fd_path(name)}"
        return str(fd)

    def fd_arg(self, call: Syscall, raw: int) -> Arg:
        fd = to_int(raw)
        return Arg(self.fd(call, fd), raw, "fd", fd)


Decoder = Callable[[Syscall, RenderContext], Decoded]
DECODERS: dict[str, Decoder] = {}
# The mem key of a call imported from an strace log: strace's own text, rendered as
# given (tracer/syscalls/imported.py).
STRACE_TEXT = "_strace"


def decoder(*names: str) -> Callable[[Decoder], Decoder]:
    def register(fn: Decoder) -> Decoder:
        note_registration("decoder", names)
        for n in names:
            DECODERS[n] = fn
        return fn

    return register


def to_int(raw: int) -> int:
    """A register word as a C int (sign-extended 32 bits)."""
    raw &= 0xFFFFFFFF
    return raw - (1 << 32) if raw & 0x80000000 else raw


def to_long(raw: int) -> int:
    """A register word as a C long (sign-extended 64 bits)."""
    raw &= 0xFFFFFFFFFFFFFFFF
    return raw - (1 << 64) if raw & (1 << 63) else raw


ERRNO_NAMES: dict[int, str] = dict(errno_mod.errorcode)
# Kernel-internal restart codes strace shows.
ERRNO_NAMES.update(
    {
        512: "ERESTARTSYS",
        513: "ERESTARTNOINTR",
        514: "ERESTARTNOHAND",
        515: "ENOIOCTLCMD",
        516: "ERESTART_RESTARTBLOCK",
        517: "EPROBE_DEFER",
        518: "EOPENSTALE",
        519: "ENOPARAM",
        521: "EBADHANDLE",
        522: "ENOTSYNC",
        523: "EBADCOOKIE",
        524: "ENOTSUPP",
        525: "ETOOSMALL",
        526: "ESERVERFAULT",
        527: "EBADTYPE",
        528: "EJUKEBOX",
        529: "EIOCBQUEUED",
        530: "ERECALLCONFLICT",
        531: "ENOGRACE",
    }
)
# Python's errorcode picks aliases strace does not use.
ERRNO_NAMES[11] = "EAGAIN"
ERRNO_NAMES[35] = "EDEADLK"
ERRNO_NAMES[95] = "EOPNOTSUPP"

RESTART_MESSAGES = {
    512: "To be restarted if SA_RESTART is set",
    513: "To be restarted",
    514: "To be restarted if no handler",
    516: "Interrupted by signal",
}


def errno_name(err: int) -> str:
    return ERRNO_NAMES.get(err, f"errno{err}")


def errno_meaning(err: int) -> str:
    """What an errno means: libc's message, or the kernel's for its restart codes, which
    libc calls `Unknown error 516`; empty when nobody has words for it (other than the
    kernel's internal codes strace names: those keep libc's `Unknown error 524`)."""
    msg = RESTART_MESSAGES.get(err) or os.strerror(err)
    if 512 <= err <= 531:  # named kernel codes keep libc's words (`Unknown error 524`)
        return msg
    return "" if msg.startswith("Unknown error") else msg


def errno_text(err: int) -> str:
    """`ENOENT (No such file or directory)` as strace prints a failure."""
    msg = errno_meaning(err)
    return f"{errno_name(err)} ({msg})" if msg else errno_name(err)


def generic_args(call: Syscall, ctx: RenderContext, nargs: int, name: str = "") -> list[Arg]:
    from tracer.syscalls.prototypes import PROTOTYPES, typed_args

    types = PROTOTYPES.get(name)
    if types is not None:  # the prototype's C types: an int from its low 32 bits
        return typed_args(call, ctx, types[:nargs])
    out = []
    for raw in call.args[:nargs]:
        v = to_long(raw)
        out.append(Arg(f"{raw:#x}" if v > 0xFFFF or v < -0xFFFF else str(v), raw, "int", v))
    return out


@dataclass(slots=True)
class RenderedCall:
    name: str
    args: list[Arg]
    ret: str  # '= ...' part without '= '
    ret_fd: bool = False

    def args_text(self) -> str:
        return ", ".join(a.text for a in self.args)

    def entry_args_text(self) -> str:
        """What strace prints before `<unfinished ...>`: the arguments known at entry, up
        to the first one the exit decides (`read(3,`): the ones after it wait too."""
        shown = list(takewhile(lambda a: not a.at_exit, self.args))
        text = ", ".join(a.text for a in shown)
        return text + "," if len(shown) < len(self.args) and shown else text


# int's own `&`: IntFlag's builds a new flag member on every call (~1.5 µs per line).
_int_and = int.__and__
_RETURNS_FD = int(Class.RETURNS_FD)


def render_ret(call: Syscall, ctx: RenderContext, dec: Decoded | None, classes: Class) -> str:
    if call.ret is None:
        return "?"
    if call.error:
        if call.error in RESTART_MESSAGES:  # restart codes: the call did not return
            return f"? {errno_text(call.error)}"
        return f"-1 {errno_text(call.error)}"
    if dec is not None and dec.ret is not None:
        return dec.ret
    ret = call.ret
    if (dec is not None and dec.ret_fd) or _int_and(classes, _RETURNS_FD):
        return ctx.fd(call, ret)
    return str(ret)  # strace's default: decimal (addresses come hex from their decoders)


_CACHE_MAX = 4096


def render(call: Syscall, ctx: RenderContext) -> RenderedCall:
    """Render a call; never raises: a failing decoder falls back to raw words.

    With `ctx.render_cache`, a call equal in everything its text depends on (number,
    arguments, outcome, captured memory and fd names) to one rendered before gets the
    same `RenderedCall` (callers only read it). Not with -yy's details, which are
    looked up per process when rendered."""
    cache = ctx.render_cache
    if cache is None or ctx.fd_details is not None:
        return _render(call, ctx)
    mem, fds = call.mem, call.fds
    key = (
        call.nr,
        call.args,
        call.ret,
        call.error,
        call.no_return,
        tuple(mem.items()) if mem else None,
        tuple(fds.items()) if fds else None,
    )
    try:
        got = cache.get(key)
    except TypeError:  # a capture kept as a list (iovecs): not hashable, not cached
        return _render(call, ctx)
    if got is None:
        got = _render(call, ctx)
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = got
    return got


def _render(call: Syscall, ctx: RenderContext) -> RenderedCall:
    mem = call.mem
    if mem and STRACE_TEXT in mem:
        from tracer.syscalls.imported import render_imported

        return render_imported(call, ctx, mem[STRACE_TEXT])
    d = ctx.table.get(call.nr)
    name = d.name if d else f"syscall_{call.nr:#x}"
    nargs = d.nargs if d else 6
    classes = d.classes if d else Class.NONE
    if ctx.raw and call.nr in ctx.raw:
        return render_raw(call, name, nargs)
    fn = None
    if call.nr < COMPAT_BASE:  # 32-bit calls are shown raw: their layouts differ
        if not family_loaded(name):  # its family is imported when first needed
            load_families((name,))
        fn = DECODERS.get(name)
    dec: Decoded | None = None
    if fn is not None:
        try:
            dec = fn(call, ctx)
        except Exception:  # a decoder bug must not lose the event
            dec = None
    if dec is not None:
        args = dec.args
    elif d is None or call.nr >= COMPAT_BASE:  # unknown, or 32-bit: every word in hex
        if d is None:
            args = [Arg(f"{raw:#x}" if raw else "0", raw, "int", raw) for raw in call.args]
        else:  # a 32-bit call: small words (fds, counts, flags) in decimal
            args = [
                Arg(str(raw) if raw <= 0xFFFF else f"{raw:#x}", raw, "int", raw)
                for raw in call.args[:nargs]
            ]
    else:
        args = generic_args(call, ctx, nargs, name)
    if ctx.verbose is not None and call.nr not in ctx.verbose:
        # -e verbose= leaves these calls' structures undereferenced: their addresses.
        args = [
            Arg(fmt.pointer(a.raw), a.raw, "ptr", a.raw, a.at_exit)
            if a.raw is not None and _is_structure(a)
            else a
            for a in args
        ]
    return RenderedCall(name, args, render_ret(call, ctx, dec, classes), bool(dec and dec.ret_fd))


def _is_structure(a: Arg) -> bool:
    """What -e verbose= leaves undereferenced: structs, arrays of them, execve's vectors."""
    text = a.text
    return a.kind == "struct" or text.startswith("[{") or (a.kind == "ptr" and " /* " in text)


def _c_hex(word: int) -> str:
    return f"{word:#x}" if word else "0"


def render_raw(call: Syscall, name: str, nargs: int) -> RenderedCall:
    """strace -e raw=: every argument and the return value as a hex word."""
    args = [Arg(_c_hex(raw), raw, "int", raw) for raw in call.args[:nargs]]
    if call.ret is None:
        ret = "?"
    elif call.error:
        ret = f"-1 {errno_text(call.error)}"
    else:
        ret = _c_hex(call.ret & 0xFFFFFFFFFFFFFFFF)
    return RenderedCall(name, args, ret)


def load_decoders() -> None:
    """Import every decoder family (a consumer that looks at every syscall's registrations;
    rendering loads a call's family by itself: tracer/syscalls/families.py)."""
    load_all_families()
