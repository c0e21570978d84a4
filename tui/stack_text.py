"""Frames and source excerpts as text, through tracer.stack when it is available.

tracer.stack provides `format_frame(frame)` and `source_lines(file, line, context)`;
the fallbacks keep the UI usable while (or where) it is missing.
"""

from __future__ import annotations

import os

from tracer.events import Frame

try:  # written by another helper; optional at import time
    from tracer.stack import format_frame as _format_frame
except ImportError:  # pragma: no cover - depends on the tree state
    _format_frame = None
try:
    from tracer.stack import source_lines as _source_lines
except ImportError:  # pragma: no cover
    _source_lines = None


def format_frame(frame: Frame) -> str:
    if _format_frame is not None:
        try:
            return _format_frame(frame)
        except Exception:
            pass
    where = frame.function or "??"
    if frame.offset:
        where += f"+{frame.offset:#x}"
    text = f"{frame.pc:#014x} {where}"
    if frame.module:
        text += f" ({os.path.basename(frame.module)})"
    if frame.file:
        text += f" at {frame.file}:{frame.line or '?'}"
    return text


def source_lines(file: str, line: int, context: int = 8) -> tuple[int, list[str]] | None:
    """(first line number, lines) around `line` of `file`, or None if unreadable."""
    if _source_lines is not None:
        try:
            got = _source_lines(file, line, context)
        except Exception:
            got = None
        if got is not None:
            return _normalise(got, line, context)
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            all_lines = fh.read().splitlines()
    except OSError:
        return None
    first = max(1, line - context)
    return first, all_lines[first - 1 : line + context]


def _normalise(got, line: int, context: int) -> tuple[int, list[str]] | None:
    """Accept the shapes tracer.stack may return: (first, lines), [(n, text)], or [text]."""
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[0], int):
        return got[0], list(got[1])
    got = list(got)
    if not got:
        return None
    if isinstance(got[0], tuple):
        return got[0][0], [t for _, t in got]
    return max(1, line - context), [str(t) for t in got]
