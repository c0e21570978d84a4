"""What every headless writer shares: a text stream it owns unless it is stdio."""

from __future__ import annotations

from typing import TextIO


class TextOutput:
    target = "the output"  # how messages name where the trace goes (a path, stderr)

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.flush()
        if self.out.fileno() > 2:
            self.out.close()
