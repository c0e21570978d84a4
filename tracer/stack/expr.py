"""A small DWARF expression evaluator for CFI rules (signal frames, PLT entries)."""

from __future__ import annotations

from collections.abc import Callable

from .encoding import MASK64, sleb, uleb

ReadWord = Callable[[int], "int | None"]


class ExprError(Exception):
    """The expression uses an operation or a register we cannot evaluate."""


def _signed(v: int) -> int:
    return v - (1 << 64) if v & (1 << 63) else v


_BINARY: dict[int, Callable[[int, int], int]] = {
    0x1A: lambda a, b: a & b,
    0x1B: lambda a, b: _signed(a) // _signed(b) if b else 0,
    0x1C: lambda a, b: a - b,
    0x1D: lambda a, b: a % b if b else 0,
    0x1E: lambda a, b: a * b,
    0x21: lambda a, b: a | b,
    0x22: lambda a, b: a + b,
    0x24: lambda a, b: a << b,
    0x25: lambda a, b: a >> b,
    0x26: lambda a, b: _signed(a) >> b,
    0x27: lambda a, b: a ^ b,
    0x29: lambda a, b: int(a == b),
    0x2A: lambda a, b: int(_signed(a) >= _signed(b)),
    0x2B: lambda a, b: int(_signed(a) > _signed(b)),
    0x2C: lambda a, b: int(_signed(a) <= _signed(b)),
    0x2D: lambda a, b: int(_signed(a) < _signed(b)),
    0x2E: lambda a, b: int(a != b),
}

_CONST = {0x08: (1, False), 0x09: (1, True), 0x0A: (2, False), 0x0B: (2, True),
          0x0C: (4, False), 0x0D: (4, True), 0x0E: (8, False), 0x0F: (8, True)}  # fmt: skip


def evaluate(
    code: bytes, regs: list[int | None], read_word: ReadWord, push: int | None = None
) -> int:
    """Run `code` and return the top of the stack; `push` is pushed first (the CFA, for
    DW_CFA_expression rules). `regs` is indexed by DWARF register number."""
    stack: list[int] = [] if push is None else [push]
    pos = 0
    end = len(code)

    def reg(n: int) -> int:
        v = regs[n] if n < len(regs) else None
        if v is None:
            raise ExprError(f"register {n} unknown")
        return v

    while pos < end:
        op = code[pos]
        pos += 1
        if 0x30 <= op <= 0x4F:
            stack.append(op - 0x30)
        elif 0x70 <= op <= 0x8F:
            off, pos = sleb(code, pos)
            stack.append((reg(op - 0x70) + off) & MASK64)
        elif op == 0x92:
            n, pos = uleb(code, pos)
            off, pos = sleb(code, pos)
            stack.append((reg(n) + off) & MASK64)
        elif op in _CONST:
            size, signed = _CONST[op]
            stack.append(int.from_bytes(code[pos : pos + size], "little", signed=signed) & MASK64)
            pos += size
        elif op == 0x10:
            v, pos = uleb(code, pos)
            stack.append(v & MASK64)
        elif op == 0x11:
            v, pos = sleb(code, pos)
            stack.append(v & MASK64)
        elif op in _BINARY:
            b = stack.pop()
            a = stack.pop()
            stack.append(_BINARY[op](a, b) & MASK64)
        elif op == 0x23:
            v, pos = uleb(code, pos)
            stack.append((stack.pop() + v) & MASK64)
        elif op == 0x06 or op == 0x94:
            size = 8
            if op == 0x94:
                size = code[pos]
                pos += 1
            w = read_word(stack.pop())
            if w is None:
                raise ExprError("unreadable memory")
            stack.append(w & ((1 << (8 * size)) - 1))
        elif op == 0x12:
            stack.append(stack[-1])
        elif op == 0x13:
            stack.pop()
        elif op == 0x14:
            stack.append(stack[-2])
        elif op == 0x15:
            stack.append(stack[-1 - code[pos]])
            pos += 1
        elif op == 0x16:
            stack[-1], stack[-2] = stack[-2], stack[-1]
        elif op == 0x17:
            stack[-1], stack[-2], stack[-3] = stack[-2], stack[-3], stack[-1]
        elif op == 0x19:
            stack.append(abs(_signed(stack.pop())))
        elif op == 0x1F:
            stack.append(-_signed(stack.pop()) & MASK64)
        elif op == 0x20:
            stack.append(~stack.pop() & MASK64)
        elif op == 0x2F or op == 0x28:
            off = int.from_bytes(code[pos : pos + 2], "little", signed=True)
            pos += 2
            if op == 0x2F or stack.pop() != 0:
                pos += off
        elif op == 0x96:
            pass
        else:
            raise ExprError(f"unsupported DWARF op {op:#x}")
    if not stack:
        raise ExprError("empty expression")
    return stack[-1]
