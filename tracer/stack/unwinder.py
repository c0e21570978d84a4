"""StackUnwinder: the user-space call stack of a task stopped at a syscall, like strace -k.

Per process we keep the memory map and a site cache: pc -> (shared StackFrame,
unwind rule). After warm-up an unwind is one process_vm_readv of the top of
the stack plus, per frame, a dict lookup and a few word reads from that copy.
The cache survives `invalidate` unless the executable mappings really changed.
"""

from __future__ import annotations

from ..events import Frame
from .cfa_rules import (
    EXPRESSION,
    RA,
    REGISTER,
    UNDEFINED,
    VAL_EXPRESSION,
    VAL_OFFSET,
    UnwindRule,
)
from .elfimage import ElfImage, open_image
from .expr import ExprError, evaluate
from .frame import StackFrame, resolve
from .maps import AddressMap, Mapping, read_maps
from .memory import RemoteMemory, StackWindow
from .regs import Regs

CALLEE_SAVED = (3, 6, 12, 13, 14, 15)
Site = tuple[StackFrame, UnwindRule | None]


class _Process:
    __slots__ = ("amap", "layout", "stale", "sites", "top_sites", "images")

    def __init__(self) -> None:
        self.amap = AddressMap([])
        self.layout: tuple = ()
        self.stale = True
        self.sites: dict[int, Site] = {}  # pcs that are return addresses
        self.top_sites: dict[int, Site] = {}  # pcs of the innermost frame
        self.images: dict[int, ElfImage | None] = {}  # by mapping start


class StackUnwinder:
    """Unwinds stopped tasks with DWARF CFI (frame pointers as fallback).

    `unwind` returns frames with `pc` and `module` set; call `resolve(frames)` (or
    `format_frame`, which resolves) to fill function, offset, file and line.
    """

    def __init__(self, max_frames: int = 64, stack_window: int = 16384) -> None:
        self.max_frames = max_frames
        self.stack_window = stack_window
        self._procs: dict[int, _Process] = {}
        self._mem = RemoteMemory()

    def invalidate(self, pid: int) -> None:
        """The memory map of `pid` may have changed (mmap, munmap, mprotect, mremap, execve)."""
        proc = self._procs.get(pid)
        if proc is not None:
            proc.stale = True

    def forget(self, pid: int) -> None:
        """`pid` is gone; drop its state."""
        self._procs.pop(pid, None)

    resolve = staticmethod(resolve)

    def _process(self, pid: int) -> _Process:
        proc = self._procs.get(pid)
        if proc is None:
            proc = self._procs[pid] = _Process()
        if proc.stale:
            proc.amap = AddressMap(read_maps(pid))
            layout = proc.amap.code_layout()
            if layout != proc.layout:
                proc.layout = layout
                proc.sites = {}
                proc.top_sites = {}
                proc.images = {}
            proc.stale = False
        return proc

    def unwind(self, pid: int, tid: int, regs: Regs) -> list[Frame]:
        """Frames of `tid` (a thread of process `pid`), innermost first."""
        proc = self._process(pid)
        rsp = regs.rsp
        stack_map = proc.amap.find(rsp)
        size = min(self.stack_window, stack_map.end - rsp) if stack_map else 0
        win = StackWindow(self._mem, tid, rsp, size)
        state = regs.dwarf_list()
        frames: list[Frame] = []
        pc = regs.rip
        sites = proc.top_sites
        is_ra = False
        limit = self.max_frames
        while True:
            site = sites.get(pc)
            if site is None:
                site = self._make_site(pid, proc, pc, is_ra)
            frame, rule = site
            frames.append(frame)
            if len(frames) >= limit:
                break
            if rule is not None:
                new = _apply(rule, state, win)
            elif frame.module is not None or len(frames) == 1:
                new = _frame_pointer_step(state, win)
            else:
                break
            if new is None:
                break
            pc = new[RA]
            sp = new[7]
            if not pc or sp is None:
                break
            signal = rule is not None and rule.signal_frame
            if sp <= state[7] and not signal:  # type: ignore[operator]
                break  # the stack must move up, or we would loop
            state = new
            # After a signal trampoline the next pc is the interrupted instruction itself.
            is_ra = not signal
            sites = proc.sites if is_ra else proc.top_sites
        return frames

    def _make_site(self, pid: int, proc: _Process, pc: int, is_ra: bool) -> Site:
        m = proc.amap.find(pc)
        rule = None
        if m is None or not m.executable:
            frame = StackFrame(pc, None, pc, pc, None, is_ra)
        else:
            image = self._image(pid, proc, m)
            module_offset = pc - m.start + m.offset
            vaddr = module_offset + (image.vaddr_delta(m.offset) if image else 0)
            if image is not None:
                rule = image.rule_at(vaddr - 1 if is_ra else vaddr)
            # A signal trampoline is entered at its first instruction, not after a call.
            after_call = is_ra and not (rule is not None and rule.signal_frame)
            frame = StackFrame(pc, m.path or None, module_offset, vaddr, image, after_call)
        site = (frame, rule)
        (proc.sites if is_ra else proc.top_sites)[pc] = site
        return site

    def _image(self, pid: int, proc: _Process, m: Mapping) -> ElfImage | None:
        if m.start in proc.images:
            return proc.images[m.start]
        image = None
        if m.is_file:
            image = open_image(m.path)
            if image is None:  # deleted, or in another mount namespace
                image = open_image(f"/proc/{pid}/map_files/{m.start:x}-{m.end:x}")
        proc.images[m.start] = image
        return image


def _apply(rule: UnwindRule, state: list[int | None], win: StackWindow) -> list[int | None] | None:
    """The caller's registers from the callee's, by one CFI row; None if not computable."""
    try:
        if rule.cfa_expr is None:
            base = state[rule.cfa_reg] if rule.cfa_reg < 17 else None
            if base is None:
                return None
            cfa = base + rule.cfa_off
        else:
            cfa = evaluate(rule.cfa_expr, state, win.word)
        new: list[int | None] = [None] * 17
        for r in CALLEE_SAVED:
            new[r] = state[r]
        new[7] = cfa
        word = win.word
        for r, off in rule.saved:
            v = word(cfa + off)
            if v is None:
                return None
            new[r] = v
        for r, kind, val in rule.other:
            if kind == UNDEFINED:
                new[r] = None
            elif kind == VAL_OFFSET:
                new[r] = cfa + val  # type: ignore[operator]
            elif kind == REGISTER:
                new[r] = state[val] if val < 17 else None  # type: ignore[operator,index]
            elif kind == EXPRESSION:
                new[r] = word(evaluate(val, state, word, cfa))  # type: ignore[arg-type]
            elif kind == VAL_EXPRESSION:
                new[r] = evaluate(val, state, word, cfa)  # type: ignore[arg-type]
    except (ExprError, IndexError):
        return None
    if rule.ra_undefined:
        new[RA] = None
    return new


def _frame_pointer_step(state: list[int | None], win: StackWindow) -> list[int | None] | None:
    """Classic rbp chain: [rbp] is the caller's rbp, [rbp+8] the return address."""
    rbp = state[6]
    if not rbp:
        return None
    saved = win.word(rbp)
    ra = win.word(rbp + 8)
    if ra is None:
        return None
    new = [None] * 17
    for r in CALLEE_SAVED:
        new[r] = state[r]
    new[6] = saved
    new[7] = rbp + 16
    new[RA] = ra
    return new
