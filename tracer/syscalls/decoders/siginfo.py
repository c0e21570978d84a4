"""Signal names, signal sets and siginfo_t as strace prints them.

Public: `signal_name`, `render_sigset`, `render_siginfo` (also used by the
headless writer for `--- SIGCHLD {...} ---` lines).
"""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import STYLE, pointer, styled_constant, styled_decimal
from tracer.syscalls.render import ERRNO_NAMES
from tracer.syscalls.xlat import signal as x

from .kstructs import i32, i64, u32, u64
from .misc import clock_ticks


def signal_name(signo: int) -> str:
    """`SIGINT`, `SIGRTMIN`, `SIGRT_3`; other numbers in decimal (strace's signame)."""
    name = x.SIGNAL_NAMES.get(signo)
    if name is not None:
        return name
    if x.SIGRTMIN < signo <= x.SIGRTMAX:
        return f"SIGRT_{signo - x.SIGRTMIN}"
    return str(signo)


def render_sigset(data: bytes | None, size: int, addr: int = 0, min_size: int = 8) -> str:
    """`[INT TERM]`, or `~[KILL STOP]` when at least two thirds of the bits are set.

    A size other than the kernel's 8 bytes (or below `min_size`) leaves the address."""
    if size < min_size or size > 8:
        return pointer(addr)
    if data is None or size <= 0 or len(data) < size:
        return pointer(addr)
    words = (size + 3) // 4
    mask = int.from_bytes(data[:size].ljust(words * 4, b"\0"), "little")
    nbits = words * 32
    prefix = ""
    if bin(mask).count("1") >= nbits * 2 // 3:
        mask = ~mask & ((1 << nbits) - 1)
        prefix = "~"
    names = []
    for bit in range(nbits):
        if mask >> bit & 1:
            name = signal_name(bit + 1)
            names.append(styled_decimal(bit + 1, name[3:] if name.startswith("SIG") else name))
    return prefix + "[" + " ".join(names) + "]"


def si_code_name(code: int, signo: int) -> str:
    name = x.SI_CODES.get(code)
    if name is None:
        name = x.SIGNAL_CODES.get(signo, {}).get(code)
    if name is None:
        return f"{code & 0xFFFFFFFF:#x}"
    return styled_constant(code & 0xFFFFFFFF, name) if STYLE.constants != "abbrev" else name


def _source(si: bytes) -> str:
    uid = u32(si, 20)
    return f", si_pid={i32(si, 16)}, si_uid={-1 if uid == 0xFFFFFFFF else uid}"


def _sigval(si: bytes) -> str:
    return f", si_int={i32(si, 24)}, si_ptr={pointer(u64(si, 24))}"


def _signal_details(si: bytes, signo: int, code: int) -> str:
    if code <= 0:  # sent by a process (SI_FROMUSER)
        if code in (x.SI_USER, x.SI_TKILL):
            return _source(si)
        if code == x.SI_TIMER:
            return f", si_timerid={u32(si, 16):#x}, si_overrun={i32(si, 20)}" + _sigval(si)
        if code == x.SI_SIGIO:
            return f", si_band={i64(si, 16)}, si_fd={i32(si, 24)}"
        return _source(si) + (_sigval(si) if u64(si, 24) else "")
    if signo == 17:  # SIGCHLD
        status = i32(si, 24)
        st = str(status) if code == 1 else styled_decimal(status, signal_name(status))

        times = f", si_utime={clock_ticks(i64(si, 32))}, si_stime={clock_ticks(i64(si, 40))}"
        return _source(si) + f", si_status={st}" + times
    if signo in (4, 8, 7, 11, 5):  # SIGILL, SIGFPE, SIGBUS, SIGSEGV, SIGTRAP
        text = f", si_addr={pointer(u64(si, 16))}"
        if signo == 11 and code == 4:  # SEGV_PKUERR
            text += f", si_pkey={u32(si, 32)}"
        return text
    if signo == 29:  # SIGIO
        return f", si_band={i64(si, 16)}, si_fd={i32(si, 24)}" if 1 <= code <= 3 else ""
    if signo == 31:  # SIGSYS
        return (
            f", si_call_addr={pointer(u64(si, 16))}, si_syscall={_syscall_name(i32(si, 24))}"
            f", si_arch={x.AUDIT_ARCHES.get(u32(si, 28), f'{u32(si, 28):#x} /* AUDIT_ARCH_??? */')}"
        )
    text = ""
    if i32(si, 16) or u32(si, 20):
        text += _source(si)
    if u64(si, 24):
        text += _sigval(si)
    return text


def _syscall_name(nr: int) -> str:
    try:
        from tracer.syscalls.table import get_table

        d = get_table().get(nr)
    except Exception:
        d = None
    return f"__NR_{d.name}" if d else str(nr & 0xFFFFFFFF)


def render_siginfo(siginfo: bytes) -> str:
    """`{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1234, ...}` from a raw 128-byte siginfo_t."""
    if len(siginfo) < 48:
        return "{}"
    signo, errno_, code = struct.unpack_from("<iii", siginfo)
    if not signo:
        return "{}"
    signo_text = styled_decimal(signo, signal_name(signo))
    text = f"{{si_signo={signo_text}, si_code={si_code_name(code, signo)}"
    if errno_:  # a number strace has no name for stays an unsigned number
        name = ERRNO_NAMES.get(errno_)
        text += f", si_errno={name or errno_ & 0xFFFFFFFF}"
    return text + _signal_details(siginfo, signo, code) + "}"
