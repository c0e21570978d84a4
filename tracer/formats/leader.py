"""The start of a line before the call: strace's timestamps (-t, -tt, -ttt, -r)."""

from __future__ import annotations

import time

from tracer.formats.text_options import TextOptions


def _split(t: float, digits: int) -> tuple[int, int]:
    """Seconds and the fraction in units of 10**-digits, truncated as strace does."""
    scale = 10**digits
    units = int(round(t * 1_000_000_000)) // (1_000_000_000 // scale) if digits else int(t)
    return units // scale, units % scale


def absolute(t: float, opts: TextOptions) -> str:
    digits = opts.timestamp_digits
    sec, frac = _split(t, digits)
    text = str(sec) if opts.timestamps == "unix" else time.strftime("%H:%M:%S", time.localtime(sec))
    return f"{text}.{frac:0{digits}d}" if digits else text


def interval(seconds: float, digits: int) -> str:
    """A duration as `%6ld.%06ld` (-r) with the chosen precision."""
    sec, frac = _split(max(seconds, 0.0), digits)
    return f"{sec:6d}.{frac:0{digits}d}" if digits else f"{sec:6d}"


def duration(seconds: float, digits: int) -> str:
    """-T's ` <0.000123>`."""
    sec, frac = _split(max(seconds, 0.0), digits)
    return f" <{sec}.{frac:0{digits}d}>" if digits else f" <{sec}>"


class Leader:
    """Builds the time part of each line; -r measures from the previous line."""

    def __init__(self, opts: TextOptions) -> None:
        self.opts = opts
        self.active = opts.timestamps != "none" or opts.relative_digits is not None
        self._previous: float | None = None

    def text(self, t: float) -> str:
        """The leader of a line at time `t` (`commit` it once the line is printed)."""
        opts = self.opts
        parts = []
        if opts.timestamps != "none":
            parts.append(absolute(t, opts) + " ")
        if opts.relative_digits is not None:
            previous = t if self._previous is None else self._previous
            delta = interval(t - previous, opts.relative_digits)
            parts.append(f"(+{delta}) " if opts.timestamps != "none" else f"{delta} ")
        return "".join(parts)

    def commit(self, t: float) -> None:
        self._previous = t


def list_clock(opts: TextOptions):
    """The app's time column as -t/-tt/-ttt/-r ask: f(time, previous row's time) -> text;
    None keeps the app's own (seconds since the first event)."""
    if opts.timestamps != "none":
        return lambda t, _previous: absolute(t, opts)
    if opts.relative_digits is not None:
        digits = opts.relative_digits
        return lambda t, previous: interval(t - (t if previous is None else previous), digits)
    return None
