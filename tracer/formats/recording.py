"""What `-r FILE` (`--read-session FILE`) reads: a tracetui session file, or an strace
log imported as the same events (`tracer/formats/strace_log`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracer.formats.session_file import SessionFileError, is_session_file, read_session


@dataclass(slots=True)
class Recording:
    path: str
    batches: Iterator[list[Any]]
    imported: Any = None  # the StraceImport of an strace log (its counts, for the report)

    @property
    def kind(self) -> str:
        return "strace log" if self.imported is not None else "recorded"

    def report(self) -> str | None:
        """One line for the user once the batches are read: what an import took and left."""
        return self.imported.summary() if self.imported is not None else None

    @property
    def incomplete(self) -> bool:
        """Some of the file was not understood (an import's lines, counted in `report`)."""
        return self.imported is not None and self.imported.incomplete


def is_recording(path: str) -> bool:
    """A session file, an strace log, or the prefix of strace -ff's PREFIX.PID logs."""
    from tracer.formats.strace_log import log_files

    return is_session_file(path) or log_files(path) is not None


def open_recording(path: str) -> Recording:
    """The events of a recording, in batches. Raises SessionFileError (one line)."""
    from tracer.formats.strace_log import StraceImport, StraceLogError, log_files

    if is_session_file(path):
        return Recording(path, read_session(path))
    files = log_files(path)
    if files is None:
        if not os.path.exists(path):
            raise SessionFileError(f"cannot read {path}: no such file")
        try:
            with open(path, "rb"):
                pass
        except OSError as e:
            raise SessionFileError(f"cannot read {path}: {e.strerror or e}") from None
        raise SessionFileError(f"{path} is neither a tracetui session file nor an strace log")
    imported = StraceImport(files, path)
    try:
        imported.prepare()
    except StraceLogError as e:
        raise SessionFileError(str(e)) from None
    return Recording(path, imported.batches(), imported)
