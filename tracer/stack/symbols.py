"""Function symbols of an ELF image (.symtab, .dynsym and the debug file's .symtab)."""

from __future__ import annotations

import struct
from bisect import bisect_right
from typing import TYPE_CHECKING

from elftools.elf.sections import SymbolTableSection

if TYPE_CHECKING:
    from .elfimage import ElfImage

_FUNC_TYPES = ("STT_FUNC", "STT_GNU_IFUNC")
_STT_FUNC = 2
_STT_GNU_IFUNC = 10
_ELF64_SYM = struct.Struct("<IBBHQQ")  # st_name, st_info, st_other, st_shndx, st_value, st_size


def _keep(best: dict[int, str], value: int, name: str) -> None:
    # First seen wins, as in libunwind, except glibc's internal `__GI_` aliases,
    # which only say "hidden alias of".
    old = best.get(value)
    if old is None or (old.startswith("__GI_") and not name.startswith("__GI_")):
        best[value] = name


def _collect(img: ElfImage, sec: SymbolTableSection, best: dict[int, str]) -> None:
    """Function symbols of one table. Raw Elf64_Sym parsing: pyelftools' per-symbol
    objects cost ~60 µs each, seconds for a libc debug file's 13k symbols."""
    elf = img.elf
    if elf.elfclass != 64 or not elf.little_endian:
        for sym in sec.iter_symbols():
            if sym["st_info"]["type"] in _FUNC_TYPES and sym["st_value"]:
                if sym["st_shndx"] != "SHN_UNDEF" and sym.name:
                    _keep(best, sym["st_value"], sym.name)
        return
    data = sec.data()
    strtab = elf.get_section(sec["sh_link"]).data()
    find = strtab.find
    for st_name, st_info, _other, shndx, value, _size in _ELF64_SYM.iter_unpack(
        data[: len(data) - len(data) % _ELF64_SYM.size]
    ):
        kind = st_info & 0xF
        if (kind == _STT_FUNC or kind == _STT_GNU_IFUNC) and value and shndx and st_name:
            end = find(b"\0", st_name)
            name = strtab[st_name:end].decode("utf-8", "replace")
            if name:
                _keep(best, value, name)


class SymbolTable:
    """Sorted function start addresses and names; lookup is nearest-preceding, like strace -k.

    strace (libunwind) names a pc after the closest function symbol at or below
    it, ignoring sizes; we do the same so names agree, but we also read the
    debug file's .symtab, which names the static functions a stripped library
    hides (where strace shows the nearest exported neighbour instead).
    """

    __slots__ = ("addrs", "names")

    def __init__(self, addrs: list[int], names: list[str]) -> None:
        self.addrs = addrs
        self.names = names

    @classmethod
    def from_images(cls, image: ElfImage, debug: ElfImage | None) -> SymbolTable:
        best: dict[int, str] = {}
        for img in (image, debug):
            if img is None:
                continue
            for sec in img.elf.iter_sections():
                if isinstance(sec, SymbolTableSection):
                    _collect(img, sec, best)
        addrs = sorted(best)
        return cls(addrs, [best[a] for a in addrs])

    def lookup(self, vaddr: int) -> tuple[str, int] | None:
        """(name, offset) of the function symbol at or below `vaddr`."""
        i = bisect_right(self.addrs, vaddr) - 1
        if i < 0:
            return None
        return self.names[i], vaddr - self.addrs[i]
