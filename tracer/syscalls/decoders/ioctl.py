"""ioctl: the request's name (strace's table, size-carrying names, `_IOC(...)`), and its
argument decoded by the family its type byte names (`FAMILIES`), as strace's ioctl.c
dispatches.

The argument's memory is captured as data, so the C core takes ioctls whole: for every
request type some family decodes, a fixed-size read at the argument's address at entry
and again at exit (a short read where the mapping ends; the families check the size
they need). Which request wants which phase is the family's business, not the capture's.
"""

from __future__ import annotations

from collections.abc import Callable

from tracer.events import Syscall
from tracer.syscalls.capture import (
    CaptureLimits,
    Handoff,
    MemoryReader,
    Read,
    declare_entry,
    declare_exit,
    fd_args,
)
from tracer.syscalls.fmt import STYLE, pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import ioctl as x
from tracer.syscalls.xlat import ioctl_dev as xd
from tracer.syscalls.xlat.ioctl_requests import REQUESTS
from tracer.syscalls.xlat.ioctl_requests_strace import OVERRIDES

from . import (
    ioctl_block,
    ioctl_evdev,
    ioctl_gpio,
    ioctl_kd,
    ioctl_lirc,
    ioctl_misc,
    ioctl_mtd,
    ioctl_nbd,
    ioctl_ptp,
    ioctl_scsi,
    ioctl_sock,
    ioctl_tty,
    ioctl_ubi,
    ioctl_uffd,
    ioctl_v4l2,
)
from .ioctl_arg import IoctlArg, IoctlText
from .ioctl_far import FAR_IN, FAR_OUT, FAR_READS, read_entry, read_exit

Family = Callable[[IoctlArg], IoctlText | None]

# strace's ioctl_decode(): request type -> family.
FAMILIES: dict[int, Family] = {
    0x03: ioctl_block.hdio_ioctl,
    0x12: ioctl_block.block_ioctl,
    0x21: ioctl_misc.seccomp_ioctl,
    0x22: ioctl_scsi.scsi_ioctl,
    0x24: ioctl_misc.perf_ioctl,
    0x3D: ioctl_ptp.ptp_ioctl,
    0x3E: ioctl_misc.counter_ioctl,
    0x45: ioctl_evdev.evdev_ioctl,
    0x49: ioctl_misc.inotify_ioctl,
    0x4B: ioctl_kd.kd_ioctl,
    0x4C: ioctl_block.loop_ioctl,
    0x4D: ioctl_mtd.mtd_ioctl,
    0x4F: ioctl_ubi.ubi_ioctl,
    0x52: ioctl_misc.random_ioctl,
    0x54: ioctl_tty.term_ioctl,
    0x56: ioctl_v4l2.v4l2_ioctl,
    0x57: ioctl_misc.watchdog_ioctl,
    0x58: ioctl_block.fs_x_ioctl,
    0x66: ioctl_block.fs_f_ioctl,
    0x69: ioctl_lirc.lirc_ioctl,
    0x6F: ioctl_ubi.ubi_ioctl,
    0x70: ioctl_misc.rtc_ioctl,
    0x89: ioctl_sock.sock_ioctl,
    0xAA: ioctl_uffd.uffd_ioctl,
    0xAB: ioctl_nbd.nbd_ioctl,
    0xB4: ioctl_gpio.gpio_ioctl,
    0xB7: ioctl_misc.nsfs_ioctl,
}

# Types of the families strace decodes that are not ported yet (their arguments are
# pointers to structures: NULL stays NULL).
_STRUCT_TYPES = frozenset({0x22, 0x89, 0x94, 0xA4, 0xAB, 0xAE, 0xFD})
_FICLONE = 0x40049409

# Request types whose argument memory is captured: (types, bytes read).
_CAPTURED: list[tuple[tuple[int, ...], int]] = [
    ((0x54, 0x12, 0x03, 0x21, 0x22, 0x24), 512),
    ((0x3E, 0x4C, 0x4D, 0x4F), 512),
    ((0x52, 0x56, 0x57, 0x58, 0x66, 0x69), 512),
    ((0x70, 0x89, 0xA4, 0xAA), 512),
    ((0xAE, 0xB7, 0x49), 512),
    ((0x45, 0x94, 0xFD, 0x3D, 0xB4, 0x4B), 4096),  # evdev's bitmaps, PTP, GPIO, console maps
    ((0x6F,), ioctl_ubi.RNVOL_SIZE),  # UBI_IOCRNVOL
]


