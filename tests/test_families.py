"""Decoder families are imported when a call they handle is first needed
(tracer/syscalls/families.py): the index that says which module registers what must
match the registrations, and a run must decode as if every family were loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT, compile_c, run_tracetui

from tracer.syscalls.family_index import MODULES_BY_SYSCALL


def _python(code: str, *args: str) -> str:
    """Run `code` in a fresh interpreter (no family imported yet); its stdout."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr  # e.g. two modules registering one name
    return done.stdout


def test_the_family_index_matches_what_the_families_register():
    # Regenerate with `python -m tracer.syscalls.families` when this fails.
    scanned = _python(
        "import json\n"
        "from tracer.syscalls.families import scan_registrations\n"
        "print(json.dumps(scan_registrations()))"
    )
    assert {k: tuple(v) for k, v in json.loads(scanned).items()} == MODULES_BY_SYSCALL


# Every registry, as names -> what each name maps to (an object's id is stable in one
# process), for comparing one syscall's registrations before and after other imports.
_SNAPSHOT = """
from tracer.syscalls import capture
from tracer.syscalls.render import DECODERS

def registered(name):
    out = {}
    for key in ("ENTRY_CAPTURES", "EXIT_CAPTURES", "ERROR_CAPTURES", "FD_ARGS",
                "RETURNS_FD_WHEN", "ENTRY_SPECS", "EXIT_SPECS"):
        value = getattr(capture, key).get(name)
        out[key] = None if value is None else id(value)
    out["PYTHON_ONLY"] = name in capture.PYTHON_ONLY
    out["DECODERS"] = id(DECODERS[name]) if name in DECODERS else None
    return out
"""


def test_a_call_s_own_families_register_all_it_will_ever_have():
    # Names' families loaded one after another (cumulatively), then every family:
    # what a name has once its families are in must not change by later imports.
    changed = _python(
        _SNAPSHOT
        + """
import json
from tracer.syscalls.families import load_all_families, load_families
from tracer.syscalls.family_index import MODULES_BY_SYSCALL
from tracer.syscalls.table import get_table

names = sorted(set(MODULES_BY_SYSCALL) | {d.name for d in get_table().by_nr.values()})
first = {}
for name in names:
    load_families((name,))
    first[name] = registered(name)
load_all_families()
print(json.dumps(sorted(n for n in names if registered(n) != first[n])))
"""
    )
    assert json.loads(changed) == []


# Sizes of every module-level table of every loaded tracer module.
_TABLES = """
import importlib, json, sys
from tracer.syscalls.families import load_all_families

if sys.argv[1] == "ALL":
    load_all_families()
else:
    importlib.import_module("tracer.syscalls.decoders." + sys.argv[1])
sizes = {}
for name, module in list(sys.modules.items()):
    if name.startswith("tracer.") and module is not None:
        for attr, value in vars(module).items():
            if isinstance(value, (dict, set, list)) and not attr.startswith("__"):
                sizes[f"{name}.{attr}"] = len(value)
print(json.dumps(sizes))
"""
# The registries themselves, and the families' own bookkeeping: filled by design.
_REGISTRIES = {
    "tracer.syscalls.render.DECODERS",
    "tracer.syscalls.families.REGISTERED_BY",
    "tracer.syscalls.families._loaded_names",
} | {
    f"tracer.syscalls.capture.{r}"
    for r in (
        "ENTRY_CAPTURES",
        "EXIT_CAPTURES",
        "ERROR_CAPTURES",
        "FD_ARGS",
        "PYTHON_ONLY",
        "RETURNS_FD_WHEN",
        "ENTRY_SPECS",
        "EXIT_SPECS",
    )
}


def test_no_family_fills_a_table_another_family_reads_unless_that_one_imports_it():
    # A module that registers into another module's table (sockaddr_families into
    # sockaddr.FAMILIES) is only seen by the families that import it: with families
    # imported one by one, every table a family sees must be as full as with all.
    every = json.loads(_python(_TABLES, "ALL"))
    families = sorted({m for modules in MODULES_BY_SYSCALL.values() for m in modules})
    short = {}
    for family in families:
        alone = json.loads(_python(_TABLES, family))
        short.update(
            {
                f"{family}: {table}": (n, every.get(table))
                for table, n in alone.items()
                if table not in _REGISTRIES and every.get(table) != n
            }
        )
    assert short == {}


NETLINK = r"""
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
int main(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct { struct nlmsghdr nh; struct rtgenmsg g; } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = RTM_GETLINK;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = 1;
    req.g.rtgen_family = AF_UNSPEC;
    struct sockaddr_nl to = { .nl_family = AF_NETLINK };
    sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&to, sizeof to);
    close(fd);
    return 0;
}
"""


def test_a_netlink_request_is_decoded_by_a_run_that_loads_netlink_only_when_it_sees_it(
    tmp_path,
):
    # The families of the traced calls load before tracing (the plan's captures) and the
    # writer renders with them: the sendto line must be strace's, netlink header included
    # (without the socket's protocol, as strace 6.1 prints it: nlmsg_type in hex).
    prog = compile_c(NETLINK, name="netlink_getlink")
    ours = tmp_path / "ours.txt"
    theirs = tmp_path / "strace.txt"
    proc = run_tracetui("--no-ui", "-e", "trace=sendto", "-o", str(ours), str(prog))
    assert proc.returncode == 0, proc.stderr
    subprocess.run(["strace", "-e", "trace=sendto", "-o", str(theirs), str(prog)], check=True)
    line = [s for s in ours.read_text().splitlines() if s.startswith("sendto(")]
    assert "[{nlmsg_len=20, nlmsg_type=" in line[0]  # the netlink decoder's, not a buffer
    assert line == [s for s in theirs.read_text().splitlines() if s.startswith("sendto(")]


def test_a_short_run_imports_only_the_families_of_what_it_traces(tmp_path):
    # Importing every family costs more than a short trace takes (strace's test suite
    # starts tracetui hundreds of times); both processes (tracer and writer) report
    # their imports on stderr.
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "tracer.cli", "--no-ui", "-o", str(tmp_path / "t"), "-e"]
        + ["trace=openat", "true"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    families = {m.rpartition(".")[2] for m in imported if m.startswith("tracer.syscalls.decoders.")}
    assert "file" in families  # openat's
    assert not families & {"ioctl", "netlink", "bpf", "net", "io_uring", "perf", "prctl"}
    assert "tracer.steer.rules" not in imported  # no -e inject=
    assert "sqlite3" not in imported  # no -w, no -r
