"""The registers an x86_64 unwind starts from: the callee-saved set plus rip/rsp."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Regs:
    """Register values at a stop; only what DWARF CFI on x86_64 can need."""

    rip: int
    rsp: int
    rbp: int = 0
    rbx: int = 0
    r12: int = 0
    r13: int = 0
    r14: int = 0
    r15: int = 0

    @classmethod
    def from_user_regs(cls, regs: Any) -> Regs:
        """From python-ptrace's `user_regs_struct` (or anything with those attributes)."""
        return cls(regs.rip, regs.rsp, regs.rbp, regs.rbx, regs.r12, regs.r13, regs.r14, regs.r15)

    def dwarf_list(self) -> list[int | None]:
        """Values indexed by DWARF x86_64 register number (0..16, 16 = return address)."""
        r: list[int | None] = [None] * 17
        r[3] = self.rbx
        r[6] = self.rbp
        r[7] = self.rsp
        r[12] = self.r12
        r[13] = self.r13
        r[14] = self.r14
        r[15] = self.r15
        r[16] = self.rip
        return r
