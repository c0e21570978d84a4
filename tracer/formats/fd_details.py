"""strace -yy / --decode-fds=socket,dev,pidfd: what an fd is, beyond its path.

`3</dev/null<char 1:3>>` for devices, `3<TCP:[127.0.0.1:41234->127.0.0.1:5432]>`,
`3<UNIX-STREAM:[311790->311787,"x.sock"]>`, `3<UDP:[311816]>` for sockets.
The worker records what each fd referred to (its /proc link) at the call, and with
-yy what strace prints for each socket fd, found while the tracee was stopped
(`SOCKETS_KEY`, tracer/engine/socket_details.py), as the process a new pidfd refers to
is (`PIDFDS_KEY`, the pidfd decoders). Sockets of calls recorded without
it (a session file made with -y) are looked up here, when the line is written: one
closed by then shows as its path only.
"""

from __future__ import annotations

import os
import re
import stat

from tracer.events import Syscall
from tracer.model.sock_diag import SocketEndpoints
from tracer.syscalls import fmt
from tracer.syscalls.capture import PIDFDS_KEY, SOCKETS_KEY
from tracer.syscalls.decoders.pidfd import pidfd_pid


class FdDetails:
    def __init__(self, decode: frozenset[str]) -> None:
        self.decode = decode
        self.sockets = SocketEndpoints() if "socket" in decode else None
        self._devices: dict[str, str | None] = {}

    def __call__(self, call: Syscall, fd: int, name: str) -> str | None:
        if name.startswith("socket:[") and self.sockets is not None:
            found = call.mem.get(SOCKETS_KEY) if call.mem else None
            if found is not None:
                for f, text in found:
                    if f == fd:
                        return f"<{restyle_unix_path(text)}>"
            inode = name[8:-1]
            if inode.isdigit():
                text = self.sockets.describe(call.pid, int(inode))
                if text is not None:
                    return f"<{restyle_unix_path(text)}>"
            return f"<{fmt.fd_path(name)[1:-1]}>" if "path" in self.decode else ""
        if name == "anon_inode:[pidfd]" and "pidfd" in self.decode:
            found = dict(call.mem.get(PIDFDS_KEY) or ()) if call.mem else {}
            pid = found[fd] if fd in found else pidfd_pid(call.pid, fd)
            if pid is not None:
                return f"<pid:{pid}>"
        if "dev" in self.decode and name.startswith("/"):
            dev = self._device(name)
            if dev is not None:  # with its path, even without decode-fds=path (as strace)
                return f"{fmt.fd_path(name)[:-1]}<{dev}>>"
        return None if "path" in self.decode else ""

    def _device(self, path: str) -> str | None:
        if path not in self._devices:
            try:
                st = os.stat(path)
            except OSError:
                self._devices[path] = None
                return None
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                kind = "char" if stat.S_ISCHR(st.st_mode) else "block"
                rdev = st.st_rdev
                self._devices[path] = f"{kind} {os.major(rdev)}:{os.minor(rdev)}"
            else:
                self._devices[path] = None
        return self._devices[path]


_QUOTED_PATH = re.compile(r'(,@?)"((?:[^"\\]|\\.)*)"(\]?)$')
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.S)
_SIMPLE = {"n": 10, "t": 9, "v": 11, "f": 12, "r": 13}


def _unescape(text: str) -> bytes:
    """The bytes behind a string quoted as strace quotes it (`\\303`, `\\x2f`, `\\n`)."""
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(text):
        out += os.fsencode(text[pos : m.start()])
        esc = m.group(1)
        if esc[0] == "x" and len(esc) == 3:
            out.append(int(esc[1:], 16))
        elif esc[0] in "01234567":
            out.append(int(esc, 8) & 0xFF)
        else:
            out.append(_SIMPLE.get(esc, ord(esc) if ord(esc) < 256 else 0x3F))
        pos = m.end()
    out += os.fsencode(text[pos:])
    return bytes(out)


def restyle_unix_path(text: str) -> str:
    """A UNIX socket's path in its -yy text, quoted in this session's -x/-xx style.

    The endpoint text is made where the socket was looked up (the tracer's process, in
    strace's default quoting); strace quotes the path with the same -x rules as any
    string, so it is quoted again here, where the style is known."""
    if fmt.STYLE.strings_in_hex == "none" or not text.startswith("UNIX"):
        return text
    m = _QUOTED_PATH.search(text)
    if m is None:
        return text
    quoted = fmt.quote_path(_unescape(m.group(2)))
    return text[: m.start()] + m.group(1) + quoted + m.group(3)
