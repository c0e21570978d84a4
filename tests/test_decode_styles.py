"""strace's printing styles on values the decoders build by hand: -X raw|verbose (fcntl's
return texts, statx's sync types, device numbers, socket types, inet addresses in bytes,
ioprio, prctl, clock ids, sigevents, real-time signals) and a UNIX socket's path in
-yy under -x/-xx. strace itself is the oracle: both tracers run the same program with
the same options and must print the same lines."""

from __future__ import annotations

import pytest
from decode_oracle import compare_with_strace

pytestmark = [pytest.mark.timeout(120), pytest.mark.usefixtures("tracer_loop")]


@pytest.mark.parametrize(
    "options",
    [["-X", "raw"], ["-X", "verbose"], ["-X", "abbrev"], ["-X", "verbose", "-xx"]],
    ids=["raw", "verbose", "abbrev", "verbose-xx"],
)
def test_hand_built_values_follow_the_constant_style(tmp_path, options):
    lines = compare_with_strace(tmp_path, "styles", ["-f", *options])
    assert any(line.startswith("ioprio_get(") for line in lines)


@pytest.mark.parametrize("hex_opt", ["-x", "-xx"])
def test_unix_socket_paths_in_yy_follow_strings_in_hex(tmp_path, hex_opt):
    lines = compare_with_strace(tmp_path, "styles", ["-f", "-yy", hex_opt])
    assert any(line.startswith("listen(") and "\\xc3\\xa9" in line for line in lines)
