"""Complete calls as ready-made store columns: the bulk form a reopened session file
arrives in (`tracer/formats/session_reader.py`).

A reader process decodes the file and turns runs of complete calls into the arrays the
store keeps (`CallColumns.build`, the per-row work of `EventStore._add_call_columns`,
done there), so the app's thread only extends its columns with them
(`EventStore._append_columns`): a memcpy per column instead of Python work per row.

Captured memory and fd names travel as blob numbers of the reader's own (0: none),
each blob sent once, with the first chunk that uses it; the store maps them to its
`blobs` through `CallColumns.blob_map`, which all chunks of one reader share.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from itertools import chain, groupby, repeat

# Mirrors of event_store's flag bits (imported there from here would be circular).
F_DONE = 1
F_HAS_RET = 2
F_NO_RETURN = 4
NARGS_SHIFT = 4
_U64 = 0xFFFFFFFFFFFFFFFF
_ARG_PADS = tuple((0,) * (6 - k) for k in range(7))
_SHARE_MAX_ITEMS = 4  # (as the store: small dicts repeat, large ones rarely do)
_SHARE_INDEX_MAX = 1 << 16

# name, array typecode: the columns a chunk carries, in message order.
COLUMNS = (
    ("seqs", "q"), ("pids", "i"), ("tids", "i"), ("nrs", "i"), ("starts", "d"),
    ("ends", "d"), ("durations", "f"), ("rets", "q"), ("errnos", "H"), ("flags", "B"),
    ("mem_ix", "I"), ("fds_ix", "I"), ("fd_rows", "I"), ("fd_keys", "i"), ("fd_ends", "I"),
    ("a0", "Q"), ("a1", "Q"), ("a2", "Q"), ("a3", "Q"), ("a4", "Q"), ("a5", "Q"),
)  # fmt: skip
_NAMES = tuple(name for name, _ in COLUMNS)
_FIELD_GETTERS = tuple(map(operator.itemgetter, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
_DONE = operator.itemgetter(12)
_NO_RETURN = operator.itemgetter(13)
_RETURNED_FLAGS = tuple((k << NARGS_SHIFT) | F_DONE | F_HAS_RET for k in range(7))
_ROW_COLUMNS = _NAMES[:12] + _NAMES[15:]  # one value per row (fd_*: per fd, in groups)


def flat_items(ds) -> list[tuple]:
    """Each dict (or None) flattened as the store keeps it, (k1, v1, k2, v2, ...); () for
    none. A one-item dict's only item is that tuple already (4x faster than a chain)."""
    return [
        (next(iter(d.items())) if len(d) == 1 else tuple(chain.from_iterable(d.items())))
        if d
        else ()
        for d in ds
    ]


def _returned_fd(ret: int | None, err: int) -> bool:
    return ret is not None and not err and 0 <= ret < 1 << 31


class BlobNumbers:
    """The reader's side of blob sharing: flattened dict -> number, new ones listed."""

    def __init__(self) -> None:
        self.count = 1  # 0: no blob
        self._index: dict[tuple, int] = {(): 0}

    def column(self, ds: tuple, new: list) -> array:
        flats = flat_items(ds)
        try:
            found = list(map(self._index.get, flats))  # repeats found in C: the usual case
        except TypeError:
            found = [None] * len(flats)
        if None not in found:
            return array("I", found)
        out = array("I")
        index = self._index
        for flat in flats:
            try:
                got = index.get(flat) if len(flat) <= 2 * _SHARE_MAX_ITEMS else None
            except TypeError:  # unhashable values (lists): kept as they are
                got = None
            if got is None:
                got = self.count
                self.count += 1
                new.append(flat)
                if len(flat) <= 2 * _SHARE_MAX_ITEMS:
                    if len(index) >= _SHARE_INDEX_MAX:
                        index.clear()
                        index[()] = 0
                    try:
                        index[flat] = got
                    except TypeError:
                        pass
            out.append(got)
        return out


