"""Small ioctl families: random ('R'), inotify ('I'), watchdog ('W'), nsfs (0xb7),
rtc ('p'), counter ('>'), perf ('$'), seccomp ('!') and FICLONE (0x94)."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import pointer, quote_cstr, styled_decimal
from tracer.syscalls.render import ERRNO_NAMES, to_int
from tracer.syscalls.table import get_table
from tracer.syscalls.xlat import file as xfile
from tracer.syscalls.xlat import ioctl_dev as xd

from .arrays import array_items, each_item
from .ioctl_arg import NO_ARG, IoctlArg, IoctlText, out
from .ioctl_block import qstring
from .kstructs import xflags, xval
from .perf_attr import render_perf_attr

# ---- random ---------------------------------------------------------------------------

RNDGETENTCNT, RNDADDTOENTCNT, RNDADDENTROPY = 0x80045200, 0x40045201, 0x40085203
RNDZAPENTCNT, RNDCLEARPOOL, RNDRESEEDCRNG = 0x5204, 0x5206, 0x5207


def random_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c == RNDGETENTCNT:
        return out(a.num_out())
    if c == RNDADDTOENTCNT:
        return IoctlText(a.num_in())
    if c == RNDADDENTROPY:

        def pool(d: bytes) -> str:
            count, size = struct.unpack_from("<ii", d)
            buf = d[8 : 8 + size] if size > 0 else b""
            text = qstring(buf) if len(buf) == max(size, 0) else f"{a.arg + 8:#x}"
            return f"{{entropy_count={count}, buf_size={size}, buf={text}}}"

        return IoctlText(a.show_in(8, pool))
    if c in (RNDZAPENTCNT, RNDCLEARPOOL, RNDRESEEDCRNG):
        return IoctlText(NO_ARG)
    return None


# ---- inotify, watchdog, nsfs ----------------------------------------------------------


def inotify_ioctl(a: IoctlArg) -> IoctlText | None:
    if a.code == 0x40044900:  # INOTIFY_IOC_SETNEXTWD
        return IoctlText(str(to_int(a.arg)))
    return None


_WDIOC_GETTERS = {0x80045701, 0x80045702, 0x80045703, 0x80045707, 0x80045709, 0x8004570A}
_WDIOC_SETTERS = {0xC0045706, 0xC0045708}  # SETTIMEOUT, SETPRETIMEOUT


def watchdog_ioctl(a: IoctlArg) -> IoctlText | None:
    if a.code in _WDIOC_GETTERS:
        return out(a.num_out())
    if a.code in _WDIOC_SETTERS:
        return IoctlText(a.num_in())
    if a.code == 0x80045705:  # WDIOC_KEEPALIVE
        return IoctlText(NO_ARG)
    return None


NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID = 0xB701, 0xB702, 0xB703, 0xB704


def nsfs_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (NS_GET_USERNS, NS_GET_PARENT):
        return IoctlText(NO_ARG, ret_fd=True)
    if c == NS_GET_NSTYPE:
        ret = None
        if a.finished and not a.failed:
            name = xd.SETNS_TYPES.get(a.ret)
            ret = f"{a.ret} ({name})" if name else None
        return IoctlText(NO_ARG, ret=ret)
    if c == NS_GET_OWNER_UID:
        return out(a.show_out(4, lambda d: f"[{to_int(struct.unpack_from('<I', d)[0])}]"))
    return None


# ---- rtc ------------------------------------------------------------------------------

RTC_AIE_ON, RTC_UIE_OFF, RTC_VL_CLR = 0x7001, 0x7004, 0x7014
RTC_ALM_SET, RTC_ALM_READ, RTC_RD_TIME, RTC_SET_TIME = (
    0x40247007,
    0x80247008,
    0x80247009,
    0x4024700A,
)
RTC_IRQP_READ, RTC_IRQP_SET = 0x8008700B, 0x4008700C
RTC_EPOCH_READ, RTC_EPOCH_SET = 0x8008700D, 0x4008700E
RTC_WKALM_SET, RTC_WKALM_RD = 0x4028700F, 0x80287010
RTC_PLL_GET, RTC_PLL_SET = 0x80207011, 0x40207012
RTC_VL_READ = 0x80047013
RTC_PARAM_GET, RTC_PARAM_SET = 0x40187013, 0x40187014
_RTC_NO_ARGS = set(range(0x7001, 0x7007)) | {0x700F, 0x7010, RTC_VL_CLR}  # *IE_ON/OFF, WIE


def _rtc_time(d: bytes, abbrev: bool) -> str:
    f = struct.unpack_from("<9i", d)
    head = ", ".join(
        f"{n}={v}"
        for n, v in zip(
            ("tm_sec", "tm_min", "tm_hour", "tm_mday", "tm_mon", "tm_year"), f, strict=False
        )
    )
    if abbrev:
        return f"{{{head}, ...}}"
    return f"{{{head}, tm_wday={f[6]}, tm_yday={f[7]}, tm_isdst={f[8]}}}"


def _rtc_wkalrm(d: bytes, abbrev: bool) -> str:
    return f"{{enabled={d[0]}, pending={d[1]}, time={_rtc_time(d[4:40], abbrev)}}}"


def _rtc_pll(d: bytes) -> str:
    names = ("pll_ctrl", "pll_value", "pll_max", "pll_min", "pll_posmult", "pll_negmult")
    vals = struct.unpack_from("<6iq", d)
    fields = [f"{n}={v}" for n, v in zip(names, vals, strict=False)] + [f"pll_clock={vals[6]}"]
    return "{" + ", ".join(fields) + "}"


def _rtc_param(d: bytes, entering: bool, get: bool) -> str:
    param, value, index, pad = struct.unpack_from("<QQII", d)
    parts = []
    if entering:
        parts.append(f"param={xval(param, xd.RTC_PARAMS, 'RTC_PARAM_???')}")
    if entering ^ get:
        if param == 1:
            parts.append(f"svalue={struct.unpack_from('<q', d, 8)[0]}")
        elif param == 2:
            parts.append(f"uvalue={xval(value, xd.RTC_BSM, 'RTC_BSM_???')}")
        elif param == 0:
            parts.append(f"uvalue={xflags(value, _RTC_FEATURES, '1<<RTC_FEATURE_???')}")
        else:
            parts.append(f"uvalue={value:#x}" if value else "uvalue=0")
    if entering:
        parts.append(f"index={index}")
    if pad:
        parts.append(f"__pad={pad:#x}")
    return "{" + ", ".join(parts) + "}"


_RTC_FEATURES = [
    (1 << i, "1<<" + n)
    for i, n in enumerate(
        ("RTC_FEATURE_ALARM", "RTC_FEATURE_ALARM_RES_MINUTE", "RTC_FEATURE_NEED_WEEK_DAY",
         "RTC_FEATURE_ALARM_RES_2S", "RTC_FEATURE_UPDATE_INTERRUPT", "RTC_FEATURE_CORRECTION",
         "RTC_FEATURE_BACKUP_SWITCH_MODE", "RTC_FEATURE_ALARM_WAKEUP_ONLY")
    )
]  # fmt: skip


def rtc_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (RTC_ALM_READ, RTC_RD_TIME):
        return out(a.show_out(36, lambda d: _rtc_time(d, a.abbrev)))
    if c in (RTC_ALM_SET, RTC_SET_TIME):
        return IoctlText(a.show_in(36, lambda d: _rtc_time(d, a.abbrev)))
    if c in (RTC_IRQP_SET, RTC_EPOCH_SET):
        return IoctlText(str(a.arg))
    if c in (RTC_IRQP_READ, RTC_EPOCH_READ):
        return out(a.num_out("<Q"))
    if c == RTC_WKALM_RD:
        return out(a.show_out(40, lambda d: _rtc_wkalrm(d, a.abbrev)))
    if c == RTC_WKALM_SET:
        return IoctlText(a.show_in(40, lambda d: _rtc_wkalrm(d, a.abbrev)))
    if c == RTC_PLL_GET:
        return out(a.show_out(32, _rtc_pll))
    if c == RTC_PLL_SET:
        return IoctlText(a.show_in(32, _rtc_pll))
    if c == RTC_VL_READ:
        return out(
            a.show_out(
                4,
                lambda d: (
                    f"[{xflags(d[0] | d[1] << 8 | d[2] << 16 | d[3] << 24, xd.RTC_VL_FLAGS, 'RTC_VL_???')}]"
                ),
            )
        )
    if c in (RTC_PARAM_GET, RTC_PARAM_SET):
        get = c == RTC_PARAM_GET
        d = a.entry_struct(24)
        if d is None:
            return IoctlText(a.addr)
        text = _rtc_param(d, True, get)
        if not get or not a.finished:
            return IoctlText(text)
        o = a.exit_struct(24)
        return IoctlText(f"{text} => {a.addr if o is None else _rtc_param(o, False, get)}")
    if c in _RTC_NO_ARGS:
        return IoctlText(NO_ARG)
    return None


# ---- counter, perf --------------------------------------------------------------------


def counter_ioctl(a: IoctlArg) -> IoctlText | None:
    if a.code == 0x40063E00:  # COUNTER_ADD_WATCH_IOCTL

        def watch(d: bytes) -> str:
            typ, scope, parent, ident, event, channel = d[:6]
            return (
                f"{{component={{type={xval(typ, xd.COUNTER_COMPONENTS, 'COUNTER_COMPONENT_???')}, "
                f"scope={xval(scope, xd.COUNTER_SCOPES, 'COUNTER_SCOPE_???')}, parent={parent}, "
                f"id={ident}}}, event={xval(event, xd.COUNTER_EVENTS, 'COUNTER_EVENT_???')}, "
                f"channel={channel}}}"
            )

        return IoctlText(a.show_in(6, watch))
    if a.code in (0x3E01, 0x3E02):  # COUNTER_ENABLE/DISABLE_EVENTS_IOCTL
        return IoctlText(NO_ARG)
    return None


PERF_ENABLE, PERF_DISABLE, PERF_REFRESH, PERF_RESET = 0x2400, 0x2401, 0x2402, 0x2403
PERF_PERIOD, PERF_SET_OUTPUT, PERF_SET_FILTER, PERF_ID = 0x40082404, 0x2405, 0x40082406, 0x80082407
PERF_SET_BPF, PERF_PAUSE_OUTPUT = 0x40042408, 0x40042409


def perf_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (PERF_ENABLE, PERF_DISABLE, PERF_RESET):
        return IoctlText(xflags(a.arg & 0xFFFFFFFF, xd.PERF_IOCTL_FLAGS, "PERF_IOC_FLAG_???"))
    if c == PERF_REFRESH:
        return IoctlText(str(to_int(a.arg)))
    if c == PERF_PERIOD:
        return IoctlText(a.num_in("<Q"))
    if c in (PERF_SET_OUTPUT, PERF_SET_BPF):
        return IoctlText(str(to_int(a.arg)))
    if c == PERF_PAUSE_OUTPUT:
        return IoctlText(str(a.arg))
    if c == PERF_SET_FILTER:
        data = a.entry
        if not a.arg or data is None:
            return IoctlText(a.addr)
        end = data.find(b"\0")
        if end < 0:
            return IoctlText(a.addr)  # the filter runs past what was read
        return IoctlText(quote_cstr(data[:end], a.strsize))
    if c == PERF_ID:
        return out(a.num_out("<Q"))
    if c == PERF_QUERY_BPF:
        return _perf_query_bpf(a)
    if c == PERF_MODIFY_ATTRIBUTES:
        data = a.entry if a.arg and a.verbose else None
        return IoctlText(render_perf_attr(data, a.arg, a.abbrev))
    return None


PERF_QUERY_BPF, PERF_MODIFY_ATTRIBUTES = 0xC008240A, 0x4008240B


def _perf_query_bpf(a: IoctlArg) -> IoctlText:
    d = a.entry_struct(4)
    if d is None:
        return IoctlText(a.addr)
    text = f"{{ids_len={struct.unpack_from('<I', d)[0]}, "
    if not a.finished:
        return IoctlText(text)
    o = a.exit_struct(8)
    if o is None:
        return IoctlText(text + "...}")
    (count,) = struct.unpack_from("<I", o, 4)
    ids = array_items(
        o[8:],
        a.arg + 8,
        count,
        4,
        each_item(4, lambda d, i: str(struct.unpack("<I", d)[0])),
        a.strsize,
    )
    return IoctlText(text + f"prog_cnt={count}, ids={ids}}}")


# ---- seccomp, FICLONE -----------------------------------------------------------------

_NOTIF_FLAGS = [(1, "SECCOMP_USER_NOTIF_FLAG_CONTINUE")]


def _hex(v: int) -> str:
    return f"{v:#x}" if v else "0"


def _errno(e: int) -> str:
    """PRINT_FIELD_ERR_D: `-EPERM` for a negated errno, the number otherwise."""
    name = ERRNO_NAMES.get(-e) if e < 0 else None
    return styled_decimal(e, f"-{name}") if name else str(e)


SECCOMP_NOTIF_SEND, SECCOMP_NOTIF_ID_VALID = 0xC0182101, 0x40082102
SECCOMP_NOTIF_ID_VALID_WRONG_DIR, SECCOMP_NOTIF_ADDFD = 0x80082102, 0x40182103


def seccomp_ioctl(a: IoctlArg) -> IoctlText | None:
    c = a.code
    if c in (SECCOMP_NOTIF_ID_VALID, SECCOMP_NOTIF_ID_VALID_WRONG_DIR):
        return IoctlText(a.show_in(8, lambda d: f"[{_hex(struct.unpack_from('<Q', d)[0])}]"))
    if c == SECCOMP_NOTIF_SEND:

        def resp(d: bytes) -> str:
            ident, val, error, flags = struct.unpack_from("<QqiI", d)
            resp_flags = xflags(flags, _NOTIF_FLAGS, "SECCOMP_USER_NOTIF_FLAG_???")
            return f"{{id={_hex(ident)}, val={val}, error={_errno(error)}, flags={resp_flags}}}"

        return IoctlText(a.show_in(24, resp))
    if c == SECCOMP_NOTIF_RECV:
        return _notif_recv(a)
    if c == SECCOMP_NOTIF_ADDFD:

        def addfd(d: bytes) -> str:
            ident, flags, srcfd, newfd, newfd_flags = struct.unpack_from("<QIiiI", d)
            return (
                f"{{id={_hex(ident)}, flags={xflags(flags, _ADDFD_FLAGS, 'SECCOMP_ADDFD_FLAG_???')}, "
                f"srcfd={a.fd(srcfd)}, newfd={newfd}, "
                f"newfd_flags={xflags(newfd_flags, xfile.OPEN_FLAGS, 'O_???')}}}"
            )

        return IoctlText(a.show_in(24, addfd))
    return None


SECCOMP_NOTIF_RECV = 0xC0502100
_ADDFD_FLAGS = [(1, "SECCOMP_ADDFD_FLAG_SETFD"), (2, "SECCOMP_ADDFD_FLAG_SEND")]
_AUDIT_ARCHES = {0xC000003E: "AUDIT_ARCH_X86_64", 0x40000003: "AUDIT_ARCH_I386"}


def _seccomp_notif(d: bytes) -> str:
    ident, pid, flags, nr, arch, ip = struct.unpack_from("<QIIiIQ", d)
    args = struct.unpack_from("<6Q", d, 32)
    name = None
    if arch == 0xC000003E:
        desc = get_table().by_nr.get(nr)
        name = f"__NR_{desc.name}" if desc is not None else None
    data = (
        f"{{nr={styled_decimal(nr, name) if name else nr & 0xFFFFFFFF}, arch={xval(arch, _AUDIT_ARCHES, 'AUDIT_ARCH_???')}, "
        f"instruction_pointer={pointer(ip)}, args=[{', '.join(_hex(v) for v in args)}]}}"
    )
    return f"{{id={_hex(ident)}, pid={pid}, flags={_hex(flags)}, data={data}}}"


def _notif_recv(a: IoctlArg) -> IoctlText:
    """Printed at entry unless the program passed it zeroed, then again at exit."""
    d = a.entry_struct(80)
    if d is None:
        return IoctlText(a.addr)
    entry = None if not any(d[:80]) else _seccomp_notif(d)
    if not a.finished:
        return IoctlText(f"{entry} => " if entry else "")
    o = a.exit_struct(80)
    exit_text = a.addr if o is None else _seccomp_notif(o)
    return IoctlText(f"{entry} => {exit_text}" if entry else exit_text)
