"""NBD (0xab) ioctls: the network block device's controls, as strace 6.1's nbd_ioctl.c
prints them. Most take no argument (none is printed), NBD_SET_SOCK an fd (named under
-y: `ioctl.py` hands the call to the Python loop, which names the fd at entry), the
sizes and the timeout an unsigned number, NBD_SET_FLAGS the server's flags."""

from __future__ import annotations

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText
from .kstructs import xflags

NBD_SET_SOCK = 0xAB00
_NO_ARGUMENT = frozenset({0xAB03, 0xAB04, 0xAB05, 0xAB06, 0xAB08})  # DO_IT ... DISCONNECT
_UNSIGNED = frozenset({0xAB01, 0xAB02, 0xAB07, 0xAB09})  # BLKSIZE, SIZE, SIZE_BLOCKS, TIMEOUT
_SET_FLAGS = 0xAB0A
FLAGS = [
    (1 << 0, "NBD_FLAG_HAS_FLAGS"), (1 << 1, "NBD_FLAG_READ_ONLY"),
    (1 << 2, "NBD_FLAG_SEND_FLUSH"), (1 << 3, "NBD_FLAG_SEND_FUA"),
    (1 << 4, "NBD_FLAG_ROTATIONAL"), (1 << 5, "NBD_FLAG_SEND_TRIM"),
    (1 << 6, "NBD_FLAG_SEND_WRITE_ZEROES"), (1 << 7, "NBD_FLAG_SEND_DF"),
    (1 << 8, "NBD_FLAG_CAN_MULTI_CONN"), (1 << 9, "NBD_FLAG_SEND_RESIZE"),
    (1 << 10, "NBD_FLAG_SEND_CACHE"),
]  # fmt: skip


def set_sock_fd(arg: int) -> int:
    """NBD_SET_SOCK's fd: the argument as C's int (strace's printfd)."""
    fd = arg & 0xFFFFFFFF
    return fd - (1 << 32) if fd & 0x80000000 else fd


def nbd_ioctl(a: IoctlArg) -> IoctlText | None:
    # Only requests without direction bits are NBD's (strace matches the whole code).
    if a.code in _NO_ARGUMENT:
        return IoctlText(NO_ARG)
    if a.code == NBD_SET_SOCK:
        return IoctlText(a.fd(set_sock_fd(a.arg)))
    if a.code in _UNSIGNED:
        return IoctlText(str(a.arg))
    if a.code == _SET_FLAGS:
        return IoctlText(xflags(a.arg, FLAGS, "NBD_IOC_FLAG_???"))
    return None
