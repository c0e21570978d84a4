"""prctl, resource limits and usage, scheduling, personality and timerfd."""

from __future__ import annotations

import os
import struct

from tracer.events import Syscall
from tracer.syscalls.capture import (
    Read,
    declare_entry,
    declare_exit,
    fd_args,
)
from tracer.syscalls.fmt import STYLE, flags, pointer
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_int
from tracer.syscalls.xlat import misc as x

from .kstructs import (
    complete,
    i32,
    int_arg,
    timespec,
    timeval,
    u64,
    xflags,
    xval,
)

_RLIM_INFINITY = 0xFFFFFFFFFFFFFFFF
_COMM_LEN = 16


def _ok(call: Syscall) -> bool:
    return call.ret is not None and not call.error


def _out(call: Syscall, key: str) -> bytes | None:
    """Memory captured at exit, only meaningful when the call succeeded."""
    return (call.mem or {}).get(key) if _ok(call) else None


# ---- resource limits -------------------------------------------------------------------------------


def _rlim_value(v: int) -> str:
    if v == _RLIM_INFINITY:
        name = "RLIM64_INFINITY"
    elif v > 1024 and v % 1024 == 0:
        name = f"{v // 1024}*1024"
    else:
        return str(v)
    style = STYLE.constants  # -X: the number, alone or with the name as a comment
    if style == "abbrev":
        return name
    return str(v) if style == "raw" else f"{v} /* {name} */"


def render_rlimit(data: bytes | None, addr: int) -> str:
    data = complete(data, 16)
    if data is None:
        return pointer(addr)
    return f"{{rlim_cur={_rlim_value(u64(data))}, rlim_max={_rlim_value(u64(data, 8))}}}"


def _resource(raw: int) -> Arg:
    v = to_int(raw)
    return Arg(xval(v, x.RLIMITS, "RLIMIT_???"), raw, "flags", v)


declare_entry("prlimit64", Read("new", 2, 16, null_skip=True))


declare_exit("prlimit64", Read("old", 3, 16, null_skip=True))


