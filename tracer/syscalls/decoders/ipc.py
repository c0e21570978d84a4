"""System V IPC: shm*, sem*, msg*, as strace 6.1 prints them.

Keys print as `IPC_PRIVATE` or hex, creation flags as names then the octal mode,
control commands as names (with `IPC_64|` when set), and the structures the kernel
reads or fills (`struct shmid64_ds`, `semid64_ds`, `msqid64_ds`, the `*info`
structs, `struct sembuf` arrays, message buffers) field by field: input structures
at entry, output ones at exit. Layouts are the x86_64 kernel's.
"""

from __future__ import annotations

import struct

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader, on_entry, on_exit
from tracer.syscalls.decoders.arguments import id_arg, ok
from tracer.syscalls.decoders.arrays import array_text, read_array
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder, to_long
from tracer.syscalls.xlat import ipc as x

from .kstructs import complete, i32, i64, int_arg, timespec, u64, uint_arg, ulong_arg, xflags, xval

_PERM = struct.Struct("<iIIIII")  # key, uid, gid, cuid, cgid, mode (struct ipc64_perm)
_SHMID_SIZE, _SEMID_SIZE, _MSQID_SIZE = 112, 104, 120
_SHMINFO_SIZE, _SHM_INFO_SIZE, _SEMINFO_SIZE, _MSGINFO_SIZE = 40, 48, 40, 32
_SEMBUF = struct.Struct("<Hhh")
_U64 = 0xFFFFFFFFFFFFFFFF
_STAT = "stat"
_INFO = "info"


def _uid(v: int) -> str:
    return id_arg(v).text


def _perm(data: bytes, full: bool) -> str:
    key, uid, gid, cuid, cgid, mode = _PERM.unpack_from(data)
    text = f"uid={_uid(uid)}, gid={_uid(gid)}, mode={fmt.octal_mode(mode & 0xFFFF)}"
    if full:
        text += f", key={key}, cuid={_uid(cuid)}, cgid={_uid(cgid)}"
    return text


# ---- the commands of the *ctl calls ------------------------------------------------------------


def _ctl_cmd(raw: int, table: dict[int, str], unknown: str) -> Arg:
    cmd = raw & 0xFFFFFFFF
    prefix = ""
    if cmd & x.IPC_64:
        prefix, cmd = "IPC_64|", cmd & ~x.IPC_64
    return Arg(prefix + xval(cmd, table, unknown), raw, "flags", cmd)


def _what(cmd: int, stat: tuple[int, ...], info: tuple[int, ...]) -> str | None:
    cmd &= ~x.IPC_64 & 0xFFFFFFFF
    return _STAT if cmd in stat else _INFO if cmd in info else None


_SHM_STAT, _SHM_INFO = (2, 13, 15), (3, 14)
_SEM_STAT, _SEM_INFO = (2, 18, 20), (3, 19)
_MSG_STAT, _MSG_INFO = (2, 11, 13), (3, 12)
_SIZES = {
    "shmctl": (_SHM_STAT, _SHM_INFO, _SHMID_SIZE),
    "semctl": (_SEM_STAT, _SEM_INFO, _SEMID_SIZE),
    "msgctl": (_MSG_STAT, _MSG_INFO, _MSQID_SIZE),
}
_BUF_ARG = {"shmctl": 2, "semctl": 3, "msgctl": 2}
_CMD_ARG = {"shmctl": 1, "semctl": 2, "msgctl": 1}


