"""Video4Linux2 ioctls ('V', linux/videodev2.h): capabilities, formats, buffers, frame
buffers, streaming, parameters, standards, inputs, controls, tuners, cropping, frame
sizes and intervals, as strace 6.1 decodes them.

Each request prints what the program passed at entry and, once the call succeeded, what
the driver filled in (a getter's fields, or a setter's `{in} => {out}`). Formats with an
overlay's clip list and extended controls point to more memory: ioctl_v4l2_ptrs.py.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.syscalls.fmt import pointer
from tracer.syscalls.xlat import v4l2 as xv

from .ioctl_arg import IoctlArg, IoctlText, out
from .ioctl_block import cstring
from .ioctl_v4l2_ptrs import EXT_CTRLS, FORMATS, ext_controls_arg, format_arg, format_fmt
from .ioctl_v4l2_values import (
    buf_type,
    buffer_flags,
    control_id,
    fourcc,
    fract,
    hex_,
    kernel_version,
    memory,
    rect,
)
from .kstructs import timeval, xflags, xval

QUERYCAP, ENUM_FMT, REQBUFS, QUERYBUF = 0x80685600, 0xC0405602, 0xC0145608, 0xC0585609
G_FBUF, S_FBUF, QBUF, DQBUF = 0x8030560A, 0x4030560B, 0xC058560F, 0xC0585611
STREAMON, STREAMOFF, G_PARM, S_PARM = 0x40045612, 0x40045613, 0xC0CC5615, 0xC0CC5616
G_STD, S_STD, ENUMSTD, ENUMINPUT = 0x80085617, 0x40085618, 0xC0485619, 0xC050561A
G_CTRL, S_CTRL, G_TUNER, S_TUNER = 0xC008561B, 0xC008561C, 0xC054561D, 0x4054561E
QUERYCTRL, G_INPUT, S_INPUT, CROPCAP = 0xC0445624, 0x80045626, 0xC0045627, 0xC02C563A
G_CROP, S_CROP, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS = (
    0xC014563B,
    0x4014563C,
    0xC02C564A,
    0xC034564B,
)
CREATE_BUFS, QUERY_EXT_CTRL = 0xC100565C, 0xC0E85667
_MEMORY_MMAP, _MEMORY_USERPTR = 1, 2
_FRMSIZE_DISCRETE, _FRMSIZE_STEPWISE = 1, 3
_FRMIVAL_DISCRETE = 1

Render = Callable[[bytes], str]


def _u32(d: bytes, off: int = 0) -> int:
    return struct.unpack_from("<I", d, off)[0]


def _in_then_out(a: IoctlArg, size: int, entry: Render, exit: Render) -> str:
    """The common shape: `{` the entry's fields, and the exit's once the call succeeded `}`."""
    d = a.entry_struct(size)
    if d is None:
        return a.addr
    text = "{" + entry(d)
    back = a.exit_struct(size)
    if back is not None:
        text += exit(back)
    return text + "}"


def _caps(d: bytes) -> str:
    version, caps, device_caps = struct.unpack_from("<III", d, 80)
    text = (
        f"{{driver={cstring(d[:16])}, card={cstring(d[16:48])}, bus_info={cstring(d[48:80])}, "
        f"version={kernel_version(version)}, "
        f"capabilities={xflags(caps, xv.DEVICE_CAPS, 'V4L2_CAP_???')}"
    )
    if device_caps:
        text += f", device_caps={xflags(device_caps, xv.DEVICE_CAPS, 'V4L2_CAP_???')}"
    return text + "}"


def _fmtdesc(a: IoctlArg) -> str:
    return _in_then_out(
        a,
        64,
        lambda d: f"index={_u32(d)}, type={buf_type(_u32(d, 4))}",
        lambda d: (
            f", flags={xflags(_u32(d, 8), xv.FMT_DESC_FLAGS, 'V4L2_FMT_FLAG_???')}, "
            f"description={cstring(d[12:44])}, "
            f"pixelformat={fourcc(_u32(d, 44), xv.PIX_FMTS)}"
        ),
    )


def _reqbufs(a: IoctlArg) -> str:
    return _in_then_out(
        a,
        20,
        lambda d: f"type={buf_type(_u32(d, 4))}, memory={memory(_u32(d, 8))}, count={_u32(d)}",
        lambda d: f" => {_u32(d)}",
    )


def _buffer(a: IoctlArg) -> str:
    dq = a.code == DQBUF

    def entry(d: bytes) -> str:
        return f"type={buf_type(_u32(d, 4))}" + ("" if dq else f", index={_u32(d)}")

    def exit(d: bytes) -> str:
        kind = _u32(d, 60)
        text = (f", index={_u32(d)}" if dq else "") + f", memory={memory(kind)}"
        if kind == _MEMORY_MMAP:
            text += f", m.offset={hex_(_u32(d, 64))}"
        elif kind == _MEMORY_USERPTR:
            text += f", m.userptr={pointer(struct.unpack_from('<Q', d, 64)[0])}"
        text += f", length={_u32(d, 72)}, bytesused={_u32(d, 8)}"
        text += f", flags={buffer_flags(_u32(d, 12))}"
        if dq:
            text += f", timestamp={timeval(d[24:40], 0)}"
        return text + ", ..."

    return _in_then_out(a, 88, entry, exit)


def _framebuffer(d: bytes) -> str:
    capability, flags, base = struct.unpack_from("<IIQ", d)
    return f"{{capability={hex_(capability)}, flags={hex_(flags)}, base={pointer(base)}}}"


def _parm(d: bytes) -> str:
    name, mode = ("capture", "capturemode") if _u32(d) == 1 else ("output", "outputmode")
    caps, modes, _, _, extended, buffers = struct.unpack_from("<6I", d, 4)
    count = "readbuffers" if name == "capture" else "writebuffers"
    return (
        f"parm.{name}={{capability={xflags(caps, xv.STREAMING_CAPS, 'V4L2_CAP_???')}, "
        f"{mode}={xflags(modes, xv.CAPTURE_MODES, 'V4L2_MODE_???')}, "
        f"timeperframe={fract(d, 12)}, extendedmode={hex_(extended)}, {count}={buffers}}}"
    )


def _streamparm(a: IoctlArg) -> str:
    """Only capture and output parameters are decoded; a setter's as `{in} => {out}`."""
    d = a.entry_struct(204)
    if d is None:
        return a.addr
    text = "{type=" + buf_type(_u32(d))
    if _u32(d) not in (1, 2):
        return text + "}"
    get = a.code == G_PARM
    if not get:
        text += ", " + _parm(d)
    back = a.exit_struct(204)
    if back is not None:
        text += (", " if get else "} => {") + _parm(back)
    return text + "}"


