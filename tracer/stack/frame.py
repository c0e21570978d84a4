"""Frames as the unwinder returns them, their lazy symbolization, and strace -k text.

`StackFrame` is a `tracer.events.Frame` with hidden slots (not dataclass fields,
so equality, repr and `dataclasses.asdict` see a plain Frame) that remember
where the pc lies in its ELF file. `unwind` fills only `pc` and `module`;
`resolve` fills `function`, `offset`, `file` and `line`, once per frame: the
unwinder shares one StackFrame per call site, so a site is resolved once for
every syscall that passed through it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..events import Frame
from .demangle import demangle
from .elfimage import ElfImage, open_image


class StackFrame(Frame):
    """A Frame that knows its ELF image, so symbols and lines can be looked up later."""

    __slots__ = ("vaddr", "image_index", "is_return_address", "resolved")

    def __init__(
        self,
        pc: int,
        module: str | None,
        module_offset: int,
        vaddr: int,
        image: ElfImage | None,
        is_return_address: bool,
    ) -> None:
        Frame.__init__(self, pc, module)
        # What strace prints in brackets: the pc as an offset into the mapped file.
        self.module_offset = module_offset
        self.vaddr = vaddr  # the pc as an ELF virtual address of the module
        self.image_index = _register(image)
        self.is_return_address = is_return_address
        self.resolved = image is None


_image_list: list[ElfImage] = []
_image_index: dict[int, int] = {}


def _register(image: ElfImage | None) -> int:
    # An index, not a reference: frames end up in event records that may be copied or pickled.
    if image is None:
        return -1
    idx = _image_index.get(id(image))
    if idx is None:
        idx = _image_index[id(image)] = len(_image_list)
        _image_list.append(image)
    return idx


def resolve(frames: Iterable[Frame], lines: bool = True) -> None:
    """Fill function/offset (and file/line when `lines`) of frames made by the unwinder.

    Idempotent and cheap for already-resolved frames; may parse symbol tables or a
    compilation unit's line program the first time an image or unit is seen.
    """
    for fr in frames:
        if not isinstance(fr, StackFrame) or fr.resolved or fr.image_index < 0:
            continue
        image = _image_list[fr.image_index]
        found = image.symbols().lookup(fr.vaddr)
        if found is not None:
            fr.function = demangle(found[0])
            fr.offset = found[1]
        if lines:
            table = image.lines()
            if table is not None:
                # A return address is past the call; the call's line is at pc-1.
                loc = table.lookup(fr.vaddr - 1 if fr.is_return_address else fr.vaddr)
                if loc is not None:
                    fr.file, fr.line = loc
            fr.resolved = True


_by_module: dict[tuple[str, int, bool], tuple[str | None, int, str | None, int | None]] = {}


def resolve_by_module(frames: list[Frame], lines: bool = True) -> None:
    """Resolve plain Frames from their module path and file offset alone.

    For a process other than the tracer's (the headless writer): it has none of
    the unwinder's images, and resolving there keeps symbol and line-table
    parsing off the ptrace thread. Cached per (module, offset).
    """
    for i, fr in enumerate(frames):
        if fr.function is not None or not fr.module or isinstance(fr, StackFrame):
            continue
        is_return = i > 0  # every frame but the innermost holds a return address
        key = (fr.module, fr.module_offset, is_return)
        found = _by_module.get(key)
        if found is None:
            found = _resolve_module_offset(fr.module, fr.module_offset, is_return, lines)
            _by_module[key] = found
        fr.function, fr.offset, fr.file, fr.line = found


def resolve_site(
    module: str, module_offset: int, is_return: bool, lines: bool = True
) -> tuple[str | None, int, str | None, int | None]:
    """(function, offset, file, line) of a pc given as its module and file offset (cached)."""
    key = (module, module_offset, is_return)
    found = _by_module.get(key)
    if found is None:
        found = _by_module[key] = _resolve_module_offset(module, module_offset, is_return, lines)
    return found


def _resolve_module_offset(
    module: str, module_offset: int, is_return: bool, lines: bool
) -> tuple[str | None, int, str | None, int | None]:
    image = open_image(module)
    if image is None:
        return None, 0, None, None
    vaddr = module_offset + image.vaddr_delta(module_offset)
    function, offset, file, line = None, 0, None, None
    sym = image.symbols().lookup(vaddr)
    if sym is not None:
        function, offset = demangle(sym[0]), sym[1]
    if lines:
        table = image.lines()
        if table is not None:
            loc = table.lookup(vaddr - 1 if is_return else vaddr)
            if loc is not None:
                file, line = loc
    return function, offset, file, line


def format_frame(frame: Frame) -> str:
    """One line of strace -k output, plus ` (file:line)` when the line is known.

    ` > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350] (../sysdeps/.../write.c:26)`
    The bracketed number is, as in strace, the pc as an offset into the module file.
    """
    if isinstance(frame, StackFrame):
        resolve((frame,))
        where = frame.module_offset
    else:
        where = frame.module_offset or frame.pc  # replayed frames may carry only the pc
    if frame.module is None:
        text = f" > ?() [{frame.pc:#x}]"
    elif frame.function:
        text = f" > {frame.module}({frame.function}+{frame.offset:#x}) [{where:#x}]"
    else:
        text = f" > {frame.module}() [{where:#x}]"
    if frame.file and frame.line:
        text += f" ({frame.file}:{frame.line})"
    return text
