"""Real consumers of our exports, installed from npm into pytest's cache and run by node.

- speedscope (its importers, loaded from its browser bundle by consumers/speedscope_import.js)
  reads the Chrome/Perfetto trace event JSON.
- The Firefox Profiler's own command-line tool (`@firefox-devtools/profiler-cli`, built
  from the profiler's sources: the loading, upgrading and call-tree code that
  profiler.firefox.com runs when a file is dropped on it) reads the Firefox export.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

CONSUMERS = Path(__file__).parent / "consumers"


def npm_package(config: pytest.Config, name: str, version: str) -> Path:
    """`name@version` from npm, installed once into pytest's cache directory; its folder."""
    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        pytest.fail("node and npm are needed to check exports (.ci/run installs them)")
    slug = name.replace("@", "").replace("/", "-")
    root = Path(config.cache.mkdir(f"{slug}-{version}"))
    package = root / "node_modules" / name
    if not (package / "package.json").exists():
        done = subprocess.run(
            [npm, "install", "--prefix", str(root), "--no-audit", "--no-fund", "--silent"]
            + [f"{name}@{version}"],
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, f"npm install {name} failed: {done.stderr}"
    assert json.loads((package / "package.json").read_text())["version"] == version
    return package


def speedscope_import(package: Path, file: Path) -> dict:
    """What speedscope's importer made of `file` (see consumers/speedscope_import.js)."""
    done = subprocess.run(
        ["node", str(CONSUMERS / "speedscope_import.js"), str(package), str(file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class FirefoxProfilerCli:
    """One profile loaded by the Firefox Profiler's command-line tool, queried as JSON.

    The tool keeps the profile in a daemon and its commands talk to it over a socket.
    `profiler-cli load` gives the daemon half a second to start, which node loading a
    1.3 MB bundle on a busy 2-CPU machine can miss; so the daemon is started here in
    the foreground form the tool's own messages name (`--daemon FILE --session ID`),
    as our child, and waited for as long as it needs. Its session directory is a
    private one under /tmp (the socket path must stay under 108 bytes).
    """

    SESSION = "tracetui"

    def __init__(self, package: Path, profile: Path, timeout: float = 120) -> None:
        self.script = package / "dist" / "profiler-cli.js"
        self.dir = Path(tempfile.mkdtemp(prefix="pq-", dir="/tmp"))
        self.env = dict(os.environ, PROFILER_CLI_SESSION_DIR=str(self.dir))
        self.log = self.dir / "daemon.out"
        with self.log.open("wb") as out:
            self.daemon = subprocess.Popen(
                ["node", str(self.script), "--daemon", str(profile), "--session", self.SESSION],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_loaded(timeout)
        except BaseException:
            self.close()
            raise

    def _wait_loaded(self, timeout: float) -> None:
        """Until the daemon says the profile is loaded, then until `status` answers.

        Not `status` from the start: asked before the daemon has written its session's
        metadata, the tool takes the session for a dead one and deletes its files, the
        socket among them, and the daemon, still running, is never found again
        ("Unknown session" for as long as one waits; seen in about one run in five)."""
        deadline = time.monotonic() + timeout
        while True:
            said = self.daemon_log()
            assert "Failed to load profile" not in said, (
                f"the Firefox Profiler refused the file: {said}"
            )
            if "Profile loaded successfully" in said:
                break
            assert self.daemon.poll() is None, (
                f"the profiler's daemon ended ({self.daemon.returncode}): {said}"
            )
            assert time.monotonic() < deadline, f"the profiler did not load the file: {said}"
            time.sleep(0.1)
        while True:
            done = self._run("status")
            if done.returncode == 0:
                return
            assert time.monotonic() < deadline, (
                f"the profiler's daemon does not answer: {done.stdout}{done.stderr}; "
                f"its daemon said: {self.daemon_log()}"
            )
            time.sleep(0.2)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["node", str(self.script), *args, "--session", self.SESSION],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def daemon_log(self) -> str:
        """What the daemon said while it ran (its own log file, and its output)."""
        logs = [*self.dir.glob("*.log"), self.log]
        return "".join(f.read_text(errors="replace") for f in logs if f.exists())

    def query(self, *args: str) -> dict:
        """A command's JSON answer (`thread list`, `thread info --thread t-1`, ...)."""
        done = self._run(*args, "--json")
        assert done.returncode == 0, f"profiler-cli {' '.join(args)}: {done.stderr}"
        return json.loads(done.stdout)

    def close(self) -> None:
        """Stop the daemon (asked, then killed if it lingers) and remove its directory."""
        if self.daemon.poll() is None:
            self._run("stop")
            try:
                self.daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