def _tuner_fields(d: bytes) -> str:
    typ, caps, low, high, rxsub, audmode, signal, afc = struct.unpack_from("<6I2i", d, 36)
    return (
        f"name={cstring(d[4:36])}, type={xval(typ, xv.TUNER_TYPES, 'V4L2_TUNER_???')}, "
        f"capability={xflags(caps, xv.TUNER_CAPS, 'V4L2_TUNER_CAP_???')}, "
        f"rangelow={low}, rangehigh={high}, "
        f"rxsubchans={xflags(rxsub, xv.TUNER_RXSUBCHANS, 'V4L2_TUNER_SUB_???')}, "
        f"audmode={xval(audmode, xv.TUNER_AUDMODES, 'V4L2_TUNER_MODE_???')}, "
        f"signal={signal}, afc={afc}"
    )


def _tuner(a: IoctlArg) -> str:
    d = a.entry_struct(84)
    if d is None:
        return a.addr
    get = a.code == G_TUNER
    text = f"{{index={_u32(d)}"
    if not get:
        text += ", " + _tuner_fields(d)
    back = a.exit_struct(84)
    if back is not None:
        text += (", " if get else "} => {") + _tuner_fields(back)
    return text + "}"


def _control(a: IoctlArg) -> str:
    get = a.code == G_CTRL
    return _in_then_out(
        a,
        8,
        lambda d: f"id={control_id(_u32(d))}" + ("" if get else f", value={_i32(d, 4)}"),
        lambda d: f", value={_i32(d, 4)}" if get else f" => {_i32(d, 4)}",
    )


