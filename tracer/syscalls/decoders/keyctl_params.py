"""keyctl's parameter structures: KEYCTL_DH_COMPUTE's struct keyctl_dh_params and
struct keyctl_kdf_params (whose hash name and other info lie behind pointers), and the
public-key commands' struct keyctl_pkey_params, whose lengths size the buffers in the
next arguments. Read with the call's other memory in keyctl.py's captures."""

from __future__ import annotations

import struct

from tracer.syscalls import fmt
from tracer.syscalls.capture import CaptureLimits, MemoryReader

from .kstructs import xval

DH = struct.Struct("<iii")  # private, prime, base: key serials
KDF = struct.Struct("<QQI8I4x")  # hashname, otherinfo, otherinfolen, __spare[8], padding
PKEY = struct.Struct("<iII7I")  # key_id, in_len, out_len (in2_len), __spare[7]
_KDF_HASH = "kdf_hash"
_KDF_INFO = "kdf_info"


def key_text(value: int, names: dict[int, str]) -> str:
    """A key serial (a C int): a special keyring's name, else the number."""
    return xval(value, names, "", "{}") if value in names else str(value)


def read_kdf(mem: MemoryReader, addr: int, limits: CaptureLimits) -> dict:
    """The structure and what its two pointers point to."""
    data = mem.read(addr, KDF.size) if addr else None
    if data is None or len(data) < KDF.size:
        return {}
    hashname, otherinfo, infolen, *_spare = KDF.unpack(data)
    out: dict = {"kdf": data}
    if hashname:
        out[_KDF_HASH] = mem.read_cstr(hashname, limits.strsize)
    if otherinfo and infolen:
        got = mem.read(otherinfo, min(infolen, limits.strsize))
        if got is not None and len(got) >= min(infolen, limits.strsize):
            out[_KDF_INFO] = got
    return out


def _spare(values: tuple[int, ...]) -> list[str]:
    if not any(values):
        return []
    return ["__spare=[" + ", ".join(f"{v:#x}" if v else "0" for v in values) + "]"]


def dh_text(data: bytes | None, keys: dict[int, str]) -> str | None:
    if data is None or len(data) < DH.size:
        return None
    private, prime, base = (key_text(v, keys) for v in DH.unpack(data))
    return f"{{private={private}, prime={prime}, base={base}}}"


def kdf_text(mem: dict, strsize: int) -> str | None:
    data = mem.get("kdf")
    if data is None:
        return None
    hashname, otherinfo, infolen, *spare = KDF.unpack(data)
    if hashname:
        hash_text = fmt.quote_cstr(mem.get(_KDF_HASH), strsize, hashname)
    else:
        hash_text = "NULL"
    info = mem.get(_KDF_INFO)
    if otherinfo and infolen and info is not None:
        info_text = fmt.quote_buffer(info, infolen, strsize, otherinfo)
    else:  # with no length strace shows the address, as when it cannot read it
        info_text = fmt.pointer(otherinfo)
    parts = [f"hashname={hash_text}", f"otherinfo={info_text}", f"otherinfolen={infolen}"]
    return "{" + ", ".join(parts + _spare(tuple(spare))) + "}"


def pkey_text(data: bytes | None, keys: dict[int, str], verify: bool) -> str | None:
    if data is None or len(data) < PKEY.size:
        return None
    key_id, in_len, out_len, *spare = PKEY.unpack(data)
    second = "in2_len" if verify else "out_len"
    parts = [f"key_id={key_text(key_id, keys)}", f"in_len={in_len}", f"{second}={out_len}"]
    return "{" + ", ".join(parts + _spare(tuple(spare))) + "}"