def _reads(key: str) -> tuple[Read, ...]:
    return tuple(
        Read(key, 2, size=size, when=(1, 0xFF00, tuple(t << 8 for t in types)))
        for types, size in _CAPTURED
    )


def _fds_in_struct(mem: MemoryReader, args: tuple[int, ...]) -> dict | None:
    """The fd inside SECCOMP_IOCTL_NOTIF_ADDFD's struct (srcfd), for -y to name: the
    Python loop names the fds a capture lists under `_fds`."""
    data = mem.read(args[2] + 12, 4) if args[2] else None
    if not data or len(data) < 4:
        return None
    return {"_fds": [int.from_bytes(data, "little", signed=True)]}


def _entry_python(mem: MemoryReader, args: tuple[int, ...], ret: int, limits: CaptureLimits):
    """What only Python reads at entry: behind pointers (ioctl_far), fds inside structs."""
    got = read_entry(mem, args, ret, limits)
    code = args[1] & 0xFFFFFFFF
    if code == ioctl_misc.SECCOMP_NOTIF_ADDFD:
        fds = _fds_in_struct(mem, args)
        if fds:
            got = {**(got or {}), **fds}
    elif code == ioctl_nbd.NBD_SET_SOCK:  # its argument is an fd, for -y to name
        got = {**(got or {}), "_fds": [ioctl_nbd.set_sock_fd(args[2])]}
    return got


# Types whose families read behind pointers inside the argument (ioctl_far.py),
# seccomp's ('!': an fd inside ADDFD's struct) and NBD's (NBD_SET_SOCK's argument is an
# fd): their calls are the Python loop's, which names the fds a capture lists under
# `_fds`. One Handoff per phase: ioctl's op lists are full (7 data reads + 1, OPS_MAX).
_SECCOMP_TYPE = 0x21
_NBD_TYPE = 0xAB
_PYTHON_WHEN = (
    1,
    0xFF00,
    tuple(sorted(t << 8 for t in (*FAR_READS, _SECCOMP_TYPE, _NBD_TYPE))),
)
declare_entry("ioctl", *_reads("ioc_in"), Handoff(_PYTHON_WHEN, _entry_python))
declare_exit("ioctl", *_reads("ioc_out"), Handoff(_PYTHON_WHEN, read_exit, on_error=True))


# ---- the request ----------------------------------------------------------------------


def _hex(v: int) -> str:
    """C's `%#x`: plain `0` for zero."""
    return f"{v:#x}" if v else "0"


def _ioc_dir(code: int) -> int:
    return code >> 30 & 3


def _ioc_size(code: int) -> int:
    return code >> 16 & 0x3FFF


def _sized(name: str, value: object) -> str:
    return f"{name}({value})"


def _number_name(code: int, verbose: bool) -> str | None:
    """strace's ioctl_decode_command_number: names that carry a size or an index."""
    typ, nr, d, size = code >> 8 & 0xFF, code & 0xFF, _ioc_dir(code), _ioc_size(code)
    if typ == 0x45:  # 'E'
        if d == 1 and 0xC0 <= nr <= 0xFF:
            return _sized("EVIOCSABS", _abs_name(nr - 0xC0, verbose))
        if d != 2:
            return None
        if 0x20 <= nr <= 0x3F:
            ev = "0" if nr == 0x20 else _xlat_abbrev(nr - 0x20, xd.EVDEV_EV, "EV_???", verbose)
            return f"EVIOCGBIT({ev}, {size})"
        if 0x40 <= nr <= 0x7F:
            return _sized("EVIOCGABS", _abs_name(nr - 0x40, verbose))
        name = _EVDEV_SIZED.get(nr)
        return _sized(name, size) if name else None
    if typ == 0x48:  # 'H'
        name = {2: _HID_READ, 3: _HID_READWRITE}.get(d, {}).get(nr)
        return _sized(name, size) if name else None
    if typ == 0x4D and d in (1, 2):  # 'M'
        return _sized("MIXER_WRITE" if d == 1 else "MIXER_READ", nr)
    if typ == 0x55 and d == 2 and nr == 0x2C:
        return _sized("UI_GET_SYSNAME", size)
    if typ == 0x6A and d == 2 and nr == 0x13:
        return _sized("JSIOCGNAME", size)
    if typ == 0x6B and d == 1 and nr == 0:
        return _sized("SPI_IOC_MESSAGE", size)
    return None


_NAMES: dict[int, str] = {
    code: name
    for code, name in {**x.IOCTL_NAMES, **REQUESTS, **OVERRIDES}.items()
    if name is not None
}

