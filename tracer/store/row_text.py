"""The searchable text of a syscall row, composed from its raw values without the decoders.

Rendering a line through the decoders costs ~10 µs, i.e. 10 s for a million
rows, so plain-word search indexes a cheaper line built once per row when it
is appended (~2 µs), shaped like the displayed one, lowercased:

    openat(at_fdcwd, "/etc/hostname", 0x80000) = 3</etc/hostname>

Same as displayed: the name, parentheses, `, ` between arguments, `= ret`;
fd arguments and returned fds with their paths (`3</etc/hostname>`,
`AT_FDCWD</home>`; a returned value is shown as an fd when the call returns
one, or when the worker recorded a path for it and no argument is that fd); path arguments in full; plain int arguments (decimal, hex
beyond ±0xFFFF); `-1 ENOENT (No such file or directory)`; `?`, and
`<... in progress>` (then all arguments are shown, not only entry ones).
Flag and constant arguments (`O_RDONLY|O_CLOEXEC`, `PROT_READ`, `SIGTERM`,
`F_SETFD`) are shown by name: rendered through the decoders once per distinct
combination of a syscall's flag arguments, then taken from a cache (an
argument's name depends only on its value and on the syscall's other flag
arguments, as fcntl's third on its command).
Data is searched whole: every byte a call's buffers captured (up to the
capture size, `--capture-size`, not only the `-s` shown in the list), unescaped
(Latin-1) and quoted in the buffer argument's place: `write`/`read`, their
iovec lists (`writev`), `sendto`/`recvfrom` (`buf`), and the iovecs of
`sendmsg`/`recvmsg` (`msg`, `mmsg`). So `"read only"` finds the query a client
sent. The price is memory: a buffer's bytes are held twice, raw for the detail
screen and lowercased here. Not covered (decoders produce them): struct
contents (a struct argument shows its address), pointer names (`NULL`),
decoded return values.
Non-syscall rows index their full displayed line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracer.store.endpoint_text import sockaddr_endpoint
from tracer.store.fd_columns import fd_layout
from tracer.syscalls.capture import SOCKETS_KEY
from tracer.syscalls.decoders.arguments import CWD_KEY
from tracer.syscalls.render import STRACE_TEXT, errno_text, render, to_int

if TYPE_CHECKING:
    from tracer.events import Syscall
    from tracer.syscalls.render import RenderContext

_INTERN_MAX = 1 << 16  # recent texts kept to share equal ones (close(3) = 0 repeats all day)
_FLAG_CACHE_MAX = 1 << 16  # distinct flag-argument combinations kept with their names
_NAMED_KINDS = frozenset({"flags", "signal"})
# Captured-memory keys that hold a call's data under a name, not an argument position.
_NAMED_PAYLOADS = ("buf", "msg", "mmsg")


def payload_bytes(value) -> bytes:
    """The data in a captured buffer, iovec list [(base, len, data)], msghdr or mmsghdr list."""
    t = type(value)
    if t is bytes:
        return value
    if t is dict:
        return payload_bytes(value.get("iov"))
    if t is list or t is tuple:
        return b"".join(payload_bytes(x) for x in value if type(x) is not int)
    return b""


def _number(raw: int) -> str:
    v = raw - (1 << 64) if raw & (1 << 63) else raw
    return str(v) if -0xFFFF <= v <= 0xFFFF else f"{raw & 0xFFFFFFFFFFFFFFFF:#x}"


def _fd_text(fd: int, fds: dict[int, str]) -> str:
    shown = "AT_FDCWD" if fd == -100 else str(fd)
    name = fds.get(fd)
    return shown if name is None else f"{shown}<{name}>"


class RowText:
    """Builds (search text, path strings) per syscall; memoises what repeats (names, fd names, errnos)."""

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self._fd_layout = fd_layout(ctx.table)
        self._heads: dict[int, tuple[str, int, tuple[int, ...], bool]] = {}
        self._path_pos: dict[int, frozenset] = {}  # nr -> argument positions rendered as paths
        self._struct_pos: dict[int, frozenset] = {}  # nr -> positions rendered as structs
        self._buf_pos: dict[int, tuple[int, ...]] = {}  # nr -> positions rendered as data
        self._flag_pos: dict[int, tuple[int, ...]] = {}  # nr -> positions rendered as names
        self._flag_text: dict[tuple, tuple[str, ...]] = {}  # (nr, raw flag args) -> their names
        self._errnos: dict[int, str] = {}
        self._intern: dict[str, str] = {}

    def path_positions(self, call: Syscall) -> frozenset:
        """Argument positions of `call.nr` that are paths, learnt by rendering one call that has them."""
        got = self._path_pos.get(call.nr)
        if got is None:
            got = self._learn(call)
        return got

    def _learn(self, call: Syscall) -> frozenset:
        try:
            rc = render(call, self.ctx)
            got = frozenset(i for i, a in enumerate(rc.args) if a.kind == "path")
            structs = frozenset(i for i, a in enumerate(rc.args) if a.kind == "struct")
            self._buf_pos[call.nr] = tuple(i for i, a in enumerate(rc.args) if a.kind == "buf")
            self._flag_pos.setdefault(
                call.nr, tuple(i for i, a in enumerate(rc.args) if a.kind in _NAMED_KINDS)
            )
        except Exception:  # a decoder bug must not break appending
            got = structs = frozenset()
            self._buf_pos.setdefault(call.nr, ())
            self._flag_pos.setdefault(call.nr, ())
        if call.mem or got:  # without captured memory the kinds may be plain pointers
            self._path_pos[call.nr] = got
            self._struct_pos[call.nr] = structs
        return got

    def _flag_names(self, call: Syscall, positions: tuple[int, ...]) -> tuple[str, ...] | None:
        """Lowercase names of the flag arguments at `positions`, rendered once per combination."""
        args = call.args
        key = (call.nr, *[args[p] for p in positions if p < len(args)])
        got = self._flag_text.get(key)
        if got is None:
            try:
                rc = render(call, self.ctx)
                got = tuple(rc.args[p].text.lower() if p < len(rc.args) else "" for p in positions)
            except Exception:
                return None
            if len(self._flag_text) >= _FLAG_CACHE_MAX:
                self._flag_text.clear()
            self._flag_text[key] = got
        return got

    def syscall(self, call: Syscall, in_progress: bool) -> tuple[str, tuple[str, ...]]:
        """(lowercase search text, the call's path arguments and fd names) of one call."""
        if call.mem and STRACE_TEXT in call.mem:  # imported from an strace log: its own text
            from tracer.syscalls.imported import search_text

            return search_text(call, self.ctx, in_progress)
        nr = call.nr
        head = self._heads.get(nr)
        if head is None:
            d = self.ctx.table.get(nr)
            layout = self._fd_layout.get(nr, ((), False))
            head = self._heads[nr] = (
                d.name if d else f"syscall_{nr:#x}",
                d.nargs if d else 6,
                layout[0],
                layout[1],
            )
        name, nargs, fd_pos, returns_fd = head
        args = call.args
        parts = list(map(_number, args[:nargs]))
        fds = call.fds or {}
        paths: list[str] = list(fds.values())
        mem = call.mem
        if mem and -100 not in fds and CWD_KEY in mem:  # AT_FDCWD</cwd>, captured with the call
            cwd = mem[CWD_KEY]
            fds = {
                **fds,
                -100: cwd.decode("utf-8", "surrogateescape") if type(cwd) is bytes else cwd,
            }
        arg_fds = []
        for pos in fd_pos:
            if pos < len(parts):
                fd = to_int(args[pos])
                arg_fds.append(fd)
                parts[pos] = _fd_text(fd, fds)
        flag_pos = self._flag_pos.get(nr)
        if flag_pos is None:
            self._learn(call)
            flag_pos = self._flag_pos[nr]
        if flag_pos:
            names = self._flag_names(call, flag_pos)
            if names:
                for p, text in zip(flag_pos, names, strict=True):
                    if text and p < len(parts):
                        parts[p] = text
        endpoints: list[str] = []
        if mem:
            pos = self.path_positions(call)
            structs = self._struct_pos.get(nr, ())
            bufs = self._buf_pos.get(nr, ())
            for k, v in mem.items():
                if type(k) is not int:
                    if k == "sockaddr":  # connect, bind, sendto, accept...: its endpoint
                        where = sockaddr_endpoint(v if type(v) is bytes else None)
                        if where:
                            endpoints.append(where)
                    elif k == SOCKETS_KEY:  # -yy: what each socket fd is connected to
                        endpoints.extend(text for _fd, text in v)
                    if k in _NAMED_PAYLOADS:
                        data = payload_bytes(v)
                        at = bufs[0] if bufs and k == "buf" else 1
                        if data and at < len(parts):
                            parts[at] = f'"{data.decode("latin-1")}"'
                    continue
                if not 0 <= k < len(parts) or k in structs:
                    continue  # raw struct bytes would only be noise to search
                if type(v) is not bytes:
                    if k in bufs:  # an iovec list
                        parts[k] = f'"{payload_bytes(v).decode("latin-1")}"'
                    continue
                if k in pos:
                    s = v.decode("utf-8", "surrogateescape")
                    paths.append(s)
                    parts[k] = f'"{s}"'
                else:
                    parts[k] = f'"{v.decode("latin-1")}"'
        if in_progress:
            ret = " <... in progress>"
        elif call.ret is None:
            ret = ") = ?"
        elif call.error:
            ret = self._errnos.get(call.error)
            if ret is None:
                ret = self._errnos[call.error] = ") = -1 " + errno_text(call.error)
        elif returns_fd or (call.ret in fds and call.ret not in arg_fds):
            # A decoder may return a new fd by command (fcntl F_DUPFD): the worker then
            # recorded its path although no argument names it.
            ret = ") = " + _fd_text(call.ret, fds)
        else:
            ret = ") = " + _number(call.ret)
        text = f"{name}({', '.join(parts)}{ret}".lower()
        if endpoints:
            text += " " + " ".join(endpoints).lower()
        intern = self._intern
        shared = intern.get(text)
        if shared is None:
            if len(intern) >= _INTERN_MAX:
                intern.clear()
            intern[text] = shared = text
        return shared, tuple(paths)
