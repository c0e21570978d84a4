"""Rendering primitives shared by decoder families: strings, flags, enums, as strace prints them."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

_SIMPLE_ESCAPES = {
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\v"): "\\v",
    ord("\f"): "\\f",
    ord("\r"): "\\r",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
}


# Fast paths in C for the common buffers (paths, text): bytes that print as
# themselves, or as themselves and one-letter escapes. Anything else takes the
# loop, for strace's context-dependent octal (`\1` vs `\0011`).
_AS_IS = bytes(c for c in range(0x20, 0x7F) if c not in (0x22, 0x5C))
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + bytes(_SIMPLE_ESCAPES)
_PLAIN_REPLACE = [(chr(c), e) for c, e in _SIMPLE_ESCAPES.items() if c != 0x5C]


class OutputStyle:
    """strace's process-wide printing styles: `--strings-in-hex` (-x, -xx) and
    `--const-print-style` (-X). Set once, by `configure`, in the headless writer
    process before anything is rendered; the app keeps strace's defaults."""

    strings_in_hex = "none"  # "none", "non-ascii-chars", "non-ascii" (-x), "all" (-xx)
    constants = "abbrev"  # "abbrev", "raw", "verbose"


STYLE = OutputStyle()


def configure(strings_in_hex: str = "none", constants: str = "abbrev") -> None:
    STYLE.strings_in_hex = strings_in_hex
    STYLE.constants = constants


def _needs_hex(data: bytes) -> bool:
    """-x: a string holding a byte that is neither printable nor a C whitespace escape
    is printed entirely in hex."""
    return any(c > 0x7E or (c < 0x20 and not 9 <= c <= 13) for c in data)


def _escape_hex(data: bytes, octal: bytes = b"") -> str:
    mode = STYLE.strings_in_hex
    if mode == "all" or (mode == "non-ascii" and _needs_hex(data)):
        return "".join(f"\\x{c:02x}" for c in data)
    out: list[str] = []
    for c in data:
        if 0x20 <= c < 0x7F and c != 0x22 and c != 0x5C and c not in octal:
            out.append(chr(c))
        else:
            out.append(_SIMPLE_ESCAPES.get(c) or f"\\x{c:02x}")
    return "".join(out)


def _escape(data: bytes) -> str:
    if STYLE.strings_in_hex != "none":
        return _escape_hex(data)
    if not data.translate(None, _AS_IS):
        return data.decode("ascii")
    if not data.translate(None, _PLAIN_BYTES):
        text = data.decode("ascii").replace("\\", "\\\\")  # the backslash first
        for c, esc in _PLAIN_REPLACE:
            if c in text:
                text = text.replace(c, esc)
        return text
    return _escape_octal(data)


def _octal_forms(c: int) -> tuple[str, str]:
    """(short, full) octal escapes of byte `c`: `\\1` and `\\001`."""
    full = f"\\{c >> 6}{(c >> 3) & 7}{c & 7}"
    if c >> 6:
        return full, full
    return (f"\\{(c >> 3) & 7}{c & 7}" if c >> 3 else f"\\{c & 7}"), full


# Per byte: its text when no octal digit follows it, and when one does (only octal
# escapes differ: strace writes all three digits before a digit that would join them).
_BYTE_TEXT = [
    chr(c) if 0x20 <= c < 0x7F and c not in _SIMPLE_ESCAPES else
    _SIMPLE_ESCAPES.get(c) or _octal_forms(c)[0]
    for c in range(256)
]  # fmt: skip
_BYTE_TEXT_BEFORE_DIGIT = [
    _octal_forms(c)[1] if _BYTE_TEXT[c].startswith("\\") and c not in _SIMPLE_ESCAPES
    else _BYTE_TEXT[c]
    for c in range(256)
]  # fmt: skip
_OCTAL_ESCAPED = bytes(c for c in range(256) if _BYTE_TEXT[c] != _BYTE_TEXT_BEFORE_DIGIT[c])
_OCTAL_BEFORE_DIGIT = re.compile(b"[" + re.escape(_OCTAL_ESCAPED) + b"](?=[0-7])")
# Binary buffers repeat (every program's ELF header read by the loader): their texts are
# kept, up to this many, for buffers up to _CACHED_LEN bytes.
_OCTAL_CACHE: dict[bytes, str] = {}
_OCTAL_CACHE_MAX = 1024
_CACHED_LEN = 256


