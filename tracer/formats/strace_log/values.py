"""Reading strace's printed values back: argument lists, fd annotations, return values,
signals and siginfo. The inverse of the decoders' text, as far as a log needs it."""

from __future__ import annotations

import re
import struct
from functools import cache

from tracer.syscalls.imported import AT_FDCWD, leading_number, unescape

# What the scanners stop at; everything between is copied over in C.
_ANNOTATION_TOKEN = re.compile(r"\\.|[\[\]<>]")
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|/\*.*?\*/|[<()\[\]{},]')
_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_DELETED = "(deleted)"


def _annotation_end(text: str, i: int) -> int:
    """`text[i]` is the `<` of an fd annotation (`3</etc/x>`, `3<TCP:[1.2.3.4:5->6.7.8.9:10]>`,
    `3</dev/null<char 1:3>>`): the index after its `>` (and after a `(deleted)` mark)."""
    angle, square = 1, 0
    for m in _ANNOTATION_TOKEN.finditer(text, i + 1):
        c = m.group()
        if len(c) == 2:  # an escape
            continue
        j = m.start()
        if square:
            if c == "]":
                square -= 1
            elif c == "[":
                square += 1
        elif c == "[":
            if text[j - 1] == ":":  # TCP:[...], pipe:[...]: `->` inside is no bracket
                square = 1
        elif c == "<":
            angle += 1
        elif c == ">":
            angle -= 1
            if not angle:
                j += 1
                return j + len(_DELETED) if text.startswith(_DELETED, j) else j
    return len(text)


def _is_annotation(text: str, i: int) -> bool:
    """A `<` right after an fd number or AT_FDCWD (not `1<<20`, not `<unfinished ...>`)."""
    if i == 0 or text.startswith("<<", i) or text.startswith("<<", i - 1):
        return False
    return text[i - 1].isdigit() or text.endswith("AT_FDCWD", 0, i)


def scan(text: str, start: int = 0, fds: dict[int, str] | None = None) -> tuple[list[str], int]:
    """Split `text[start:]` into top-level comma-separated parts, up to an unmatched `)`.

    Returns (parts, index of that `)` or -1 if the text ends first). Quotes, comments,
    brackets and fd annotations are honoured; parts are stripped. With `fds`, the
    annotations' names are added to it (`3</etc/x>`: {3: '/etc/x'}, see `fd_names`).
    """
    parts: list[str] = []
    depth = 0
    i = part_start = start
    search = _TOKEN.search
    while True:
        m = search(text, i)
        if m is None:
            break
        c = m.group()
        i = m.end()
        if len(c) > 1:  # a string or a comment
            continue
        if c == ",":
            if not depth:
                parts.append(text[part_start : i - 1].strip())
                part_start = i
        elif c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            if depth:
                depth -= 1
            elif c == ")":
                part = text[part_start : i - 1].strip()
                if part or parts:
                    parts.append(part)
                return parts, i - 1
        elif _is_annotation(text, i - 1):  # c == "<"
            at = i - 1
            i = _annotation_end(text, at)
            if fds is not None:
                _add_name(text, at, i, fds)
    part = text[part_start:].strip()
    if part or parts:
        parts.append(part)
    return parts, -1


def _add_name(text: str, at: int, end: int, fds: dict[int, str]) -> None:
    """The annotation `text[at:end]` (from its `<`) of the fd written just before it."""
    j = at
    while j and text[j - 1].isdigit():
        j -= 1
    if j < at:
        fd = int(text[j - 1 if j and text[j - 1] == "-" else j : at])
    else:
        fd = AT_FDCWD  # (_is_annotation: digits or AT_FDCWD)
    inner = text[at + 1 : end]
    deleted = inner.endswith(">" + _DELETED)
    if deleted:
        inner = inner[: -len(_DELETED)]
    inner = inner[:-1] if inner.endswith(">") else inner
    if inner.endswith(">") and "<" in inner:  # a device: /dev/null<char 1:3>
        inner = inner[: inner.rindex("<")]
    name = unescape(inner)
    fds[fd] = name + " (deleted)" if deleted else name


def split_args(text: str) -> list[str]:
    """`3, "abc", 10` -> ['3', '"abc"', '10'] (commas inside values stay)."""
    return scan(text)[0]


def fd_names(text: str) -> dict[int, str]:
    """Every fd annotation in `text` (strace -y/-yy): `3</etc/x>` -> {3: '/etc/x'}.

    A device's `<char 1:3>` after its path is left out; a socket's `TCP:[...]` is kept
    whole, as -yy prints it; a deleted file's name ends in ` (deleted)`, as the
    kernel's does. AT_FDCWD is -100."""
    out: dict[int, str] = {}
    if "<" in text:
        scan(text, 0, out)
    return out


