"""SCSI generic (0x22) ioctls, as strace 6.1's scsi.c prints them: ints passed or
returned through a pointer (`[N]`), SG_SCSI_RESET's value by name, SG_GET_SCSI_ID's and
SG_GET_REQUEST_TABLE's structures once the call succeeded, SG_GET_TIMEOUT with no
argument. SG_IO's request structures (sg_io_v3/v4) are not decoded yet: NULL and an
unknown interface id print as strace prints them, the rest as an address."""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import pointer

from .ioctl_arg import NO_ARG, IoctlArg, IoctlText, out
from .kstructs import xval

SG_GET_TIMEOUT = 0x2202
SG_SET_TRANSFORM = 0x2204
SG_GET_SCSI_ID = 0x2276
SG_SCSI_RESET = 0x2284
SG_IO = 0x2285
SG_GET_REQUEST_TABLE = 0x2286
# SG_NEXT_CMD_LEN, SG_SET_{COMMAND_Q,DEBUG,FORCE_LOW_DMA,FORCE_PACK_ID,KEEP_ORPHAN,
# RESERVED_SIZE,TIMEOUT}: a signed int read at entry.
_INT_IN = frozenset({0x2283, 0x2271, 0x227E, 0x2279, 0x227B, 0x2287, 0x2275, 0x2201})
# SG_EMULATED_HOST, SG_GET_{ACCESS_COUNT,COMMAND_Q,KEEP_ORPHAN,LOW_DMA,NUM_WAITING,
# PACK_ID,RESERVED_SIZE,SG_TABLESIZE,TRANSFORM,VERSION_NUM}: a signed int at exit.
_INT_OUT = frozenset(
    {0x2203, 0x2289, 0x2270, 0x2288, 0x227A, 0x227D, 0x227C, 0x2272, 0x227F, 0x2205, 0x2282}
)
SCSI_RESET = {0: "SG_SCSI_RESET_NOTHING", 1: "SG_SCSI_RESET_DEVICE", 2: "SG_SCSI_RESET_BUS",
              3: "SG_SCSI_RESET_HOST", 4: "SG_SCSI_RESET_TARGET",
              0x100: "SG_SCSI_RESET_NO_ESCALATE"}  # fmt: skip
_NO_ESCALATE = 0x100
_SCSI_ID = struct.Struct("<5i2h8x")  # struct sg_scsi_id
_REQ_INFO = struct.Struct("<4biQI4x")  # struct sg_req_info (the table's first entry)
_SG_IO_INTERFACES = (ord("S"), ord("Q"))  # v3 and v4 requests


def _reset(data: bytes) -> str:
    value = struct.unpack_from("<I", data)[0]
    head = ""
    if value & _NO_ESCALATE:
        head = xval(_NO_ESCALATE, SCSI_RESET, "SG_SCSI_RESET_???") + "|"
    return f"[{head}{xval(value & ~_NO_ESCALATE, SCSI_RESET, 'SG_SCSI_RESET_???')}]"


def _hex(value: int) -> str:
    """strace's PRINT_FIELD_X of an int: `%#x` of its 32 bits (plain `0`)."""
    value &= 0xFFFFFFFF
    return f"{value:#x}" if value else "0"


def _scsi_id(data: bytes) -> str:
    host, channel, scsi_id, lun, scsi_type, per_lun, depth = _SCSI_ID.unpack_from(data)
    return (
        f"{{host_no={host}, channel={channel}, scsi_id={_hex(scsi_id)}, lun={lun}, "
        f"scsi_type={_hex(scsi_type)}, h_cmd_per_lun={per_lun}, d_queue_depth={depth}}}"
    )


def _req_info(data: bytes) -> str:
    state, orphan, owned, problem, pack_id, usr_ptr, duration = _REQ_INFO.unpack_from(data)
    return (
        f"{{req_state={state}, orphan={orphan}, sg_io_owned={owned}, problem={problem}, "
        f"pack_id={pack_id}, usr_ptr={pointer(usr_ptr)}, duration={duration}}}"
    )


def _sg_io(a: IoctlArg) -> IoctlText | None:
    data = a.entry_struct(4)
    if data is None:
        return IoctlText(a.addr)
    iid = struct.unpack_from("<I", data)[0]
    if iid in _SG_IO_INTERFACES:
        return None  # sg_io_v3/v4 structures: not decoded yet
    return IoctlText(f"[{iid}]")


def scsi_ioctl(a: IoctlArg) -> IoctlText | None:
    code = a.code
    if code in _INT_IN:
        return IoctlText(a.num_in())
    if code in _INT_OUT:
        return out(a.num_out())
    if code == SG_GET_TIMEOUT:
        return IoctlText(NO_ARG)
    if code == SG_SET_TRANSFORM:
        return IoctlText(_hex(a.arg))
    if code == SG_SCSI_RESET:
        return IoctlText(a.show_in(4, _reset))
    if code == SG_GET_SCSI_ID:
        return out(a.show_out(_SCSI_ID.size, _scsi_id))
    if code == SG_GET_REQUEST_TABLE:
        return out(a.show_out(_REQ_INFO.size, _req_info))
    if code == SG_IO:
        return _sg_io(a)
    return None
