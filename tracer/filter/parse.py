"""Parsing the filter language into terms; invalid input raises `FilterError` with one line.

word            the rendered line contains `word` (case-insensitive); "two words" quoted
name:a,b        syscall name (alias syscall:)
class:file|net  syscall class (comma or pipe separated)
pid:1,2         process or thread id
fd:3            an fd argument, or the new fd returned
path:/etc       a path argument or an fd's path contains the text
err             failed calls;  errno:ENOENT,EACCES  failed with these errors
dur>1ms         duration (<, >, <=, >=, =; units ns, us, ms, s; default s)
-term           negation; terms are ANDed; an empty filter matches everything
"""

from __future__ import annotations

import re

from tracer.filter.terms import (
    DurationTerm,
    FailedTerm,
    FdTerm,
    Filter,
    NumberSetTerm,
    PathTerm,
    PidTerm,
    Term,
    WordTerm,
)
from tracer.syscalls.classes import CLASS_NAMES, Class
from tracer.syscalls.render import ERRNO_NAMES
from tracer.syscalls.table import SyscallTable, get_table


class FilterError(ValueError):
    """Invalid filter text; `message` is one line for the status bar."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_DURATION = re.compile(r"dur(?:ation)?(<=|>=|<|>|=)(.*)", re.IGNORECASE)
_DURATION_VALUE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s)?", re.IGNORECASE)
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, None: 1.0}
_ERRNO_BY_NAME = {name: num for num, name in sorted(ERRNO_NAMES.items(), reverse=True)}


def parse_filter(text: str, table: SyscallTable | None = None) -> Filter:
    """Parse filter text; raises FilterError for invalid input."""
    table = table or get_table()
    terms: list[Term] = []
    for token in _TOKEN.findall(text):
        negate = token.startswith("-") and len(token) > 1
        body = token[1:] if negate else token
        term = _parse_term(body, table)
        term.negate = negate
        terms.append(term)
    return Filter(text, terms)


def without_invalid_terms(text: str, table: SyscallTable | None = None) -> str:
    """`text` less the terms that do not parse: what a list shows while one is being typed."""
    table = table or get_table()
    kept = []
    for token in _TOKEN.findall(text):
        try:
            parse_filter(token, table)
        except FilterError:
            continue
        kept.append(token)
    return " ".join(kept)


def _split(value: str, key: str, pipes: bool = False) -> list[str]:
    parts = [p for p in re.split(r"[,|]" if pipes else ",", value) if p]
    if not parts:
        raise FilterError(f"'{key}:' needs a value")
    return parts


def _parse_term(body: str, table: SyscallTable) -> Term:
    if body.startswith('"'):
        word = body.strip('"').lower()
        if not word:
            raise FilterError("empty quoted word")
        return WordTerm(word=word)
    if body.lower() in ("err", "error", "failed"):
        return FailedTerm()
    m = _DURATION.fullmatch(body)
    if m:
        return _duration_term(m.group(1), m.group(2))
    key, sep, value = body.partition(":")
    key = key.lower()
    if not sep or key not in _KEYED:
        return WordTerm(word=body.lower())
    return _KEYED[key](value, key, table)


def _name_term(value: str, key: str, table: SyscallTable) -> Term:
    nrs = set()
    for name in _split(value, key):
        named = table.numbers_named(name.lower())
        if not named:
            raise FilterError(f"unknown syscall '{name}'")
        nrs |= named
    return NumberSetTerm(nrs=frozenset(nrs), label="name " + value)


def _class_term(value: str, key: str, table: SyscallTable) -> Term:
    cls = Class.NONE
    for name in _split(value, key, pipes=True):
        c = CLASS_NAMES.get(name.lower().lstrip("%")) or CLASS_NAMES.get(name.lower())
        if c is None:
            raise FilterError(f"unknown class '{name}'")
        cls |= c
    return NumberSetTerm(nrs=frozenset(table.numbers_in_class(cls)), label="class " + value)


def _pid_term(value: str, key: str, table: SyscallTable) -> Term:
    pids = set()
    for p in _split(value, key):
        if not p.isdigit():
            raise FilterError(f"bad pid '{p}'")
        pids.add(int(p))
    return PidTerm(pids=frozenset(pids))


def _errno_term(value: str, key: str, table: SyscallTable) -> Term:
    nums = set()
    for name in _split(value, key):
        if name.isdigit():
            nums.add(int(name))
            continue
        num = _ERRNO_BY_NAME.get(name.upper())
        if num is None:
            raise FilterError(f"unknown errno '{name}'")
        nums.add(num)
    return FailedTerm(errnos=frozenset(nums), label="errno " + value.upper())


def _fd_term(value: str, key: str, table: SyscallTable) -> Term:
    try:
        fd = int(value)
    except ValueError:
        raise FilterError(f"bad fd '{value}'") from None
    return FdTerm(fd=fd)


def _path_term(value: str, key: str, table: SyscallTable) -> Term:
    if not value:
        raise FilterError("'path:' needs a value")
    return PathTerm(needle=value)


def _duration_term(op: str, value: str) -> Term:
    m = _DURATION_VALUE.fullmatch(value)
    if not m:
        raise FilterError(f"bad duration '{value}'")
    unit = m.group(2).lower() if m.group(2) else None
    seconds = float(m.group(1)) * _UNITS[unit]
    return DurationTerm(op=op, seconds=seconds, label=f"duration {op} {value}")


_KEYED = {
    "name": _name_term,
    "syscall": _name_term,
    "class": _class_term,
    "pid": _pid_term,
    "tid": _pid_term,
    "errno": _errno_term,
    "fd": _fd_term,
    "path": _path_term,
}
