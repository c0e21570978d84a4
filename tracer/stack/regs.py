"""The registers an x86_64 unwind starts from: the callee-saved set plus rip/rsp."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

# struct user_regs_struct (x86_64): 27 unsigned longs, in this order.
_USER_REGS = struct.Struct("<27Q")
_IDX = {"r15": 0, "r14": 1, "r13": 2, "r12": 3, "rbp": 4, "rbx": 5, "rip": 16, "rsp": 19}


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

    @classmethod
    def from_raw(cls, raw: bytes) -> Regs:
        """From the raw 216-byte `user_regs_struct` PTRACE_GETREGS fills."""
        v = _USER_REGS.unpack_from(raw)
        i = _IDX
        return cls(
            v[i["rip"]], v[i["rsp"]], v[i["rbp"]], v[i["rbx"]],
            v[i["r12"]], v[i["r13"]], v[i["r14"]], v[i["r15"]],
        )  # fmt: skip

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
