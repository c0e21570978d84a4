"""Calls imported from an strace log: their text is strace's, carried as given.

An imported call has no captured memory to decode, only what strace printed. So
its "capture" is that text: `call.mem[STRACE_TEXT]` holds

    (argument texts, how many of them strace printed at entry, return text)

(`read(3,  <unfinished ...>` then `<... read resumed>"abc", 10) = 3` gives
`(("3", '"abc"', "10"), 1, "3")`). Whatever carries a call's memory carries it
too (the store, the headless pipeline, session files), and `render` turns it
into the same `RenderedCall` as a decoded call, so every writer, the explorer
and the filters take it as they take any other call. Argument kinds (fd, path,
str, ...) are read off the text and the syscall's decoders; `call.args` holds
the numbers the text gives (fds, counts), so `fd:` works on the store's columns.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from tracer.syscalls.render import STRACE_TEXT, Arg, RenderedCall

if TYPE_CHECKING:
    from tracer.events import Syscall
    from tracer.syscalls.render import RenderContext

__all__ = ["STRACE_TEXT", "leading_number", "render_imported", "search_text", "unescape"]

AT_FDCWD = -100
_FD = re.compile(r"(-?\d+|AT_FDCWD)(<|$)")
_NUMBER = re.compile(r"-?(?:0x[0-9a-fA-F]+|\d+)")
_NAMES = re.compile(r"[A-Z_][A-Z0-9_]*(?:\|[A-Z0-9_][A-Z0-9_|]*)*")
_U64 = (1 << 64) - 1
_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, "e": 27}
_OCTAL = frozenset("01234567")
_HEX = frozenset("0123456789abcdefABCDEF")


def leading_number(text: str) -> int | None:
    """The number an argument's text starts with: `3</etc/x>` 3, `AT_FDCWD` -100, `0x10` 16."""
    first = text[:1]
    if not (first.isdigit() or first == "-"):
        return AT_FDCWD if first == "A" and text.startswith("AT_FDCWD") else None
    if text.isdigit() and (first != "0" or len(text) == 1):
        return int(text)
    m = _NUMBER.match(text)
    if m is None:
        return None
    digits = m.group()
    sign = -1 if digits[0] == "-" else 1
    digits = digits.lstrip("-")
    if digits[:2] in ("0x", "0X"):
        return sign * int(digits, 16)
    if len(digits) > 1 and digits[0] == "0" and set(digits) <= _OCTAL:
        return sign * int(digits, 8)  # modes: 0644
    return sign * int(digits)


@cache
def path_positions(name: str) -> frozenset[int]:
    """Argument positions a syscall's decoder renders as paths, learnt by rendering a
    probe call with a string at one position at a time (one truth: the decoders)."""
    from tracer.events import Syscall
    from tracer.syscalls.families import load_families
    from tracer.syscalls.render import DECODERS, RenderContext
    from tracer.syscalls.table import get_table

    load_families((name,))
    table = get_table()
    d = table.by_name.get(name)
    fn = DECODERS.get(name)
    if d is None or fn is None:
        return frozenset()
    ctx = RenderContext()
    found = set()
    for i in range(d.nargs):
        probe = Syscall(0, 1, 1, d.nr, (0x1000,) * 6, 0.0, 0.0, 0, 0, {i: b"/p"}, done=True)
        try:
            args = fn(probe, ctx).args
        except Exception:  # a decoder that needs more than a string to render
            continue
        if i < len(args) and args[i].kind == "path":
            found.add(i)
    return frozenset(found)


@cache
def _fd_positions(name: str) -> frozenset[int]:
    from tracer.syscalls import capture
    from tracer.syscalls.classes import Class
    from tracer.syscalls.families import load_families
    from tracer.syscalls.table import get_table

    load_families((name,))
    known = capture.FD_ARGS.get(name)
    if known is not None:
        return frozenset(known)
    d = get_table().by_name.get(name)
    return frozenset((0,)) if d is not None and d.classes & Class.DESC and d.nargs else frozenset()


def unescape(text: str) -> str:
    """What strace's escaped text stands for: `\\n`, `\\"`, `\\\\`, octal `\\33`, hex
    `\\x1b`; bytes that are not UTF-8 come back as surrogate escapes (as the OS's names)."""
    if "\\" not in text:
        return text
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\" or i + 1 == n:
            out += c.encode("utf-8", "surrogateescape")
            i += 1
            continue
        e = text[i + 1]
        if e in _OCTAL:
            j = i + 1
            while j < n and j < i + 4 and text[j] in _OCTAL:
                j += 1
            out.append(int(text[i + 1 : j], 8) & 0xFF)
            i = j
        elif e == "x" and len(text[i + 2 : i + 4]) == 2 and set(text[i + 2 : i + 4]) <= _HEX:
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        elif e in _ESCAPES or e.isascii():
            out.append(_ESCAPES.get(e, ord(e)))  # \\ \" and the C letters
            i += 2
        else:  # not an escape strace writes: keep it
            out += b"\\"
            i += 1
    return out.decode("utf-8", "surrogateescape")


def unquote(text: str) -> str:
    """The string a quoted strace string stands for: `"a\\nb"...` -> `a<newline>b`."""
    end = text.rfind('"')
    return unescape(text[1:end] if end > 0 else text[1:])


def imported_arg(name: str, i: int, text: str, exit_arg: bool) -> Arg:
    """One argument from its text, its kind read off the text (fd and path positions
    from the syscall's decoders)."""
    first = text[:1]
    if first == '"':
        kind = "path" if i in path_positions(name) else "str"
        return Arg(text, None, kind, unquote(text), exit_arg)
    if first in ("{", "["):
        return Arg(text, None, "struct", None, exit_arg)
    number = leading_number(text)
    if number is not None:
        # `3</x>` (-y), or a plain number (or AT_FDCWD) where the syscall takes an fd
        m = _FD.match(text)
        is_fd = m is not None and (
            m.group(2) == "<" or (m.end() == len(text) and i in _fd_positions(name))
        )
        raw = number & _U64
        if is_fd:
            return Arg(text, raw, "fd", number, exit_arg)
        return Arg(text, raw, "int", number, exit_arg)
    if text == "NULL":
        return Arg(text, 0, "ptr", 0, exit_arg)
    if _NAMES.fullmatch(text):
        return Arg(text, None, "flags", text, exit_arg)
    return Arg(text, None, "other", None, exit_arg)


def render_imported(call: Syscall, ctx: RenderContext, given: tuple) -> RenderedCall:
    texts, entry, ret = given
    name = ctx.table.name(call.nr)
    args = [imported_arg(name, i, t, i >= entry) for i, t in enumerate(texts)]
    return RenderedCall(
        name, args, ret, bool(call.ret is not None and call.ret in (call.fds or ()))
    )


def search_text(
    call: Syscall, ctx: RenderContext, in_progress: bool
) -> tuple[str, tuple[str, ...]]:
    """(lowercase search text, paths and fd names) of an imported call: its displayed line."""
    from tracer.syscalls.render import render

    rc = render(call, ctx)
    paths = list((call.fds or {}).values())
    paths += [a.value for a in rc.args if a.kind == "path" and a.value]
    if in_progress:
        text = f"{rc.name}({rc.entry_args_text()} <... in progress>"
    else:
        text = f"{rc.name}({rc.args_text()}) = {rc.ret}"
    return text.lower(), tuple(paths)