def _escape_octal(data: bytes, octal: bytes = b"") -> str:
    """`octal`: printable bytes that must be escaped in octal too (strace's escape_chars)."""
    if octal:
        return _escape_octal_loop(data, octal)
    cache = len(data) <= _CACHED_LEN and type(data) is bytes  # a key must be hashable
    if cache:
        got = _OCTAL_CACHE.get(data)
        if got is not None:
            return got
    table = _BYTE_TEXT
    out = [table[c] for c in data]
    before_digit = _BYTE_TEXT_BEFORE_DIGIT
    for m in _OCTAL_BEFORE_DIGIT.finditer(data):
        i = m.start()
        out[i] = before_digit[data[i]]
    text = "".join(out)
    if cache:
        if len(_OCTAL_CACHE) >= _OCTAL_CACHE_MAX:
            _OCTAL_CACHE.clear()
        _OCTAL_CACHE[data] = text
    return text


def _escape_octal_loop(data: bytes, octal: bytes = b"") -> str:
    """`octal`: printable bytes that must be escaped in octal too (strace's escape_chars).
    The byte-by-byte statement of strace's rule; `_escape_octal` gives the same text."""
    out: list[str] = []
    n = len(data)
    for i, c in enumerate(data):
        if 0x20 <= c < 0x7F and c != 0x22 and c != 0x5C and c not in octal:
            out.append(chr(c))
            continue
        esc = _SIMPLE_ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
            continue
        nxt = data[i + 1] if i + 1 < n else None
        # strace writes all three octal digits only when an octal digit follows.
        if nxt is not None and 0x30 <= nxt <= 0x37:
            out.append(f"\\{c >> 6}{(c >> 3) & 7}{c & 7}")
        elif c >> 6:
            out.append(f"\\{c >> 6}{(c >> 3) & 7}{c & 7}")
        elif c >> 3:
            out.append(f"\\{(c >> 3) & 7}{c & 7}")
        else:
            out.append(f"\\{c & 7}")
    return "".join(out)


def quote_buffer(data: bytes | None, length: int, strsize: int, addr: int = 0) -> str:
    """A data buffer of `length` bytes (read/write): first `strsize` bytes, `...` if longer."""
    if data is None:
        return f"{addr:#x}" if addr else "NULL"
    shown = data[: min(length, strsize)]
    text = '"' + _escape(shown) + '"'
    if length > strsize:
        text += "..."
    return text


def quote_cstr(data: bytes | None, strsize: int, addr: int = 0) -> str:
    """A NUL-terminated string captured with read_cstr(limit=strsize)."""
    if data is None:
        return f"{addr:#x}" if addr else "NULL"
    if len(data) > strsize:
        return '"' + _escape(data[:strsize]) + '"...'
    return '"' + _escape(data) + '"'


_PATH_SHOWN = 4095  # PATH_MAX - 1


def quote_path(data: bytes | None, addr: int = 0) -> str:
    """A path: never truncated by -s; strace prints up to PATH_MAX - 1 bytes, then `...`."""
    if data is None:
        return f"{addr:#x}" if addr else "NULL"
    if len(data) > _PATH_SHOWN:
        return '"' + _escape(data[:_PATH_SHOWN]) + '"...'
    return '"' + _escape(data) + '"'


def os_bytes(text: str | bytes) -> bytes:
    """The bytes behind a str the OS gave us (readlink, argv): undecodable bytes come
    back from their surrogate escapes, so nothing is lost or replaced."""
    if isinstance(text, bytes):
        return text
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:  # a surrogate no OS call produced; keep it visible
        return text.encode("utf-8", "surrogatepass")


