"""Console ioctls whose structure points to a second buffer: GIO/PIO_UNIMAP (unicode
pairs), GIO/PIO_FONTX and KDFONTOP (a font's bitmap, a default font's name).

The buffers are read behind the pointer while the tracee is stopped (`FAR_READS`, see
ioctl_far.py): a setter's at entry, a getter's at exit. GIO_UNIMAP is read back even
after a failure, as strace does: on ENOMEM the kernel says how many entries it has.
"""

from __future__ import annotations

import errno
import struct

from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.fmt import pointer, quote_hex
from tracer.syscalls.xlat import kd as xk

from .ioctl_arg import IoctlArg, IoctlText
from .ioctl_block import qstring
from .ioctl_far import FAR_READS, FarReads, Snapshot, Snapshots, fetch, fetch_upto, snap
from .kstructs import xflags, xval

GIO_UNIMAP, PIO_UNIMAP, GIO_FONTX, PIO_FONTX, KDFONTOP = 0x4B66, 0x4B67, 0x4B6B, 0x4B6C, 0x4B72
FONT_REQUESTS = frozenset({GIO_UNIMAP, PIO_UNIMAP, GIO_FONTX, PIO_FONTX, KDFONTOP})
_FONT_OP_SET, _FONT_OP_GET, _FONT_OP_SET_DEFAULT, _FONT_OP_COPY = 0, 1, 2, 3
_MAX_FONT_NAME = 32  # the kernel's bound for a default font's name
_UNIPAIR = 4
_UNIMAP = struct.Struct("<H6xQ")  # struct unimapdesc: entry_ct, entries
_FONTDESC = struct.Struct("<HH4xQ")  # struct consolefontdesc: charcount, charheight, chardata
_FONT_OP = struct.Struct("<5I4xQ")  # struct console_font_op


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _fontx_len(charcount: int) -> int:
    return min(charcount, 512) * 32


def _font_op_len(width: int, charcount: int) -> int:
    return (min(width, 32) + 7) // 8 * 32 * min(charcount, 512)


# ---- what is read behind the pointers --------------------------------------------------


def _struct(mem: MemoryReader, arg: int, layout: struct.Struct) -> tuple | None:
    data = mem.read(arg, layout.size) if arg else None
    return layout.unpack_from(data) if data is not None and len(data) >= layout.size else None


def _read_entry(
    mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits
) -> list[Snapshot]:
    string = limits.strsize + 1  # printstr reads at most -s + 1 bytes
    if code == PIO_UNIMAP and (d := _struct(mem, arg, _UNIMAP)):
        return snap(mem, d[1], d[0] * _UNIPAIR)
    if code == PIO_FONTX and (d := _struct(mem, arg, _FONTDESC)):
        return snap(mem, d[2], min(_fontx_len(d[0]), string))
    if code == KDFONTOP and (d := _struct(mem, arg, _FONT_OP)):
        op, _, width, _, charcount, data = d
        if op == _FONT_OP_SET:
            return snap(mem, data, min(_font_op_len(width, charcount), string))
        if op == _FONT_OP_SET_DEFAULT:
            return snap(mem, data, min(_MAX_FONT_NAME, string))
    return []


def _read_exit(
    mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits
) -> list[Snapshot]:
    string = limits.strsize + 1
    if code == GIO_UNIMAP:
        head = snap(mem, arg, _UNIMAP.size)
        if not head or len(head[0][1]) < _UNIMAP.size or ret < 0:
            return head  # after a failure strace reads the count back, not the pairs
        count, entries = _UNIMAP.unpack_from(head[0][1])
        # strace prints as many pairs as were asked for at entry; the kernel wrote back how
        # many it has: read the larger of that and what -s lets strace print.
        wanted = min(max(count, limits.strsize + 1), 0xFFFF)
        return head + snap(mem, entries, wanted * _UNIPAIR)
    if ret < 0:
        return []
    if code == GIO_FONTX and (d := _struct(mem, arg, _FONTDESC)):
        return snap(mem, d[2], min(_fontx_len(d[0]), string))
    if code == KDFONTOP and (d := _struct(mem, arg, _FONT_OP)):
        op, _, width, _, charcount, data = d
        if op == _FONT_OP_GET:
            return snap(mem, data, min(_font_op_len(width, charcount), string))
    return []


FAR_READS[0x4B] = FarReads(_read_entry, _read_exit, on_error=True)


# ---- printing --------------------------------------------------------------------------


def _hex_string(a: IoctlArg, snaps: Snapshots | None, addr: int, length: int) -> str:
    """printstr_ex in hex: it reads min(length, -s + 1) bytes, or prints the address."""
    if not addr:
        return "NULL"
    if length == 0:
        return '""'
    data = fetch(snaps, addr, min(length, a.strsize + 1))
    return pointer(addr) if data is None else quote_hex(data, length, a.strsize)


def _font_name(a: IoctlArg, addr: int) -> str:
    """A default font's name: a string of at most 31 bytes and its NUL (strace expects the
    NUL in the kernel's 32 bytes: without one it prints `...`)."""
    if not addr:
        return "NULL"
    size = min(_MAX_FONT_NAME, a.strsize + 1)
    raw = fetch_upto(a.far_in, addr, size)
    if raw is None or (len(raw) < size and b"\0" not in raw):
        return pointer(addr)
    shown = min(a.strsize, _MAX_FONT_NAME - 1)
    nul = raw.find(b"\0", 0, shown)
    if nul >= 0:
        return qstring(raw[:nul])
    more = len(raw) > shown and raw[shown] != 0
    return qstring(raw[:shown]) + ("..." if more else "")


