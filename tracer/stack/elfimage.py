"""One ELF file on disk, with its unwind tables and symbols, parsed once and shared.

Images are cached process-wide, keyed by (device, inode, size, mtime), so every
traced process that maps libc shares one parsed libc. Everything expensive is
built lazily, under a lock (the worker unwinds while the UI resolves symbols).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from .cfi import CfiSection, UnwindRule, eh_frame_hdr_table

if TYPE_CHECKING:
    from .lines import LineTable
    from .symbols import SymbolTable

DEBUG_ROOT = "/usr/lib/debug"


class ElfImage:
    """An ELF file: load segments, CFI, symbols and (lazily) its separate debug file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._file = open(path, "rb")  # noqa: SIM115 - kept open for lazy section reads
        self.elf = ELFFile(self._file)
        self.build_id = _build_id(self.elf)
        # (p_offset, p_vaddr, p_filesz) of each PT_LOAD, to place file offsets.
        self.loads = [
            (s["p_offset"], s["p_vaddr"], s["p_filesz"])
            for s in self.elf.iter_segments()
            if s["p_type"] == "PT_LOAD"
        ]
        self._lock = threading.RLock()
        self._cfi: list[CfiSection] | None = None
        self._symbols: SymbolTable | None = None
        self._lines: LineTable | None = None
        self._debug: ElfImage | None | bool = False  # False: not looked up yet
        self.rule_cache: dict[int, UnwindRule | None] = {}

    def vaddr_delta(self, file_offset: int) -> int:
        """p_vaddr - p_offset of the segment holding `file_offset` (0 if none does)."""
        for off, vaddr, size in self.loads:
            if off <= file_offset < off + max(size, 1):
                return vaddr - off
        return 0

    # -- unwind tables -----------------------------------------------------

    def cfi_sections(self) -> list[CfiSection]:
        if self._cfi is None:
            with self._lock:
                if self._cfi is None:
                    self._cfi = self._load_cfi()
        return self._cfi

    def _load_cfi(self) -> list[CfiSection]:
        out: list[CfiSection] = []
        elf = self.elf
        eh = elf.get_section_by_name(".eh_frame")
        if eh is not None and eh["sh_type"] != "SHT_NOBITS":
            table = None
            hdr = elf.get_section_by_name(".eh_frame_hdr")
            if hdr is not None and hdr["sh_type"] != "SHT_NOBITS":
                parsed = eh_frame_hdr_table(hdr.data(), hdr["sh_addr"])
                if parsed is not None and parsed[0] == eh["sh_addr"]:
                    base = eh["sh_addr"]
                    table = (parsed[1], [f - base for f in parsed[2]])
            out.append(CfiSection(eh.data(), eh["sh_addr"], True, table))
        for image in (self, self.debug_image()):
            if image is None:
                continue
            df = image.elf.get_section_by_name(".debug_frame")
            if df is not None and df["sh_type"] != "SHT_NOBITS":
                out.append(CfiSection(df.data(), 0, False))
        return out

    def rule_at(self, vaddr: int) -> UnwindRule | None:
        """Unwind rule at an ELF virtual address, cached per address."""
        cache = self.rule_cache
        if vaddr in cache:
            return cache[vaddr]
        rule = None
        for sec in self.cfi_sections():
            rule = sec.rule_at(vaddr)
            if rule is not None:
                break
        cache[vaddr] = rule
        return rule

    # -- debug file, symbols, lines ------------------------------------------

    def debug_image(self) -> ElfImage | None:
        """The separate debug file (by build-id, then .gnu_debuglink), if installed."""
        if self._debug is False:
            with self._lock:
                if self._debug is False:
                    self._debug = self._find_debug()
        return self._debug  # type: ignore[return-value]

    def _find_debug(self) -> ElfImage | None:
        candidates = []
        if self.build_id and len(self.build_id) > 2:
            bid = self.build_id
            candidates.append(f"{DEBUG_ROOT}/.build-id/{bid[:2]}/{bid[2:]}.debug")
        link = self.elf.get_section_by_name(".gnu_debuglink")
        if link is not None:
            name = link.data().split(b"\0", 1)[0].decode(errors="replace")
            d = os.path.dirname(os.path.realpath(self.path))
            candidates += [f"{d}/{name}", f"{d}/.debug/{name}", f"{DEBUG_ROOT}{d}/{name}"]
        for cand in candidates:
            if cand != self.path and os.path.isfile(cand):
                try:
                    img = ElfImage(cand)
                except (OSError, ELFError):
                    continue
                if not self.build_id or img.build_id in (None, self.build_id):
                    return img
        return None

    def symbols(self) -> SymbolTable:
        if self._symbols is None:
            from .symbols import SymbolTable

            with self._lock:
                if self._symbols is None:
                    self._symbols = SymbolTable.from_images(self, self.debug_image())
        return self._symbols

    def lines(self) -> LineTable | None:
        """Line table from .debug_line (this file or its debug file), None if neither has one."""
        if self._lines is None:
            from .lines import LineTable

            with self._lock:
                if self._lines is None:
                    self._lines = LineTable.from_images(self.debug_image(), self)
        return self._lines if self._lines.available else None


def _build_id(elf: ELFFile) -> str | None:
    for sec in elf.iter_sections():
        if sec["sh_type"] != "SHT_NOTE":
            continue
        for note in sec.iter_notes():
            if note["n_type"] == "NT_GNU_BUILD_ID":
                return note["n_desc"]
    return None


_images: dict[tuple, ElfImage | None] = {}
_images_lock = threading.Lock()


def open_image(path: str) -> ElfImage | None:
    """The shared ElfImage for `path`, or None if it is not a readable ELF file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    img = _images.get(key, False)
    if img is not False:
        return img  # type: ignore[return-value]
    with _images_lock:
        img = _images.get(key, False)
        if img is False:
            try:
                img = ElfImage(path)
            except (OSError, ELFError, ValueError):
                img = None
            _images[key] = img
    return img  # type: ignore[return-value]