_DELETED = b" (deleted)"


def fd_path(name: str | bytes) -> str:
    """What strace -y adds after an fd: `</path>`, escaped as strace escapes it.

    The path is quoted as a string is, without the quotes (`\\n`, `\\33`, `\\"`,
    `\\\\`, octal for other bytes outside printable ASCII), and `<` `>` in octal so the
    brackets stay unambiguous. The kernel's ` (deleted)` mark goes after the `>`.
    """
    data = os_bytes(name)
    deleted = data.endswith(_DELETED)
    if deleted:
        data = data[: -len(_DELETED)]
    if STYLE.strings_in_hex != "none":
        text = _escape_hex(data, b"<>")
    elif b"<" in data or b">" in data:
        text = _escape_octal(data, b"<>")
    else:
        text = _escape(data)
    return f"<{text}>(deleted)" if deleted else f"<{text}>"


def pointer(addr: int) -> str:
    return "NULL" if addr == 0 else f"{addr:#x}"


def flags(value: int, table: Iterable[tuple[int, str]], zero: str = "0") -> str:
    """`O_RDONLY|O_CLOEXEC`-style rendering; leftover bits printed in hex, like strace."""
    if STYLE.constants != "abbrev":
        return styled_constant(value, _flags(value, table, zero))
    return _flags(value, table, zero)


def styled_constant(value: int, name: str) -> str:
    """A named constant under -X: `0x3` (raw) or `0x3 /* PROT_READ|PROT_WRITE */` (verbose)."""
    number = f"{value:#x}" if value > 0 else str(value)
    if STYLE.constants == "raw":
        return number
    if name != number:
        return f"{number} /* {name} */"
    return number


def styled_decimal(value: int, name: str) -> str:
    """A constant strace shows in decimal under -X (signals, clock ids): `9 /* SIGKILL */`."""
    if STYLE.constants == "abbrev":
        return name
    number = str(value)
    if STYLE.constants == "raw" or name == number:
        return number
    return f"{number} /* {name} */"


def constant_text(fn: Callable[..., str]) -> Callable[..., str]:
    """For a decoder function that builds one constant's text from several tables
    (`O_RDONLY|O_CLOEXEC`, `MAP_PRIVATE|MAP_ANONYMOUS`): -X styles the whole value once."""

    @functools.wraps(fn)
    def styled(value: int, *args: Any, **kw: Any) -> str:
        if STYLE.constants == "abbrev":
            return fn(value, *args, **kw)
        saved, STYLE.constants = STYLE.constants, "abbrev"
        try:
            name = fn(value, *args, **kw)
        finally:
            STYLE.constants = saved
        return styled_constant(value, name)

    return styled


def abbreviated(fn: Callable[..., str], *args: Any) -> str:
    """`fn(*args)` in strace's default style, whatever -X says: strace builds some texts
    (auxiliary return strings such as `(flags O_RDWR)`, `(SIGRT_3)`) without -X."""
    if STYLE.constants == "abbrev":
        return fn(*args)
    saved, STYLE.constants = STYLE.constants, "abbrev"
    try:
        return fn(*args)
    finally:
        STYLE.constants = saved


def _flags(value: int, table: Iterable[tuple[int, str]], zero: str = "0") -> str:
    if value == 0:
        return zero
    names: list[str] = []
    rest = value
    for bit, name in table:
        if bit and (rest & bit) == bit:
            names.append(name)
            rest &= ~bit
    if rest:
        names.append(f"{rest:#x}")
    return "|".join(names)


def enum(value: int, table: Mapping[int, str], unknown: str = "{:#x}") -> str:
    name = table.get(value)
    if name is not None:
        return styled_constant(value, name) if STYLE.constants != "abbrev" else name
    return unknown.format(value)


