"""Stack traces of real programs stopped at syscalls: functions, modules and source lines.

Every expectation comes from the program itself: function names from its source,
line numbers from `MARK:` comments, libc entry points from libc's own .dynsym.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection
from test_stack_support import compile_c, marker_line, syscall_stops

from tracer.events import Frame
from tracer.stack import StackUnwinder, format_frame, resolve, source_lines
from tracer.stack.elfimage import open_image

pytestmark = pytest.mark.timeout(120)

WRITE, OPENAT = 1, 257

NESTED_C = r"""
#include <stdio.h>
#include <unistd.h>
#define KEEP asm volatile("" ::: "memory")
__attribute__((noipa)) static int leaf_write(void) { int r = write(1, "leaf\n", 5); /* MARK:leaf_write */ KEEP; return r; }
__attribute__((noipa)) int middle(int n) { int r = leaf_write(); /* MARK:middle */ KEEP; return r + n; }
__attribute__((noipa)) int outer(int n) { int r = middle(n + 1); /* MARK:outer */ KEEP; return r * 2; }
__attribute__((noipa)) void via_printf(void) { printf("printf %d\n", 42); fflush(stdout); /* MARK:via_printf */ KEEP; }
__attribute__((noipa)) void via_fopen(void) { FILE *f = fopen("/dev/null", "r"); /* MARK:via_fopen */ KEEP; if (f) fclose(f); }
int main(void) {
    outer(1); /* MARK:main_outer */
    via_printf(); /* MARK:main_printf */
    via_fopen(); /* MARK:main_fopen */
    return 0;
}
"""

LIB_C = r"""
#include <unistd.h>
__attribute__((noipa)) static int lib_inner(int n) { int r = write(1, "lib\n", 4); /* MARK:lib_inner */ asm volatile("" ::: "memory"); return r + n; }
__attribute__((noipa)) int lib_entry(int n) { int r = lib_inner(n) * 3; /* MARK:lib_entry */ asm volatile(""); return r; }
"""

LIB_MAIN_C = r"""
int lib_entry(int n);
int main(int argc, char **argv) {
    int r = lib_entry(argc); /* MARK:main_lib */
    return r > 0 ? 0 : 1;
}
"""

DLOPEN_C = r"""
#include <dlfcn.h>
int main(int argc, char **argv) {
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) return 2;
    int (*entry)(int) = (int (*)(int))dlsym(h, "lib_entry");
    int r = entry(argc); /* MARK:main_dlopen */
    return r > 0 ? 0 : 1;
}
"""

SIGNAL_C = r"""
#include <signal.h>
#include <unistd.h>
static void handler(int s) { write(1, "sig\n", 4); /* MARK:handler */ asm volatile("" ::: "memory"); }
__attribute__((noipa)) void interrupted(void) { raise(SIGUSR1); /* MARK:raise */ asm volatile("" ::: "memory"); }
int main(void) {
    signal(SIGUSR1, handler);
    interrupted(); /* MARK:main_signal */
    return 0;
}
"""

CXX_SRC = r"""
#include <unistd.h>
namespace shapes {
struct Widget {
    __attribute__((noipa)) int emit(int n) { int r = write(1, "w\n", 2); /* MARK:emit */ asm volatile(""); return r + n; }
};
}
int main() { shapes::Widget w; return w.emit(1) > 0 ? 0 : 1; }
"""

FLAG_SETS = {
    "O0-fp": ["-O0", "-g", "-fno-omit-frame-pointer"],
    "O0-nofp": ["-O0", "-g", "-fomit-frame-pointer"],
    "O2-fp": ["-O2", "-g", "-fno-omit-frame-pointer"],
    "O2-nofp": ["-O2", "-g", "-fomit-frame-pointer"],
}

LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"


def _write(path, text: str) -> str:
    path.write_text(text)
    return str(path)


def _dynsym_address(lib: str, name: str) -> int:
    """Address of `name` in `lib`'s own .dynsym, read with pyelftools (independent of us)."""
    with open(lib, "rb") as f:
        elf = ELFFile(f)
        sec = elf.get_section_by_name(".dynsym")
        assert isinstance(sec, SymbolTableSection)
        syms = sec.get_symbol_by_name(name)
        assert syms, name
        return syms[0]["st_value"]


def _stacks(argv: list[str], wanted: set[int]) -> list[tuple[int, list[Frame]]]:
    """Every stop of interest with its resolved stack."""
    unwinder = StackUnwinder()
    out = []
    for stop in syscall_stops(argv, wanted):
        if stop.maps_changed:
            unwinder.invalidate(stop.pid)
        frames = unwinder.unwind(stop.pid, stop.pid, stop.regs)
        resolve(frames)
        out.append((stop.nr, frames))
    return out


def _in(frames: list[Frame], module: str) -> list[Frame]:
    real = os.path.realpath(module)
    return [f for f in frames if f.module and os.path.realpath(f.module) == real]


