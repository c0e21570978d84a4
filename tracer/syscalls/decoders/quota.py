"""quotactl and quotactl_fd: `QCMD(command, type)` and the argument each command takes.

The command decides whether the id and the address are printed at all, and what the
address points to: a quota file path (Q_QUOTAON), a format, flags, or one of the
quota structures, read at entry when the call sets it and at exit when it gets it.
Big structures end in `...` unless -v, as strace cuts them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_PATH, Read, declare_entry, declare_exit, fd_args
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import quota as x

from .arguments import id_arg, mem_of, ok, path_arg, ptr_arg
from .kstructs import xflags, xval

# What a command's address points to: the structure's size and its renderer (data,
# verbose) -> text.
Render = Callable[[bytes, bool], str]
_CMD_MASK = 0xFFFFFF00  # QCMD's command bits in the low word of the argument


def _fields(pairs: list[tuple[str, object]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in pairs)


_DQBLK = struct.Struct("<8QI")


def _dqblk(data: bytes, verbose: bool, with_id: bool = False) -> str:
    v = _DQBLK.unpack_from(data)
    names = ("dqb_bhardlimit", "dqb_bsoftlimit", "dqb_curspace", "dqb_ihardlimit",
             "dqb_isoftlimit", "dqb_curinodes")  # fmt: skip
    pairs: list[tuple[str, object]] = list(zip(names, v[:6], strict=True))
    ident = [("dqb_id", struct.unpack_from("<I", data, 68)[0])] if with_id else []
    if verbose:
        valid = xflags(v[8], x.IF_DQBLK_VALID, "QIF_???")
        pairs += [("dqb_btime", v[6]), ("dqb_itime", v[7]), ("dqb_valid", valid), *ident]
        return "{" + _fields(pairs) + "}"
    return "{" + _fields(pairs + ident) + ", ...}"


def _nextdqblk(data: bytes, verbose: bool) -> str:
    return _dqblk(data, verbose, with_id=True)


def _dqinfo(data: bytes, verbose: bool) -> str:
    bgrace, igrace, flags, valid = struct.unpack_from("<QQII", data)
    return "{" + _fields([
        ("dqi_bgrace", bgrace),
        ("dqi_igrace", igrace),
        ("dqi_flags", xflags(flags, x.IF_DQINFO_FLAGS, "DQF_???")),
        ("dqi_valid", xflags(valid, x.IF_DQINFO_VALID, "IIF_???")),
    ]) + "}"  # fmt: skip


def _format(data: bytes, verbose: bool) -> str:
    return "[" + xval(struct.unpack_from("<I", data)[0], x.QUOTA_FORMATS, "QFMT_VFS_???") + "]"


def _flags_in(table: list[tuple[int, str]], unknown: str) -> Render:
    def render(data: bytes, verbose: bool) -> str:
        return "[" + xflags(struct.unpack_from("<I", data)[0], table, unknown) + "]"

    return render


_DISK_QUOTA = struct.Struct("<bBHI6QiiHH4x3QiH")


def _disk_quota(data: bytes, verbose: bool) -> str:
    v = _DISK_QUOTA.unpack_from(data)
    pairs: list[tuple[str, object]] = [
        ("d_version", v[0]),
        ("d_flags", xflags(v[1], x.XFS_DQBLK_FLAGS, "FS_???_QUOTA")),
        ("d_fieldmask", f"{v[2]:#x}"),
        ("d_id", v[3]),
    ]
    names = ("d_blk_hardlimit", "d_blk_softlimit", "d_ino_hardlimit", "d_ino_softlimit",
             "d_bcount", "d_icount")  # fmt: skip
    pairs += zip(names, v[4:10], strict=True)
    if not verbose:
        return "{" + _fields(pairs) + ", ...}"
    names = ("d_itimer", "d_btimer", "d_iwarns", "d_bwarns", "d_rtb_hardlimit",
             "d_rtb_softlimit", "d_rtbcount", "d_rtbtimer", "d_rtbwarns")  # fmt: skip
    pairs += zip(names, v[10:], strict=True)
    return "{" + _fields(pairs) + "}"


_FILESTAT = struct.Struct("<QQI4x")


def _filestat(data: bytes, off: int) -> str:
    ino, nblks, nextents = _FILESTAT.unpack_from(data, off)
    return f"{{qfs_ino={ino}, qfs_nblks={nblks}, qfs_nextents={nextents}}}"


def _limits(data: bytes, off: int) -> list[tuple[str, object]]:
    b, i, rtb, bwarn, iwarn = struct.unpack_from("<iiiHH", data, off)
    return [("qs_btimelimit", b), ("qs_itimelimit", i), ("qs_rtbtimelimit", rtb),
            ("qs_bwarnlimit", bwarn), ("qs_iwarnlimit", iwarn)]  # fmt: skip


def _quota_stat(data: bytes, verbose: bool) -> str:
    version, flags = struct.unpack_from("<bxH", data)
    if not verbose:
        return f"{{qs_version={version}, ...}}"
    pairs: list[tuple[str, object]] = [
        ("qs_version", version),
        ("qs_flags", xflags(flags, x.XFS_QUOTA_FLAGS, "FS_QUOTA_???")),
        ("qs_uquota", _filestat(data, 8)),
        ("qs_gquota", _filestat(data, 32)),
        ("qs_incoredqs", struct.unpack_from("<I", data, 56)[0]),
        *_limits(data, 60),
    ]
    return "{" + _fields(pairs) + "}"


def _quota_statv(data: bytes, verbose: bool) -> str:
    version, _pad, flags, incore = struct.unpack_from("<bBHI", data)
    if not verbose:
        return f"{{qs_version={version}, ...}}"
    pairs: list[tuple[str, object]] = [
        ("qs_version", version),
        ("qs_flags", xflags(flags, x.XFS_QUOTA_FLAGS, "FS_QUOTA_???")),
        ("qs_incoredqs", incore),
        ("qs_uquota", _filestat(data, 8)),
        ("qs_gquota", _filestat(data, 32)),
        ("qs_pquota", _filestat(data, 56)),
        *_limits(data, 80),
    ]
    return "{" + _fields(pairs) + "}"


# Per command: (prints the id, the address's size, its renderer, read at exit).
_ADDR: dict[int, tuple[bool, int, Render, bool]] = {
    x.Q_GETQUOTA: (True, 72, _dqblk, True),
    x.Q_SETQUOTA: (True, 72, _dqblk, False),
    x.Q_GETNEXTQUOTA: (True, 72, _nextdqblk, True),
    x.Q_GETINFO: (False, 24, _dqinfo, True),
    x.Q_SETINFO: (False, 24, _dqinfo, False),
    x.Q_GETFMT: (False, 4, _format, True),
    x.Q_XGETQUOTA: (True, 112, _disk_quota, True),
    x.Q_XSETQLIM: (True, 112, _disk_quota, False),
    x.Q_XGETNEXTQUOTA: (True, 112, _disk_quota, True),
    x.Q_XGETQSTAT: (False, 80, _quota_stat, True),
    x.Q_XGETQSTATV: (False, 160, _quota_statv, True),
    x.Q_XQUOTAON: (False, 4, _flags_in(x.XFS_QUOTA_FLAGS, "FS_QUOTA_???"), False),
    x.Q_XQUOTAOFF: (False, 4, _flags_in(x.XFS_QUOTA_FLAGS, "FS_QUOTA_???"), False),
    x.Q_XQUOTARM: (False, 4, _flags_in(x.XFS_DQBLK_FLAGS, "FS_???_QUOTA"), False),
}
_NO_ARGS = frozenset({x.Q_QUOTAOFF, x.Q_SYNC, x.Q_XQUOTASYNC})


def _captures(name: str, cmd_arg: int, path_arg_: int | None) -> None:
    """The address's memory: read at entry or at exit, by its command's size."""
    entry: list[Read] = []
    if path_arg_ is not None:
        entry.append(Read(path_arg_, path_arg_, LIMIT_PATH, cstr=True, null_skip=True))
    q_on = (cmd_arg, _CMD_MASK, (x.Q_QUOTAON << 8,))
    entry.append(Read(3, 3, LIMIT_PATH, cstr=True, null_skip=True, when=q_on))
    by_size: dict[tuple[int, bool], list[int]] = {}
    for cmd, (_id, size, _render, at_exit) in _ADDR.items():
        by_size.setdefault((size, at_exit), []).append(cmd << 8)
    exits: list[Read] = []
    for (size, at_exit), cmds in by_size.items():
        op = Read(3, 3, size, null_skip=True, exact=True, when=(cmd_arg, _CMD_MASK, tuple(cmds)))
        (exits if at_exit else entry).append(op)
    declare_entry(name, *entry)
    declare_exit(name, *exits)


_captures("quotactl", 0, 1)
_captures("quotactl_fd", 1, None)
fd_args((0,), "quotactl_fd")


def _qcmd_text(value: int) -> str:
    cmd, kind = value >> 8, value & 0xFF
    saved, fmt.STYLE.constants = fmt.STYLE.constants, "abbrev"
    try:  # the parts keep strace's default form inside -X's comment
        cmd_text = xval(cmd, x.QUOTA_COMMANDS, "Q_???")
        kind_text = xval(kind, x.QUOTA_TYPES, "???QUOTA")
    finally:
        fmt.STYLE.constants = saved
    text = f"QCMD({cmd_text}, {kind_text})"
    if fmt.STYLE.constants == "raw":
        return str(value)
    return text if fmt.STYLE.constants == "abbrev" else f"{value} /* {text} */"


def _addr_arg(call: Syscall, ctx: RenderContext, cmd: int) -> Arg:
    raw = call.args[3]
    spec = _ADDR.get(cmd)
    if cmd == x.Q_QUOTAON:
        return path_arg(call, 3)
    if spec is None:
        return ptr_arg(raw)
    _id, size, render, at_exit = spec
    data = mem_of(call, 3)
    if data is None or len(data) < size or (at_exit and not ok(call)):
        return ptr_arg(raw, at_exit)
    text = render(data, not ctx.abbreviated(call))
    return Arg(text, raw, "struct", text, at_exit)


def _args(call: Syscall, ctx: RenderContext, cmd_arg: int, first: Arg) -> Decoded:
    raw = call.args[cmd_arg]
    value = raw & 0xFFFFFFFF
    cmd = value >> 8
    text = _qcmd_text(value)
    qcmd = Arg(text, raw, "flags", text)
    args = [qcmd, first] if cmd_arg == 0 else [first, qcmd]
    if cmd in _NO_ARGS:
        return Decoded(args)
    if cmd == x.Q_QUOTAON:
        text = xval(call.args[2] & 0xFFFFFFFF, x.QUOTA_FORMATS, "QFMT_VFS_???")
        args.append(Arg(text, call.args[2], "flags", text))
    elif cmd not in _ADDR or _ADDR[cmd][0]:
        args.append(id_arg(call.args[2]))
    args.append(_addr_arg(call, ctx, cmd))
    return Decoded(args)


@decoder("quotactl")
def decode_quotactl(call: Syscall, ctx: RenderContext) -> Decoded:
    return _args(call, ctx, 0, path_arg(call, 1))


@decoder("quotactl_fd")
def decode_quotactl_fd(call: Syscall, ctx: RenderContext) -> Decoded:
    return _args(call, ctx, 1, ctx.fd_arg(call, call.args[0]))
