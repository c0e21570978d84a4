"""User-space call stacks of stopped tracees: DWARF CFI unwinding, symbols, file:line.

    unwinder = StackUnwinder()
    frames = unwinder.unwind(pid, tid, Regs.from_user_regs(ptrace_getregs(tid)))
    resolve(frames)                      # fill function/offset/file/line (lazy, cached)
    print("\\n".join(format_frame(f) for f in frames))

Call `invalidate(pid)` after mmap/munmap/mprotect/mremap/execve return and
`forget(pid)` when the process is gone.
"""

from .frame import StackFrame, format_frame, resolve
from .lines import source_lines
from .regs import Regs
from .unwinder import StackUnwinder

__all__ = ["Regs", "StackFrame", "StackUnwinder", "format_frame", "resolve", "source_lines"]
