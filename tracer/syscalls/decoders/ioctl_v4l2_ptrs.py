"""The Video4Linux2 structures that point to more memory: a format's overlay window and
its clip list (VIDIOC_G/S/TRY_FMT, VIDIOC_CREATE_BUFS), and extended controls with
their string values (VIDIOC_G/S/TRY_EXT_CTRLS).

What the pointers lead to is read while the tracee is stopped (`FAR_READS`, see
ioctl_far.py): at entry, and at exit, where extended controls are read back even after
a failure, as strace does (it then adds the index of the control that failed).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.capture import CaptureLimits, MemoryReader
from tracer.syscalls.fmt import pointer, quote_buffer
from tracer.syscalls.xlat import v4l2 as xv

from .ioctl_arg import IoctlArg
from .ioctl_block import hex_array
from .ioctl_far import FAR_READS, FarReads, Snapshot, Snapshots, fetch, snap
from .ioctl_v4l2_values import buf_type, fourcc, hex_, rect
from .kstructs import xflags, xval

G_FMT, S_FMT, TRY_FMT, CREATE_BUFS = 0xC0D05604, 0xC0D05605, 0xC0D05640, 0xC100565C
G_EXT_CTRLS, S_EXT_CTRLS, TRY_EXT_CTRLS = 0xC0205647, 0xC0205648, 0xC0205649
FORMATS = {G_FMT: 0, S_FMT: 0, TRY_FMT: 0, CREATE_BUFS: 16}  # where struct v4l2_format is
EXT_CTRLS = (G_EXT_CTRLS, S_EXT_CTRLS, TRY_EXT_CTRLS)

_OVERLAYS = (3, 8)  # V4L2_BUF_TYPE_VIDEO_OVERLAY, _OUTPUT_OVERLAY
_FMT = 8  # the union in struct v4l2_format
_CLIP, _CONTROL, _CONTROLS = 24, 20, 32  # struct v4l2_clip, v4l2_ext_control, ..._controls
_WINDOW = struct.Struct("<16xII8sI4xQB")  # field, chromakey, clips, clipcount, bitmap, alpha
# Elements read behind a pointer: what -s lets strace print (and one more), or this many.
_ITEMS_READ = 256


def _items(count: int, limits: CaptureLimits) -> int:
    return min(count, max(limits.strsize + 1, _ITEMS_READ))


# ---- what is read behind the pointers --------------------------------------------------


def _clips(mem: MemoryReader, fmt: int, limits: CaptureLimits) -> list[Snapshot]:
    head = mem.read(fmt, _FMT + _WINDOW.size)
    if head is None or len(head) < _FMT + 40 or struct.unpack_from("<I", head)[0] not in _OVERLAYS:
        return []
    clips, count = struct.unpack_from("<QI", head, _FMT + 24)
    return snap(mem, clips, _items(count, limits) * _CLIP)


def _controls(mem: MemoryReader, arg: int, limits: CaptureLimits) -> list[Snapshot]:
    head = snap(mem, arg, _CONTROLS)
    if not head or len(head[0][1]) < _CONTROLS:
        return head
    count, controls = struct.unpack_from("<4xI16xQ", head[0][1])
    found = head + snap(mem, controls, _items(count, limits) * _CONTROL)
    if len(found) > 1:
        data = found[1][1]
        for off in range(0, len(data) - _CONTROL + 1, _CONTROL):
            size, string = struct.unpack_from("<I4xQ", data, off + 4)
            if size:  # a string value: printstrn reads at most -s + 1 bytes of it
                found += snap(mem, string, min(size, limits.strsize + 1))
    return found


def _read_entry(
    mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits
) -> list[Snapshot]:
    if code in FORMATS and code != G_FMT:
        return _clips(mem, arg + FORMATS[code], limits)
    if code in (S_EXT_CTRLS, TRY_EXT_CTRLS):
        return _controls(mem, arg, limits)
    return []


def _read_exit(
    mem: MemoryReader, code: int, arg: int, ret: int, limits: CaptureLimits
) -> list[Snapshot]:
    if code in EXT_CTRLS:
        return _controls(mem, arg, limits)
    if code in (G_FMT, S_FMT, TRY_FMT) and ret >= 0:
        return _clips(mem, arg, limits)
    return []


FAR_READS[0x56] = FarReads(_read_entry, _read_exit, on_error=True)


# ---- printing --------------------------------------------------------------------------


def array(
    a: IoctlArg,
    snaps: Snapshots | None,
    addr: int,
    count: int,
    size: int,
    render: Callable[[bytes], str],
) -> tuple[str, bool]:
    """strace's print_array over memory read behind a pointer, and whether it got to the
    end (an abbreviated array does; NULL, an empty or unreadable one does not)."""
    if not addr:
        return "NULL", False
    if not count:
        return "[]", False
    if addr + count * size > 0xFFFFFFFFFFFFFFFF:
        return pointer(addr), False
    limit = a.strsize if a.abbrev and a.strsize < count else count
    items: list[str] = []
    for i in range(count):
        item = fetch(snaps, addr + i * size, size)
        if item is None:
            if not i:
                return pointer(addr), False
            items.append(f"... /* {addr + i * size:#x} */")
            return "[" + ", ".join(items) + "]", False
        if i >= limit:
            items.append("...")
            break
        items.append(render(item))
    return "[" + ", ".join(items) + "]", True


def _local_array(a: IoctlArg, values: list[str]) -> str:
    """An array inside the structure, cut at -s without -v."""
    if a.abbrev and len(values) > a.strsize:
        values = [*values[: a.strsize], "..."]
    return "[" + ", ".join(values) + "]"


def _pix(a: IoctlArg, d: bytes, off: int) -> str:
    w, h, pix, field, bpl, size, cs = struct.unpack_from("<7I", d, off)
    return (
        f"fmt.pix={{width={w}, height={h}, pixelformat={fourcc(pix, xv.PIX_FMTS)}, "
        f"field={xval(field, xv.FIELDS, 'V4L2_FIELD_???')}, bytesperline={bpl}, "
        f"sizeimage={size}, colorspace={xval(cs, xv.COLORSPACES, 'V4L2_COLORSPACE_???')}}}"
    )


def _pix_mp(a: IoctlArg, d: bytes, off: int) -> str:
    w, h, pix, field, cs = struct.unpack_from("<5I", d, off)
    planes = d[off + 180]
    fmts = [
        "{{sizeimage={}, bytesperline={}}}".format(*struct.unpack_from("<II", d, off + 20 + 20 * i))
        for i in range(min(planes, 8))
    ]
    return (
        f"fmt.pix_mp={{width={w}, height={h}, pixelformat={fourcc(pix, xv.PIX_FMTS)}, "
        f"field={xval(field, xv.FIELDS, 'V4L2_FIELD_???')}, "
        f"colorspace={xval(cs, xv.COLORSPACES, 'V4L2_COLORSPACE_???')}, "
        f"plane_fmt={_local_array(a, fmts)}, num_planes={planes}}}"
    )


def _window(a: IoctlArg, d: bytes, off: int, snaps: Snapshots | None) -> tuple[str, bool]:
    field, chromakey, clips_raw, count, bitmap, alpha = _WINDOW.unpack_from(d, off)
    clips = struct.unpack("<Q", clips_raw)[0]
    shown, done = array(a, snaps, clips, count, _CLIP, lambda c: f"{{c={rect(c)}}}")
    text = (
        f"fmt.win={{w={rect(d, off)}, field={xval(field, xv.FIELDS, 'V4L2_FIELD_???')}, "
        f"chromakey={hex_(chromakey)}, clips={shown}, clipcount={count}, "
        f"bitmap={pointer(bitmap)}"
    )
    if alpha:
        text += f", global_alpha={hex_(alpha)}"
    return text + "}", done


def _vbi(d: bytes, off: int) -> str:
    rate, offset, samples, sample_format, *rest = struct.unpack_from("<4I2i3I", d, off)
    start, count, flags = rest[:2], rest[2:4], rest[4]
    return (
        f"fmt.vbi={{sampling_rate={rate}, offset={offset}, samples_per_line={samples}, "
        f"sample_format={fourcc(sample_format, xv.PIX_FMTS)}, "
        f"start=[{start[0]}, {start[1]}], count=[{count[0]}, {count[1]}], "
        f"flags={xflags(flags, xv.VBI_FLAGS, 'V4L2_VBI_???')}}}"
    )


def _sliced(d: bytes, off: int) -> str:
    service_set = struct.unpack_from("<H", d, off)[0]
    lines = struct.unpack_from("<48H", d, off + 2)
    io_size = struct.unpack_from("<I", d, off + 100)[0]
    return (
        f"fmt.sliced={{service_set={xflags(service_set, xv.SLICED_FLAGS, 'V4L2_SLICED_???')}, "
        f"service_lines=[{hex_array(lines[:24])}, {hex_array(lines[24:])}], io_size={io_size}}}"
    )


def format_fmt(a: IoctlArg, d: bytes, snaps: Snapshots | None) -> tuple[str | None, bool]:
    """struct v4l2_format's union by its type (at `d`'s start): its text (None for a type
    strace does not decode) and whether an array in it was printed to its end."""
    typ = struct.unpack_from("<I", d)[0]
    if typ in (1, 2):
        return _pix(a, d, _FMT), True
    if typ in (9, 10):
        return _pix_mp(a, d, _FMT), True
    if typ in _OVERLAYS:
        return _window(a, d, _FMT, snaps)
    if typ in (4, 5):
        return _vbi(d, _FMT), True
    if typ in (6, 7):
        return _sliced(d, _FMT), True
    if typ in (11, 12):
        pix, size = struct.unpack_from("<II", d, _FMT)
        text = f"fmt.sdr={{pixelformat={fourcc(pix, xv.SDR_FMTS)}"
        return text + (f", buffersize={size}}}" if size else "}"), True
    if typ in (13, 14):
        pix, size = struct.unpack_from("<II", d, _FMT)
        return f"fmt.meta={{dataformat={fourcc(pix, xv.META_FMTS)}, buffersize={size}}}", True
    return None, False


def format_arg(a: IoctlArg) -> str:
    """VIDIOC_G/S/TRY_FMT: the type at entry; a setter's format too, and what the driver
    made of it (`=> {...}`) once the call succeeded; a getter's format at exit."""
    d = a.entry_struct(208)
    if d is None:
        return a.addr
    text = "{type=" + buf_type(struct.unpack_from("<I", d)[0])
    get = a.code == G_FMT
    if not get:
        fmt, done = format_fmt(a, d, a.far_in)
        if fmt is None or not done:
            return text + (f", {fmt}" if fmt else "") + "}"
        text += ", " + fmt
    back = a.exit_struct(208)
    if back is not None:
        fmt, _ = format_fmt(a, back, a.far_out)
        if fmt is not None:
            text += (", " if get else "} => {") + fmt
    return text + "}"


