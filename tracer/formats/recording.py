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
        if self.imported is not None:
            return "strace log"
        return "recorded, cut short" if self.cut_short else "recorded"

    @property
    def cut_short(self) -> bool:
        """A session file whose recorder was killed: it reads up to its last batch."""
        return bool(getattr(self.batches, "cut_short", False))

    def report(self) -> str | None:
        """One line for the user once the batches are read: what an import took and left,
        or that a session file stops where its recorder was killed."""
        if self.imported is not None:
            return self.imported.summary()
        if self.cut_short:
            return (
                f"{self.path}: the recording was cut short (its tracer did not finish it):"
                " it ends at its last saved batch, and stack frames, if any, keep no names"
            )
        return None

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