def _ctl_captures(name: str) -> None:
    stat, info, size = _SIZES[name]
    cmd_i, buf_i = _CMD_ARG[name], _BUF_ARG[name]

    @on_entry(name)
    def _entry(mem: MemoryReader, args, limits: CaptureLimits):
        if args[cmd_i] & ~x.IPC_64 & 0xFFFFFFFF == 1 and args[buf_i]:  # IPC_SET
            return {"set": mem.read(args[buf_i], size)}
        return None

    @on_exit(name)
    def _exit(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
        what = _what(args[cmd_i], stat, info)
        if what is None or ret < 0 or not args[buf_i]:
            return None
        if what == _INFO:
            cmd = args[cmd_i] & ~x.IPC_64 & 0xFFFFFFFF
            n = {"shmctl": _SHMINFO_SIZE if cmd == 3 else _SHM_INFO_SIZE,
                 "semctl": _SEMINFO_SIZE, "msgctl": _MSGINFO_SIZE}[name]  # fmt: skip
        else:
            n = size
        return {what: mem.read(args[buf_i], n)}


for _name in _SIZES:
    _ctl_captures(_name)


def _ctl_buffer(call: Syscall, name: str, render_set, render_stat, render_info) -> Arg:
    """The *ctl buffer argument: the IPC_SET input, the STAT/INFO output, else its address."""
    stat, info, size = _SIZES[name]
    raw = call.args[_BUF_ARG[name]]
    cmd = call.args[_CMD_ARG[name]] & ~x.IPC_64 & 0xFFFFFFFF
    mem = call.mem or {}
    if cmd == 1:
        data = complete(mem.get("set"), size)
        text = render_set(data) if data is not None else fmt.pointer(raw & _U64)
        return Arg(text, raw, "struct", data)
    what = _what(cmd, stat, info)
    if what is None:
        return Arg(fmt.pointer(raw & _U64), raw, "ptr", raw & _U64)
    data = mem.get(what) if ok(call) else None
    text = None
    if data is not None:
        text = (render_stat if what == _STAT else render_info)(data, cmd)
    return Arg(text or fmt.pointer(raw & _U64), raw, "struct", data, at_exit=True)


# ---- shm ---------------------------------------------------------------------------------------


def _key(raw: int) -> Arg:
    key = raw & 0xFFFFFFFF
    text = xval(key, {0: "IPC_PRIVATE"}, "") if key == 0 else f"{key:#x}"
    return Arg(text, raw, "int", key)


def _get_flags(raw: int, table: list[tuple[int, str]], huge: bool = False) -> Arg:
    """`IPC_CREAT|IPC_EXCL|0600`: flag names (leftover bits in hex), then the mode."""
    v = raw & 0xFFFFFFFF
    flags = v & ~0o777
    parts = []
    hugetlb = 0
    if huge:  # shmget's huge page size: log2 of it in bits 26-31
        hugetlb = (flags >> x.SHM_HUGE_SHIFT) & x.SHM_HUGE_MASK
        flags &= ~(x.SHM_HUGE_MASK << x.SHM_HUGE_SHIFT)
    if flags:
        parts.append(fmt.flags(flags, table))
    if hugetlb:
        parts.append(_huge_shift(hugetlb))
    parts.append(fmt.octal_mode(v & 0o777))
    text = "|".join(parts)
    return Arg(text, raw, "flags", text)


def _huge_shift(log2: int) -> str:
    """The huge page size as `21<<SHM_HUGE_SHIFT`; -X raw and verbose give the shift's number."""
    style = fmt.STYLE.constants
    if style == "abbrev":
        return f"{log2}<<SHM_HUGE_SHIFT"
    shifted = f"{log2}<<{x.SHM_HUGE_SHIFT}"
    return shifted if style == "raw" else f"{shifted} /* SHM_HUGE_SHIFT */"


@decoder("shmget")
def decode_shmget(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([_key(a[0]), ulong_arg(a[1]), _get_flags(a[2], x.SHM_RESOURCE_FLAGS, True)])


@decoder("semget")
def decode_semget(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    return Decoded([_key(a[0]), int_arg(a[1]), _get_flags(a[2], x.RESOURCE_FLAGS)])


@decoder("msgget")
def decode_msgget(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([_key(call.args[0]), _get_flags(call.args[1], x.RESOURCE_FLAGS)])


def _shmid(data: bytes, cmd: int) -> str | None:
    data = complete(data, _SHMID_SIZE)
    if data is None:
        return None
    segsz, atime, dtime, ctime, cpid, lpid, nattch = struct.unpack_from("<QqqqiiQ", data, 48)
    return (
        f"{{shm_perm={{{_perm(data, True)}}}, shm_segsz={segsz}, shm_cpid={cpid}, "
        f"shm_lpid={lpid}, shm_nattch={nattch}, shm_atime={atime}, shm_dtime={dtime}, "
        f"shm_ctime={ctime}}}"
    )


def _shminfo(data: bytes, cmd: int) -> str | None:
    if cmd == 3:  # IPC_INFO: struct shminfo64
        data = complete(data, _SHMINFO_SIZE)
        if data is None:
            return None
        v = struct.unpack_from("<5Q", data)
        names = ("shmmax", "shmmin", "shmmni", "shmseg", "shmall")
    else:  # SHM_INFO: struct shm_info
        data = complete(data, _SHM_INFO_SIZE)
        if data is None:
            return None
        v = (i32(data), *struct.unpack_from("<5Q", data, 8))
        names = ("used_ids", "shm_tot", "shm_rss", "shm_swp", "swap_attempts", "swap_successes")
    return "{" + ", ".join(f"{n}={val}" for n, val in zip(names, v, strict=True)) + "}"


@decoder("shmctl")
def decode_shmctl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args

    def render_set(data: bytes) -> str:
        return f"{{shm_perm={{{_perm(data, False)}}}}}"

    return Decoded(
        [
            int_arg(a[0]),
            _ctl_cmd(a[1], x.SHMCTL_CMDS, "SHM_???"),
            _ctl_buffer(call, "shmctl", render_set, _shmid, _shminfo),
        ]  # fmt: skip
    )


# ---- sem ---------------------------------------------------------------------------------------


def _semid(data: bytes, cmd: int) -> str | None:
    data = complete(data, _SEMID_SIZE)
    if data is None:
        return None
    return (
        f"{{sem_perm={{{_perm(data, True)}}}, sem_otime={i64(data, 48)}, "
        f"sem_ctime={i64(data, 64)}, sem_nsems={u64(data, 80)}}}"
    )


_SEMINFO_NAMES = ("semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume",
                  "semusz", "semvmx", "semaem")  # fmt: skip


def _seminfo(data: bytes, cmd: int) -> str | None:
    data = complete(data, _SEMINFO_SIZE)
    if data is None:
        return None
    v = struct.unpack_from("<10i", data)
    return "{" + ", ".join(f"{n}={val}" for n, val in zip(_SEMINFO_NAMES, v, strict=True)) + "}"


@decoder("semctl")
def decode_semctl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args

    def render_set(data: bytes) -> str:
        return f"{{sem_perm={{{_perm(data, False)}}}}}"

    return Decoded(
        [
            int_arg(a[0]),
            int_arg(a[1]),
            _ctl_cmd(a[2], x.SEMCTL_CMDS, "SEM_???"),
            _ctl_buffer(call, "semctl", render_set, _semid, _seminfo),
        ]  # fmt: skip
    )


@on_entry("semop", "semtimedop")
def _capture_sembuf(mem: MemoryReader, args, limits: CaptureLimits):
    got: dict = {
        "sops": read_array(mem, args[1], args[2] & 0xFFFFFFFF, _SEMBUF.size, limits.strsize)
    }
    if len(args) > 3 and args[3]:
        got["timeout"] = mem.read(args[3], 16)
    return got


def _sembuf(data: bytes) -> str:
    num, op, flg = _SEMBUF.unpack(data)
    return (
        f"{{sem_num={num}, sem_op={op}, sem_flg={xflags(flg & 0xFFFF, x.SEMOP_FLAGS, 'SEM_???')}}}"
    )


def _sembuf_array(call: Syscall, ctx: RenderContext) -> Arg:
    raw = call.args[1]
    n = call.args[2] & 0xFFFFFFFF
    data = (call.mem or {}).get("sops")
    if not raw or not n:  # strace prints the address of an empty array
        return Arg(fmt.pointer(raw & _U64), raw, "ptr", raw & _U64)
    text = array_text(data, raw, n, _SEMBUF.size, ctx.strsize, _sembuf)
    return Arg(text, raw, "struct", data)


@decoder("semop")
def decode_semop(call: Syscall, ctx: RenderContext) -> Decoded:
    return Decoded([int_arg(call.args[0]), _sembuf_array(call, ctx), uint_arg(call.args[2])])


@decoder("semtimedop")
def decode_semtimedop(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    tmo = timespec((call.mem or {}).get("timeout"), a[3] & _U64) if a[3] else "NULL"
    return Decoded([int_arg(a[0]), _sembuf_array(call, ctx), uint_arg(a[2]),
                    Arg(tmo, a[3], "struct")])  # fmt: skip


# ---- msg ---------------------------------------------------------------------------------------


def _msgbuf(data: bytes | None, size: int, addr: int, strsize: int) -> str:
    data = complete(data, 8)
    if data is None:
        return fmt.pointer(addr & _U64)
    text = fmt.quote_buffer(data[8:], size, strsize, addr + 8)
    return f"{{mtype={i64(data)}, mtext={text}}}"


@on_entry("msgsnd")
def _capture_msgsnd(mem: MemoryReader, args, limits: CaptureLimits):
    size = args[2] & _U64
    return {"msg": mem.read(args[1], 8 + min(size, limits.data_limit))} if args[1] else None


@on_exit("msgrcv")
def _capture_msgrcv(mem: MemoryReader, args, ret: int, limits: CaptureLimits):
    size = args[2] & _U64
    if ret < 0 or not args[1]:
        return None
    return {"msg": mem.read(args[1], 8 + min(size, limits.data_limit))}


def _msg_flags(raw: int) -> Arg:
    v = raw & 0xFFFFFFFF
    return Arg(xflags(v, x.MSG_FLAGS, "MSG_???"), raw, "flags", v)


@decoder("msgsnd")
def decode_msgsnd(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[2] & _U64
    text = _msgbuf((call.mem or {}).get("msg"), size, a[1], ctx.strsize)
    return Decoded([int_arg(a[0]), Arg(text, a[1], "struct"), ulong_arg(a[2]), _msg_flags(a[3])])


@decoder("msgrcv")
def decode_msgrcv(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args
    size = a[2] & _U64
    data = (call.mem or {}).get("msg") if ok(call) else None
    text = _msgbuf(data, size, a[1], ctx.strsize)
    return Decoded(
        [
            int_arg(a[0]),
            Arg(text, a[1], "struct", at_exit=True),
            ulong_arg(a[2]),
            Arg(str(to_long(a[3])), a[3], "int", to_long(a[3])),
            _msg_flags(a[4]),
        ]  # fmt: skip
    )


def _msqid(data: bytes, cmd: int) -> str | None:
    data = complete(data, _MSQID_SIZE)
    if data is None:
        return None
    stime, rtime, ctime, _cbytes, qnum, qbytes, lspid, lrpid = struct.unpack_from(
        "<qqqQQQii", data, 48
    )
    return (
        f"{{msg_perm={{{_perm(data, True)}}}, msg_stime={stime}, msg_rtime={rtime}, "
        f"msg_ctime={ctime}, msg_qnum={qnum}, msg_qbytes={qbytes}, msg_lspid={lspid}, "
        f"msg_lrpid={lrpid}}}"
    )


def _msginfo(data: bytes, cmd: int) -> str | None:
    data = complete(data, 30)
    if data is None:
        return None
    v = (*struct.unpack_from("<7i", data), struct.unpack_from("<H", data, 28)[0])
    names = ("msgpool", "msgmap", "msgmax", "msgmnb", "msgmni", "msgssz", "msgtql", "msgseg")
    return "{" + ", ".join(f"{n}={val}" for n, val in zip(names, v, strict=True)) + "}"


@decoder("msgctl")
def decode_msgctl(call: Syscall, ctx: RenderContext) -> Decoded:
    a = call.args

    def render_set(data: bytes) -> str:
        return f"{{msg_perm={{{_perm(data, False)}}}, msg_qbytes={u64(data, 88)}}}"

    return Decoded(
        [
            int_arg(a[0]),
            _ctl_cmd(a[1], x.MSGCTL_CMDS, "MSG_???"),
            _ctl_buffer(call, "msgctl", render_set, _msqid, _msginfo),
        ]  # fmt: skip
    )
