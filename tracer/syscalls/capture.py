"""What memory each syscall needs read while the tracee is stopped.

Decoder families register, per syscall name, an entry capture and/or an exit
capture. The worker calls them with a `MemoryReader` on the stopped task; they
return the bytes to keep (a dict merged into `Syscall.mem`). They must read
only what rendering will need: this runs on the hot path.

Entry capture: `fn(mem, args, limits) -> dict | None`
Exit capture:  `fn(mem, args, ret, limits) -> dict | None`   (called only when
the call returned; `ret` is the raw signed return value, negative errno on
failure)

Registered fd roles tell the worker which argument positions are file
descriptors, so it can record what they referred to (strace -y).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class MemoryReader(Protocol):
    def read(self, addr: int, size: int) -> bytes | None:
        """Up to `size` bytes at `addr` (short if the mapping ends), None if unreadable."""

    def read_cstr(self, addr: int, limit: int) -> bytes | None:
        """The NUL-terminated string at `addr` without its NUL, at most `limit` bytes.

        Returns `limit + 1` bytes' worth only when the string is longer than
        `limit` (the extra byte tells the renderer to print `...`).
        """


@dataclass(slots=True)
class CaptureLimits:
    """How much to read: `strsize` is strace's -s; `bufsize` caps data buffers kept for inspection."""

    strsize: int = 32
    bufsize: int = 4096
    path_max: int = 4096
    fd_paths: bool = True  # strace -y: captures may read what AT_FDCWD etc. refer to

    @property
    def data_limit(self) -> int:
        return max(self.strsize + 1, self.bufsize)


EntryCapture = Callable[[MemoryReader, tuple[int, ...], CaptureLimits], dict[Any, Any] | None]
ExitCapture = Callable[[MemoryReader, tuple[int, ...], int, CaptureLimits], dict[Any, Any] | None]

ENTRY_CAPTURES: dict[str, EntryCapture] = {}
EXIT_CAPTURES: dict[str, ExitCapture] = {}
# Argument positions holding file descriptors, per syscall name.
FD_ARGS: dict[str, tuple[int, ...]] = {}


def on_entry(*names: str) -> Callable[[EntryCapture], EntryCapture]:
    def register(fn: EntryCapture) -> EntryCapture:
        for n in names:
            ENTRY_CAPTURES[n] = fn
        return fn

    return register


def on_exit(*names: str) -> Callable[[ExitCapture], ExitCapture]:
    def register(fn: ExitCapture) -> ExitCapture:
        for n in names:
            EXIT_CAPTURES[n] = fn
        return fn

    return register


def fd_args(positions: tuple[int, ...], *names: str) -> None:
    for n in names:
        FD_ARGS[n] = positions
