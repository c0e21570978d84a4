"""Block-device and filesystem ioctls: block (0x12), hdio (0x03), loop ('L'), 'f' and 'X'
(file flags, FIEMAP, FITRIM, fsxattr) and FICLONE (0x94)."""

from __future__ import annotations

import struct

from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.fmt import _escape, makedev, pointer, quote_buffer
from tracer.syscalls.render import to_int
from tracer.syscalls.xlat import ioctl_dev as xd

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText, out
from .ioctl_far import FAR_READS, FarReads, fetch, snap
from .kstructs import cstring_field, xflags, xval


def cstring(data: bytes) -> str:
    """A char array printed up to its NUL (strace's PRINT_FIELD_CSTRING): `"..."...` when
    the array holds none."""
    end = data.find(b"\0")
    if end < 0:
        return '"' + _escape(data[:-1]) + '"...'
    return '"' + _escape(data[:end]) + '"'


def qstring(data: bytes) -> str:
    return '"' + _escape(data) + '"'


def hex_array(values: tuple[int, ...] | list[int]) -> str:
    return "[" + ", ".join(f"{v:#x}" if v else "0" for v in values) + "]"


# ---- block ----------------------------------------------------------------------------

BLKROSET, BLKROGET, BLKRRPART, BLKGETSIZE, BLKFLSBUF = 0x125D, 0x125E, 0x125F, 0x1260, 0x1261
BLKRASET, BLKRAGET, BLKFRASET, BLKFRAGET, BLKSECTGET = 0x1262, 0x1263, 0x1264, 0x1265, 0x1267
BLKSSZGET, BLKPG = 0x1268, 0x1269
BLKBSZGET, BLKBSZSET, BLKGETSIZE64 = 0x80081270, 0x40081271, 0x80081272
BLKTRACESETUP, BLKTRACESTART, BLKTRACESTOP, BLKTRACETEARDOWN = 0xC0481273, 0x1274, 0x1275, 0x1276
BLKDISCARD, BLKIOMIN, BLKIOOPT, BLKALIGNOFF, BLKPBSZGET = 0x1277, 0x1278, 0x1279, 0x127A, 0x127B
BLKDISCARDZEROES, BLKSECDISCARD, BLKROTATIONAL, BLKZEROOUT = 0x127C, 0x127D, 0x127E, 0x127F
BLKGETZONESZ, BLKGETNRZONES, BLKGETDISKSEQ = 0x80041284, 0x80041285, 0x80081280


BLKPG_PARTITION = struct.Struct("<qqi64s64s")  # start, length, pno, devname, volname


def _read_partition(mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits):
    """BLKPG's partition, read at entry through blkpg_ioctl_arg's data pointer (offset 16)."""
    if code != BLKPG or not arg:
        return []
    field = mem.read(arg + 16, 8)
    if field is None or len(field) < 8:
        return []
    return snap(mem, int.from_bytes(field, "little"), BLKPG_PARTITION.size)


FAR_READS[0x12] = FarReads(entry=_read_partition)


def _blkpg_partition(a: IoctlArg, data: int) -> str:
    part = fetch(a.far_in, data, BLKPG_PARTITION.size) if data else None
    if part is None:
        return pointer(data)
    start, length, pno, devname, volname = BLKPG_PARTITION.unpack_from(part)
    return (
        f"{{start={start}, length={length}, pno={pno}, devname={cstring_field(devname)}, "
        f"volname={cstring_field(volname)}}}"
    )


def _blkpg(a: IoctlArg, d: bytes) -> str:
    op, flags, datalen = struct.unpack_from("<iii", d)
    (data,) = struct.unpack_from("<Q", d, 16)
    return (
        f"{{op={xval(op, xd.BLKPG_OPS, 'BLKPG_???')}, flags={flags}, datalen={datalen}, "
        f"data={_blkpg_partition(a, data)}}}"
    )