@decoder("prlimit64")
def decode_prlimit64(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    new = render_rlimit((call.mem or {}).get("new"), a[2]) if a[2] else "NULL"
    old = render_rlimit(_out(call, "old"), a[3]) if a[3] else "NULL"
    return Decoded([int_arg(a[0]), _resource(a[1]), Arg(new, a[2], "struct"),
                    Arg(old, a[3], "struct", at_exit=True)])  # fmt: skip


declare_exit("getrlimit", Read("rlim", 1, 16, null_skip=True))


declare_entry("setrlimit", Read("rlim", 1, 16, null_skip=True))


@decoder("getrlimit")
def decode_getrlimit(call: Syscall, ctx: RenderContext) -> Decoded:
    text = render_rlimit(_out(call, "rlim"), call.args[1])
    return Decoded([_resource(call.args[0]), Arg(text, call.args[1], "struct", at_exit=True)])


@decoder("setrlimit")
def decode_setrlimit(call: Syscall, ctx: RenderContext) -> Decoded:
    text = render_rlimit((call.mem or {}).get("rlim"), call.args[1])
    return Decoded([_resource(call.args[0]), Arg(text, call.args[1], "struct")])


# ---- getrusage, sysinfo, times ----------------------------------------------------------------------


# struct rusage: two timevals, then 14 longs (strace prints them all under -v).
_RUSAGE_SIZE = 144
_RUSAGE_LONGS = (
    "ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt", "ru_nswap",
    "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv", "ru_nsignals", "ru_nvcsw", "ru_nivcsw",
)  # fmt: skip


declare_exit("getrusage", Read("ru", 1, _RUSAGE_SIZE, null_skip=True))


def render_rusage(data: bytes, abbreviated: bool) -> str:
    times = f"ru_utime={timeval(data[:16], 0)}, ru_stime={timeval(data[16:32], 0)}"
    if abbreviated:
        return f"{{{times}, ...}}"
    longs = struct.unpack_from("<14q", data, 32)
    return (
        "{"
        + ", ".join([times, *(f"{n}={v}" for n, v in zip(_RUSAGE_LONGS, longs, strict=True))])
        + "}"
    )


def _rusage_who(who: int) -> str:
    """A name alone, or under -X raw/verbose the int as 32-bit hex (0xffffffff for
    RUSAGE_CHILDREN); an unknown value in decimal."""
    name = x.RUSAGE_WHO.get(who)
    if name is None or STYLE.constants == "abbrev":
        return name or str(who)
    number = f"{who & 0xFFFFFFFF:#x}" if who else "0"
    return number if STYLE.constants == "raw" else f"{number} /* {name} */"


@decoder("getrusage")
def decode_getrusage(call: Syscall, ctx: RenderContext) -> Decoded:
    who = to_int(call.args[0])
    data = complete(_out(call, "ru"), _RUSAGE_SIZE)
    if data is None:
        text = pointer(call.args[1])
    else:
        text = render_rusage(data, ctx.abbreviated(call))
    return Decoded([Arg(_rusage_who(who), call.args[0], "flags", who),
                    Arg(text, call.args[1], "struct", at_exit=True)])  # fmt: skip


_SYSINFO = struct.Struct("<q3Q6QH6xQQI")


declare_exit("sysinfo", Read("info", 0, _SYSINFO.size))


@decoder("sysinfo")
def decode_sysinfo(call: Syscall, ctx: RenderContext) -> Decoded:
    data = complete(_out(call, "info"), _SYSINFO.size)
    if data is None:
        return Decoded([Arg(pointer(call.args[0]), call.args[0], "ptr", at_exit=True)])
    v = _SYSINFO.unpack_from(data)
    text = (
        f"{{uptime={v[0]}, loads=[{v[1]}, {v[2]}, {v[3]}], totalram={v[4]}, freeram={v[5]}, "
        f"sharedram={v[6]}, bufferram={v[7]}, totalswap={v[8]}, freeswap={v[9]}, procs={v[10]}, "
        f"totalhigh={v[11]}, freehigh={v[12]}, mem_unit={v[13]}}}"
    )
    return Decoded([Arg(text, call.args[0], "struct", at_exit=True)])


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def clock_ticks(value: int) -> str:
    """A clock_t (unsigned, in USER_HZ ticks) with strace's `/* 0.36 s */` seconds
    comment when non-zero; -X raw keeps the number alone."""
    if not value or STYLE.constants == "raw" or _CLK_TCK <= 0:
        return str(value)
    width = min(len(str(_CLK_TCK)) - 1, 9)
    frac = f"{value % _CLK_TCK / _CLK_TCK:.{width}f}"[2:]
    return f"{value} /* {value // _CLK_TCK}.{frac} s */"


declare_exit("times", Read("tms", 0, 32, null_skip=True))


@decoder("times")
def decode_times(call: Syscall, ctx: RenderContext) -> Decoded:
    data = complete(_out(call, "tms"), 32)
    if not call.args[0]:
        text = "NULL"
    elif data is None:
        text = pointer(call.args[0])
    else:
        t = struct.unpack_from("<4Q", data)
        text = (
            f"{{tms_utime={clock_ticks(t[0])}, tms_stime={clock_ticks(t[1])}, "
            f"tms_cutime={clock_ticks(t[2])}, tms_cstime={clock_ticks(t[3])}}}"
        )
    return Decoded([Arg(text, call.args[0], "struct", at_exit=True)])


# ---- scheduling ------------------------------------------------------------------------------------


def _policy(v: int) -> str:
    v &= 0xFFFFFFFF
    if (v & ~x.SCHED_RESET_ON_FORK) not in x.SCHED_POLICIES:  # unknown: the whole word
        return xval(v, x.SCHED_POLICIES, "SCHED_???")
    text = xval(v & ~x.SCHED_RESET_ON_FORK, x.SCHED_POLICIES, "SCHED_???")
    return text + ("|SCHED_RESET_ON_FORK" if v & x.SCHED_RESET_ON_FORK else "")


@decoder("sched_getscheduler")
def decode_sched_getscheduler(call: Syscall, ctx: RenderContext) -> Decoded:
    # strace's auxstr: the policy's name as is (no -X style, no RESET_ON_FORK), if known.
    name = x.SCHED_POLICIES.get(call.ret) if _ok(call) else None
    ret = f"{call.ret} ({name})" if name else None
    return Decoded([int_arg(call.args[0])], ret=ret)


declare_entry("sched_setparam", Read("param", 1, 4, null_skip=True))
declare_exit("sched_getparam", Read("param", 1, 4, null_skip=True))


def _param(data: bytes | None, addr: int) -> str:
    data = complete(data, 4)
    return f"[{i32(data)}]" if data is not None else pointer(addr)


declare_entry("sched_setscheduler", Read("param", 2, 4, null_skip=True))


@decoder("sched_setscheduler")
def decode_sched_setscheduler(call: Syscall, ctx: RenderContext) -> Decoded:
    pol = to_int(call.args[1])
    return Decoded([int_arg(call.args[0]), Arg(_policy(pol), call.args[1], "flags", pol),
                    Arg(_param((call.mem or {}).get("param"), call.args[2]), call.args[2], "struct")])  # fmt: skip


@decoder("sched_setparam")
def decode_sched_setparam(call: Syscall, ctx: RenderContext) -> Decoded:
    text = _param((call.mem or {}).get("param"), call.args[1])
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "struct")])


@decoder("sched_getparam")
def decode_sched_getparam(call: Syscall, ctx: RenderContext) -> Decoded:
    text = _param(_out(call, "param"), call.args[1])
    return Decoded([int_arg(call.args[0]), Arg(text, call.args[1], "struct", at_exit=True)])