def _symbol_start(frame: Frame) -> int:
    return frame.vaddr - frame.offset  # type: ignore[attr-defined]


def _stack_with(stacks, nr: int, function: str) -> list[Frame]:
    for n, frames in stacks:
        if n == nr and any(f.function == function for f in frames):
            return frames
    raise AssertionError(f"no {nr} stop with {function} on the stack")


@pytest.fixture(scope="module", params=sorted(FLAG_SETS))
def nested(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"nested-{request.param}")
    src = _write(d / "nested.c", NESTED_C)
    exe = compile_c(src, str(d / "nested"), FLAG_SETS[request.param])
    return src, exe, _stacks([exe], {WRITE, OPENAT})


def test_write_from_nested_functions_shows_every_caller_with_its_line(nested):
    src, exe, stacks = nested
    frames = _stack_with(stacks, WRITE, "leaf_write")
    assert frames[0].module and os.path.realpath(frames[0].module) == os.path.realpath(LIBC)
    assert _symbol_start(frames[0]) == _dynsym_address(LIBC, "write")
    mine = _in(frames, exe)
    assert [f.function for f in mine] == ["leaf_write", "middle", "outer", "main", "_start"]
    want_lines = [marker_line(src, m) for m in ("leaf_write", "middle", "outer", "main_outer")]
    assert [(f.file, f.line) for f in mine[:4]] == [(src, n) for n in want_lines]


def test_printf_write_goes_through_fflush_in_libc(nested):
    src, exe, stacks = nested
    frames = _stack_with(stacks, WRITE, "via_printf")
    libc_starts = [_symbol_start(f) for f in _in(frames, LIBC)]
    assert _dynsym_address(LIBC, "fflush") in libc_starts
    mine = _in(frames, exe)
    assert [f.function for f in mine] == ["via_printf", "main", "_start"]
    assert mine[0].line == marker_line(src, "via_printf")
    assert mine[1].line == marker_line(src, "main_printf")


def test_fopen_openat_is_attributed_to_open_and_the_caller_line(nested):
    src, exe, stacks = nested
    frames = _stack_with(stacks, OPENAT, "via_fopen")
    assert _symbol_start(frames[0]) == _dynsym_address(LIBC, "open")
    mine = _in(frames, exe)
    assert [f.function for f in mine] == ["via_fopen", "main", "_start"]
    assert [f.line for f in mine[:2]] == [
        marker_line(src, "via_fopen"),
        marker_line(src, "main_fopen"),
    ]