def block_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (BLKRASET, BLKFRASET):
        return IoctlText(str(a.arg))
    if c in (BLKSECTGET, BLKROTATIONAL):
        return out(a.num_out("<H"))
    if c in (BLKROGET, BLKBSZGET, BLKSSZGET, BLKALIGNOFF):
        return out(a.num_out("<i"))
    if c in (BLKROSET, BLKBSZSET):
        return IoctlText(a.num_in("<i"))
    if c in (BLKPBSZGET, BLKIOMIN, BLKIOOPT, BLKDISCARDZEROES, BLKGETZONESZ, BLKGETNRZONES):
        return out(a.num_out("<I"))
    if c in (BLKRAGET, BLKFRAGET):
        return out(a.num_out("<q"))
    if c == BLKGETSIZE:
        return out(a.num_out("<Q"))
    if c in (BLKGETSIZE64, BLKGETDISKSEQ):
        return out(a.num_out("<Q"))
    if c in (BLKDISCARD, BLKSECDISCARD, BLKZEROOUT):
        return IoctlText(a.show_in(16, lambda d: "[{}, {}]".format(*struct.unpack_from("<QQ", d))))
    if c == BLKPG:
        return IoctlText(a.show_in(24, lambda d: _blkpg(a, d)))
    if c == BLKTRACESETUP:
        d = a.entry_struct(72)
        if d is None:
            return IoctlText(a.addr)
        name, act_mask, buf_size, buf_nr, start, end, pid = struct.unpack_from("<32sHxxII4xQQI", d)
        text = (
            f"{{act_mask={act_mask}, buf_size={buf_size}, buf_nr={buf_nr}, start_lba={start}, "
            f"end_lba={end}, pid={pid}"
        )
        if a.finished:
            o = a.exit_struct(72)
            if o is not None:
                text += f", name={cstring(o[:32])}"
        return IoctlText(text + "}")
    if c in (BLKRRPART, BLKFLSBUF, BLKTRACESTART, BLKTRACESTOP, BLKTRACETEARDOWN):
        return IoctlText(NO_ARG)
    return None


# ---- hdio -----------------------------------------------------------------------------

HDIO_GETGEO, HDIO_DRIVE_CMD = 0x301, 0x31F
# strace's generated hdio decoders: getters of an unsigned long, setters taking it by value,
# two that take three ints, and the identity strings.
_HDIO_GET_ULONG = {0x309, 0x30F, 0x310, 0x30B, 0x308, 0x304, 0x30A, 0x302, 0x30E}
_HDIO_SET_ULONG = {0x324, 0x32C, 0x32F, 0x326, 0x323, 0x321, 0x325, 0x327, 0x322, 0x32B, 0x32A}
_HDIO_THREE_INTS = {0x31C, 0x328}  # HDIO_DRIVE_RESET, HDIO_SCAN_HWIF
_HDIO_IDENTITY = {0x30D: 512, 0x307: 142}  # HDIO_GET_IDENTITY, HDIO_OBSOLETE_IDENTITY
HDIO_GET_BUSSTATE, HDIO_SET_BUSSTATE, HDIO_GET_NICE = 0x31A, 0x32D, 0x30C
_BUSSTATES = {0: "BUSSTATE_OFF", 1: "BUSSTATE_ON", 2: "BUSSTATE_TRISTATE"}
_IDE_NICE = [(1 << 0, "1 << IDE_NICE_DSC_OVERLAP"), (1 << 1, "1 << IDE_NICE_ATAPI_OVERLAP"),
             (1 << 3, "1 << IDE_NICE_1"), (1 << 2, "1 << IDE_NICE_0"), (1 << 4, "1 << IDE_NICE_2")]  # fmt: skip


