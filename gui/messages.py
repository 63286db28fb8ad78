"""Every message box of the app goes through here.

One place decides how the user is told: a dialog in the window, or, when the
window runs headless (``--screenshot``), nothing modal at all, since nobody
could close it. Tests and the monkey test can also route messages elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QMessageBox, QWidget

# (kind, title, text) -> None; None = show a dialog.
_sink: Callable[[str, str, str], None] | None = None
# What ask() answers when there is no one to ask.
_default_answer = False


def route(sink: Callable[[str, str, str], None] | None, answer: bool = False) -> None:
    """Send messages to ``sink`` instead of dialogs (None: dialogs again)."""
    global _sink, _default_answer
    _sink, _default_answer = sink, answer


def message(parent: QWidget | None, title: str, text: str, kind: str = "warning") -> None:
    """Tell the user something: ``kind`` is "warning", "information" or "about"."""
    if _sink is not None:
        _sink(kind, title, text)
        return
    if kind == "information":
        QMessageBox.information(parent, title, text)
    elif kind == "about":
        QMessageBox.about(parent, title, text)
    else:
        QMessageBox.warning(parent, title, text)


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A yes/no question (Yes is the default button)."""
    if _sink is not None:
        _sink("question", title, text)
        return _default_answer
    b = QMessageBox.StandardButton
    return QMessageBox.question(parent, title, text, b.Yes | b.No, b.Yes) == b.Yes
