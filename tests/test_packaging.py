"""A non-editable install ships every package and every data file (CI also installs the wheel)."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_the_app_is_listed():
    found = {str(p.parent.relative_to(ROOT)).replace("/", ".")
             for top in ("engine", "gui", "cli") for p in (ROOT / top).rglob("__init__.py")}
    assert found <= set(CONFIG["packages"]), found - set(CONFIG["packages"])
    assert CONFIG["package-dir"]["backprop_lens_assets"] == "assets"


def test_every_asset_file_is_package_data():
    globs = CONFIG["package-data"]["backprop_lens_assets"]
    files = [str(p.relative_to(ROOT / "assets")) for p in (ROOT / "assets").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert files, "no data files found"
    missing = [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert missing == []