def _hdio_table(a: IoctlArg, strsize: int) -> IoctlText | None:
    c = a.code
    if c in _HDIO_GET_ULONG:
        return out(a.num_out("<Q"))
    if c in _HDIO_SET_ULONG:
        return IoctlText(str(a.arg))
    if c == HDIO_GET_BUSSTATE:
        return out(
            a.show_out(
                8, lambda d: f"[{xval(struct.unpack_from('<Q', d)[0], _BUSSTATES, 'BUSSTATE_???')}]"
            )
        )
    if c == HDIO_SET_BUSSTATE:
        return IoctlText(xval(a.arg, _BUSSTATES, "BUSSTATE_???"))
    if c == HDIO_GET_NICE:
        return out(
            a.show_out(
                8,
                lambda d: f"[{xflags(struct.unpack_from('<Q', d)[0], _IDE_NICE, 'IDE_NICE_???')}]",
            )
        )
    if c == 0x329:  # HDIO_SET_NICE
        return IoctlText(xflags(a.arg, _IDE_NICE, "IDE_NICE_???"))
    if c in _HDIO_THREE_INTS:
        return IoctlText(a.show_in(12, lambda d: hex_array(struct.unpack_from("<3I", d))))
    if c in _HDIO_IDENTITY:
        size = _HDIO_IDENTITY[c]
        return out(a.show_out(size, lambda d: quote_buffer(d[:size], size, strsize)))
    return None


def _drive_cmd_buffer(data: bytes, size: int, addr: int, strsize: int) -> str:
    """The sectors HDIO_DRIVE_CMD returned, in hex escapes, cut at -s; their address
    when fewer bytes than are shown could be read."""
    shown = min(size, strsize)
    if len(data) < shown:
        return f"{addr:#x}"
    text = '"' + "".join(f"\\x{b:02x}" for b in data[:shown]) + '"'
    return text + "..." if shown < size else text


def hdio_ioctl(a: IoctlArg) -> IoctlText | None:
    if a.code == HDIO_GETGEO:

        def geo(d: bytes) -> str:
            heads, sectors, cyl, start = struct.unpack_from("<BBH4xQ", d)  # start is aligned
            return f"{{heads={heads}, sectors={sectors}, cylinders={cyl}, start={start}}}"

        return out(a.show_out(16, geo))
    if a.code == HDIO_DRIVE_CMD:
        d = a.entry_struct(4)
        if d is None:
            return IoctlText(a.addr)
        cmd, sector, feature, count = d[:4]
        text = (
            f"{{command={xval(cmd, xd.HDIO_DRIVE_CMDS, 'ATA_CMD_???')}, sector_number={sector}, "
            f"feature={feature}, sector_count={count}}}"
        )
        if not a.finished or (a.failed and a.error != 5):  # EIO still fills the status
            return IoctlText(text)
        o = a.exit if a.failed else a.exit_struct(4)
        if o is None or len(o) < 4:
            return IoctlText(text)
        status, error, nsector, count = o[:4]
        text += f" => {{status={status:#x}, error={error}, nsector={nsector}"
        if count:
            text += ", buf=" + _drive_cmd_buffer(o[4:], count * 512, a.arg + 4, a.strsize)
        return IoctlText(text + "}")
    return _hdio_table(a, a.strsize)


# ---- loop -----------------------------------------------------------------------------

LOOP_SET_FD, LOOP_CLR_FD, LOOP_SET_STATUS, LOOP_GET_STATUS = 0x4C00, 0x4C01, 0x4C02, 0x4C03
LOOP_SET_STATUS64, LOOP_GET_STATUS64, LOOP_CHANGE_FD = 0x4C04, 0x4C05, 0x4C06
LOOP_SET_CAPACITY, LOOP_SET_DIRECT_IO, LOOP_SET_BLOCK_SIZE = 0x4C07, 0x4C08, 0x4C09
LOOP_CONFIGURE = 0x4C0A
LOOP_CTL_ADD, LOOP_CTL_REMOVE, LOOP_CTL_GET_FREE = 0x4C80, 0x4C81, 0x4C82
LO_KEY_SIZE = 32


def _crypt(t: int) -> str:
    return xval(t, xd.LOOP_CRYPT, "LO_CRYPT_???")