def _control(a: IoctlArg, snaps: Snapshots | None) -> Callable[[bytes], str]:
    def render(c: bytes) -> str:
        cid, size, value = struct.unpack_from("<II4xi", c)  # value and value64 share 12..20
        value64 = struct.unpack_from("<q", c, 12)[0]
        head = f"{{id={xval(cid, xv.CONTROL_IDS, 'V4L2_CID_???')}, size={size}"
        if not size:
            return f"{head}, value={value}, value64={value64}}}"
        string = value64 & 0xFFFFFFFFFFFFFFFF
        data = fetch(snaps, string, min(size, a.strsize + 1)) if string else None
        shown = quote_buffer(data, size, a.strsize, string)
        return f"{head}, string={shown}}}"

    return render


def ext_controls_arg(a: IoctlArg) -> str:
    """VIDIOC_G/S/TRY_EXT_CTRLS: class and count; a setter's controls at entry, and
    what they became at exit (read back after a failure too, with `error_idx`)."""
    d = a.entry_struct(_CONTROLS)
    if d is None:
        return a.addr
    ctrl_class, count = struct.unpack_from("<II", d)
    text = (
        f"{{ctrl_class={xval(ctrl_class, xv.CONTROL_CLASSES, 'V4L2_CTRL_CLASS_???')}, count={count}"
    )
    if not count:
        return text + "}"
    get = a.code == G_EXT_CTRLS
    if not get:
        controls = struct.unpack_from("<Q", d, 24)[0]
        shown, done = array(a, a.far_in, controls, count, _CONTROL, _control(a, a.far_in))
        text += f", controls={shown}"
        if not done:
            return text + "}"
    if not a.finished:
        return text + "}"
    back = fetch(a.far_out, a.arg, _CONTROLS) if a.verbose else None
    if back is None:
        return text + "}"
    count, error_idx, controls = struct.unpack_from("<4xII12xQ", back)
    shown, _ = array(a, a.far_out, controls, count, _CONTROL, _control(a, a.far_out))
    text += (", " if get else "} => {") + f"controls={shown}"
    if a.failed:
        text += f", error_idx={error_idx}"
    return text + "}"
