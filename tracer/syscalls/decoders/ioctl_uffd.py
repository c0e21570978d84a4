"""userfaultfd (0xaa) ioctls as strace 6.1 prints them: what the program asks for at
entry, and, once the call succeeded, what the kernel answered (the features and ioctls
it supports, the bytes it copied or zeroed)."""

from __future__ import annotations

import struct

from .ioctl_arg import IoctlArg, IoctlText
from .kstructs import xflags

FEATURES = [(1 << i, "UFFD_FEATURE_" + n) for i, n in enumerate((
    "PAGEFAULT_FLAG_WP", "EVENT_FORK", "EVENT_REMAP", "EVENT_REMOVE", "MISSING_HUGETLBFS",
    "MISSING_SHMEM", "EVENT_UNMAP", "SIGBUS", "THREAD_ID", "MINOR_HUGETLBFS", "MINOR_SHMEM",
    "EXACT_ADDRESS", "WP_HUGETLBFS_SHMEM",
))]  # fmt: skip
# the ioctls UFFDIO_API and UFFDIO_REGISTER say the fd supports: two tables, as strace's
API_IOCTLS = [(1 << 0, "1<<_UFFDIO_REGISTER"), (1 << 1, "1<<_UFFDIO_UNREGISTER"),
              (1 << 0x3F, "1<<_UFFDIO_API")]  # fmt: skip
RANGE_IOCTLS = [(1 << 2, "1<<_UFFDIO_WAKE"), (1 << 3, "1<<_UFFDIO_COPY"),
                (1 << 4, "1<<_UFFDIO_ZEROPAGE"), (1 << 6, "1<<_UFFDIO_WRITEPROTECT"),
                (1 << 7, "1<<_UFFDIO_CONTINUE")]  # fmt: skip
REGISTER_MODES = [(1, "UFFDIO_REGISTER_MODE_MISSING"), (2, "UFFDIO_REGISTER_MODE_WP"),
                  (4, "UFFDIO_REGISTER_MODE_MINOR")]  # fmt: skip
COPY_MODES = [(1, "UFFDIO_COPY_MODE_DONTWAKE"), (2, "UFFDIO_COPY_MODE_WP")]
ZEROPAGE_MODES = [(1, "UFFDIO_ZEROPAGE_MODE_DONTWAKE")]

API, REGISTER, UNREGISTER, WAKE = 0xC018AA3F, 0xC020AA00, 0x8010AA01, 0x8010AA02
COPY, ZEROPAGE = 0xC028AA03, 0xC020AA04


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _range(d: bytes, off: int = 0) -> str:
    start, length = struct.unpack_from("<QQ", d, off)
    return f"{{start={_hex(start)}, len={_hex(length)}}}"


def _answered(a: IoctlArg, size: int) -> bytes | None:
    """What the kernel wrote, once the call succeeded."""
    return a.exit_struct(size) if a.finished else None


def uffd_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (UNREGISTER, WAKE):
        return IoctlText(a.show_in(16, _range))
    sizes = {API: 24, REGISTER: 32, COPY: 40, ZEROPAGE: 32}
    if c not in sizes:
        return None
    d = a.entry_struct(sizes[c])
    if d is None:
        return IoctlText(a.addr)
    o = _answered(a, sizes[c])
    if c == API:
        api, features = struct.unpack_from("<QQ", d)
        text = f"{{api={_hex(api)}, features={xflags(features, FEATURES, 'UFFD_FEATURE_???')}"
        if o is not None:
            after, ioctls = struct.unpack_from("<QQ", o, 8)
            if after != features:
                text += f" => features={xflags(after, FEATURES, 'UFFD_FEATURE_???')}"
            text += f", ioctls={xflags(ioctls, API_IOCTLS, '_UFFDIO_???')}"
    elif c == REGISTER:
        (mode,) = struct.unpack_from("<Q", d, 16)
        text = (
            f"{{range={_range(d)}, mode={xflags(mode, REGISTER_MODES, 'UFFDIO_REGISTER_MODE_???')}"
        )
        if o is not None:
            ioctls = struct.unpack_from("<Q", o, 24)[0]
            text += f", ioctls={xflags(ioctls, RANGE_IOCTLS, '_UFFDIO_???')}"
    elif c == COPY:
        dst, src, length, mode = struct.unpack_from("<QQQQ", d)
        text = (
            f"{{dst={_hex(dst)}, src={_hex(src)}, len={_hex(length)}, "
            f"mode={xflags(mode, COPY_MODES, 'UFFDIO_COPY_MODE_???')}"
        )
        if o is not None:
            text += f", copy={_hex(struct.unpack_from('<Q', o, 32)[0])}"
    else:
        (mode,) = struct.unpack_from("<Q", d, 16)
        text = (
            f"{{range={_range(d)}, mode={xflags(mode, ZEROPAGE_MODES, 'UFFDIO_ZEROPAGE_MODE_???')}"
        )
        if o is not None:
            text += f", zeropage={_hex(struct.unpack_from('<Q', o, 24)[0])}"
    return IoctlText(text + "}")
