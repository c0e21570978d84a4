"""DWARF call frame information (.eh_frame / .debug_frame): FDE index and unwind rules.

pyelftools parses a whole .eh_frame up front (about 0.3 s for libc) and cannot
decode some GNU opcodes, so this module indexes FDEs itself: from the sorted
binary-search table in .eh_frame_hdr when there is one (no parsing at all),
otherwise by walking entry headers once. A CIE or FDE is decoded only when a
pc inside it is first unwound, and its rows are kept.
"""

from __future__ import annotations

import struct
from bisect import bisect_right

from .cfa_rules import RA, TRACKED, Cie, Fde, UnwindRule, run_program
from .encoding import DW_EH_PE_omit, read_encoded, sleb, uleb

_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from


class CfiSection:
    """One .eh_frame (`is_eh`) or .debug_frame section of one ELF file."""

    def __init__(
        self,
        data: bytes,
        vaddr: int,
        is_eh: bool,
        table: tuple[list[int], list[int]] | None = None,
    ) -> None:
        self.data = data
        self.vaddr = vaddr
        self.is_eh = is_eh
        self._cies: dict[int, Cie] = {}
        self._fdes: dict[int, Fde | None] = {}
        self.starts, self.offsets = table if table else self._scan()

    # -- index -------------------------------------------------------------

    def _scan(self) -> tuple[list[int], list[int]]:
        """Walk entry headers once to list (initial_location, fde offset), sorted."""
        data, pos, end = self.data, 0, len(self.data)
        pairs: list[tuple[int, int]] = []
        while pos + 4 <= end:
            off = pos
            length = _U32(data, pos)[0]
            pos += 4
            if length == 0:
                if self.is_eh:
                    break
                continue
            wide = length == 0xFFFFFFFF
            if wide:
                length = _U64(data, pos)[0]
                pos += 8
            nxt = pos + length
            cie_id = _U64(data, pos)[0] if wide else _U32(data, pos)[0]
            if not self._is_cie(cie_id, wide):
                try:
                    fde = self._fde(off)
                except (ValueError, IndexError, struct.error):
                    fde = None
                if fde is not None and fde.start != 0 and fde.end > fde.start:
                    pairs.append((fde.start, off))
            pos = nxt
        pairs.sort()
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _is_cie(self, cie_id: int, wide: bool) -> bool:
        if self.is_eh:
            return cie_id == 0
        return cie_id == (0xFFFFFFFFFFFFFFFF if wide else 0xFFFFFFFF)

    # -- decoding ----------------------------------------------------------

    def _cie(self, off: int) -> Cie:
        cie = self._cies.get(off)
        if cie is not None:
            return cie
        data = self.data
        length = _U32(data, off)[0]
        pos = off + 4
        if length == 0xFFFFFFFF:
            length = _U64(data, pos)[0]
            pos += 8
            end = pos + length
            pos += 8
        else:
            end = pos + length
            pos += 4
        version = data[pos]
        pos += 1
        nul = data.index(b"\0", pos)
        aug = data[pos:nul].decode("latin-1")
        pos = nul + 1
        if "eh" in aug:
            pos += 8
        if version >= 4:
            pos += 2  # address_size, segment_selector_size
        code_align, pos = uleb(data, pos)
        data_align, pos = sleb(data, pos)
        if version == 1:
            ra_reg = data[pos]
            pos += 1
        else:
            ra_reg, pos = uleb(data, pos)
        fde_enc = 0
        signal = False
        has_z = aug.startswith("z")
        if has_z:
            aug_len, pos = uleb(data, pos)
            aug_end = pos + aug_len
            for ch in aug[1:]:
                if ch == "R":
                    fde_enc = data[pos]
                    pos += 1
                elif ch == "L":
                    pos += 1
                elif ch == "P":
                    penc = data[pos]
                    _, pos = read_encoded(data, pos + 1, penc & 0x7F, self.vaddr)
                elif ch == "S":
                    signal = True
            pos = aug_end
        cie = Cie(code_align, data_align, ra_reg, fde_enc, has_z, signal, data[pos:end])
        self._cies[off] = cie
        return cie

    def _fde(self, off: int) -> Fde | None:
        if off in self._fdes:
            return self._fdes[off]
        data = self.data
        length = _U32(data, off)[0]
        pos = off + 4
        wide = length == 0xFFFFFFFF
        if wide:
            length = _U64(data, pos)[0]
            pos += 8
        end = pos + length
        field = pos
        ptr = _U64(data, pos)[0] if wide else _U32(data, pos)[0]
        pos += 8 if wide else 4
        if self._is_cie(ptr, wide):
            self._fdes[off] = None
            return None
        cie = self._cie(field - ptr if self.is_eh else ptr)
        start, pos = read_encoded(data, pos, cie.fde_enc, self.vaddr)
        size, pos = read_encoded(data, pos, cie.fde_enc & 0x0F)
        if cie.has_aug_data:
            aug_len, pos = uleb(data, pos)
            pos += aug_len
        fde = Fde(start, start + size, cie, data[pos:end])
        self._fdes[off] = fde
        return fde

    def find_fde(self, addr: int) -> Fde | None:
        """The FDE covering ELF virtual address `addr`, if any."""
        i = bisect_right(self.starts, addr) - 1
        if i < 0:
            return None
        try:
            fde = self._fde(self.offsets[i])
        except (ValueError, IndexError, struct.error):
            return None
        if fde is None or not (fde.start <= addr < fde.end):
            return None
        return fde

    def rule_at(self, addr: int) -> UnwindRule | None:
        """The unwind rule at `addr` (an ELF virtual address), or None if no FDE covers it."""
        fde = self.find_fde(addr)
        if fde is None:
            return None
        if fde.locs is None:
            try:
                fde.locs, fde.rules = run_program(fde)
            except (ValueError, IndexError, struct.error):
                fde.locs, fde.rules = [fde.start], [None]
        i = bisect_right(fde.locs, addr) - 1
        return fde.rules[i] if i >= 0 else None  # type: ignore[index]


def eh_frame_hdr_table(hdr: bytes, hdr_vaddr: int) -> tuple[int, list[int], list[int]] | None:
    """Parse .eh_frame_hdr: (eh_frame vaddr, sorted FDE start addresses, FDE vaddrs)."""
    if len(hdr) < 4 or hdr[0] != 1:
        return None
    ptr_enc, count_enc, table_enc = hdr[1], hdr[2], hdr[3]
    eh_frame, pos = read_encoded(hdr, 4, ptr_enc, hdr_vaddr, hdr_vaddr)
    if count_enc == DW_EH_PE_omit or table_enc == DW_EH_PE_omit:
        return None
    count, pos = read_encoded(hdr, pos, count_enc, hdr_vaddr, hdr_vaddr)
    if table_enc == 0x3B:  # datarel | sdata4: the format every linker writes
        vals = struct.unpack_from(f"<{2 * count}i", hdr, pos)
        starts = [v + hdr_vaddr for v in vals[0::2]]
        fdes = [v + hdr_vaddr for v in vals[1::2]]
        return eh_frame, starts, fdes
    starts, fdes = [], []
    for _ in range(count):
        s, pos = read_encoded(hdr, pos, table_enc, hdr_vaddr, hdr_vaddr)
        f, pos = read_encoded(hdr, pos, table_enc, hdr_vaddr, hdr_vaddr)
        starts.append(s)
        fdes.append(f)
    return eh_frame, starts, fdes


__all__ = ["RA", "TRACKED", "CfiSection", "UnwindRule", "eh_frame_hdr_table"]
