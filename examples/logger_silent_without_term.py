#!/usr/bin/env python3
"""Story: "the service logs fine from my shell, but prints nothing under cron/systemd".

A small "service" decides whether to write coloured log lines by checking $TERM
and looking up the terminal's terminfo entry (as curses-based loggers do). When
TERM is unset it takes a silent code path: no terminfo lookup, no log output,
no error. Nothing in its own output tells you why.

The trace tells you: with TERM set you see newfstatat()/stat() calls probing
/etc/terminfo, /lib/terminfo and /usr/share/terminfo for the entry, then
write(1, "[INFO] ...") lines. Without TERM those lookups and writes never
happen; the only hint is the getenv path taken, visible as their absence.

Trace it twice and compare:
    tracetui python3 examples/logger_silent_without_term.py
    tracetui env -u TERM python3 examples/logger_silent_without_term.py
Filter ideas: `stat`, `write`, or `terminfo` in the filter bar.
(strace equivalent: strace -f -e trace=%file,write env -u TERM python3 ...)
"""

import os
import sys
import time

TERMINFO_DIRS = ("/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo")


def find_terminfo(term: str) -> str | None:
    """Look the terminal up the way ncurses does: <dir>/<first letter>/<name>."""
    for base in TERMINFO_DIRS:
        for sub in (term[0], f"{ord(term[0]):x}"):
            path = os.path.join(base, sub, term)
            if os.path.exists(path):
                return path
    return None


def main() -> None:
    term = os.environ.get("TERM")
    if not term:
        # The bug: no terminal -> "no logging needed". Silent by design.
        time.sleep(0.2)
        return
    entry = find_terminfo(term)
    colour = entry is not None
    for i in range(5):
        line = f"[INFO] tick {i} (terminfo: {entry or 'none'})"
        if colour:
            line = f"\x1b[32m{line}\x1b[0m"
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        time.sleep(0.05)


if __name__ == "__main__":
    main()
