"""struct perf_event_attr as strace 6.1 prints it (perf_event_open, and the
PERF_EVENT_IOC_MODIFY_ATTRIBUTES ioctl).

Without -v the fields up to the flags are shown, then `...`; with -v the rest, as far
as the size the caller gave reaches (a size of 0 means PERF_ATTR_SIZE_VER0), each
later field added by one version of the struct. The kernel reads what the size says,
zero-filling the rest, and so does the text.
"""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import pointer
from tracer.syscalls.xlat import misc as xmisc
from tracer.syscalls.xlat import perf as x

from .kstructs import xflags, xval

ABBREV_SIZE = 48  # the fields before wakeup_events
FULL_SIZE = 128  # PERF_ATTR_SIZE_VER7: the last version strace 6.1 knows
VER0 = 64
_HEAD = struct.Struct(
    "<IIQQQQQ"
)  # type, size, config, sample_period, sample_type, read_format, flags


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def read_size(data: bytes, abbrev: bool) -> int:
    """How many bytes strace reads before printing: what it shows, no more."""
    if abbrev:
        return ABBREV_SIZE
    size = struct.unpack_from("<I", data, 4)[0] if len(data) >= 8 else 0
    return min(size or VER0, FULL_SIZE)


def _config(kind: int, config: int) -> str:
    high = config >> 32
    prefix = f"{high:#x}<<32|" if high else ""
    if kind == x.HARDWARE:
        return prefix + xval(config & 0xFFFFFFFF, x.HW_COUNTERS, "PERF_COUNT_HW_???")
    if kind == x.SOFTWARE:
        return xval(config, x.SW_COUNTERS, "PERF_COUNT_SW_???")
    if kind == x.TRACEPOINT:
        return str(config)
    if kind == x.HW_CACHE:
        byte3 = config >> 24 & 0xFF
        parts = [f"{byte3:#x}<<24|" if byte3 else ""]
        parts.append(
            xval(config >> 16 & 0xFF, x.CACHE_RESULTS, "PERF_COUNT_HW_CACHE_RESULT_???") + "<<16|"
        )
        parts.append(xval(config >> 8 & 0xFF, x.CACHE_OPS, "PERF_COUNT_HW_CACHE_OP_???") + "<<8|")
        parts.append(xval(config & 0xFF, x.CACHE_IDS, "PERF_COUNT_HW_CACHE_???"))
        return prefix + "".join(parts)
    return _hex(config)


def _flags(flags: int, verbose: bool) -> list[str]:
    out = []
    for bit, name in enumerate(x.FLAG_BITS):
        if bit == 15:
            precise = flags >> 15 & 3
            out.append(f"precise_ip={precise} /* {x.PRECISE_IP[precise]} */")
        if name is not None and (verbose or flags >> bit & 1):
            out.append(f"{name}={flags >> bit & 1}")
    reserved = flags >> 38
    if reserved:
        out.append(f"__reserved_1={reserved:#x} /* Bits 63..38 */")
    return out


def _breakpoint_type(v: int) -> str:
    if v in x.BREAKPOINT_INVALID:
        return f"{v:#x} /* HW_BREAKPOINT_INVALID */"
    return xval(v, x.BREAKPOINT_TYPES, "HW_BREAKPOINT_???")


def _tail(a: bytes, size: int, kind: int, sample_type: int, flags: int) -> list[str]:
    """The fields after the flags (-v), each while the size reaches it; `...` when the
    size goes past what strace knows."""
    u32 = lambda off: struct.unpack_from("<I", a, off)[0]  # noqa: E731
    u64 = lambda off: struct.unpack_from("<Q", a, off)[0]  # noqa: E731
    breakpoint_ = kind == x.BREAKPOINT
    out = [f"{'wakeup_watermark' if flags >> 14 & 1 else 'wakeup_events'}={u32(48)}"]
    if breakpoint_:
        out.append(f"bp_type={_breakpoint_type(u32(52))}")
    out.append(f"{'bp_addr' if breakpoint_ else 'config1'}={_hex(u64(56))}")
    steps: list[tuple[int, str | None]] = [
        (64, f"bp_len={u64(64)}" if breakpoint_ else f"config2={_hex(u64(64))}"),
        (72, f"branch_sample_type={xflags(u64(72), x.BRANCH_SAMPLE_TYPES, 'PERF_SAMPLE_BRANCH_???')}"
         if sample_type & x.SAMPLE_BRANCH_STACK else None),
        (80, f"sample_regs_user={_hex(u64(80))}"),
        (88, f"sample_stack_user={_hex(u32(88))}" if sample_type & x.SAMPLE_STACK_USER else None),
        (92, f"clockid={xval(u32(92), xmisc.CLOCK_IDS, 'CLOCK_???')}" if flags >> 25 & 1 else None),
        (96, f"sample_regs_intr={_hex(u64(96))}"),
        (104, f"aux_watermark={u32(104)}"),
        (108, f"sample_max_stack={struct.unpack_from('<H', a, 108)[0]}"),
        (110, None),  # __reserved_2: a comment, below
        (112, f"aux_sample_size={u32(112)}"),
        (116, None),  # __reserved_3
        (120, f"sig_data={_hex(u64(120))}"),
    ]  # fmt: skip
    cutoff = FULL_SIZE
    for start, text in steps:
        if size <= start:
            cutoff = start
            break
        if text is not None:
            out.append(text)
        elif start in (110, 116):
            width = 2 if start == 110 else 4
            v = int.from_bytes(a[start : start + width], "little")
            if v:
                out[-1] += f" /* bytes {start}..{start + width - 1}: {v:#x} */"
    if size > cutoff:
        out.append("...")
    return out


def render_perf_attr(
    data: bytes | None, addr: int, abbrev: bool, size_after: int | None = None
) -> str:
    """`{type=PERF_TYPE_HARDWARE, size=PERF_ATTR_SIZE_VER0, config=..., ...}`; the
    address when what strace reads is not all there or the size is below the first
    version's. `size_after`: the size the kernel wrote back (E2BIG), shown after `=>`."""
    if not addr or data is None:
        return pointer(addr)
    need = read_size(data, abbrev)
    if len(data) < need:
        return pointer(addr)
    a = data[:need].ljust(FULL_SIZE, b"\0")
    kind, size, config, period, sample_type, read_format, flags = _HEAD.unpack_from(a)
    if size and size < VER0:
        return pointer(addr)
    size_text = xval(size, x.ATTR_SIZES, "PERF_ATTR_SIZE_???")
    if size_after is not None and size_after != size:
        size_text += " => " + xval(size_after, x.ATTR_SIZES, "PERF_ATTR_SIZE_???")
    parts = [
        f"type={xval(kind, x.TYPES, 'PERF_TYPE_???')}",
        f"size={size_text}",
        f"config={_config(kind, config)}",
        f"{'sample_freq' if flags >> 10 & 1 else 'sample_period'}={period}",
        f"sample_type={xflags(sample_type, x.SAMPLE_TYPES, 'PERF_SAMPLE_???')}",
        f"read_format={xflags(read_format, x.READ_FORMATS, 'PERF_FORMAT_???')}",
        *_flags(flags, not abbrev),
    ]
    parts += ["..."] if abbrev else _tail(a, size or VER0, kind, sample_type, flags)
    return "{" + ", ".join(parts) + "}"
