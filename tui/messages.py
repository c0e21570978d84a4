"""Messages the widgets post up to the app ("attributes down, messages up").

They live here, not in app.py, so every widget can post them without importing the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ProcessSelected(Message):
    """The user chose a process in the processes pane (None: all processes)."""

    pid: int | None


@dataclass
class JumpToRow(Message):
    """Move the syscall list cursor to a store row (e.g. the syscall that created an fd)."""

    row: int


@dataclass
class ErrorGroupChosen(Message):
    """Enter on an error group: show its occurrences (as a filter, so it stays live)."""

    filter_text: str
    label: str


@dataclass
class RowHighlighted(Message):
    """The syscall list cursor moved to a store row (None: the list is empty)."""

    row: int | None


@dataclass
class RowChosen(Message):
    """Enter on a syscall list row: open its detail screen."""

    row: int


@dataclass
class FilterEdited(Message):
    """The filter bar text changed (posted on every keystroke)."""

    text: str


@dataclass
class FilterClosed(Message):
    """The filter bar was closed; the filter stays applied."""


@dataclass
class FrameChosen(Message):
    """Enter on a stack frame that has a source file."""

    file: str
    line: int
    title: str
