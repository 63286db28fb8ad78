"""The one way the window tells the user about a problem: a message box, or one line.

Every warning of the GUI goes through ``warning``.  In headless mode (``--screenshot``)
nobody can close a modal box, so instead of showing one the message becomes one line
on stderr and is recorded; the screenshot then exits with status 2 rather than hang.
"""

from __future__ import annotations

import sys
from typing import Any

from PyQt6.QtWidgets import QMessageBox

PROG = "backprop-lens"

_headless = False
_problems: list[str] = []


def set_headless(on: bool) -> None:
    """Headless mode on or off; turning it on forgets earlier problems."""
    global _headless
    _headless = bool(on)
    _problems.clear()


def is_headless() -> bool:
    """True while no dialog may be shown."""
    return _headless


def problems() -> list[str]:
    """The messages reported since headless mode was turned on (one line each)."""
    return list(_problems)


def one_line(title: str, text: str) -> str:
    """``title: text`` on a single line (newlines and runs of spaces folded)."""
    return " ".join(f"{title}: {text}".split())


def warning(parent: Any, title: str, text: str) -> None:
    """A warning box, or in headless mode one line on stderr (recorded, never shown)."""
    if _headless:
        line = one_line(title, text)
        _problems.append(line)
        print(f"{PROG}: error: {line}", file=sys.stderr, flush=True)
        return
    QMessageBox.warning(parent, title, text)
