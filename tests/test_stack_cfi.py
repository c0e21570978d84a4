"""Our lazily decoded CFI rules agree with pyelftools' full decode, row by row."""

from __future__ import annotations

import subprocess

import pytest
from elftools.dwarf.callframe import FDE
from elftools.elf.elffile import ELFFile

from tracer.stack.cfi import TRACKED
from tracer.stack.elfimage import open_image

LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"

CXX_SRC = r"""
#include <cstdio>
#include <stdexcept>
#include <string>
static int thrower(int n) { if (n > 3) throw std::runtime_error("big"); return n * 2; }
int main(int argc, char **argv) {
    std::string s(argv[0]);
    try { return thrower(argc + (int)s.size()); } catch (const std::exception &e) { std::puts(e.what()); }
    return 0;
}
"""


def _compare(path: str, every: int = 1) -> tuple[int, int]:
    """(rows compared, FDEs pyelftools could decode) over every `every`-th FDE of .eh_frame."""
    image = open_image(path)
    assert image is not None
    ours = [s for s in image.cfi_sections() if s.is_eh][0]
    rows = decoded = 0
    with open(path, "rb") as f:
        fdes = [e for e in ELFFile(f).get_dwarf_info().EH_CFI_entries() if isinstance(e, FDE)]
        for fde in fdes[::every]:
            try:
                table = fde.get_decoded().table
            except Exception:  # pyelftools cannot decode a few GNU opcodes
                continue
            decoded += 1
            for row in table:
                rule = ours.rule_at(row["pc"])
                assert rule is not None, hex(row["pc"])
                cfa = row["cfa"]
                if cfa.expr is None:
                    assert (rule.cfa_reg, rule.cfa_off) == (cfa.reg, cfa.offset), hex(row["pc"])
                else:
                    assert rule.cfa_expr is not None
                want = {
                    reg: r.arg
                    for reg, r in row.items()
                    if isinstance(reg, int) and reg in TRACKED and r.type == "OFFSET"
                }
                assert dict(rule.saved) == want, hex(row["pc"])
                rows += 1
    return rows, decoded


@pytest.mark.timeout(120)
def test_libc_rules_match_pyelftools():
    rows, decoded = _compare(LIBC, every=3)
    assert decoded > 500 and rows > 3000


@pytest.mark.timeout(120)
def test_cpp_program_with_personality_and_lsda_matches_pyelftools(tmp_path):
    src = tmp_path / "t.cc"
    src.write_text(CXX_SRC)
    exe = str(tmp_path / "t")
    subprocess.run(["g++", "-O2", "-o", exe, str(src)], check=True)
    rows, decoded = _compare(exe)
    assert decoded >= 3 and rows > decoded


def test_fde_index_comes_from_eh_frame_hdr_and_covers_every_fde():
    image = open_image(LIBC)
    assert image is not None
    eh = [s for s in image.cfi_sections() if s.is_eh][0]
    with open(LIBC, "rb") as f:
        n = sum(isinstance(e, FDE) for e in ELFFile(f).get_dwarf_info().EH_CFI_entries())
    assert len(eh.starts) == n
    assert eh.starts == sorted(eh.starts)
