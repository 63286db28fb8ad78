"""The import contract: the engine (and the Experiment in it) never imports Qt.

napari keeps its models free of Qt with a contract in its pyproject; here two tests do
the same: every module of engine/ imported in a fresh interpreter loads no Qt, and no
import statement anywhere in engine/ (at the top or inside a function) names Qt.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "engine"
QT = ("PyQt6", "PyQt5", "PySide6", "PySide2", "pyqtgraph", "gui")


def test_importing_every_engine_module_loads_no_qt():
    code = ("import importlib, pkgutil, sys, engine\n"
            "names = [m.name for m in pkgutil.walk_packages(engine.__path__, 'engine.')]\n"
            "for n in names: importlib.import_module(n)\n"
            f"bad = [m for m in sys.modules if m.split('.')[0] in {QT!r}]\n"
            "print(len(names), bad); sys.exit(1 if bad or 'engine.experiment' not in names "
            "else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=ENGINE.parent)
    assert r.returncode == 0, r.stdout + r.stderr
    assert int(r.stdout.split()[0]) >= 20   # it really walked the package


def test_no_engine_source_names_qt_in_an_import():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] in QT]
    assert offenders == []
