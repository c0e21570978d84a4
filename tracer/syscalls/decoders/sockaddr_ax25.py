"""AF_AX25 socket addresses, as strace 6.1 prints them.

An AX.25 call sign is 6 characters shifted left by one bit and an SSID byte; strace
shows it as `CALL-SSID` when it looks like one, its bytes when it cannot (with the
call sign in a comment when it is merely unusual), and `*` for an empty one.
"""

from __future__ import annotations

import struct

from tracer.syscalls.fmt import STYLE

from .kstructs import hex_quote

AX25_CALL_SIZE = 7
SOCKADDR_AX25_SIZE = 16  # family, sax25_call, sax25_ndigis
AX25_MAX_DIGIS = 8
_ABBREV, _VERBOSE, _RAW = "abbrev", "verbose", "raw"


def _call_style(call: bytes) -> str:
    """How much of a call sign can be trusted as text (strace's check_ax25_address)."""
    style = ""
    space_seen = char_seen = False
    for byte in call[:6]:
        if byte & 1:
            style = _VERBOSE
        c = byte >> 1
        if c == 0x20:
            space_seen = True
        else:
            char_seen = True
        if not (0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or c == 0x20):
            style = _VERBOSE
        if c != 0x20 and space_seen:
            style = _VERBOSE
        if c < 0x20 or c > 0x7E or c in (0x2A, 0x2F):  # '*' and '/' would read as comments
            return _RAW
    if call[6] & ~0x1E:
        style = _VERBOSE
    if not char_seen and call[6]:
        style = _VERBOSE
    return style


def _call_text(call: bytes) -> str:
    end = 6
    while end and call[end - 1] >> 1 == 0x20:
        end -= 1
    ssid = call[6] >> 1 & 0xF
    text = "".join(chr(b >> 1) for b in call[:end]) + f"-{ssid}"
    return "*" if text == "-0" else text


def ax25_call(call: bytes) -> str:
    style = _call_style(call) or STYLE.constants
    raw = f"{{ax25_call={hex_quote(call)}}}"
    if style == _RAW:
        return raw
    if style == _ABBREV:
        return _call_text(call)
    return f"{raw} /* {_call_text(call)} */"


def ax25_text(data: bytes, addrlen: int) -> str:
    """struct full_sockaddr_ax25: the call and, when there are digipeaters or room for
    them, the digipeaters the address holds (`...` for those it lacks room for)."""
    (ndigis,) = struct.unpack_from("<i", data, 12)  # after the call and padding
    head = f"sax25_call={ax25_call(data[2:9])}, sax25_ndigis={ndigis}"
    size = max(addrlen, 0)
    if not ndigis and size <= SOCKADDR_AX25_SIZE:
        return head
    has = min((size - SOCKADDR_AX25_SIZE) // AX25_CALL_SIZE, AX25_MAX_DIGIS)
    want = min(max(ndigis, 0), AX25_MAX_DIGIS)
    shown = min(has, want)
    text = f"fsa_ax25={{{head}}}"
    if want:
        digis = [
            ax25_call(data[off : off + AX25_CALL_SIZE])
            for off in range(
                SOCKADDR_AX25_SIZE, SOCKADDR_AX25_SIZE + shown * AX25_CALL_SIZE, AX25_CALL_SIZE
            )
        ]
        if want > has:
            digis.append("...")
        text += f", fsa_digipeater=[{', '.join(digis)}]"
    if size > has * AX25_CALL_SIZE + SOCKADDR_AX25_SIZE:
        text += ", ..."
    return text