def _loop_info(d: bytes, abbrev: bool) -> str:
    number, device, inode, rdevice, offset, etype, keysize, flags = struct.unpack_from(
        "<i4xQQQiiii", d
    )
    parts = [f"lo_number={number}"]
    if not abbrev:
        parts += [
            f"lo_device={makedev(device)}",
            f"lo_inode={inode}",
            f"lo_rdevice={makedev(rdevice)}",
        ]
    parts.append(f"lo_offset={offset & 0xFFFFFFFF:#x}" if offset else "lo_offset=0")
    crypt = not abbrev or etype != 0
    if crypt:
        parts += [
            f"lo_encrypt_type={_crypt(etype & 0xFFFFFFFF)}",
            f"lo_encrypt_key_size={keysize & 0xFFFFFFFF}",
        ]
    parts.append(f"lo_flags={xflags(flags & 0xFFFFFFFF, xd.LOOP_FLAGS, 'LO_FLAGS_???')}")
    parts.append(f"lo_name={cstring(d[48:112])}")
    if crypt:
        n = min(keysize & 0xFFFFFFFF, LO_KEY_SIZE)
        parts.append(f"lo_encrypt_key={qstring(d[112 : 112 + n])}")
    if not abbrev:
        parts.append(f"lo_init={hex_array(struct.unpack_from('<2Q', d, 144))}")
        parts.append(f"reserved={hex_array(list(d[160:164]))}")
    else:
        parts.append("...")
    return "{" + ", ".join(parts) + "}"


def _loop_info64(d: bytes, abbrev: bool) -> str:
    device, inode, rdevice, offset, sizelimit, number, etype, keysize, flags = struct.unpack_from(
        "<5Q4I", d
    )
    off = f"lo_offset={offset:#x}" if offset else "lo_offset=0"
    if not abbrev:
        parts = [
            f"lo_device={makedev(device)}",
            f"lo_inode={inode}",
            f"lo_rdevice={makedev(rdevice)}",
            off,
            f"lo_sizelimit={sizelimit}",
            f"lo_number={number}",
        ]
    else:
        parts = [off, f"lo_number={number}"]
    crypt = not abbrev or etype != 0
    if crypt:
        parts += [f"lo_encrypt_type={_crypt(etype)}", f"lo_encrypt_key_size={keysize}"]
    parts.append(f"lo_flags={xflags(flags, xd.LOOP_FLAGS, 'LO_FLAGS_???')}")
    parts.append(f"lo_file_name={cstring(d[56:120])}")
    if crypt:
        parts.append(f"lo_crypt_name={cstring(d[120:184])}")
        parts.append(f"lo_encrypt_key={qstring(d[184 : 184 + min(keysize, LO_KEY_SIZE)])}")
    if not abbrev:
        parts.append(f"lo_init={hex_array(struct.unpack_from('<2Q', d, 216))}")
    else:
        parts.append("...")
    return "{" + ", ".join(parts) + "}"


def _loop_config(d: bytes, abbrev: bool) -> str:
    fd, block_size = struct.unpack_from("<iI", d)
    text = f"{{fd={fd}, block_size={block_size}, info={_loop_info64(d[8:240], abbrev)}"
    reserved = struct.unpack_from("<8Q", d, 240)
    if any(reserved):
        text += f", __reserved={hex_array(reserved)}"
    return text + "}"


def loop_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c == LOOP_GET_STATUS:
        return out(a.show_out(168, lambda d: _loop_info(d, a.abbrev)))
    if c == LOOP_SET_STATUS:
        return IoctlText(a.show_in(168, lambda d: _loop_info(d, a.abbrev)))
    if c == LOOP_GET_STATUS64:
        return out(a.show_out(232, lambda d: _loop_info64(d, a.abbrev)))
    if c == LOOP_SET_STATUS64:
        return IoctlText(a.show_in(232, lambda d: _loop_info64(d, a.abbrev)))
    if c == LOOP_CONFIGURE:
        return IoctlText(a.show_in(304, lambda d: _loop_config(d, a.abbrev)))
    if c in (LOOP_CLR_FD, LOOP_SET_CAPACITY, LOOP_CTL_GET_FREE):
        return IoctlText(NO_ARG)
    if c in (LOOP_SET_FD, LOOP_CHANGE_FD, LOOP_CTL_ADD, LOOP_CTL_REMOVE):
        return IoctlText(str(to_int(a.arg)))
    if c in (LOOP_SET_DIRECT_IO, LOOP_SET_BLOCK_SIZE):
        return IoctlText(str(a.arg))
    return None


