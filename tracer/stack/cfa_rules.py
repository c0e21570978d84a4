"""The CFA program interpreter: CIE/FDE instructions to compact per-pc unwind rules."""

from __future__ import annotations

from dataclasses import dataclass

from .encoding import read_encoded, sleb, uleb

RA = 16  # DWARF column of the return address on x86_64
# Registers an unwind carries between frames (callee-saved, plus rsp and the RA).
TRACKED = (3, 6, 7, 12, 13, 14, 15, RA)

# Kinds of register rule that are not "saved at CFA+n".
UNDEFINED, VAL_OFFSET, REGISTER, EXPRESSION, VAL_EXPRESSION = range(5)


@dataclass(slots=True, frozen=True)
class UnwindRule:
    """How to find the caller's registers from one pc's row of the CFI table.

    `saved` lists (register, offset from CFA) for the common case; `other`
    lists (register, kind, value) for the rest. `cfa_expr` replaces
    cfa_reg+cfa_off when the CFA is a DWARF expression.
    """

    cfa_reg: int
    cfa_off: int
    saved: tuple[tuple[int, int], ...]
    other: tuple[tuple[int, int, object], ...] = ()
    cfa_expr: bytes | None = None
    ra_undefined: bool = False
    signal_frame: bool = False


@dataclass(slots=True)
class Cie:
    code_align: int
    data_align: int
    ra_reg: int
    fde_enc: int
    has_aug_data: bool
    signal_frame: bool
    initial: bytes


@dataclass(slots=True)
class Fde:
    start: int
    end: int
    cie: Cie
    program: bytes
    locs: list[int] | None = None
    rules: list[UnwindRule | None] | None = None


# -- the CFA program interpreter ------------------------------------------------


def _execute(
    prog: bytes,
    cie: Cie,
    loc: int,
    cfa: list,
    regs: dict[int, tuple],
    initial: dict[int, tuple],
    emit,
    vaddr_of_prog: int = 0,
) -> int:
    """Run CFA instructions; `emit(loc)` is called before each advance. Returns final loc."""
    ca, da = cie.code_align, cie.data_align
    stack: list[tuple[list, dict[int, tuple]]] = []
    pos, end = 0, len(prog)
    while pos < end:
        op = prog[pos]
        pos += 1
        hi = op & 0xC0
        if hi == 0x40:
            emit(loc)
            loc += (op & 0x3F) * ca
            continue
        if hi == 0x80:
            off, pos = uleb(prog, pos)
            regs[op & 0x3F] = ("off", off * da)
            continue
        if hi == 0xC0:
            r = op & 0x3F
            _restore(regs, initial, r)
            continue
        if op == 0x00:
            pass
        elif op == 0x01:
            emit(loc)
            loc, pos = read_encoded(prog, pos, cie.fde_enc, vaddr_of_prog)
        elif op in (0x02, 0x03, 0x04):
            size = 1 << (op - 0x02)
            delta = int.from_bytes(prog[pos : pos + size], "little")
            pos += size
            emit(loc)
            loc += delta * ca
        elif op == 0x05:
            r, pos = uleb(prog, pos)
            off, pos = uleb(prog, pos)
            regs[r] = ("off", off * da)
        elif op == 0x06:
            r, pos = uleb(prog, pos)
            _restore(regs, initial, r)
        elif op == 0x07:
            r, pos = uleb(prog, pos)
            regs[r] = ("undef",)
        elif op == 0x08:
            r, pos = uleb(prog, pos)
            regs.pop(r, None)
        elif op == 0x09:
            r, pos = uleb(prog, pos)
            r2, pos = uleb(prog, pos)
            regs[r] = ("reg", r2)
        elif op == 0x0A:
            stack.append((cfa[:], dict(regs)))
        elif op == 0x0B:
            c, saved = stack.pop()
            cfa[:] = c
            regs.clear()
            regs.update(saved)
        elif op == 0x0C:
            r, pos = uleb(prog, pos)
            off, pos = uleb(prog, pos)
            cfa[:] = [r, off, None]
        elif op == 0x0D:
            r, pos = uleb(prog, pos)
            cfa[0], cfa[2] = r, None
        elif op == 0x0E:
            off, pos = uleb(prog, pos)
            cfa[1] = off
        elif op == 0x0F:
            n, pos = uleb(prog, pos)
            cfa[:] = [-1, 0, bytes(prog[pos : pos + n])]
            pos += n
        elif op in (0x10, 0x16):
            r, pos = uleb(prog, pos)
            n, pos = uleb(prog, pos)
            regs[r] = ("expr" if op == 0x10 else "valexpr", bytes(prog[pos : pos + n]))
            pos += n
        elif op == 0x11:
            r, pos = uleb(prog, pos)
            off, pos = sleb(prog, pos)
            regs[r] = ("off", off * da)
        elif op == 0x12:
            r, pos = uleb(prog, pos)
            off, pos = sleb(prog, pos)
            cfa[:] = [r, off * da, None]
        elif op == 0x13:
            off, pos = sleb(prog, pos)
            cfa[1] = off * da
        elif op in (0x14, 0x15):
            r, pos = uleb(prog, pos)
            off, pos = (uleb if op == 0x14 else sleb)(prog, pos)
            regs[r] = ("valoff", off * da)
        elif op == 0x2E:
            _, pos = uleb(prog, pos)
        elif op == 0x2F:
            r, pos = uleb(prog, pos)
            off, pos = uleb(prog, pos)
            regs[r] = ("off", -off * da)
        else:
            raise ValueError(f"unknown CFA opcode {op:#x}")
    return loc


