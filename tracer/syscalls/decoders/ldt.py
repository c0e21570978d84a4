"""modify_ldt: an LDT entry (`struct user_desc`) and the kernel's 32-bit error return.

The kernel's modify_ldt returns an int: on x86_64 an error comes back as its low 32
bits (4294967258 for -ENOSYS), which is not a negative word, so the call looks like it
succeeded. strace prints that number and the errno it stands for; so do we.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls.capture import Read, declare_entry
from tracer.syscalls.render import Decoded, RenderContext, decoder, errno_text

from .arguments import int_arg, mem_of, ptr_arg, struct_arg, ulong_arg

USER_DESC = struct.Struct("<IIII")  # entry_number, base_addr, limit, flag bits
_U64 = 0xFFFFFFFFFFFFFFFF
# The flag word's bit fields, low bit first: (name, width).
_DESC_BITS = (
    ("seg_32bit", 1),
    ("contents", 2),
    ("read_exec_only", 1),
    ("limit_in_pages", 1),
    ("seg_not_present", 1),
    ("useable", 1),
    ("lm", 1),
)

# strace decodes the entry only when the size given is the structure's.
declare_entry(
    "modify_ldt",
    Read(1, 1, USER_DESC.size, exact=True, when=(2, _U64, (USER_DESC.size,))),
)


def _c_hex8(value: int) -> str:
    """C's `%#08x`: `0x87868584`, and `00000000` for 0."""
    return f"{value:#08x}" if value else "00000000"


def user_desc_text(data: bytes) -> str:
    entry, base, limit, bits = USER_DESC.unpack_from(data)
    fields = [
        f"entry_number={'-1' if entry == 0xFFFFFFFF else entry}",
        f"base_addr={_c_hex8(base)}",
        f"limit={_c_hex8(limit)}",
    ]
    shift = 0
    for name, width in _DESC_BITS:
        fields.append(f"{name}={(bits >> shift) & ((1 << width) - 1)}")
        shift += width
    return "{" + ", ".join(fields) + "}"


def _ldt_ret(call: Syscall) -> str | None:
    """An error in the low 32 bits of the return: `4294967258 ENOSYS (...)`."""
    ret = call.ret
    if ret is None or call.error or not 0xFFFFF000 <= ret <= 0xFFFFFFFF:
        return None
    return f"{ret} {errno_text(0x100000000 - ret)}"


@decoder("modify_ldt")
def decode_modify_ldt(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    data = mem_of(call, 1)
    if a[2] == USER_DESC.size and data is not None and len(data) == USER_DESC.size:
        desc = struct_arg(user_desc_text(data), a[1])
    else:
        desc = ptr_arg(a[1])
    return Decoded([int_arg(a[0]), desc, ulong_arg(a[2])], ret=_ldt_ret(call))
