"""The syscall table seam: one `SyscallTable` per architecture, built from a data module.

An architecture module (e.g. `x86_64.py`) provides `ENTRIES`, a list of
`(nr, name, nargs, Class flags)` rows, in the spirit of strace's syscallent.h.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import cache

from tracer.syscalls.classes import Class

# 32-bit calls (`int $0x80`) of x86_64 programs are numbered COMPAT_BASE + their i386
# number: one int still names the call, and native numbers stay dense.
COMPAT_BASE = 1 << 20
AUDIT_ARCH_X86_64 = 0xC000003E


@dataclass(frozen=True, slots=True)
class SyscallDef:
    nr: int
    name: str
    nargs: int
    classes: Class


class SyscallTable:
    """Number <-> definition lookups for one architecture."""

    def __init__(
        self,
        arch: str,
        entries: list[tuple[int, str, int, Class]],
        compat: dict[int, str] | None = None,
    ) -> None:
        compat = compat or {}
        self.arch = arch
        self.by_nr: dict[int, SyscallDef] = {}
        self.by_name: dict[str, SyscallDef] = {}
        for nr, name, nargs, classes in entries:
            d = SyscallDef(nr, name, nargs, Class(classes))
            self.by_nr[nr] = d
            self.by_name.setdefault(name, d)
        self._all_named: dict[str, set[int]] = {}
        for nr, name in compat.items():
            # Same name, same meaning and classes; arguments are shown raw (32-bit layouts).
            native = self.by_name.get(name)
            self.by_nr[COMPAT_BASE + nr] = SyscallDef(
                COMPAT_BASE + nr,
                name,
                native.nargs if native else 6,
                native.classes if native else Class.NONE,
            )

    def name(self, nr: int) -> str:
        d = self.by_nr.get(nr)
        return d.name if d else f"syscall_{nr:#x}"

    def get(self, nr: int) -> SyscallDef | None:
        return self.by_nr.get(nr)

    def numbers_in_class(self, cls: Class) -> set[int]:
        return {nr for nr, d in self.by_nr.items() if d.classes & cls}

    def numbers_named(self, name: str) -> set[int]:
        """Every number called `name`: the native one and the 32-bit (int $0x80) one."""
        if not self._all_named:
            for nr, d in self.by_nr.items():
                self._all_named.setdefault(d.name, set()).add(nr)
        return set(self._all_named.get(name, ()))

    def number(self, name: str) -> int | None:
        d = self.by_name.get(name)
        return d.nr if d else None


ARCH_MODULES = {"x86_64": "tracer.syscalls.x86_64"}


def machine_arch() -> str:
    # uname's machine, as platform.machine() returns it (that module compiles a dozen
    # regular expressions at import, a few ms of every start).
    return os.uname().machine


@cache
def get_table(arch: str | None = None) -> SyscallTable:
    arch = arch or machine_arch()
    mod_name = ARCH_MODULES.get(arch)
    if mod_name is None:
        raise RuntimeError(f"unsupported architecture: {arch}")
    mod = importlib.import_module(mod_name)
    return SyscallTable(arch, mod.ENTRIES, getattr(mod, "COMPAT_NAMES", None))