def _restore(regs: dict[int, tuple], initial: dict[int, tuple], r: int) -> None:
    if r in initial:
        regs[r] = initial[r]
    else:
        regs.pop(r, None)


def compile_rule(cfa: list, regs: dict[int, tuple], cie: Cie) -> UnwindRule:
    """Turn one interpreted row into the compact form the unwinder applies."""
    saved: list[tuple[int, int]] = []
    other: list[tuple[int, int, object]] = []
    ra_undefined = cie.ra_reg not in regs
    for r in TRACKED:
        src = cie.ra_reg if r == RA else r
        rule = regs.get(src)
        if rule is None:
            continue
        kind = rule[0]
        if kind == "off":
            saved.append((r, rule[1]))
        elif kind == "undef":
            if r == RA:
                ra_undefined = True
            else:
                other.append((r, UNDEFINED, 0))
        elif kind == "valoff":
            other.append((r, VAL_OFFSET, rule[1]))
        elif kind == "reg":
            other.append((r, REGISTER, rule[1]))
        elif kind == "expr":
            other.append((r, EXPRESSION, rule[1]))
        elif kind == "valexpr":
            other.append((r, VAL_EXPRESSION, rule[1]))
    return UnwindRule(
        cfa[0], cfa[1], tuple(saved), tuple(other), cfa[2], ra_undefined, cie.signal_frame
    )


def run_program(fde: Fde) -> tuple[list[int], list[UnwindRule | None]]:
    """All rows of an FDE's table: parallel lists of start address and rule."""
    cie = fde.cie
    cfa: list = [7, 8, None]
    regs: dict[int, tuple] = {}
    _execute(cie.initial, cie, fde.start, cfa, regs, {}, lambda loc: None)
    initial = dict(regs)
    locs: list[int] = []
    rules: list[UnwindRule | None] = []

    def emit(loc: int) -> None:
        rule = compile_rule(cfa, regs, cie)
        if locs and locs[-1] == loc:
            rules[-1] = rule
        elif not rules or rules[-1] != rule:
            locs.append(loc)
            rules.append(rule)

    emit(_execute(fde.program, cie, fde.start, cfa, regs, initial, emit))
    return locs, rules
