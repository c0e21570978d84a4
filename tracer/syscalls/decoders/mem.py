"""Decoders for address-space calls: mmap, munmap, mprotect, brk, madvise, mremap, mlock."""

from __future__ import annotations

import os

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_STR_PLUS1, Read, declare_exit, fd_args
from tracer.syscalls.decoders.arguments import (
    enum_arg,
    flags_arg,
    hex_arg,
    int_arg,
    mem_of,
    ok,
    ptr_arg,
    ulong_arg,
)
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import mem as x

fd_args((4,), "mmap")


def address_ret(call: Syscall) -> str | None:
    """Calls returning an address print it in hex, small or not."""
    if ok(call):
        return f"{(call.ret or 0) & 0xFFFFFFFFFFFFFFFF:#x}"
    return None


def prot_arg(raw: int) -> Arg:
    # an unsigned long in the kernel's prototypes
    return flags_arg(raw, x.PROT_FLAGS, zero="PROT_NONE", mask=0xFFFFFFFFFFFFFFFF)


@fmt.constant_text
def mmap_flags(value: int) -> str:
    value &= 0xFFFFFFFF
    kind = value & x.MAP_TYPE_MASK
    # strace: 0 is MAP_FILE; an unknown type gets its own comment inside the flags
    parts = [x.MAP_TYPES.get(kind, f"{kind:#x} /* MAP_??? */" if kind else "MAP_FILE")]
    rest = value & ~x.MAP_TYPE_MASK
    huge = 0
    if rest & x.MAP_HUGETLB:
        huge = (rest >> x.MAP_HUGE_SHIFT) & x.MAP_HUGE_MASK
        rest &= ~(x.MAP_HUGE_MASK << x.MAP_HUGE_SHIFT)
    if rest:
        parts.append(fmt.flags(rest, x.MAP_FLAGS))
    if huge:
        parts.append(f"{huge}<<MAP_HUGE_SHIFT")
    return "|".join(parts)


@decoder("mmap")
def decode_mmap(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    flags = mmap_flags(a[3])
    args = [ptr_arg(a[0]), ulong_arg(a[1]), prot_arg(a[2]), Arg(flags, a[3], "flags", flags)]
    args += [ctx.fd_arg(call, a[4]), hex_arg(a[5])]
    return Decoded(args, ret=address_ret(call))


@decoder("remap_file_pages")
def decode_remap_file_pages(call: Syscall, ctx: RenderContext) -> Decoded:
    """Deprecated, but its flags are mmap's (type, bits, huge page size)."""
    a = call.args
    flags = mmap_flags(a[4])
    args = [ptr_arg(a[0]), ulong_arg(a[1]), prot_arg(a[2]), ulong_arg(a[3])]
    return Decoded(args + [Arg(flags, a[4], "flags", flags)])


@decoder("munmap", "mlock", "munlock")
def decode_addr_len(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ptr_arg(call.args[0]), ulong_arg(call.args[1])])


@decoder("mprotect")
def decode_mprotect(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ptr_arg(a[0]), ulong_arg(a[1]), prot_arg(a[2])])


@decoder("pkey_mprotect")
def decode_pkey_mprotect(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ptr_arg(a[0]), ulong_arg(a[1]), prot_arg(a[2]), int_arg(a[3])])


@decoder("brk")
def decode_brk(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([ptr_arg(call.args[0])], ret=address_ret(call))


@decoder("madvise")
def decode_madvise(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded(
        [ptr_arg(a[0]), ulong_arg(a[1]), enum_arg(a[2], x.MADVISE, unknown="{:#x} /* MADV_??? */")]
    )


@decoder("msync")
def decode_msync(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ptr_arg(a[0]), ulong_arg(a[1]), flags_arg(a[2], x.MSYNC_FLAGS)])


@decoder("mlock2")
def decode_mlock2(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([ptr_arg(a[0]), ulong_arg(a[1]), flags_arg(a[2], x.MLOCK2_FLAGS)])


@decoder("mlockall")
def decode_mlockall(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([flags_arg(call.args[0], x.MLOCKALL_FLAGS)])


@decoder("mremap")
def decode_mremap(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    args = [ptr_arg(a[0]), ulong_arg(a[1]), ulong_arg(a[2]), flags_arg(a[3], x.MREMAP_FLAGS)]
    both = x.MREMAP_MAYMOVE | x.MREMAP_FIXED
    if a[3] & both == both:
        args.append(ptr_arg(a[4]))
    return Decoded(args, ret=address_ret(call))


@decoder("membarrier")
def decode_membarrier(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    cmd = a[0] & 0xFFFFFFFF
    text = "MEMBARRIER_CMD_QUERY" if cmd == 0 else fmt.flags(cmd, x.MEMBARRIER_CMDS)
    args = [Arg(text, a[0], "flags", text), flags_arg(a[1], x.MEMBARRIER_CMD_FLAGS)]
    if a[1] & 1:
        args.append(int_arg(a[2]))
    ret = None
    if cmd == 0 and ok(call) and call.ret:
        ret = f"{call.ret:#x} ({fmt.flags(call.ret, x.MEMBARRIER_CMDS)})"
    return Decoded(args, ret=ret)


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# One byte per page of `length`, -s of them and one more: a Read's size cannot count
# pages, so it reads up to `length` bytes (never fewer than the pages) and the decoder
# keeps the pages' worth (`_mincore_vec`). None where NULL, unreadable or empty.
declare_exit(
    "mincore", Read(2, 2, size_arg=1, cap=LIMIT_STR_PLUS1, nonpos_empty=False, nonpos_first=True)
)


def _mincore_vec(call: Syscall, strsize: int) -> bytes | None:
    vec = mem_of(call, 2)
    pages = min((call.args[1] + PAGE_SIZE - 1) // PAGE_SIZE, strsize + 1)
    return vec[:pages] if vec is not None else None


@decoder("mincore")
def decode_mincore(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    vec = _mincore_vec(call, ctx.strsize)
    if vec is None or not ok(call):
        out = ptr_arg(a[2], at_exit=True)
    else:
        pages = (a[1] + PAGE_SIZE - 1) // PAGE_SIZE
        items = [str(b & 1) for b in vec[: ctx.strsize]]
        if pages > ctx.strsize:
            items.append("...")
        out = Arg("[" + ", ".join(items) + "]", a[2], "struct", vec, True)
    return Decoded([ptr_arg(a[0]), ulong_arg(a[1]), out])
