"""The explorer's filter language, matched on one call at its entry (on the ptrace thread).

The explorer matches filters on the store's columns; steering must decide while the
thread is stopped at the call's entry, on a `Syscall` built from the entry captures
(paths are read at entry). The same terms mean the same here: `name:`/`class:` on the
number, `pid:` on pid or tid, `fd:` on the fd arguments, `path:` on the path arguments
and the fds' names (sockets' endpoints with -yy), words on the search text the store
would compose for the row (`RowText`). Terms on the result are refused when a rule is
parsed (`rules.parse_filter_text`).
"""

from __future__ import annotations

import os
from typing import Any

from tracer.events import Syscall
from tracer.filter.terms import FdTerm, NumberSetTerm, PathTerm, PidTerm, WordTerm
from tracer.store.fd_columns import fd_layout
from tracer.store.row_text import RowText
from tracer.syscalls.render import RenderContext, to_int
from tracer.syscalls.table import get_table


class CallMatcher:
    """`matches(filter, call)`: the filter's terms ANDed on one call entering."""

    def __init__(self, strsize: int = 256) -> None:
        self._table = get_table()
        self._row_text = RowText(RenderContext(strsize=strsize, show_fd_paths=True))
        self._fd_pos = {nr: pos for nr, (pos, _returns) in fd_layout(self._table).items()}

    def fd_args(self, call: Syscall) -> list[int]:
        args = call.args
        return [to_int(args[p]) for p in self._fd_pos.get(call.nr, ()) if p < len(args)]

    def matches(self, flt: Any, call: Syscall) -> bool:
        text_paths: tuple[str, tuple[str, ...]] | None = None
        for term in flt.terms:  # cheap terms first (Filter sorts them by cost)
            t = type(term)
            if t is NumberSetTerm:
                hit = call.nr in term.nrs
            elif t is PidTerm:
                hit = call.pid in term.pids or call.tid in term.pids
            elif t is FdTerm:
                hit = term.fd in self.fd_args(call)
            elif t is PathTerm or t is WordTerm:
                if text_paths is None:
                    text_paths = self._text(call)
                if t is PathTerm:
                    hit = any(term.needle in p for p in text_paths[1])
                else:
                    hit = term.word in text_paths[0]
            else:  # a result term: refused when the rule was parsed
                hit = False
            if hit == term.negate:
                return False
        return True

    def _text(self, call: Syscall) -> tuple[str, tuple[str, ...]]:
        if call.fds is None:  # names not resolved by the session (-y off): read them now
            fds = {}
            for fd in self.fd_args(call):
                if fd >= 0:
                    try:
                        fds[fd] = os.readlink(f"/proc/{call.pid}/fd/{fd}")
                    except OSError:
                        pass
            if fds:
                named = Syscall(0, call.pid, call.tid, call.nr, call.args, call.start)
                named.mem, named.fds = call.mem, fds
                call = named
        try:
            return self._row_text.syscall(call, in_progress=True)
        except Exception:  # a decoder bug must not stop the tracer: no text, no paths
            return "", ()
