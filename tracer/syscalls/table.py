"""The syscall table seam: one `SyscallTable` per architecture, built from a data module.

An architecture module (e.g. `x86_64.py`) provides `ENTRIES`, a list of
`(nr, name, nargs, Class flags)` rows, in the spirit of strace's syscallent.h.
"""

from __future__ import annotations

import importlib
import platform
from dataclasses import dataclass
from functools import cache

from tracer.syscalls.classes import Class


@dataclass(frozen=True, slots=True)
class SyscallDef:
    nr: int
    name: str
    nargs: int
    classes: Class


class SyscallTable:
    """Number <-> definition lookups for one architecture."""

    def __init__(self, arch: str, entries: list[tuple[int, str, int, Class]]) -> None:
        self.arch = arch
        self.by_nr: dict[int, SyscallDef] = {}
        self.by_name: dict[str, SyscallDef] = {}
        for nr, name, nargs, classes in entries:
            d = SyscallDef(nr, name, nargs, Class(classes))
            self.by_nr[nr] = d
            self.by_name.setdefault(name, d)
        self.max_nr = max(self.by_nr) if self.by_nr else 0
        # Dense list for the hot path: index by number, None for holes.
        self.dense: list[SyscallDef | None] = [None] * (self.max_nr + 1)
        for nr, d in self.by_nr.items():
            self.dense[nr] = d

    def name(self, nr: int) -> str:
        d = self.by_nr.get(nr)
        return d.name if d else f"syscall_{nr:#x}"

    def get(self, nr: int) -> SyscallDef | None:
        return self.by_nr.get(nr)

    def numbers_in_class(self, cls: Class) -> set[int]:
        return {nr for nr, d in self.by_nr.items() if d.classes & cls}

    def number(self, name: str) -> int | None:
        d = self.by_name.get(name)
        return d.nr if d else None


ARCH_MODULES = {"x86_64": "tracer.syscalls.x86_64"}


def machine_arch() -> str:
    return platform.machine()


@cache
def get_table(arch: str | None = None) -> SyscallTable:
    arch = arch or machine_arch()
    mod_name = ARCH_MODULES.get(arch)
    if mod_name is None:
        raise RuntimeError(f"unsupported architecture: {arch}")
    mod = importlib.import_module(mod_name)
    return SyscallTable(arch, mod.ENTRIES)
