"""Buffers print as strace prints them, whichever path (fast or octal) renders them."""

from __future__ import annotations

import random

from tracer.syscalls.fmt import _escape, _escape_octal, _escape_octal_loop


def test_known_buffers_print_as_strace():
    assert _escape(b"/etc/hosts") == "/etc/hosts"
    assert _escape(b'say "hi"\\\n') == 'say \\"hi\\"\\\\\\n'
    assert _escape(b"\t\r\x0b\x0c") == "\\t\\r\\v\\f"
    assert _escape(b"\x00a") == "\\0a"
    assert _escape(b"\x001") == "\\0001"  # three digits when an octal digit follows
    assert _escape(b"\xff") == "\\377"
    assert _escape(b"\x1b[0m") == "\\33[0m"


def test_fast_paths_agree_with_the_octal_loop():
    rng = random.Random(7)
    alphabet = b'ab7 "\\\n\t\r\x0b\x0c\x00\x01\xff'
    for _ in range(5000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert _escape(data) == _escape_octal(data), data


def test_octal_tables_agree_with_the_byte_by_byte_rule():
    """The table-driven escape (and its cache) writes what strace's rule, stated byte
    by byte in `_escape_octal_loop`, writes: every byte value, before and after octal
    digits and other escapes."""
    rng = random.Random(11)
    every_byte = bytes(range(256))
    samples = [every_byte, every_byte[::-1], b"\x7fELF\x02\x01\x01\x03" + bytes(24)]
    samples += [bytes([c, d]) for c in range(256) for d in b"07 8\x00"]
    for _ in range(3000):
        samples.append(
            bytes(rng.choice(b'0178a\\"\n\x00\x01\x1b\x7f\xff') for _ in range(rng.randint(0, 40)))
        )
    for data in samples:
        want = _escape_octal_loop(data)
        assert _escape_octal(data) == want, data
        assert _escape_octal(data) == want, data  # a second time, from the cache


def test_render_cache_reuses_only_what_has_the_same_text():
    from tracer.events import Syscall
    from tracer.syscalls.render import RenderContext, render

    ctx = RenderContext(render_cache={})
    nr = ctx.table.number("write")

    def write(pid: int, data: bytes, ret: int) -> Syscall:
        c = Syscall(0, pid, pid, nr, (1, 0x1000, len(data), 0, 0, 0), 0.0, 0.0, ret, 0)
        c.mem = {1: data}
        c.done = True
        return c

    a = render(write(10, b"abc", 3), ctx)
    assert render(write(11, b"abc", 3), ctx) is a  # another process, the same text
    b = render(write(10, b"abd", 3), ctx)
    assert b is not a and b.args_text() == '1, "abd", 3'
    assert render(write(10, b"abc", 2), ctx).ret == "2"
    listed = write(10, b"abc", 3)
    listed.mem = {1: [b"a", b"bc"]}  # unhashable captures render, uncached
    render(listed, ctx)
    assert len(ctx.render_cache) == 3


def test_x_styles_reach_the_long_tail_helpers():
    # -X raw / -X verbose as strace 6.1 prints them (checked against it):
    # prlimit64(0, 0x3 /* RLIMIT_STACK */, NULL, {rlim_cur=8388608 /* 8192*1024 */, ...
    from tracer.syscalls import fmt
    from tracer.syscalls.decoders.kstructs import xflags, xval
    from tracer.syscalls.decoders.misc import _rlim_value

    table = {3: "RLIMIT_STACK"}
    bits = [(1, "A"), (2, "B")]
    expected = {
        "abbrev": ("RLIMIT_STACK", "0x9 /* X_??? */", "A|B", "8192*1024"),
        "raw": ("0x3", "0x9", "0x3", "8388608"),
        "verbose": (
            "0x3 /* RLIMIT_STACK */",
            "0x9 /* X_??? */",
            "0x3 /* A|B */",
            "8388608 /* 8192*1024 */",
        ),
    }
    try:
        for style, (known, unknown, flagged, rlim) in expected.items():
            fmt.configure(constants=style)
            assert xval(3, table, "X_???") == known
            assert xval(9, table, "X_???") == (unknown if style != "abbrev" else "0x9 /* X_??? */")
            assert xflags(3, bits, "X_???") == flagged
            assert _rlim_value(8 << 20) == rlim
    finally:
        fmt.configure()
