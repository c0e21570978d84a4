"""What `pip install .` ships: every stylesheet the app loads must be package data."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch

from conftest import ROOT


def test_every_stylesheet_is_package_data():
    # A .tcss missing from package-data works from the source tree and fails installed
    # (seen: the breakpoints screen's stylesheet).
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    package_data = data["tool"]["setuptools"]["package-data"]
    sheets = sorted((ROOT / "tui").rglob("*.tcss"))
    assert sheets
    for sheet in sheets:
        package = ".".join(sheet.parent.relative_to(ROOT).parts)
        globs = package_data.get(package, [])
        assert any(fnmatch(sheet.name, g) for g in globs), f"{sheet} is not in package-data"