@cache
def errno_numbers() -> dict[str, int]:
    import errno

    from tracer.syscalls.render import ERRNO_NAMES

    out = {name: nr for name, nr in vars(errno).items() if name.startswith("E") and type(nr) is int}
    out.update({name: nr for nr, name in ERRNO_NAMES.items()})
    return out


_ERRNO = re.compile(r"(-1|\?) (E[A-Z0-9_]+|errno(\d+))\b")


def parse_return(text: str) -> tuple[int | None, int] | None:
    """(return value, errno) from a return text: `3</x>`, `0x7f00 `, `-1 ENOENT (...)`,
    `? ERESTARTSYS (...)`, `0 (Timeout)`, `?`. None if it is not one."""
    if text == "?":
        return None, 0
    m = _ERRNO.match(text)
    if m is not None:
        nr = int(m.group(3)) if m.group(3) else errno_numbers().get(m.group(2))
        if nr is None:
            return None
        return -nr, nr  # as the kernel returned it, as live calls keep it
    value = leading_number(text)
    if value is None:
        return None
    if value >= 1 << 63:  # strace prints an unsigned word; live calls keep it signed
        value -= 1 << 64
    return value, 0


@cache
def signal_numbers() -> dict[str, int]:
    from tracer.syscalls.decoders.siginfo import signal_name
    from tracer.syscalls.xlat import signal as x

    out = {signal_name(n): n for n in range(1, x.SIGRTMAX + 1)}
    out.update({name: n for n, name in x.SIGNAL_NAMES.items()})
    out.setdefault("SIGRTMIN", x.SIGRTMIN)
    return out


def signal_number(name: str) -> int | None:
    if name.isdigit():
        return int(name)
    return signal_numbers().get(name)


@cache
def _si_codes(signo: int) -> dict[str, int]:
    from tracer.syscalls.xlat import signal as x

    out = {name: code for code, name in x.SIGNAL_CODES.get(signo, {}).items()}
    out.update({name: code for code, name in x.SI_CODES.items()})
    return out


# siginfo_t fields strace prints, by name: (offset, struct format).
_SIGINFO_FIELDS = {
    "si_errno": (4, "<i"),
    "si_pid": (16, "<i"),
    "si_uid": (20, "<I"),
    "si_timerid": (16, "<I"),
    "si_overrun": (20, "<i"),
    "si_status": (24, "<i"),
    "si_int": (24, "<i"),
    "si_ptr": (24, "<Q"),
    "si_utime": (32, "<q"),
    "si_stime": (40, "<q"),
    "si_addr": (16, "<Q"),
    "si_pkey": (32, "<I"),
    "si_band": (16, "<q"),
    "si_fd": (24, "<i"),
    "si_call_addr": (16, "<Q"),
    "si_syscall": (24, "<i"),
    "si_arch": (28, "<I"),
}


def siginfo_bytes(text: str, signo: int) -> bytes:
    """The raw siginfo_t behind `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12, ...}`,
    so the event is the one a live trace gives (and prints the same)."""
    from tracer.syscalls.xlat import signal as x

    buf = bytearray(128)
    struct.pack_into("<i", buf, 0, signo)
    for part in split_args(text.strip().removeprefix("{").removesuffix("}")):
        key, _, value = part.partition("=")
        if key == "si_code":
            code = _si_codes(signo).get(value)
            if code is None:
                code = leading_number(value)
            if code is not None:
                struct.pack_into("<i", buf, 8, code if code < 1 << 31 else code - (1 << 32))
            continue
        spec = _SIGINFO_FIELDS.get(key)
        if spec is None:
            continue
        if key == "si_errno":
            number = errno_numbers().get(value)
        elif key == "si_status" and not value.lstrip("-").isdigit():
            number = signal_number(value)
        elif key == "si_syscall":
            from tracer.syscalls.table import get_table

            number = get_table().number(value.removeprefix("__NR_"))
            if number is None:
                number = leading_number(value)
        elif key == "si_arch":
            number = next((k for k, v in x.AUDIT_ARCHES.items() if v == value), None)
            if number is None:
                number = leading_number(value)
        elif value == "NULL":
            number = 0
        else:
            number = leading_number(value)
        if number is None:
            continue
        offset, fmt = spec
        bits = struct.calcsize(fmt) * 8
        number &= (1 << bits) - 1
        if fmt[1].islower() and number >= 1 << (bits - 1):
            number -= 1 << bits
        struct.pack_into(fmt, buf, offset, number)
    return bytes(buf)


def string_list(text: str) -> list[str]:
    """`["ls", "-l"]` (execve's argv) -> ['ls', '-l']; what is not a string is left out."""
    inner = text.strip()
    if not inner.startswith("["):
        return []
    inner = inner[1:].rsplit("]", 1)[0]
    return [unescape(p[1 : p.rfind('"')]) for p in split_args(inner) if p.startswith('"')]