@decoder("sched_get_priority_max", "sched_get_priority_min")
def decode_sched_priority(call: Syscall, ctx: RenderContext) -> Decoded:
    pol = to_int(call.args[0])
    return Decoded([Arg(_policy(pol), call.args[0], "flags", pol)])


_AFFINITY_MAX = 1024
# The mask's `len` bytes (an unsigned int), at most 1024. A Read's size argument is the
# whole register: with bits above 32 set it reads up to the cap, and the decoder keeps
# the unsigned int's worth (a zero len prints `[]` without the mask).
declare_entry("sched_setaffinity", Read("mask", 2, size_arg=1, cap=_AFFINITY_MAX, null_skip=True))


def _affinity_mask(call: Syscall, size: int) -> bytes | None:
    data = (call.mem or {}).get("mask")
    return data[: min(size, _AFFINITY_MAX)] if data is not None else None


def render_cpu_set(data: bytes | None, addr: int) -> str:
    if data is None:
        return pointer(addr)
    bits = int.from_bytes(data, "little")
    return "[" + " ".join(str(i) for i in range(len(data) * 8) if bits >> i & 1) + "]"


@decoder("sched_setaffinity")
def decode_sched_setaffinity(call: Syscall, ctx: RenderContext) -> Decoded:
    size = call.args[1] & 0xFFFFFFFF
    text = (
        "[]"
        if not size and call.args[2]
        else render_cpu_set(_affinity_mask(call, size), call.args[2])
    )
    return Decoded([int_arg(call.args[0]), Arg(str(call.args[1] & 0xFFFFFFFF), call.args[1], "int"),
                    Arg(text, call.args[2], "struct")])  # fmt: skip


# ---- personality -------------------------------------------------------------------------


def personality_text(v: int) -> str:
    text = xval(v & 0xFF, x.PERSONALITY_TYPES, "PER_???")
    if v & ~0xFF:
        text += "|" + flags(v & ~0xFF, x.PERSONALITY_FLAGS)
    return text


@decoder("personality")
def decode_personality(call: Syscall, ctx: RenderContext) -> Decoded:
    v = call.args[0] & 0xFFFFFFFF
    text = f"{v:#x}" if v == 0xFFFFFFFF else personality_text(v)
    ret = None
    if _ok(call):
        r = call.ret & 0xFFFFFFFF
        ret = f"{r:#x} ({personality_text(r)})" if r else f"0 ({personality_text(0)})"
    return Decoded([Arg(text, call.args[0], "flags", v)], ret=ret)


# ---- timerfd ---------------------------------------------------------------------------------------


def render_itimerspec(data: bytes | None, addr: int) -> str:
    data = complete(data, 32)
    if data is None:
        return pointer(addr)
    return f"{{it_interval={timespec(data[:16], 0)}, it_value={timespec(data[16:], 0)}}}"


@decoder("timerfd_create")
def decode_timerfd_create(call: Syscall, ctx: RenderContext) -> Decoded:
    clk = to_int(call.args[0])
    fl = xflags(call.args[1] & 0xFFFFFFFF, x.TIMERFD_CREATE_FLAGS, "TFD_???")
    return Decoded([Arg(xval(clk, x.CLOCK_IDS, "CLOCK_???"), call.args[0], "flags", clk),
                    Arg(fl, call.args[1], "flags")], ret_fd=True)  # fmt: skip


# struct itimerspec: 32 bytes (new value at entry, old value at exit)
declare_entry("timerfd_settime", Read("new", 2, 32, null_skip=True))
declare_exit("timerfd_settime", Read("old", 3, 32, null_skip=True))


@decoder("timerfd_settime")
def decode_timerfd_settime(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    fl = xflags(a[1] & 0xFFFFFFFF, x.TIMERFD_SETTIME_FLAGS, "TFD_???")
    new = render_itimerspec((call.mem or {}).get("new"), a[2]) if a[2] else "NULL"
    old = render_itimerspec(_out(call, "old"), a[3]) if a[3] else "NULL"
    return Decoded([ctx.fd_arg(call, a[0]), Arg(fl, a[1], "flags"), Arg(new, a[2], "struct"),
                    Arg(old, a[3], "struct", at_exit=True)])  # fmt: skip


declare_exit("timerfd_gettime", Read("cur", 1, 32, null_skip=True))


@decoder("timerfd_gettime")
def decode_timerfd_gettime(call: Syscall, ctx: RenderContext) -> Decoded:
    text = render_itimerspec(_out(call, "cur"), call.args[1])
    return Decoded(
        [ctx.fd_arg(call, call.args[0]), Arg(text, call.args[1], "struct", at_exit=True)]
    )


fd_args((0,), "timerfd_settime", "timerfd_gettime")
