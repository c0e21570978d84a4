"""MTD ('M') ioctls: flash devices' erase regions, OOB buffers, OTP areas and ECC
layouts, as strace 6.1 prints them. Requests that pass a struct print it at entry;
getters (MEMGETINFO, ECCGETLAYOUT, ...) print what the kernel wrote once the call
succeeded, MEMGETREGIONINFO both (its index in, the region out)."""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.fmt import pointer

from .arrays import array_items, each_item
from .ioctl_arg import IoctlArg, IoctlText, out
from .kstructs import xflags, xval

MTD_TYPES = {0: "MTD_ABSENT", 1: "MTD_RAM", 2: "MTD_ROM", 3: "MTD_NORFLASH", 4: "MTD_NANDFLASH",
             6: "MTD_DATAFLASH", 7: "MTD_UBIVOLUME", 8: "MTD_MLCNANDFLASH"}  # fmt: skip
MTD_FLAGS = [(0x400, "MTD_WRITEABLE"), (0x800, "MTD_BIT_WRITEABLE"), (0x1000, "MTD_NO_ERASE"),
             (0x2000, "MTD_POWERUP_LOCK"), (0x4000, "MTD_SLC_ON_MLC_EMULATION")]  # fmt: skip
NANDECC_MODES = {0: "MTD_NANDECC_OFF", 1: "MTD_NANDECC_PLACE", 2: "MTD_NANDECC_AUTOPLACE",
                 3: "MTD_NANDECC_PLACEONLY", 4: "MTD_NANDECC_AUTOPL_USR"}  # fmt: skip
OTP_MODES = {0: "MTD_OTP_OFF", 1: "MTD_OTP_FACTORY", 2: "MTD_OTP_USER"}
FILE_MODES = {0: "MTD_FILE_MODE_NORMAL", 1: "MTD_FILE_MODE_OTP_FACTORY",
              2: "MTD_FILE_MODE_OTP_USER", 3: "MTD_FILE_MODE_RAW"}  # fmt: skip
OPS_MODES = {0: "MTD_OPS_PLACE_OOB", 1: "MTD_OPS_AUTO_OOB", 2: "MTD_OPS_RAW"}


def _ioc(direction: int, nr: int, size: int) -> int:
    return direction << 30 | size << 16 | 0x4D << 8 | nr


_R, _W, _RW = 2, 1, 3


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _fields(
    fmt: str, names: tuple[str, ...], show: Callable[[int], str] = _hex
) -> Callable[[bytes], str]:
    """`{start=0x.., length=0x..}`: a struct of numbers, each shown the same way."""
    layout = struct.Struct(fmt)

    def text(d: bytes) -> str:
        values = layout.unpack_from(d)
        return "{" + ", ".join(f"{n}={show(v)}" for n, v in zip(names, values, strict=True)) + "}"

    return text


_ERASE = _fields("<II", ("start", "length"))
_ERASE64 = _fields("<QQ", ("start", "length"))


def _oob(d: bytes) -> str:
    start, length, ptr = struct.unpack_from("<IIQ", d)
    return f"{{start={_hex(start)}, length={_hex(length)}, ptr={pointer(ptr)}}}"


def _oob64(d: bytes) -> str:
    start, length, ptr = struct.unpack_from("<Q4xIQ", d)
    return f"{{start={_hex(start)}, length={_hex(length)}, usr_ptr={pointer(ptr)}}}"


def _otp_info(d: bytes) -> str:
    start, length, locked = struct.unpack_from("<III", d)
    return f"{{start={_hex(start)}, length={_hex(length)}, locked={locked}}}"


def _write_req(d: bytes) -> str:
    start, length, ooblen, data, oob, mode = struct.unpack_from("<5QB", d)
    return (
        f"{{start={_hex(start)}, len={_hex(length)}, ooblen={_hex(ooblen)}, "
        f"usr_data={pointer(data)}, usr_oob={pointer(oob)}, mode={xval(mode, OPS_MODES, 'MTD_OPS_???')}}}"
    )


def _info(d: bytes) -> str:
    kind, flags, size, erasesize, writesize, oobsize, padding = struct.unpack_from("<B3xIIIIIQ", d)
    return (
        f"{{type={xval(kind, MTD_TYPES, 'MTD_???')}, flags={xflags(flags, MTD_FLAGS, 'MTD_???')}, "
        f"size={_hex(size)}, erasesize={_hex(erasesize)}, writesize={_hex(writesize)}, "
        f"oobsize={_hex(oobsize)}, padding={_hex(padding)}}}"
    )


def _hex_list(words: tuple[int, ...], strsize: int) -> str:
    data = struct.pack(f"<{len(words)}I", *words)
    item = each_item(4, lambda d, i: _hex(struct.unpack("<I", d)[0]))
    return array_items(data, 1, len(words), 4, item, strsize)


