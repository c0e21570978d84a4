"""Selecting syscalls by name or class: `-e trace=openat,%network`, `--stack-filter name:connect`.

strace's syscall-set syntax: `[!]value[,value]...`, where a value is a name,
`%class` (or a bare class name, the deprecated spelling), `/regex` (extended
regular expression, searched in the name), `?value` (no error when nothing
matches), `value@64` / `value@32` (one personality), `all` or `none`.
"""

from __future__ import annotations

import re

from tracer.syscalls.classes import CLASS_NAMES
from tracer.syscalls.table import COMPAT_BASE, get_table

# Classes strace still accepts without the `%` (deprecated, but in people's fingers).
_BARE_CLASSES = ("file", "process", "network", "net", "signal", "ipc", "desc", "memory")


class SelectionError(Exception):
    """An invalid selection; the message is one line."""


def _personality(numbers: set[int], suffix: str) -> set[int]:
    if suffix == "64":
        return {n for n in numbers if n < COMPAT_BASE}
    if suffix == "32":
        return {n for n in numbers if n >= COMPAT_BASE}
    return set()  # x32: not traced by tracetui, so nothing of it matches


def _select_one(item: str) -> set[int]:
    table = get_table()
    if item in ("all", "%all"):
        return set(table.by_nr)
    if item == "none":
        return set()
    if item.startswith("/"):
        try:
            pattern = re.compile(item[1:])
        except re.error as e:
            raise SelectionError(f"invalid regular expression '{item[1:]}': {e}") from None
        return {nr for nr, d in table.by_nr.items() if pattern.search(d.name)}
    if item.startswith("%") or item in _BARE_CLASSES:
        cls = CLASS_NAMES.get(item[1:] if item.startswith("%") else item)
        if cls is None:
            raise SelectionError(f"invalid system call '{item}'")
        return table.numbers_in_class(cls)
    if item.isdigit():  # strace accepts syscall numbers too
        return {int(item)} if int(item) in table.by_nr else set()
    return table.numbers_named(item)


def select_numbers(items: list[str]) -> set[int]:
    out: set[int] = set()
    for item in items:
        item = item.strip()
        if not item:
            continue
        optional = item.startswith("?")
        if optional:
            item = item[1:]
        base, at, suffix = item.rpartition("@")
        if at and suffix in ("64", "32", "x32"):
            found = _personality(_select_one(base), suffix)
        else:
            found = _select_one(item)
        if not found and not optional and item != "none":
            raise SelectionError(f"invalid system call '{item}'")
        out |= found
    return out


def parse_syscall_set(value: str, what: str = "trace") -> frozenset[int] | None:
    """A syscall set as `-e trace=`, `-e raw=`, `-e verbose=` take it; None means all."""
    negate = value.startswith("!")
    if negate:
        value = value[1:]
    items = value.split(",")
    numbers = select_numbers(items)
    if not negate and any(i.strip() in ("all", "%all") for i in items):
        return None
    if negate:
        return frozenset(set(get_table().by_nr) - numbers)
    return frozenset(numbers)


def parse_trace_expr(expr: str) -> frozenset[int] | None:
    """strace's `-e trace=SET` (also `-e SET`); `!` negates; None means every syscall."""
    key, sep, value = expr.partition("=")
    if not sep:
        key, value = "trace", expr
    if key not in ("trace", "t"):
        raise SelectionError(f"unsupported expression '{expr}' (only trace=... is supported)")
    return parse_syscall_set(value)


def parse_stack_filter(text: str) -> frozenset[int]:
    """`name:connect,openat` or `class:network` (or a bare list) for --stack-filter."""
    items: list[str] = []
    for term in text.split():
        key, sep, value = term.partition(":")
        if not sep:
            items.extend(term.split(","))
        elif key in ("name", "syscall"):
            items.extend(value.split(","))
        elif key == "class":
            items.extend("%" + v for v in value.replace("|", ",").split(","))
        else:
            raise SelectionError(f"unsupported stack filter term '{term}' (use name: or class:)")
    return frozenset(select_numbers(items))
