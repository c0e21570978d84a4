#!/usr/bin/env python3
"""Story: "the tool says 'initialisation failed' and nothing else".

This program mimics a daemon that needs a kernel device (like /dev/vhost-net,
missing when the vhost_net module is not loaded) and an optional config file.
It tries a list of config locations, then opens the device, and on failure
prints only a vague "initialisation failed" and exits 1.

The trace names the culprit at once: openat(AT_FDCWD, "/dev/vhost-net-example",
O_RDWR|O_CLOEXEC) = -1 ENOENT (No such file or directory), after a few
openat() calls on missing config files that were harmless (the program falls
back to defaults). Knowing which failures matter is the point: the errors pane
lists all of them; the last one before exit_group(1) is the one that killed it.

    tracetui python3 examples/open_missing_device.py
Filter ideas: `openat`, or show errors only.
(strace equivalent: strace -f -e trace=openat,exit_group python3 ...)
"""

import os
import sys

CONFIG_PATHS = (
    os.path.expanduser("~/.config/exampled/exampled.conf"),
    "/etc/exampled/exampled.conf",
    "/usr/local/etc/exampled.conf",
)
DEVICE = "/dev/vhost-net-example"


def load_config() -> dict[str, str]:
    for path in CONFIG_PATHS:
        try:
            with open(path) as f:
                return dict(line.strip().split("=", 1) for line in f if "=" in line)
        except OSError:
            continue  # optional: fall back to defaults
    return {"device": DEVICE}


def main() -> int:
    config = load_config()
    try:
        fd = os.open(config.get("device", DEVICE), os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        print("exampled: initialisation failed", file=sys.stderr)
        return 1
    os.close(fd)
    print("exampled: ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