def _i32(d: bytes, off: int) -> int:
    return struct.unpack_from("<i", d, off)[0]


def _query_control(a: IoctlArg, ext: bool) -> str:
    size = 232 if ext else 68
    d = a.entry_struct(size)
    if d is None:
        return a.addr
    text = f"{{id={control_id(_u32(d), True)}"
    back = a.exit_struct(size)
    if back is None:
        return text + "}"
    if _u32(back) != _u32(d):
        text += f" => {control_id(_u32(back))}"
    text += (
        f", type={xval(_u32(back, 4), xv.CONTROL_TYPES, 'V4L2_CTRL_TYPE_???')}, "
        f"name={cstring(back[8:40])}"
    )
    if a.abbrev:
        return text + ", ...}"
    return text + (_ext_query_rest(a, back) if ext else _query_rest(back)) + "}"


def _query_rest(d: bytes) -> str:
    low, high, step, default, flags, *reserved = struct.unpack_from("<4iI2I", d, 40)
    text = (
        f", minimum={low}, maximum={high}, step={step}, default_value={default}, "
        f"flags={xflags(flags, xv.CONTROL_FLAGS, 'V4L2_CTRL_FLAG_???')}"
    )
    return text + (f", reserved=[{', '.join(map(hex_, reserved))}]" if any(reserved) else "")


def _ext_query_rest(a: IoctlArg, d: bytes) -> str:
    low, high, step, default = struct.unpack_from("<qqQq", d, 40)
    flags, elem_size, elems, dims_n = struct.unpack_from("<4I", d, 72)
    dims = struct.unpack_from("<4I", d, 88)[: min(dims_n, 4)]
    reserved = struct.unpack_from("<32I", d, 104)
    text = (
        f", minimum={low}, maximum={high}, step={step}, default_value={default}, "
        f"flags={xflags(flags, xv.CONTROL_FLAGS, 'V4L2_CTRL_FLAG_???')}, "
        f"elem_size={elem_size}, elems={elems}, nr_of_dims={dims_n}, "
        f"dims={_local(a, [str(v) for v in dims])}"
    )
    if any(reserved):
        text += f", reserved={_local(a, [hex_(v) for v in reserved])}"
    return text


def _local(a: IoctlArg, values: list[str]) -> str:
    if a.abbrev and len(values) > a.strsize:
        values = [*values[: a.strsize], "..."]
    return "[" + ", ".join(values) + "]"


def _frmsize(d: bytes) -> str:
    typ = _u32(d, 8)
    text = f", type={xval(typ, xv.FRAMESIZE_TYPES, 'V4L2_FRMSIZE_TYPE_???')}"
    if typ == _FRMSIZE_DISCRETE:
        text += ", discrete={{width={}, height={}}}".format(*struct.unpack_from("<II", d, 12))
    elif typ == _FRMSIZE_STEPWISE:
        names = ("min_width", "max_width", "step_width", "min_height", "max_height", "step_height")
        values = struct.unpack_from("<6I", d, 12)
        text += (
            ", stepwise={" + ", ".join(f"{n}={v}" for n, v in zip(names, values, strict=True)) + "}"
        )
    return text


def _frmival(d: bytes) -> str:
    typ = _u32(d, 16)
    text = f", type={xval(typ, xv.FRAMEINTERVAL_TYPES, 'V4L2_FRMIVAL_TYPE_???')}"
    if typ == _FRMIVAL_DISCRETE:
        text += f", discrete={fract(d, 20)}"
    elif typ in (2, 3):  # continuous, stepwise
        text += f", stepwise={{min={fract(d, 20)}, max={fract(d, 28)}, step={fract(d, 36)}}}"
    return text


def _create_buffers(a: IoctlArg) -> IoctlText:
    d = a.entry_struct(256)
    if d is None:
        return IoctlText(a.addr)
    fmt, _ = format_fmt(a, d[16:], a.far_in)
    text = (
        f"{{count={_u32(d, 4)}, memory={memory(_u32(d, 8))}, "
        f"format={{type={buf_type(_u32(d, 16))}{', ' + fmt if fmt else ''}}}}}"
    )
    back = a.exit_struct(256)
    ret = None if back is None else f"{a.ret} ({{index={_u32(back)}, count={_u32(back, 4)}}})"
    return IoctlText(text, ret=ret)


