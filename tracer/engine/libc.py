"""Where the C library is, for the modules that call it through ctypes.

By its soname, as the dynamic loader finds it: `ctypes.util.find_library("c")` runs
`ldconfig -p` in a subprocess, milliseconds at every start of tracetui for a name that
is glibc's on x86_64. The lookup remains for a C library with another soname (musl).
"""

from __future__ import annotations

import ctypes
from functools import cache

_GLIBC = "libc.so.6"


@cache
def libc_path() -> str:
    """The name to give `ctypes.CDLL` for the C library."""
    try:
        ctypes.CDLL(_GLIBC)
    except OSError:
        from ctypes.util import find_library

        return find_library("c") or _GLIBC
    return _GLIBC
