"""The long tail: calls whose arguments are plain C values, flags and enums, as a table.

Each row gives, per argument, how strace prints it: its C type (`int` fd, `unsigned
int`, `long`, `size_t`, a pointer printed as `NULL` or an address) or a named-constant
table with the `/* X_??? */` comment strace adds for unknown values and bits. A
string argument is read at entry, as data (`capture.Read`), so the C core can take
these calls whole. Calls with no row and no family decoder still print their words
at their prototype's types (`tracer/syscalls/prototypes.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tracer.events import Syscall
from tracer.syscalls import fmt
from tracer.syscalls.capture import LIMIT_PATH, LIMIT_STR, Cwd, Read, declare_entry, fd_args
from tracer.syscalls.prototypes import typed_arg
from tracer.syscalls.render import Arg, Decoded, RenderContext, decoder
from tracer.syscalls.xlat import longtail as x

from .arguments import dirfd_arg
from .kstructs import xflags


@dataclass(frozen=True, slots=True)
class Flags:
    """Bits named from `table`; `unknown` is the comment for a value with no known bit."""

    table: Sequence[tuple[int, str]]
    unknown: str
    width: int = 32
    zero: str = "0"


@dataclass(frozen=True, slots=True)
class Enum:
    """A value named from `table`; an unknown one as `0x2a /* X_??? */`, or as a plain
    decimal number when `unknown` is empty."""

    table: Mapping[int, str]
    unknown: str
    width: int = 32
    signed: bool = False


@dataclass(frozen=True, slots=True)
class Buf:
    """Bytes whose length is argument `size_arg`, shown as a string cut at -s."""

    size_arg: int


@dataclass(frozen=True, slots=True)
class Str:
    """A NUL-terminated string: a path (never cut) or text cut at -s."""

    path: bool = True


Spec = str | Flags | Enum | Str | Buf


def _masked(raw: int, width: int) -> int:
    return raw & ((1 << width) - 1)


def _arg(call: Syscall, ctx: RenderContext, i: int, spec: Spec) -> Arg:
    raw = call.args[i]
    if spec == "F":  # a dirfd: AT_FDCWD with the cwd under -y
        return dirfd_arg(call, ctx, raw)
    if spec == "swapflags":  # flags above, the priority in the low 15 bits
        v = raw & 0xFFFFFFFF
        flags = v & ~0x7FFF
        text = f"{fmt._flags(flags, x.SWAP_FLAGS)}|{v & 0x7FFF}" if flags else str(v)
        return Arg(text, raw, "flags", v)
    if isinstance(spec, str):
        return typed_arg(call, ctx, raw, spec)
    if isinstance(spec, Flags):
        v = _masked(raw, spec.width)
        if spec.unknown:
            text = xflags(v, spec.table, spec.unknown, spec.zero)
        else:  # strace adds no comment for these
            text = fmt._flags(v, spec.table, spec.zero)
        if fmt.STYLE.constants != "abbrev" and v:
            text = fmt.styled_constant(v, text.split(" /* ")[0] if "/*" in text else text)
        return Arg(text, raw, "flags", text)
    if isinstance(spec, Enum):
        v = _masked(raw, spec.width)
        if spec.signed and v >> (spec.width - 1):
            v -= 1 << spec.width
        name = spec.table.get(v)
        if name is None and not spec.unknown:
            text = str(v)
        elif name is None:
            number = f"{v:#x}" if v > 0 else str(v)
            text = f"{number} /* {spec.unknown} */"
        else:
            text = fmt.styled_constant(v, name) if fmt.STYLE.constants != "abbrev" else name
        return Arg(text, raw, "flags", name)
    data = (call.mem or {}).get(i)
    if isinstance(spec, Buf):
        size = call.args[spec.size_arg] & 0xFFFFFFFFFFFFFFFF
        return Arg(fmt.quote_buffer(data, size, ctx.strsize, raw), raw, "buf", data)
    value = data.decode("utf-8", "surrogateescape") if data is not None else None
    if spec.path:  # the value as text, as -P compares paths
        return Arg(fmt.quote_path(data, raw), raw, "path", value)
    return Arg(fmt.quote_cstr(data, ctx.strsize, raw), raw, "str", value)


def _decode(call: Syscall, ctx: RenderContext) -> Decoded:
    name = ctx.table.get(call.nr).name  # type: ignore[union-attr]
    args = [_arg(call, ctx, i, s) for i, s in enumerate(SPECS[name])]
    ret = None
    if name in _ADDRESS_RETURNS and call.ret is not None and not call.error:
        ret = fmt.pointer(call.ret & 0xFFFFFFFFFFFFFFFF)
    return Decoded(args, ret=ret)


# Calls returning an address (strace prints it in hex).
_ADDRESS_RETURNS = frozenset({"shmat"})


CLONE_NEW = Flags(x.CLONE_NEW_FLAGS, "CLONE_NEW???")
KEY_SERIAL = Enum(x.KEY_SPECIAL_IDS, "", signed=True)

SPECS: dict[str, tuple[Spec, ...]] = {
    "setns": ("f", CLONE_NEW),
    "unshare": (Flags(x.UNSHARE_FLAGS, "CLONE_???", 64),),
    "pkey_alloc": ("x", Flags(x.PKEY_ACCESS, "PKEY_???", 64)),
    "pkey_free": ("i",),
    "iopl": ("i",),
    "ioperm": ("x", "x", "i"),
    "process_mrelease": ("f", "X"),
    "memfd_secret": (Flags(x.MEMFD_SECRET_FLAGS, ""),),
    "userfaultfd": (Flags(x.UFFD_FLAGS, "UFFD_???"),),
    "getpgid": ("i",),
    "getsid": ("i",),
    "setpgid": ("i", "i"),
    "landlock_restrict_self": ("f", "X"),
    "io_destroy": ("x",),
    "delete_module": (Str(path=False), Flags(x.DELETE_MODULE_FLAGS, "O_???")),
    "pivot_root": (Str(), Str()),
    "swapon": (Str(), "swapflags"),
    "mq_unlink": (Str(),),
    "fsmount": ("f", Flags(x.FSMOUNT_FLAGS, "FSMOUNT_???"), Flags(x.MOUNT_ATTR, "MOUNT_ATTR_???")),
    "fsopen": (Str(path=False), Flags(x.FSOPEN_FLAGS, "FSOPEN_???")),
    "set_mempolicy_home_node": ("p", "U", "U", "x"),
    "init_module": ("p", "U", Str(path=False)),
    "open_tree": ("F", Str(), Flags(x.OPEN_TREE_FLAGS, "OPEN_TREE_???")),
    "fspick": ("F", Str(), Flags(x.FSPICK_FLAGS, "FSPICK_???")),
    "move_mount": ("F", Str(), "F", Str(), Flags(x.MOVE_MOUNT_FLAGS, "MOVE_MOUNT_???")),
    "shmat": ("i", "p", Flags(x.SHMAT_FLAGS, "SHM_???")),
    "shmdt": ("p",),
    "add_key": (Str(path=False), Str(path=False), Buf(3), "U", KEY_SERIAL),
    "request_key": (Str(path=False), Str(path=False), Str(path=False), KEY_SERIAL),
    "finit_module": ("f", Str(path=False), Flags(x.MODULE_INIT_FLAGS, "MODULE_INIT_???")),
}


def _read(i: int, spec: Spec) -> Read | None:
    """What memory an argument needs read at entry, as data."""
    if isinstance(spec, Str):
        return Read(i, i, LIMIT_PATH if spec.path else LIMIT_STR, cstr=True, null_skip=True)
    if isinstance(spec, Buf):
        return Read(i, i, size_arg=spec.size_arg, cap=LIMIT_STR, null_skip=True, exact=True)
    return None


for _name, _specs in SPECS.items():
    _reads: list = [r for i, s in enumerate(_specs) if (r := _read(i, s)) is not None]
    _dirfds = tuple(i for i, s in enumerate(_specs) if s == "F")
    if _dirfds:
        _reads.append(Cwd(_dirfds))
    if _reads:
        declare_entry(_name, *_reads)
    _fds = tuple(i for i, s in enumerate(_specs) if s in ("f", "F"))
    if _fds:
        fd_args(_fds, _name)
decoder(*SPECS)(_decode)

__all__ = ["SPECS", "Buf", "Enum", "Flags", "Str"]