def _oobsel(strsize: int) -> Callable[[bytes], str]:
    def text(d: bytes) -> str:
        useecc, eccbytes = struct.unpack_from("<II", d)
        free = struct.unpack_from("<16I", d, 8)
        pairs = ", ".join(f"[{_hex(free[i])}, {_hex(free[i + 1])}]" for i in range(0, 16, 2))
        eccpos = _hex_list(struct.unpack_from("<32I", d, 72), strsize)
        return (
            f"{{useecc={xval(useecc, NANDECC_MODES, 'MTD_NANDECC_???')}, eccbytes={_hex(eccbytes)}, "
            f"oobfree=[{pairs}], eccpos={eccpos}}}"
        )

    return text


def _ecclayout(strsize: int) -> Callable[[bytes], str]:
    def text(d: bytes) -> str:
        (eccbytes,) = struct.unpack_from("<I", d)
        eccpos = _hex_list(struct.unpack_from("<64I", d, 4), strsize)
        (oobavail,) = struct.unpack_from("<I", d, 260)
        free = struct.unpack_from("<16I", d, 264)
        frees = ", ".join(
            f"{{offset={_hex(free[i])}, length={_hex(free[i + 1])}}}" for i in range(0, 16, 2)
        )
        return f"{{eccbytes={_hex(eccbytes)}, eccpos={eccpos}, oobavail={_hex(oobavail)}, oobfree=[{frees}]}}"

    return text


_ECC_STATS = _fields("<IIII", ("corrected", "failed", "badblocks", "bbtblocks"))

# request -> (struct size, its text) for the requests that pass a struct in
_IN: dict[int, tuple[int, Callable[[bytes], str]]] = {
    _ioc(_W, 2, 8): (8, _ERASE),  # MEMERASE
    _ioc(_W, 5, 8): (8, _ERASE),  # MEMLOCK
    _ioc(_W, 6, 8): (8, _ERASE),  # MEMUNLOCK
    _ioc(_R, 23, 8): (8, _ERASE),  # MEMISLOCKED
    _ioc(_W, 20, 16): (16, _ERASE64),  # MEMERASE64
    _ioc(_RW, 3, 16): (16, _oob),  # MEMWRITEOOB
    _ioc(_RW, 4, 16): (16, _oob),  # MEMREADOOB
    _ioc(_RW, 21, 24): (24, _oob64),  # MEMWRITEOOB64
    _ioc(_RW, 22, 24): (24, _oob64),  # MEMREADOOB64
    _ioc(_R, 16, 12): (12, _otp_info),  # OTPLOCK
    _ioc(_W, 15, 12): (12, _otp_info),  # OTPGETREGIONINFO
    _ioc(_W, 25, 12): (12, _otp_info),  # OTPERASE
    _ioc(_RW, 24, 48): (48, _write_req),  # MEMWRITE
    _ioc(_W, 11, 8): (8, lambda d: f"[{struct.unpack_from('<Q', d)[0]}]"),  # MEMGETBADBLOCK
    _ioc(_W, 12, 8): (8, lambda d: f"[{struct.unpack_from('<Q', d)[0]}]"),  # MEMSETBADBLOCK
    _ioc(_R, 13, 4): (4, lambda d: f"[{xval(struct.unpack_from('<I', d)[0], OTP_MODES, 'MTD_OTP_???')}]"),  # OTPSELECT
}  # fmt: skip
MEMGETINFO, MEMGETOOBSEL, ECCGETLAYOUT = _ioc(_R, 1, 32), _ioc(_R, 10, 200), _ioc(_R, 17, 328)
ECCGETSTATS, MEMGETREGIONINFO, MTDFILEMODE = _ioc(_R, 18, 16), _ioc(_RW, 8, 16), _ioc(0, 19, 0)
_COUNTS = frozenset({_ioc(_R, 7, 4), _ioc(_W, 14, 4)})  # MEMGETREGIONCOUNT, OTPGETREGIONCOUNT


def _region(a: IoctlArg) -> IoctlText:
    d = a.entry_struct(16)
    if d is None:
        return IoctlText(a.addr)
    head = f"{{regionindex={_hex(struct.unpack_from('<I', d, 12)[0])}"
    if not a.finished:
        return IoctlText(head)
    o = a.exit_struct(16)
    if o is None:
        return IoctlText(head + "}")
    offset, erasesize, numblocks = struct.unpack_from("<III", o)
    return IoctlText(
        f"{head}, offset={_hex(offset)}, erasesize={_hex(erasesize)}, numblocks={_hex(numblocks)}}}"
    )


def mtd_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in _IN:
        size, text = _IN[c]
        return IoctlText(a.show_in(size, text))
    getters: dict[int, tuple[int, Callable[[bytes], str]]] = {
        MEMGETINFO: (32, _info),
        MEMGETOOBSEL: (200, _oobsel(a.strsize)),
        ECCGETLAYOUT: (328, _ecclayout(a.strsize)),
        ECCGETSTATS: (16, _ECC_STATS),
    }
    if c in getters:
        size, text = getters[c]
        return out(a.show_out(size, text))
    if c == MEMGETREGIONINFO:
        return _region(a)
    if c in _COUNTS:
        return out(a.num_out())
    if c == MTDFILEMODE:
        return IoctlText(xval(a.arg & 0xFFFFFFFF, FILE_MODES, "MTD_FILE_MODE_???"))
    return None