def octal_mode(mode: int) -> str:
    """A numeric mode as strace's `%#03o`: `0644`, `04755`, `000`."""
    return (f"0{mode:o}" if mode else "0").zfill(3)


def quote_hex(data: bytes | None, length: int, strsize: int, addr: int = 0) -> str:
    """A buffer strace always shows in `\\xNN` form (getrandom)."""
    if data is None:
        return pointer(addr)
    shown = data[: min(length, strsize)]
    text = '"' + "".join(f"\\x{c:02x}" for c in shown) + '"'
    if length > strsize:
        text += "..."
    return text


_FILE_TYPES = {
    0o140000: "S_IFSOCK",
    0o120000: "S_IFLNK",
    0o100000: "S_IFREG",
    0o060000: "S_IFBLK",
    0o040000: "S_IFDIR",
    0o020000: "S_IFCHR",
    0o010000: "S_IFIFO",
}


def symbolic_mode(mode: int) -> str:
    """A mode with its file type: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777`."""
    if STYLE.constants != "abbrev":
        number = f"0{mode:o}" if mode else "0"
        if STYLE.constants == "raw":
            return number
        return f"{number} /* {_symbolic_mode(mode)} */"
    return _symbolic_mode(mode)


def _symbolic_mode(mode: int) -> str:
    parts = []
    ftype = mode & 0o170000
    if ftype and ftype not in _FILE_TYPES:  # no such file type: strace prints the number
        return f"0{mode:o}"
    if ftype:
        parts.append(_FILE_TYPES.get(ftype, f"{ftype:#o}"))
    if mode & 0o4000:
        parts.append("S_ISUID")
    if mode & 0o2000:
        parts.append("S_ISGID")
    if mode & 0o1000:
        parts.append("S_ISVTX")
    parts.append(octal_mode(mode & 0o777))
    return "|".join(parts)


def makedev(dev: int) -> str:
    """A dev_t as strace prints it: `makedev(0x1, 0x3)`; under -X the number first
    (`0x103`, or `0x103 /* makedev(0x1, 0x3) */`), as strace's print_dev_t."""
    major = ((dev >> 32) & 0xFFFFF000) | ((dev >> 8) & 0xFFF)
    minor = ((dev >> 12) & 0xFFFFFF00) | (dev & 0xFF)
    text = f"makedev({_c_hex(major)}, {_c_hex(minor)})"
    if STYLE.constants == "abbrev":
        return text
    if STYLE.constants == "raw":
        return _c_hex(dev)
    return f"{_c_hex(dev)} /* {text} */"


def _c_hex(n: int) -> str:
    """C's `%#x`: no `0x` before a zero."""
    return f"{n:#x}" if n else "0"


def timestamp_comment(sec: int, frac: int = 0, digits: int = 9) -> str:
    """The `/* 2024-01-01T00:00:00.000000001+0000 */` text strace adds to absolute times.

    `frac` is the sub-second part in units of 10**-digits (nanoseconds, or
    microseconds with digits=6); strace leaves it out when it is zero. Empty for the
    epoch itself, which strace does not comment, and for times out of range.
    """
    import time

    if sec == 0 and frac == 0:
        return ""

    try:
        tm = time.localtime(sec)
    except (OverflowError, OSError, ValueError):
        return ""
    text = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
    if frac:
        text += f".{frac:0{digits}d}"
    return text + time.strftime("%z", tm)


def timespec(sec: int, nsec: int) -> str:
    return f"{{tv_sec={sec}, tv_nsec={nsec & 0xFFFFFFFFFFFFFFFF}}}"  # strace: %llu


def signal_name(sig: int) -> str:
    """`SIGCHLD`, `SIGRT_2`, or the bare number, as strace names signals."""
    import signal as _signal

    if 32 <= sig <= 64:
        return "SIGRTMIN" if sig == 32 else f"SIGRT_{sig - 32}"
    try:
        return _signal.Signals(sig).name
    except ValueError:
        return str(sig)
