"""What an ioctl family decoder sees of a call, and what it hands back.

strace decodes an ioctl's third argument twice, at entry and at exit; the
families here get both captures at once (`IoctlArg`) and build the whole text,
so they spell out strace's phases instead: a structure read "at entry" prints
what the program passed, one read "at exit" (a getter) prints only when the
call succeeded, and `{in} => {out}` where both are shown.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from tracer.syscalls.fmt import pointer

from .ioctl_far import Snapshots
from .kstructs import complete

# A family's answer for "the request has no argument" (strace: RVAL_IOCTL_DECODED
# with nothing printed); None means "not mine": the generic `0x...` is printed.
NO_ARG = ""


@dataclass(slots=True)
class IoctlArg:
    code: int  # the request, 32 bits
    arg: int  # the third argument, 64 bits
    entry: bytes | None  # what was read at `arg` at entry (None: unreadable or not read)
    exit: bytes | None  # ... at exit, when the call succeeded
    finished: bool  # the call returned (else the text stops at what entry knows)
    error: int  # the errno it failed with (0: success)
    abbrev: bool  # strace's abbrev(tcp): no -v
    verbose: bool = True  # strace's verbose(tcp): -e verbose= did not exclude the call
    ret: int = 0
    strsize: int = 32  # -s
    fd: Callable[[int], str] = str  # an fd found in the structure, as -y shows it
    far_in: Snapshots | None = None  # memory behind the argument's pointers, at entry
    far_out: Snapshots | None = None  # ... at exit (after a failure only where asked)

    @property
    def failed(self) -> bool:
        return bool(self.error)

    @property
    def addr(self) -> str:
        return pointer(self.arg)

    def entry_struct(self, size: int) -> bytes | None:
        """strace's umove_or_printaddr at entry: the bytes, or None (print `self.addr`)."""
        if not self.arg or not self.verbose:
            return None
        return complete(self.entry, size)

    def exit_struct(self, size: int) -> bytes | None:
        """umove_or_printaddr at exit: None also when the call failed."""
        if not self.arg or not self.verbose or self.failed or not self.finished:
            return None
        return complete(self.exit, size)

    def show_in(self, size: int, render: Callable[[bytes], str]) -> str:
        data = self.entry_struct(size)
        return self.addr if data is None else render(data)

    def show_out(self, size: int, render: Callable[[bytes], str]) -> str | None:
        """A getter's text; None while the call has not returned (nothing printed yet)."""
        if not self.finished:
            return None
        data = self.exit_struct(size)
        return self.addr if data is None else render(data)

    def show_in_out(
        self, size: int, entry: Callable[[bytes], str], exit: Callable[[bytes], str]
    ) -> str:
        """A structure strace prints at entry and, once the call succeeded, again as
        `{in} => {out}` (the address when it cannot be read back)."""
        data = self.entry_struct(size)
        if data is None:
            return self.addr
        text = entry(data)
        if self.finished and not self.failed:
            back = self.exit_struct(size)
            text += " => " + (self.addr if back is None else exit(back))
        return text

    def array(self, items: list[str]) -> str:
        """strace's print_array: without -v, at most -s elements, then `...`."""
        if self.abbrev and len(items) > self.strsize:
            items = [*items[: self.strsize], "..."]
        return "[" + ", ".join(items) + "]"

    def num_in(self, fmt: str = "<i") -> str:
        """printnum_int and friends at entry: `[42]`."""
        return self.show_in(struct.calcsize(fmt), lambda d: f"[{struct.unpack_from(fmt, d)[0]}]")

    def num_out(self, fmt: str = "<i") -> str | None:
        return self.show_out(struct.calcsize(fmt), lambda d: f"[{struct.unpack_from(fmt, d)[0]}]")


@dataclass(slots=True)
class IoctlText:
    """A family's rendering of the third argument (and of the return value, if it decorates it)."""

    text: str  # NO_ARG: nothing printed
    at_exit: bool = False  # nothing of it is known before the call returns
    ret: str | None = None
    ret_fd: bool = False


def out(text: str | None) -> IoctlText:
    """A getter's argument: filled in at exit."""
    return IoctlText(text if text is not None else NO_ARG, at_exit=True)