def _number(a: IoctlArg, fmt: str, at_exit: bool) -> IoctlText:
    """printnum_int / printnum_int64: `[value]`, a getter's once the call succeeded."""
    size = struct.calcsize(fmt)

    def render(d: bytes) -> str:
        value = struct.unpack_from(fmt, d)[0]
        return f"[{hex_(value)}]" if fmt == "<Q" else f"[{value}]"

    return out(a.show_out(size, render)) if at_exit else IoctlText(a.show_in(size, render))


def _by_struct(a: IoctlArg) -> str | None:
    c = a.code
    if c == ENUM_FMT:
        return _fmtdesc(a)
    if c in FORMATS:
        return format_arg(a)
    if c == REQBUFS:
        return _reqbufs(a)
    if c in (QUERYBUF, QBUF, DQBUF):
        return _buffer(a)
    if c == S_FBUF:
        return a.show_in(48, _framebuffer)
    if c in (STREAMON, STREAMOFF):
        return a.show_in(4, lambda d: f"[{buf_type(_u32(d))}]")
    if c in (G_PARM, S_PARM):
        return _streamparm(a)
    if c == ENUMSTD:
        return _in_then_out(
            a,
            72,
            lambda d: f"index={_u32(d)}",
            lambda d: (
                f", name={cstring(d[16:40])}, frameperiod={fract(d, 40)}, framelines={_u32(d, 48)}"
            ),
        )
    if c == ENUMINPUT:
        return _in_then_out(
            a,
            80,
            lambda d: f"index={_u32(d)}",
            lambda d: (
                f", name={cstring(d[4:36])}, "
                f"type={xval(_u32(d, 36), xv.INPUT_TYPES, 'V4L2_INPUT_TYPE_???')}"
            ),
        )
    if c in (G_CTRL, S_CTRL):
        return _control(a)
    if c in (G_TUNER, S_TUNER):
        return _tuner(a)
    if c in (QUERYCTRL, QUERY_EXT_CTRL):
        return _query_control(a, c == QUERY_EXT_CTRL)
    if c == CROPCAP:
        return _in_then_out(
            a,
            44,
            lambda d: f"type={buf_type(_u32(d))}",
            lambda d: f", bounds={rect(d, 4)}, defrect={rect(d, 20)}, pixelaspect={fract(d, 36)}",
        )
    if c == G_CROP:
        return _in_then_out(
            a, 20, lambda d: f"type={buf_type(_u32(d))}", lambda d: f", c={rect(d, 4)}"
        )
    if c == S_CROP:
        return a.show_in(20, lambda d: f"{{type={buf_type(_u32(d))}, c={rect(d, 4)}}}")
    if c in EXT_CTRLS:
        return ext_controls_arg(a)
    if c == ENUM_FRAMESIZES:
        return _in_then_out(
            a,
            44,
            lambda d: f"index={_u32(d)}, pixel_format={fourcc(_u32(d, 4), xv.PIX_FMTS)}",
            _frmsize,
        )
    if c == ENUM_FRAMEINTERVALS:
        return _in_then_out(
            a,
            52,
            lambda d: (
                f"index={_u32(d)}, pixel_format={fourcc(_u32(d, 4), xv.PIX_FMTS)}, "
                f"width={_u32(d, 8)}, height={_u32(d, 12)}"
            ),
            _frmival,
        )
    return None


def v4l2_ioctl(a: IoctlArg) -> IoctlText | None:
    if not a.verbose:  # -e verbose=none: the argument's address only
        return None
    c = a.code
    if c == QUERYCAP:
        return out(a.show_out(104, _caps))
    if c == G_FBUF:
        return out(a.show_out(48, _framebuffer))
    if c in (G_STD, S_STD):
        return _number(a, "<Q", c == G_STD)
    if c in (G_INPUT, S_INPUT):
        return _number(a, "<I", c == G_INPUT)
    if c == CREATE_BUFS:
        return _create_buffers(a)
    text = _by_struct(a)
    return None if text is None else IoctlText(text)