# ---- 'f' and 'X' ----------------------------------------------------------------------

FS_IOC_GETFLAGS, FS_IOC_SETFLAGS = 0x80086601, 0x40086602
FS_IOC32_GETFLAGS, FS_IOC32_SETFLAGS = 0x80046601, 0x40046602
FS_IOC_FIEMAP = 0xC020660B
FIFREEZE, FITHAW, FITRIM = 0xC0045877, 0xC0045878, 0xC0185879
FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR = 0x801C581F, 0x401C5820


def _fs_flags(d: bytes) -> str:
    return f"[{xflags(struct.unpack_from('<I', d)[0], xd.FS_IOC_FLAGS, 'FS_???_FL')}]"


def _fiemap_extent(d: bytes, off: int) -> str:
    logical, physical, length, flags = struct.unpack_from("<QQQ16xI", d, off)
    return (
        f"{{fe_logical={logical}, fe_physical={physical}, fe_length={length}, "
        f"fe_flags={xflags(flags, xd.FIEMAP_EXTENT_FLAGS, 'FIEMAP_EXTENT_???')}}}"
    )


def _fiemap(a: IoctlArg) -> IoctlText:
    d = a.entry_struct(32)
    if d is None:
        return IoctlText(a.addr)
    start, length, flags, count = struct.unpack_from("<QQI4xI", d)
    text = (
        f"{{fm_start={start}, fm_length={length}, "
        f"fm_flags={xflags(flags, xd.FIEMAP_FLAGS, 'FIEMAP_FLAG_???')}, fm_extent_count={count}}}"
    )
    if not a.finished or a.failed:
        return IoctlText(text)
    o = a.exit_struct(32)
    if o is None:
        return IoctlText(f"{text} => {a.addr}")
    flags, mapped = struct.unpack_from("<II", o, 16)
    text += f" => {{fm_flags={xflags(flags, xd.FIEMAP_FLAGS, 'FIEMAP_FLAG_???')}, fm_mapped_extents={mapped}"
    if a.abbrev:
        return IoctlText(text + ", ...}")
    extents = []
    for i in range(mapped):
        off = 32 + 56 * i
        if off + 56 > len(o):
            if not extents:  # not even the first: the array's address alone
                return IoctlText(text + f", fm_extents={a.arg + off:#x}}}")
            extents.append("...")
            break
        extents.append(_fiemap_extent(o, off))
    return IoctlText(text + f", fm_extents=[{', '.join(extents)}]}}")


def fs_f_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c == FS_IOC_FIEMAP:
        return _fiemap(a)
    if c in (FS_IOC_GETFLAGS, FS_IOC32_GETFLAGS):
        return out(a.show_out(4, _fs_flags))
    if c in (FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS):
        return IoctlText(a.show_in(4, _fs_flags))
    return None


def _fsxattr(d: bytes, is_get: bool) -> str:
    xflags_, extsize, nextents, projid, cowextsize = struct.unpack_from("<5I", d)
    text = f"{{fsx_xflags={xflags(xflags_, xd.FS_XFLAGS, 'FS_XFLAG_???')}, fsx_extsize={extsize}"
    if is_get:
        text += f", fsx_nextents={nextents}"
    projid_text = f"{projid:#x}" if projid else "0"
    return text + f", fsx_projid={projid_text}, fsx_cowextsize={cowextsize}}}"


def fs_x_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c == FITRIM:

        def trim(d: bytes) -> str:
            start, length, minlen = struct.unpack_from("<3Q", d)
            start_text = f"{start:#x}" if start else "0"
            return f"{{start={start_text}, len={length}, minlen={minlen}}}"

        return IoctlText(a.show_in(24, trim))
    if c == FS_IOC_FSGETXATTR:
        return out(a.show_out(28, lambda d: _fsxattr(d, True)))
    if c == FS_IOC_FSSETXATTR:
        return IoctlText(a.show_in(28, lambda d: _fsxattr(d, False)))
    if c in (FIFREEZE, FITHAW):
        return IoctlText(NO_ARG)
    return None
