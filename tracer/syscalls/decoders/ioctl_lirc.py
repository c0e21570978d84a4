"""LIRC ('i') ioctls: infrared remotes' one-integer settings and getters, as strace 6.1
prints them (`[38000]`, `[LIRC_MODE_PULSE]`, the feature bits of LIRC_GET_FEATURES)."""

from __future__ import annotations

import struct
from collections.abc import Callable

from .ioctl_arg import IoctlArg, IoctlText, out
from .kstructs import xflags, xval

MODES = {0x1: "LIRC_MODE_RAW", 0x2: "LIRC_MODE_PULSE", 0x4: "LIRC_MODE_MODE2",
         0x8: "LIRC_MODE_SCANCODE", 0x10: "LIRC_MODE_LIRCCODE"}  # fmt: skip
FEATURES = [
    (0x1, "LIRC_CAN_SEND_RAW"), (0x2, "LIRC_CAN_SEND_PULSE"), (0x4, "LIRC_CAN_SEND_MODE2"),
    (0x10, "LIRC_CAN_SEND_LIRCCODE"), (0x100, "LIRC_CAN_SET_SEND_CARRIER"),
    (0x200, "LIRC_CAN_SET_SEND_DUTY_CYCLE"), (0x400, "LIRC_CAN_SET_TRANSMITTER_MASK"),
    (0x10000, "LIRC_CAN_REC_RAW"), (0x20000, "LIRC_CAN_REC_PULSE"), (0x40000, "LIRC_CAN_REC_MODE2"),
    (0x80000, "LIRC_CAN_REC_SCANCODE"), (0x100000, "LIRC_CAN_REC_LIRCCODE"),
    (0x1000000, "LIRC_CAN_SET_REC_CARRIER"), (0x2000000, "LIRC_CAN_MEASURE_CARRIER"),
    (0x4000000, "LIRC_CAN_USE_WIDEBAND_RECEIVER"), (0x10000000, "LIRC_CAN_SET_REC_TIMEOUT"),
    (0x20000000, "LIRC_CAN_GET_REC_RESOLUTION"), (0x80000000, "LIRC_CAN_SET_REC_CARRIER_RANGE"),
]  # fmt: skip

_IOR, _IOW = 0x80046900, 0x40046900  # _IOR/_IOW('i', 0, __u32): add the number


def _mode(v: int) -> str:
    return xval(v, MODES, "LIRC_MODE_???")


def _features(v: int) -> str:
    return xflags(v, FEATURES, "LIRC_CAN_???")


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


# request number -> how its u32 prints
_GETTERS: dict[int, Callable[[int], str]] = {
    0x00: _features, 0x01: _mode, 0x02: _mode, 0x07: str, 0x08: str, 0x09: str, 0x0F: str,
    0x24: str,
}  # fmt: skip
_SETTERS: dict[int, Callable[[int], str]] = {
    0x11: _mode, 0x12: _mode, 0x13: str, 0x14: str, 0x15: str, 0x17: _hex, 0x18: str, 0x19: str,
    0x1D: str, 0x1F: str, 0x23: str,
}  # fmt: skip


def lirc_ioctl(a: IoctlArg) -> IoctlText | None:
    nr = a.code & 0xFF
    if a.code & ~0xFF == _IOW and nr in _SETTERS:
        show = _SETTERS[nr]
        return IoctlText(a.show_in(4, lambda d: f"[{show(struct.unpack_from('<I', d)[0])}]"))
    if a.code & ~0xFF == _IOR and nr in _GETTERS:
        show = _GETTERS[nr]
        return out(a.show_out(4, lambda d: f"[{show(struct.unpack_from('<I', d)[0])}]"))
    return None