class CallColumns:
    """`count` complete calls (no stacks) as store columns, starts ascending."""

    __slots__ = (*_NAMES, "count", "new_blobs", "blob_map")

    def __init__(self, count: int, new_blobs: list, blob_map: list | None = None) -> None:
        self.count = count
        self.new_blobs = new_blobs  # blobs first used here, numbered on from the last chunk's
        self.blob_map = blob_map  # reader's blob number -> the store's (the store fills it)

    @classmethod
    def build(
        cls, rows: list[tuple], blobs: BlobNumbers, layouts: dict[int, tuple[tuple[int, ...], bool]]
    ) -> CallColumns:
        """Columns of complete calls in CALL_ROW form (no stacks): what the store would
        compute from them, row for row (`EventStore._add_call_columns`)."""
        fields = [list(map(g, rows)) for g in _FIELD_GETTERS]
        return cls.of_fields(
            (*fields, list(map(_DONE, rows)), list(map(_NO_RETURN, rows))), blobs, layouts
        )

    @classmethod
    def of_fields(
        cls, fields: tuple, blobs: BlobNumbers, layouts: dict[int, tuple[tuple[int, ...], bool]]
    ) -> CallColumns:
        """`build` from the calls' fields as sequences, CALL_ROW order without the stacks
        (seqs, pids, tids, nrs, argss, starts, ends, rets, errors, mems, fdss, dones,
        no_returns): a session file's columns give most of them so, with no row tuple."""
        seqs, pids, tids, nrs, argss, starts, ends, rets, errors, mems, fdss = fields[:11]
        dones, no_returns = fields[11], fields[12]
        n = len(seqs)
        new: list = []
        c = cls(n, new)
        c.seqs = array("q", seqs)
        c.pids = array("i", pids)
        c.tids = array("i", tids)
        c.nrs = array("i", nrs)
        c.starts = array("d", starts)
        nargs = list(map(len, argss))
        if dones.count(True) == n and 0 not in ends and None not in rets and not any(no_returns):
            # The usual chunk: calls that returned, with an end time.
            c.flags = array("B", map(_RETURNED_FLAGS.__getitem__, map(min, nargs, repeat(6, n))))
            c.rets = array("q", rets)
        else:
            ends = [e if d and e else s for s, e, d in zip(starts, ends, dones, strict=True)]
            c.flags = array(
                "B",
                [
                    (min(k, 6) << NARGS_SHIFT)
                    | (F_DONE if d else 0)
                    | (0 if r is None else F_HAS_RET)
                    | (F_NO_RETURN if nor else 0)
                    for k, d, r, nor in zip(nargs, dones, rets, no_returns, strict=True)
                ],
            )
            c.rets = array("q", [0 if r is None else r for r in rets])
        c.ends = array("d", ends)
        c.durations = array("f", map(operator.sub, ends, starts))
        c.errnos = array("H", errors)
        c.mem_ix = blobs.column(mems, new)
        c.fds_ix = blobs.column(fdss, new)
        c._set_args(argss, nargs)
        c._set_fds(nrs, argss, rets, errors, layouts)
        return c

    def _set_args(self, argss: list, nargs: list[int]) -> None:
        try:  # padded to six, one flat array, each column a stride of it (all in C)
            flat = array(
                "Q",
                chain.from_iterable(map(operator.add, argss, map(_ARG_PADS.__getitem__, nargs))),
            )
            cols = [flat[i::6] for i in range(6)]
        except (OverflowError, IndexError, TypeError, ValueError):
            cols = [array("Q", [a[i] & _U64 if len(a) > i else 0 for a in argss]) for i in range(6)]
        self.a0, self.a1, self.a2, self.a3, self.a4, self.a5 = cols

    def _set_fds(self, nrs, argss, rets, errors, layouts) -> None:
        """(row, fd) pairs for the store's fd index: the fd arguments and returned fds
        `EventStore._index_fds` indexes (as C ints), in its groups (a syscall number and
        an argument position, or its returned fds), rows ascending in each; `fd_ends`:
        where each group ends."""
        rows, fds, ends = array("I"), array("I"), array("I")
        if not layouts.keys().isdisjoint(nrs):
            picked = [i for i, nr in enumerate(nrs) if nr in layouts]
            picked.sort(key=nrs.__getitem__)  # stable: rows stay ascending within a number
            for nr, group in groupby(picked, nrs.__getitem__):
                idx = list(group)
                positions, returns_fd = layouts[nr]
                for pos in positions:
                    have = [i for i in idx if len(argss[i]) > pos]
                    if have:
                        rows.extend(have)
                        fds.extend([argss[i][pos] & 0xFFFFFFFF for i in have])
                        ends.append(len(rows))
                if returns_fd:
                    ok = [i for i in idx if _returned_fd(rets[i], errors[i])]
                    if ok:
                        rows.extend(ok)
                        fds.extend([rets[i] for i in ok])
                        ends.append(len(rows))
        self.fd_rows, self.fd_ends = rows, ends
        self.fd_keys = array("i")
        self.fd_keys.frombytes(fds.tobytes())  # (sign-extended, as `to_int`)

    def fd_groups(self, r0: int) -> Iterator[tuple[array, array]]:
        """The fd index's (rows, fds) groups, rows numbered from `r0`."""
        start = 0
        for end in self.fd_ends:
            yield array("I", map(r0.__add__, self.fd_rows[start:end])), self.fd_keys[start:end]
            start = end

    # ---- the pipe between the reader and the app -----------------------------------

    def to_message(self) -> tuple:
        return (self.count, self.new_blobs, *(getattr(self, n).tobytes() for n in _NAMES))

    @classmethod
    def from_message(cls, msg: tuple, blob_map: list) -> CallColumns:
        c = cls(msg[0], msg[1], blob_map)
        for (name, code), raw in zip(COLUMNS, msg[2:], strict=True):
            col = array(code)
            col.frombytes(raw)
            setattr(c, name, col)
        return c

    # ---- the app's side ----------------------------------------------------------------

    def split(self, k: int) -> tuple[CallColumns, CallColumns]:
        """The first `k` calls and the rest (the rest's blobs were sent with the first)."""
        head = CallColumns(k, self.new_blobs, self.blob_map)
        tail = CallColumns(self.count - k, [], self.blob_map)
        for name in _ROW_COLUMNS:
            col = getattr(self, name)
            setattr(head, name, col[:k])
            setattr(tail, name, col[k:])
        head.fd_rows, head.fd_keys, head.fd_ends = array("I"), array("i"), array("I")
        tail.fd_rows, tail.fd_keys, tail.fd_ends = array("I"), array("i"), array("I")
        start = 0
        for end in self.fd_ends:
            cut = bisect_left(self.fd_rows, k, start, end)
            for part, a, b, shift in ((head, start, cut, 0), (tail, cut, end, k)):
                if b > a:
                    rows = self.fd_rows[a:b]
                    part.fd_rows.extend(map(operator.sub, rows, repeat(shift, b - a)))
                    part.fd_keys.extend(self.fd_keys[a:b])
                    part.fd_ends.append(len(part.fd_rows))
            start = end
        return head, tail

    def register_blobs(self, blobs: list) -> None:
        """Give this chunk's new blobs their store numbers (once: they go with the chunk)."""
        if self.new_blobs:
            bmap = self.blob_map
            for flat in self.new_blobs:
                bmap.append(len(blobs))
                blobs.append(flat)
            self.new_blobs = []

    def call_rows(self, blobs: list) -> list[tuple]:
        """The calls in CALL_ROW form again (the store's general path takes them), their
        blobs registered first; the rows they give are those the columns give."""
        self.register_blobs(blobs)
        bmap = self.blob_map
        argcols = (self.a0, self.a1, self.a2, self.a3, self.a4, self.a5)

        def as_dict(ix: int) -> dict | None:
            flat = blobs[bmap[ix]] if ix else None
            return dict(zip(flat[::2], flat[1::2], strict=True)) if flat else None

        out = []
        for i in range(self.count):
            flags = self.flags[i]
            nargs = (flags >> NARGS_SHIFT) & 7
            done = bool(flags & F_DONE)
            out.append(
                (
                    self.seqs[i], self.pids[i], self.tids[i], self.nrs[i],
                    tuple(argcols[j][i] for j in range(nargs)), self.starts[i],
                    self.ends[i] if done else 0.0,
                    self.rets[i] if flags & F_HAS_RET else None,
                    self.errnos[i], as_dict(self.mem_ix[i]), as_dict(self.fds_ix[i]), None,
                    done, bool(flags & F_NO_RETURN),
                )
            )  # fmt: skip
        return out
