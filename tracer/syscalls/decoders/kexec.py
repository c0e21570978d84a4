"""kexec_load (its segments array and arch|flags word) and kexec_file_load (its command line)."""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_STR, Read, declare_entry, fd_args
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import longtail as x

from .arguments import mem_of, ptr_arg, ulong_arg
from .arrays import array_items
from .kstructs import xflags, xval

_SEGMENT = struct.Struct("<QQQQ")  # buf, bufsz, mem, memsz
# The kernel's KEXEC_SEGMENT_MAX: strace shows no array longer than that.
_SEGMENTS_MAX = 16

declare_entry(
    "kexec_load",
    Read(2, 2, size_arg=1, scale=_SEGMENT.size, cap=_SEGMENTS_MAX * _SEGMENT.size, null_skip=True),
)
declare_entry("kexec_file_load", Read(3, 3, size_arg=2, cap=LIMIT_STR, exact=True, null_skip=True))
fd_args((0, 1), "kexec_file_load")


def _segment(data: bytes, off: int) -> str:
    buf, bufsz, mem, memsz = _SEGMENT.unpack_from(data, off)
    return f"{{buf={fmt.pointer(buf)}, bufsz={bufsz}, mem={fmt.pointer(mem)}, memsz={memsz}}}"


def _load_flags(value: int) -> str:
    """The architecture, then the flags: each with its own `/* ..._??? */` when unknown."""
    arch = value & x.KEXEC_ARCH_MASK
    text = xval(arch, x.KEXEC_ARCHES, "KEXEC_ARCH_???")
    rest = value & ~x.KEXEC_ARCH_MASK
    if rest:
        text += "|" + xflags(rest, x.KEXEC_LOAD_FLAGS, "KEXEC_???")
    return text


@decoder("kexec_load")
def decode_kexec_load(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    count = a[1] & 0xFFFFFFFFFFFFFFFF
    if count > _SEGMENTS_MAX:
        segments = fmt.pointer(a[2])
    else:
        segments = array_items(mem_of(call, 2), a[2], count, _SEGMENT.size, _segment, ctx.strsize)
    flags = _load_flags(a[3] & 0xFFFFFFFFFFFFFFFF)
    return Decoded(
        [
            ptr_arg(a[0]),
            ulong_arg(a[1]),
            Arg(segments, a[2], "struct"),
            Arg(flags, a[3], "flags", flags),
        ]
    )


@decoder("kexec_file_load")
def decode_kexec_file_load(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[2] & 0xFFFFFFFFFFFFFFFF
    data = mem_of(call, 3)
    if data is None:
        cmdline = ptr_arg(a[3])
    else:
        cmdline = Arg(fmt.quote_buffer(data, size, ctx.strsize, a[3]), a[3], "buf", data)
    flags = xflags(a[4] & 0xFFFFFFFFFFFFFFFF, x.KEXEC_FILE_FLAGS, "KEXEC_FILE_???")
    return Decoded(
        [
            ctx.fd_arg(call, a[0]),
            ctx.fd_arg(call, a[1]),
            ulong_arg(a[2]),
            cmdline,
            Arg(flags, a[4], "flags", flags),
        ]
    )