_EVDEV_SIZED = {
    0x06: "EVIOCGNAME", 0x07: "EVIOCGPHYS", 0x08: "EVIOCGUNIQ", 0x09: "EVIOCGPROP",
    0x0A: "EVIOCGMTSLOTS", 0x18: "EVIOCGKEY", 0x19: "EVIOCGLED", 0x1A: "EVIOCGSND",
    0x1B: "EVIOCGSW",
}  # fmt: skip
_HID_READ = {0x04: "HIDIOCGRAWNAME", 0x05: "HIDIOCGRAWPHYS", 0x06: "HIDIOCSFEATURE",
             0x08: "HIDIOCGRAWUNIQ", 0x12: "HIDIOCGPHYS"}  # fmt: skip
_HID_READWRITE = {0x06: "HIDIOCSFEATURE", 0x07: "HIDIOCGFEATURE"}


def _xlat_abbrev(value: int, table: dict[int, str], unknown: str, verbose: bool) -> str:
    """printxval_ex inside the request's name: a name, else hex with a comment (none
    under -X verbose, which is already inside one)."""
    name = table.get(value)
    if name is not None:
        return name
    return _hex(value) if verbose else f"{_hex(value)} /* {unknown} */"


def _abs_name(value: int, verbose: bool) -> str:
    return _xlat_abbrev(value, xd.EVDEV_ABS, "ABS_???", verbose)


def _ioc_code(code: int, verbose: bool) -> str:
    d = _ioc_dir(code)
    direction = x.IOC_DIRS[d]
    typ, nr, size = code >> 8 & 0xFF, code & 0xFF, _ioc_size(code)
    return f"_IOC({direction}, {_hex(typ)}, {_hex(nr)}, {_hex(size)})"


def request_name(code: int, verbose: bool = False) -> str:
    """The request as strace -X abbrev prints it (`verbose`: the text inside -X verbose's comment)."""
    if code == 0x80082102:  # _IOC(_IOC_READ, '!', 2, sizeof(uint64_t))
        return "SECCOMP_IOCTL_NOTIF_ID_VALID_WRONG_DIR"
    sized = _number_name(code, verbose)
    name = _NAMES.get(code)
    if sized is not None:
        return f"{sized} or {name}" if name else sized
    if name is not None:
        return name
    return _ioc_code(code, verbose)


def request_text(code: int) -> str:
    style = STYLE.constants
    if style == "raw":
        return _hex(code)
    if style == "verbose":
        return f"{_hex(code)} /* {request_name(code, True)} */"
    return request_name(code)


# ---- the argument ----------------------------------------------------------------------


def _ioctl_arg(call: Syscall, ctx: RenderContext, code: int) -> IoctlArg:
    mem = call.mem or {}
    done = call.ret is not None
    error = call.error if done else 0
    return IoctlArg(
        code=code,
        arg=call.args[2] & 0xFFFFFFFFFFFFFFFF,
        entry=mem.get("ioc_in"),
        exit=mem.get("ioc_out") if done else None,
        far_in=mem.get(FAR_IN),
        far_out=mem.get(FAR_OUT) if done else None,
        finished=done,
        error=error or 0,
        abbrev=ctx.abbreviated(call),
        verbose=ctx.dereferenced(call),
        ret=call.ret or 0,
        strsize=ctx.strsize,
        fd=lambda fd: ctx.fd(call, fd),
    )


@decoder("ioctl")
def decode_ioctl(call: Syscall, ctx: RenderContext) -> Decoded:
    code = call.args[1] & 0xFFFFFFFF
    args = [ctx.fd_arg(call, call.args[0]), Arg(request_text(code), call.args[1], "flags", code)]
    raw = call.args[2]
    if code == _FICLONE:  # the source file's fd
        return Decoded([*args, ctx.fd_arg(call, raw)])
    typ = code >> 8 & 0xFF
    family = FAMILIES.get(typ)
    result = family(_ioctl_arg(call, ctx, code)) if family is not None else None
    if result is None:
        v = raw & 0xFFFFFFFFFFFFFFFF
        if family is None and code >> 30 and typ in _STRUCT_TYPES:
            # a structure strace decodes and we do not yet: at least NULL as strace has it
            args.append(Arg(pointer(v), raw, "ptr", v))
        else:
            args.append(Arg(_hex(v), raw, "ptr", v))
        return Decoded(args)
    if result.text:
        # verbose= is the family's business (it printed the address where it must)
        kind = "struct" if result.text[0] in "{[" else "other"
        args.append(Arg(result.text, raw, kind, None, result.at_exit))
    return Decoded(args, ret=result.ret, ret_fd=result.ret_fd)


fd_args((0,), "ioctl")
