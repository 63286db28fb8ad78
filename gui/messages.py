"""The one way the window tells the user something: a message box, or one line.

Every message of the GUI goes through ``message`` (``warning`` for problems) and every
yes/no question through ``ask``.  In headless mode (``--screenshot``) nobody can close a
modal box, so instead of showing one a problem becomes one line on stderr and is
recorded (the screenshot then exits with status 2 rather than hang), a notice becomes a
note on stderr, and a question gets its safe answer.  Tests and the monkey test can also
route every message to a function of their own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from PyQt6.QtWidgets import QMessageBox

PROG = "backprop-lens"

_headless = False
_problems: list[str] = []
# (kind, title, text) -> None; None = show a dialog.
_sink: Callable[[str, str, str], None] | None = None
_default_answer = False   # what ask() answers when nobody can be asked


def set_headless(on: bool) -> None:
    """Headless mode on or off; turning it on forgets earlier problems."""
    global _headless
    _headless = bool(on)
    _problems.clear()


def is_headless() -> bool:
    """True while no dialog may be shown."""
    return _headless


def problems() -> list[str]:
    """The problems reported since headless mode was turned on (one line each)."""
    return list(_problems)


def route(sink: Callable[[str, str, str], None] | None, answer: bool = False) -> None:
    """Send messages to ``sink`` instead of dialogs (None: dialogs again)."""
    global _sink, _default_answer
    _sink, _default_answer = sink, answer


def is_routed() -> bool:
    """True while messages go to a function instead of dialogs (tests, the monkey)."""
    return _sink is not None


def one_line(title: str, text: str) -> str:
    """``title: text`` on a single line (newlines and runs of spaces folded)."""
    return " ".join(f"{title}: {text}".split())


def message(parent: Any, title: str, text: str, kind: str = "warning") -> None:
    """Tell the user something: ``kind`` is "warning", "information" or "about"."""
    if _sink is not None:
        _sink(kind, title, text)
        return
    if _headless:
        line = one_line(title, text)
        if kind == "warning":
            _problems.append(line)
            print(f"{PROG}: error: {line}", file=sys.stderr, flush=True)
        else:
            print(f"{PROG}: note: {line}", file=sys.stderr, flush=True)
        return
    if kind == "information":
        QMessageBox.information(parent, title, text)
    elif kind == "about":
        QMessageBox.about(parent, title, text)
    else:
        QMessageBox.warning(parent, title, text)


def warning(parent: Any, title: str, text: str) -> None:
    """A problem: a warning box, or in headless mode one line on stderr (recorded)."""
    message(parent, title, text, "warning")


def ask(parent: Any, title: str, text: str) -> bool:
    """A yes/no question (Yes is the default button); headless: the safe answer, No."""
    if _sink is not None:
        _sink("question", title, text)
        return _default_answer
    if _headless:
        return False
    b = QMessageBox.StandardButton
    return QMessageBox.question(parent, title, text, b.Yes | b.No, b.Yes) == b.Yes
