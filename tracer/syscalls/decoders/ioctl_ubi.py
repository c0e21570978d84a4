"""UBI ('o' and 'O') ioctls: attaching MTD devices, making, resizing and renaming
volumes, and their LEB and property requests, as strace 6.1 prints them. Requests that
hand the kernel a struct print it at entry; UBI_IOCATT and UBI_IOCMKVOL add the number
the kernel picked (` => [0]`) once they succeed."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import quote_buffer

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText
from .kstructs import xflags, xval

DATA_TYPES = {1: "UBI_LONGTERM", 2: "UBI_SHORTTERM", 3: "UBI_UNKNOWN"}
VOLUME_TYPES = {3: "UBI_DYNAMIC_VOLUME", 4: "UBI_STATIC_VOLUME"}
VOLUME_FLAGS = [(1, "UBI_VOL_SKIP_CRC_CHECK_FLG")]
PROPERTIES = {1: "UBI_VOL_PROP_DIRECT_WRITE"}
MAX_VOLUME_NAME = 127
MAX_RNVOL = 32
RNVOL_SIZE = 16 + MAX_RNVOL * 136  # struct ubi_rnvol_req: what the capture must hold


def _ioc(direction: int, typ: int, nr: int, size: int) -> int:
    return direction << 30 | size << 16 | typ << 8 | nr


_W, _R = 1, 2
_O, _o = 0x4F, 0x6F
VOLCRBLK, VOLRMBLK = _ioc(_W, _O, 7, 128), _ioc(0, _O, 8, 0)
# DET, EBER, EBISMAP, EBUNMAP, RMVOL, RPEB, SPEB: an int32 at entry
_INTS = frozenset({
    _ioc(_W, _o, 65, 4), _ioc(_W, _O, 1, 4), _ioc(_R, _O, 5, 4), _ioc(_W, _O, 4, 4),
    _ioc(_W, _o, 1, 4), _ioc(_W, _o, 4, 4), _ioc(_W, _o, 5, 4),
})  # fmt: skip
VOLUP = _ioc(_W, _O, 0, 8)
# UBI_IOCEBCH names an int32 in its number, though it passes a ubi_leb_change_req
ATT, EBCH, EBMAP = _ioc(_W, _o, 64, 24), _ioc(_W, _O, 2, 4), _ioc(_W, _O, 3, 8)
MKVOL, RNVOL, RSVOL = _ioc(_W, _o, 0, 152), _ioc(_W, _o, 3, RNVOL_SIZE), _ioc(_W, _o, 2, 12)
SETVOLPROP = _ioc(_W, _O, 6, 16)


def volume_name(name: bytes, name_len: int) -> str:
    """A name the length field bounds: up to its NUL within name_len + 1 bytes, else
    `...` after name_len of them (strace's print_quoted_cstring, without -s's cut)."""
    size = min(max(name_len, 0), MAX_VOLUME_NAME) + 1
    raw = name[:size]
    end = raw.find(b"\0")
    if end >= 0:
        return quote(raw[:end], False)
    return quote(raw[: size - 1], True)


def quote(data: bytes, more: bool) -> str:
    return quote_buffer(data, len(data) + more, len(data))


def _attach(d: bytes) -> str:
    ubi, mtd, vid_hdr, max_beb = struct.unpack_from("<iiih", d)
    return f"{{ubi_num={ubi}, mtd_num={mtd}, vid_hdr_offset={vid_hdr}, max_beb_per1024={max_beb}}}"


def _mkvol(d: bytes) -> str:
    vol_id, alignment, size, vol_type, flags, name_len = struct.unpack_from("<iiqBBh", d)
    return (
        f"{{vol_id={vol_id}, alignment={alignment}, bytes={size}, "
        f"vol_type={xval(vol_type, VOLUME_TYPES, 'UBI_???')}, "
        f"flags={xflags(flags, VOLUME_FLAGS, 'UBI_VOL_???')}, name_len={name_len}, "
        f"name={volume_name(d[24:152], name_len)}}}"
    )


def _rnvol(d: bytes) -> str:
    (count,) = struct.unpack_from("<i", d)
    ents = []
    for i in range(min(max(count, 0), MAX_RNVOL)):
        off = 16 + i * 136
        vol_id, name_len = struct.unpack_from("<ih", d, off)
        name = volume_name(d[off + 8 : off + 136], name_len)
        ents.append(f"{{vol_id={vol_id}, name_len={name_len}, name={name}}}")
    return f"{{count={count}, ents=[{', '.join(ents)}]}}"


def _leb_change(d: bytes) -> str:
    lnum, size, dtype = struct.unpack_from("<iiB", d)
    return f"{{lnum={lnum}, bytes={size}, dtype={xval(dtype, DATA_TYPES, 'UBI_???')}}}"


def _map(d: bytes) -> str:
    lnum, dtype = struct.unpack_from("<iB", d)
    return f"{{lnum={lnum}, dtype={xval(dtype, DATA_TYPES, 'UBI_???')}}}"


def _rsvol(d: bytes) -> str:
    size, vol_id = struct.unpack_from("<qi", d)
    return f"{{bytes={size}, vol_id={vol_id}}}"


def _prop(d: bytes) -> str:
    prop, value = struct.unpack_from("<B7xQ", d)
    shown = f"{value:#x}" if value else "0"
    return f"{{property={xval(prop, PROPERTIES, 'UBI_VOL_PROP_???')}, value={shown}}}"


_STRUCTS = {ATT: (24, _attach), EBCH: (16, _leb_change), EBMAP: (8, _map), MKVOL: (152, _mkvol),
            RNVOL: (RNVOL_SIZE, _rnvol), RSVOL: (12, _rsvol), SETVOLPROP: (16, _prop)}  # fmt: skip


def ubi_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (VOLCRBLK, VOLRMBLK):
        return IoctlText(NO_ARG)
    if c in _INTS:
        return IoctlText(a.num_in())
    if c == VOLUP:
        return IoctlText(a.num_in("<q"))
    if c not in _STRUCTS:
        return None
    size, text = _STRUCTS[c]
    shown = a.show_in(size, text)
    if c in (ATT, MKVOL) and a.finished and not a.failed and a.entry_struct(size) is not None:
        o = a.exit_struct(4)  # the number the kernel chose, where the caller asked for one
        if o is not None:
            shown += f" => [{struct.unpack_from('<i', o)[0]}]"
    return IoctlText(shown)
