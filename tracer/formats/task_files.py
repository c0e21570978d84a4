"""strace -ff -o PREFIX: each task's lines in its own file, PREFIX.TID."""

from __future__ import annotations

import os
from typing import TextIO


class TaskFiles:
    def __init__(self, prefix: str, append: bool) -> None:
        self.prefix = prefix
        self.flags = (
            os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | (os.O_APPEND if append else os.O_TRUNC)
        )
        self.files: dict[int, TextIO] = {}

    def get(self, tid: int) -> TextIO:
        out = self.files.get(tid)
        if out is None:
            fd = os.open(f"{self.prefix}.{tid}", self.flags, 0o666)
            out = open(fd, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
            self.files[tid] = out
        return out

    def flush(self) -> None:
        for out in self.files.values():
            out.flush()

    def close(self) -> None:
        for out in self.files.values():
            out.close()
        self.files.clear()