def _pairs(a: IoctlArg, snaps: Snapshots | None, addr: int, count: int) -> str:
    """print_array of struct unipair: an unreadable first pair prints the address, a later
    one `... /* address */`; without -v at most -s pairs."""
    if not addr:
        return "NULL"
    limit = a.strsize if a.abbrev and a.strsize < count else count
    items: list[str] = []
    for i in range(count):
        at = addr + i * _UNIPAIR
        pair = fetch(snaps, at, _UNIPAIR)
        if pair is None:
            if not i:
                return pointer(addr)
            items.append(f"... /* {at:#x} */")
            break
        if i >= limit:
            items.append("...")
            break
        unicode, fontpos = struct.unpack("<HH", pair)
        items.append(f"{{unicode={_hex(unicode)}, fontpos={_hex(fontpos)}}}")
    return "[" + ", ".join(items) + "]"


def _unimap(a: IoctlArg, get: bool) -> IoctlText:
    d = a.entry_struct(_UNIMAP.size)
    if d is None:
        return IoctlText(a.addr)
    count, entries = _UNIMAP.unpack_from(d)
    text = f"{{entry_ct={count}"
    if not get:
        return IoctlText(f"{text}, entries={_pairs(a, a.far_in, entries, count)}}}")
    if not a.finished:
        return IoctlText(text + "}")
    back = fetch(a.far_out, a.arg, _UNIMAP.size)
    if back is None:  # not readable back: strace prints the address there
        return IoctlText(f"{text}{a.addr}}}")
    count_back, entries = _UNIMAP.unpack_from(back)
    text += f" => {count_back}"
    if a.failed and a.error != errno.ENOMEM:
        return IoctlText(f"{text}, entries={pointer(entries)}}}")
    # after ENOMEM strace prints the pairs as an array it cannot read (its address)
    snaps = None if a.failed else a.far_out
    return IoctlText(f"{text}, entries={_pairs(a, snaps, entries, count)}}}")


def _fontdesc(a: IoctlArg, d: bytes, snaps: Snapshots | None) -> str:
    """struct consolefontdesc; `snaps` None: a getter's buffer at entry, its address."""
    charcount, charheight, chardata = _FONTDESC.unpack_from(d)
    if snaps is None:
        data = pointer(chardata)
    else:
        data = _hex_string(a, snaps, chardata, _fontx_len(charcount))
    return f"{{charcount={charcount}, charheight={charheight}, chardata={data}}}"


def _fontx(a: IoctlArg, get: bool) -> IoctlText:
    d = a.entry_struct(_FONTDESC.size)
    if d is None:
        return IoctlText(a.addr)
    text = _fontdesc(a, d, None if get else (a.far_in or ()))
    if get:
        back = a.exit_struct(_FONTDESC.size)
        if back is not None:
            text += f" => {_fontdesc(a, back, a.far_out or ())}"
    return IoctlText(text)


def _font_op(a: IoctlArg, d: bytes, entering: bool) -> str:
    op, flags, width, height, charcount, data = _FONT_OP.unpack_from(d)
    fields = []
    if entering:
        fields.append(f"op={xval(op, xk.FONT_OPS, 'KD_FONT_OP_???')}")
        if op not in (_FONT_OP_SET_DEFAULT, _FONT_OP_COPY):
            fields.append(f"flags={xflags(flags, xk.FONT_FLAGS, 'KD_FONT_FLAG_???')}")
    if op == _FONT_OP_COPY:
        fields.append(f"height={height}")
    else:
        fields += [f"width={width}", f"height={height}"]
    if op not in (_FONT_OP_SET_DEFAULT, _FONT_OP_COPY):
        fields.append(f"charcount={charcount}")
    if op == _FONT_OP_GET and entering:
        fields.append(f"data={pointer(data)}")
    elif op in (_FONT_OP_GET, _FONT_OP_SET):
        snaps = a.far_in if entering else a.far_out
        fields.append(f"data={_hex_string(a, snaps, data, _font_op_len(width, charcount))}")
    elif op == _FONT_OP_SET_DEFAULT:
        if entering:
            fields.append(f"data={_font_name(a, data)}")
    elif op != _FONT_OP_COPY:
        fields.append(f"data={pointer(data)}")
    return "{" + ", ".join(fields) + "}"


def _font_op_arg(a: IoctlArg) -> IoctlText:
    d = a.entry_struct(_FONT_OP.size)
    if d is None:
        return IoctlText(a.addr)
    text = _font_op(a, d, True)
    if struct.unpack_from("<I", d)[0] not in (_FONT_OP_SET, _FONT_OP_COPY):
        back = a.exit_struct(_FONT_OP.size)
        if back is not None:
            text += f" => {_font_op(a, back, False)}"
    return IoctlText(text)


def font_ioctl(a: IoctlArg) -> IoctlText:
    """One of FONT_REQUESTS."""
    c = a.code
    if c in (GIO_UNIMAP, PIO_UNIMAP):
        return _unimap(a, c == GIO_UNIMAP)
    if c in (GIO_FONTX, PIO_FONTX):
        return _fontx(a, c == GIO_FONTX)
    return _font_op_arg(a)
