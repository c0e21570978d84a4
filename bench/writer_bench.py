"""The headless writer process's CPU per event, measured on a recorded stream.

    # once: trace a program, keeping every batch the writer process receives
    python bench/writer_bench.py record STREAM -- PROG ARGS...
    # then: replay those batches through a fresh CallAssembler + writer (io.StringIO)
    python bench/writer_bench.py replay STREAM [--repeat N] [--profile] [--out FILE]
        [-- TRACETUI OPTIONS]   # the writer's options, e.g. -f -tt -T -o x (default: -f -o x)

`replay` does what `_writer_main` does per batch (unmarshal, `decode`, assemble,
`write`), times it with `time.process_time` and prints CPU microseconds per event;
`--out` saves the text so two versions of the writer can be compared byte for byte.
"""

from __future__ import annotations

import argparse
import io
import marshal
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

_LEN = struct.Struct("<BQ")


def record(stream: str, command: list[str]) -> int:
    import tracer.formats.pipeline as pl
    from tracer.cli import main

    original = pl._writer_main

    class Recorder:  # stands in for `marshal` and `pickle` in the writer process
        def __init__(self, module, codec: int, f) -> None:
            self.module, self.codec, self.f = module, codec, f

        def __getattr__(self, name):
            return getattr(self.module, name)

        def loads(self, blob):
            self.f.write(_LEN.pack(self.codec, len(blob)))
            self.f.write(blob)
            return self.module.loads(blob)

    def wrapped(*a, **k):
        import pickle

        with open(stream, "wb") as f:
            pl.marshal = Recorder(marshal, 0, f)
            pl.pickle = Recorder(pickle, 1, f)
            return original(*a, **k)

    pl._writer_main = wrapped
    return main(["--no-ui", "-f", "-o", "/dev/null", "--", *command])


def load(stream: str) -> list[tuple[int, bytes]]:
    blobs = []
    with open(stream, "rb") as f:
        data = f.read()
    off = 0
    while off < len(data):
        codec, n = _LEN.unpack_from(data, off)
        off += _LEN.size
        blobs.append((codec, data[off : off + n]))
        off += n
    return blobs


def make(options: list[str]):
    """A writer as `tracetui --no-ui OPTIONS -- true` would make it, writing to a StringIO."""
    from tracer import cli
    from tracer.steer.cli_options import spell_strace_long

    parser = cli.build_parser()
    argv = ["--no-ui", *options, "--", "true"]
    args = cli._session_read_option(parser, spell_strace_long(parser, argv))
    opts = cli.options_from_args(args)
    fd = os.open(os.devnull, os.O_WRONLY)
    writer = cli.make_writer(opts, args, fd)
    writer.out.close()
    writer.out = io.StringIO()
    return writer


def replay_once(blobs, options: list[str]) -> tuple[float, int, str]:
    import pickle

    from tracer.engine.core_records import unpack_core_batch
    from tracer.engine.stream import CallAssembler
    from tracer.formats.pipeline import decode

    writer = make(options)
    assembler = CallAssembler(unpack_core_batch)
    events = 0
    t0 = time.process_time()
    for codec, blob in blobs:
        batch = marshal.loads(blob) if codec == 0 else pickle.loads(blob)
        evs = assembler.feed([decode(item) for item in batch])
        events += len(evs)
        writer.write(evs)
        writer.flush()
    cpu = time.process_time() - t0
    return cpu, events, writer.out.getvalue()


def replay(stream: str, repeat: int, profile: bool, out: str | None, options: list[str]) -> None:
    from tracer.formats.pipeline import _collect_rarely
    from tracer.syscalls.render import load_decoders

    load_decoders()
    _collect_rarely()  # as the writer process does once it has its writer
    blobs = load(stream)
    best = None
    for _ in range(repeat):
        cpu, events, text = replay_once(blobs, options)
        best = cpu if best is None else min(best, cpu)
    print(
        f"{len(blobs)} batches, {events} events, {text.count(chr(10))} lines: "
        f"best {best * 1e3:.1f} ms CPU, {best / max(events, 1) * 1e6:.2f} us/event"
    )
    if out:
        with open(out, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(text)
    if profile:
        import cProfile
        import pstats

        pr = cProfile.Profile()
        pr.enable()
        replay_once(blobs, options)
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(25)


def main() -> None:
    argv = sys.argv[1:]
    rest: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, rest = argv[:i], argv[i + 1 :]
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("record", "replay"))
    p.add_argument("stream")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--profile", action="store_true")
    p.add_argument("--out")
    a = p.parse_args(argv)
    if a.mode == "record":
        sys.exit(record(a.stream, rest))
    replay(a.stream, a.repeat, a.profile, a.out, rest or ["-f", "-o", "x"])


if __name__ == "__main__":
    main()