def test_offsets_match_strace_k(nested, tmp_path):
    """Same frames as strace -k: module and file offset of every frame of every call."""
    src, exe, stacks = nested
    log = tmp_path / "strace.txt"
    subprocess.run(
        ["strace", "-k", "-e", "trace=write,openat", "-o", str(log), exe],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    theirs: list[list[tuple[str, int]]] = []
    for line in log.read_text().splitlines():
        m = re.match(r" > (\S+?)\(.*\) \[(0x[0-9a-f]+)\]$", line)
        if m:
            theirs[-1].append((os.path.realpath(m.group(1)), int(m.group(2), 16)))
        elif re.match(r"(write|openat)\(", line):
            theirs.append([])
    ours = [
        [(os.path.realpath(f.module or "?"), f.module_offset) for f in frames]  # type: ignore[attr-defined]
        for _, frames in stacks
    ]
    assert ours == theirs


def test_shared_library_frames_name_the_library(tmp_path):
    lib_src = _write(tmp_path / "shared.c", LIB_C)
    main_src = _write(tmp_path / "main.c", LIB_MAIN_C)
    lib = compile_c(
        lib_src,
        str(tmp_path / "libshared.so"),
        ["-O2", "-g", "-fomit-frame-pointer", "-shared", "-fPIC"],
    )
    exe = compile_c(
        main_src,
        str(tmp_path / "main"),
        ["-O0", "-g"],
        [f"-L{tmp_path}", "-lshared", f"-Wl,-rpath,{tmp_path}"],
    )
    frames = _stack_with(_stacks([exe], {WRITE}), WRITE, "lib_inner")
    in_lib = _in(frames, lib)
    assert [f.function for f in in_lib] == ["lib_inner", "lib_entry"]
    assert [(f.file, f.line) for f in in_lib] == [
        (lib_src, marker_line(lib_src, "lib_inner")),
        (lib_src, marker_line(lib_src, "lib_entry")),
    ]
    assert [f.function for f in _in(frames, exe)] == ["main", "_start"]
    assert _in(frames, exe)[0].line == marker_line(main_src, "main_lib")


def test_library_loaded_by_dlopen_is_found_after_invalidate(tmp_path):
    lib = compile_c(
        _write(tmp_path / "shared.c", LIB_C),
        str(tmp_path / "libdyn.so"),
        ["-O2", "-g", "-shared", "-fPIC"],
    )
    main_src = _write(tmp_path / "dl.c", DLOPEN_C)
    exe = compile_c(main_src, str(tmp_path / "dl"), ["-O0", "-g"], ["-ldl"])
    frames = _stack_with(_stacks([exe, lib], {WRITE}), WRITE, "lib_entry")
    assert [f.function for f in _in(frames, lib)] == ["lib_inner", "lib_entry"]
    assert _in(frames, exe)[0].line == marker_line(main_src, "main_dlopen")


def test_frame_pointer_walk_when_the_binary_has_no_unwind_tables(tmp_path):
    src = _write(tmp_path / "nested.c", NESTED_C)
    flags = [
        "-O0",
        "-fno-omit-frame-pointer",
        "-fno-asynchronous-unwind-tables",
        "-fno-unwind-tables",
    ]
    exe = compile_c(src, str(tmp_path / "nocfi"), flags)
    image = open_image(exe)
    assert image is not None
    leaf = image.symbols().addrs[image.symbols().names.index("leaf_write")]
    assert all(sec.find_fde(leaf + 4) is None for sec in image.cfi_sections())
    frames = _stack_with(_stacks([exe], {WRITE}), WRITE, "leaf_write")
    names = [f.function for f in _in(frames, exe)]
    assert names[:4] == ["leaf_write", "middle", "outer", "main"]
    assert all(f.file is None for f in _in(frames, exe))  # built without -g


def test_debug_frame_alone_unwinds_code_without_frame_pointers(tmp_path):
    src = _write(tmp_path / "nested.c", NESTED_C)
    flags = ["-O2", "-g", "-fomit-frame-pointer", "-fno-asynchronous-unwind-tables"]
    exe = compile_c(src, str(tmp_path / "dbgframe"), flags)
    image = open_image(exe)
    assert image is not None
    assert image.elf.get_section_by_name(".debug_frame") is not None
    frames = _stack_with(_stacks([exe], {WRITE}), WRITE, "leaf_write")
    mine = _in(frames, exe)
    assert [f.function for f in mine][:4] == ["leaf_write", "middle", "outer", "main"]
    assert mine[2].line == marker_line(src, "outer")


def test_write_in_a_signal_handler_unwinds_through_the_signal_frame(tmp_path):
    src = _write(tmp_path / "sig.c", SIGNAL_C)
    exe = compile_c(src, str(tmp_path / "sig"), ["-O2", "-g", "-fomit-frame-pointer"])
    frames = _stack_with(_stacks([exe], {WRITE}), WRITE, "handler")
    names = [f.function for f in frames]
    assert names.index("handler") < names.index("__restore_rt") < names.index("interrupted")
    mine = _in(frames, exe)
    assert [f.function for f in mine] == ["handler", "interrupted", "main", "_start"]
    assert [f.line for f in mine[:3]] == [
        marker_line(src, m) for m in ("handler", "raise", "main_signal")
    ]


def test_cpp_frames_are_demangled(tmp_path):
    src = _write(tmp_path / "w.cc", CXX_SRC)
    exe = str(tmp_path / "w")
    subprocess.run(["g++", "-O1", "-g", "-o", exe, src], check=True)
    frames = _stack_with(_stacks([exe], {WRITE}), WRITE, "shapes::Widget::emit(int)")
    top = _in(frames, exe)[0]
    assert top.function == "shapes::Widget::emit(int)"
    assert top.line == marker_line(src, "emit")


def test_format_frame_looks_like_strace_k_plus_the_source_line(nested):
    src, exe, stacks = nested
    frames = _stack_with(stacks, WRITE, "leaf_write")
    text = format_frame(_in(frames, exe)[0])
    m = re.fullmatch(r" > (\S+)\(leaf_write\+0x[0-9a-f]+\) \[0x[0-9a-f]+\] \((\S+):(\d+)\)", text)
    assert m, text
    assert (m.group(1), m.group(2), int(m.group(3))) == (exe, src, marker_line(src, "leaf_write"))


def test_source_lines_show_the_context_of_a_frame(nested):
    src, exe, stacks = nested
    frame = _in(_stack_with(stacks, WRITE, "leaf_write"), exe)[1]
    lines = source_lines(frame.file, frame.line, context=2)
    assert [n for n, _ in lines] == list(range(frame.line - 2, frame.line + 3))
    assert "MARK:middle" in dict(lines)[frame.line]
    assert source_lines("/nonexistent/file.c", 3) == []


def test_unwinding_a_process_that_is_gone_returns_what_it_can(nested):
    from tracer.stack import Regs

    proc = subprocess.run(["true"], check=True)
    assert proc.returncode == 0
    unwinder = StackUnwinder()
    frames = unwinder.unwind(2**22 + 12345, 2**22 + 12345, Regs(rip=0x401000, rsp=0x7FFF0000))
    assert [f.pc for f in frames] == [0x401000]
    assert format_frame(frames[0]) == " > ?() [0x401000]"
    unwinder.forget(2**22 + 12345)
