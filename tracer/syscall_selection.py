"""Selecting syscalls by name or class: `-e trace=openat,%network`, `--stack-filter name:connect`."""

from __future__ import annotations

from tracer.syscalls.classes import CLASS_NAMES
from tracer.syscalls.table import get_table


class SelectionError(Exception):
    """An invalid selection; the message is one line."""


def select_numbers(items: list[str]) -> set[int]:
    table = get_table()
    out: set[int] = set()
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item in ("all", "%all"):
            out |= set(table.by_nr)
        elif item.startswith("%"):
            cls = CLASS_NAMES.get(item[1:]) or CLASS_NAMES.get(item)
            if cls is None:
                raise SelectionError(f"unknown syscall class '{item}'")
            out |= table.numbers_in_class(cls)
        else:
            nr = table.number(item)
            if nr is None:
                raise SelectionError(f"unknown syscall '{item}'")
            out.add(nr)
    return out


def parse_trace_expr(expr: str) -> frozenset[int] | None:
    """strace's `-e trace=SET` (also `-e SET`); `!` negates; None means every syscall."""
    key, sep, value = expr.partition("=")
    if not sep:
        key, value = "trace", expr
    if key not in ("trace", "t"):
        raise SelectionError(f"unsupported expression '{expr}' (only trace=... is supported)")
    negate = value.startswith("!")
    if negate:
        value = value[1:]
    numbers = select_numbers(value.split(","))
    if value in ("all", "%all") and not negate:
        return None
    if negate:
        return frozenset(set(get_table().by_nr) - numbers)
    if not numbers:
        raise SelectionError(f"empty syscall set in '{expr}'")
    return frozenset(numbers)


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
