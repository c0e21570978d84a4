"""C++ and Rust (legacy) symbol demangling through libstdc++'s __cxa_demangle."""

from __future__ import annotations

import ctypes
from functools import lru_cache

from tracer.engine.libc import libc_path


def _load():
    try:
        cxx = ctypes.CDLL("libstdc++.so.6")
        libc = ctypes.CDLL(libc_path())
    except OSError:
        return None, None
    fn = cxx.__cxa_demangle
    fn.restype = ctypes.c_void_p
    fn.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    free = libc.free
    free.argtypes = [ctypes.c_void_p]
    free.restype = None
    return fn, free


_cxa_demangle, _free = _load()


@lru_cache(maxsize=65536)
def demangle(name: str) -> str:
    """The demangled form of an Itanium-mangled name (`_Z...`); other names unchanged."""
    if not name.startswith("_Z") or _cxa_demangle is None:
        return name
    status = ctypes.c_int(0)
    ptr = _cxa_demangle(name.encode(), None, None, ctypes.byref(status))
    if not ptr:
        return name
    try:
        if status.value != 0:
            return name
        text = ctypes.string_at(ptr).decode(errors="replace")
    finally:
        _free(ptr)
    return _strip_rust_hash(text) if name.startswith("_ZN") else text


def _strip_rust_hash(text: str) -> str:
    """Rust legacy names end in `::h<16 hex digits>`; drop it as rustc's demangler does."""
    head, sep, tail = text.rpartition("::h")
    if sep and len(tail) == 16 and all(c in "0123456789abcdef" for c in tail):
        return head
    return text
