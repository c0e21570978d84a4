"""file:line for code addresses from .debug_line, decoded one compilation unit at a time."""

from __future__ import annotations

import os
import threading
from bisect import bisect_right
from functools import lru_cache
from typing import TYPE_CHECKING

from elftools.common.exceptions import DWARFError, ELFError

if TYPE_CHECKING:
    from .elfimage import ElfImage


class _UnitLines:
    """Rows of one CU's line program, sorted by address; `files[i] is None` ends a sequence."""

    __slots__ = ("addrs", "lines", "files")

    def __init__(self, rows: list[tuple[int, int, int, str | None]]) -> None:
        rows.sort(key=lambda r: (r[0], r[1]))
        self.addrs = [r[0] for r in rows]
        self.lines = [r[2] for r in rows]
        self.files = [r[3] for r in rows]

    def lookup(self, addr: int) -> tuple[str, int] | None:
        i = bisect_right(self.addrs, addr) - 1
        if i < 0 or self.files[i] is None:
            return None
        return self.files[i], self.lines[i]  # type: ignore[return-value]


class LineTable:
    """Address-to-line lookup for one ELF image (uses .debug_aranges to pick the CU)."""

    def __init__(self, image: ElfImage | None) -> None:
        self.available = False
        self._lock = threading.Lock()
        self._units: dict[int, _UnitLines] = {}
        self._all: list[_UnitLines] | None = None
        self._aranges = None
        self._dwarf = None
        if image is None or image.elf.get_section_by_name(".debug_line") is None:
            return
        try:
            self._dwarf = image.elf.get_dwarf_info()
            self._aranges = self._dwarf.get_aranges()
        except (DWARFError, ELFError, ValueError, KeyError, AssertionError):
            self._aranges = None
        self.available = self._dwarf is not None

    @classmethod
    def from_images(cls, *images: ElfImage | None) -> LineTable:
        """The first of `images` that has line information (debug file first)."""
        for img in images:
            table = cls(img)
            if table.available:
                return table
        return cls(None)

    def lookup(self, vaddr: int) -> tuple[str, int] | None:
        """(source path, line) for an ELF virtual address, or None."""
        if not self.available:
            return None
        with self._lock:
            try:
                return self._lookup(vaddr)
            except (DWARFError, ELFError, ValueError, KeyError, IndexError, AssertionError):
                return None

    def _lookup(self, vaddr: int) -> tuple[str, int] | None:
        if self._aranges is not None:
            off = self._aranges.cu_offset_at_addr(vaddr)
            if off is not None:
                unit = self._units.get(off)
                if unit is None:
                    cu = self._dwarf.get_CU_at(off)  # type: ignore[union-attr]
                    unit = self._units[off] = _decode_unit(self._dwarf, cu)
                found = unit.lookup(vaddr)
                if found is not None:
                    return found
        if self._all is None:
            # No (or incomplete) aranges: decode every unit once.
            self._all = [_decode_unit(self._dwarf, cu) for cu in self._dwarf.iter_CUs()]  # type: ignore[union-attr]
        for unit in self._all:
            found = unit.lookup(vaddr)
            if found is not None:
                return found
        return None


def _decode_unit(dwarf, cu) -> _UnitLines:
    prog = dwarf.line_program_for_CU(cu)
    if prog is None:
        return _UnitLines([])
    header = prog.header
    version = header["version"]
    dirs = [_text(d) for d in header["include_directory"]]
    comp_dir = ""
    top = cu.get_top_DIE()
    if "DW_AT_comp_dir" in top.attributes:
        comp_dir = _text(top.attributes["DW_AT_comp_dir"].value)
    files: dict[int, str] = {}

    def file_name(idx: int) -> str:
        name = files.get(idx)
        if name is None:
            entries = header["file_entry"]
            i = idx if version >= 5 else idx - 1
            if not 0 <= i < len(entries):
                name = "??"
            else:
                entry = entries[i]
                d = entry["dir_index"]
                if version >= 5:  # directory 0 is the compilation directory
                    base = dirs[d] if d < len(dirs) else ""
                    root = dirs[0] if dirs else comp_dir
                else:
                    base = comp_dir if d == 0 else (dirs[d - 1] if d - 1 < len(dirs) else "")
                    root = comp_dir
                if d != 0 and base and not os.path.isabs(base) and root:
                    base = os.path.join(root, base)
                name = os.path.normpath(os.path.join(base, _text(entry["name"])))
            files[idx] = name
        return name

    rows: list[tuple[int, int, int, str | None]] = []
    for entry in prog.get_entries():
        st = entry.state
        if st is None:
            continue
        if st.end_sequence:
            rows.append((st.address, 0, 0, None))
        else:
            rows.append((st.address, 1, st.line, file_name(st.file)))
    return _UnitLines(rows)


def _text(v) -> str:
    return v.decode(errors="replace") if isinstance(v, bytes) else str(v)


@lru_cache(maxsize=64)
def _read_source(path: str, mtime_ns: int) -> list[str]:
    with open(path, errors="replace") as f:
        return f.read().splitlines()


def source_lines(file: str, line: int, context: int = 5) -> list[tuple[int, str]]:
    """Lines `line-context .. line+context` of a source file as (number, text); [] if unreadable."""
    try:
        text = _read_source(file, os.stat(file).st_mtime_ns)
    except (OSError, UnicodeError):
        return []
    lo = max(1, line - context)
    hi = min(len(text), line + context)
    return [(n, text[n - 1]) for n in range(lo, hi + 1)]
