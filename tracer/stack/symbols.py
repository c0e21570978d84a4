"""Function symbols of an ELF image (.symtab, .dynsym and the debug file's .symtab)."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from elftools.elf.sections import SymbolTableSection

if TYPE_CHECKING:
    from .elfimage import ElfImage

_FUNC_TYPES = ("STT_FUNC", "STT_GNU_IFUNC")


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
                if not isinstance(sec, SymbolTableSection):
                    continue
                for sym in sec.iter_symbols():
                    info = sym["st_info"]
                    value = sym["st_value"]
                    if (
                        info["type"] in _FUNC_TYPES
                        and value
                        and sym["st_shndx"] != "SHN_UNDEF"
                        and sym.name
                    ):
                        # First seen wins, as in libunwind, except glibc's internal
                        # `__GI_` aliases, which only say "hidden alias of".
                        old = best.get(value)
                        if old is None or (
                            old.startswith("__GI_") and not sym.name.startswith("__GI_")
                        ):
                            best[value] = sym.name
        addrs = sorted(best)
        return cls(addrs, [best[a] for a in addrs])

    def lookup(self, vaddr: int) -> tuple[str, int] | None:
        """(name, offset) of the function symbol at or below `vaddr`."""
        i = bisect_right(self.addrs, vaddr) - 1
        if i < 0:
            return None
        return self.names[i], vaddr - self.addrs[i]
