"""Which arguments of each syscall are file descriptors, and the store's index of rows by fd.

Every syscall row is indexed under the fds it is about (fd arguments, and
the new fd it returned), so `fd:3` is a lookup instead of a render per row. Positions come from the decoders'
`fd_args` registrations; `desc`-class syscalls that registered none are
assumed to take their fd first.
"""

from __future__ import annotations

from functools import cache

from tracer.store.rows_by_key import RowsByKey
from tracer.syscalls.classes import Class
from tracer.syscalls.table import SyscallTable


@cache
def fd_layout(table: SyscallTable) -> dict[int, tuple[tuple[int, ...], bool]]:
    """nr -> (fd argument positions (at most 2), returns a new fd)."""
    from tracer.syscalls import capture
    from tracer.syscalls.render import load_decoders

    try:
        load_decoders()
    except Exception:  # a broken decoder family must not break the store
        pass
    out: dict[int, tuple[tuple[int, ...], bool]] = {}
    for nr, d in table.by_nr.items():
        known = capture.FD_ARGS.get(d.name)
        if known is not None:
            positions = tuple(p for p in known if 0 <= p < 6)[:2]
        elif d.classes & Class.DESC and d.nargs > 0:
            positions = (0,)
        else:
            positions = ()
        returns = bool(d.classes & Class.RETURNS_FD)
        if positions or returns:
            out[nr] = (positions, returns)
    return out


class FdIndex(RowsByKey):
    """fd number -> ascending rows about that fd (argument or returned), for `fd:N` filters."""

    def fds(self) -> list[int]:
        return sorted(self._rows)
