"""A process's memory map from /proc/PID/maps, re-read on demand after mmap-like calls."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Mapping:
    """One line of /proc/PID/maps."""

    start: int
    end: int
    perms: str
    offset: int
    inode: int
    path: str

    @property
    def executable(self) -> bool:
        return "x" in self.perms

    @property
    def is_file(self) -> bool:
        return self.inode != 0 and not self.path.startswith("[")


def parse_maps(text: str) -> list[Mapping]:
    """Parse the text of /proc/PID/maps (lines are already sorted by address)."""
    out: list[Mapping] = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        lo, _, hi = parts[0].partition("-")
        out.append(
            Mapping(
                int(lo, 16),
                int(hi, 16),
                parts[1],
                int(parts[2], 16),
                int(parts[4]),
                parts[5].strip() if len(parts) > 5 else "",
            )
        )
    return out


def read_maps(pid: int) -> list[Mapping]:
    """The current mappings of `pid`; empty if the process is gone."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return parse_maps(f.read())
    except OSError:
        return []


class AddressMap:
    """Mappings of one address space, looked up by address with bisect."""

    __slots__ = ("mappings", "_starts")

    def __init__(self, mappings: list[Mapping]) -> None:
        self.mappings = mappings
        self._starts = [m.start for m in mappings]

    def find(self, addr: int) -> Mapping | None:
        """The mapping containing `addr`, if any."""
        i = bisect_right(self._starts, addr) - 1
        if i >= 0:
            m = self.mappings[i]
            if addr < m.end:
                return m
        return None

    def file_mappings(self, path: str) -> list[Mapping]:
        """All mappings of the file at `path` (needed to place its ELF segments)."""
        return [m for m in self.mappings if m.path == path]

    def code_layout(self) -> tuple[tuple[int, int, int, str], ...]:
        """Identity of the executable mappings: unchanged means unwind caches stay valid."""
        return tuple((m.start, m.end, m.offset, m.path) for m in self.mappings if m.executable)
