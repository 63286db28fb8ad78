"""Qt calls whose result is certain to exist, typed that way.

PyQt6's stubs type ``menu.addAction(text)``, ``menu.addMenu(title)`` and
``QGuiApplication.clipboard()`` as maybe ``None``; these helpers make the object
themselves (as Qt does inside those calls) or check it once, so callers need no checks.
"""

from __future__ import annotations

from PyQt6.QtCore import QObject
from PyQt6.QtGui import QAction, QClipboard, QGuiApplication
from PyQt6.QtWidgets import QMenu


def add_action(menu: QMenu, text: str) -> QAction:
    """``menu.addAction(text)``: a new action owned by ``menu``, appended to it."""
    action = QAction(text, menu)
    menu.addAction(action)
    return action


def add_menu(menu: QMenu, title: str) -> QMenu:
    """``menu.addMenu(title)``: a new submenu owned by ``menu``, appended to it."""
    sub = QMenu(title, menu)
    menu.addMenu(sub)
    return sub


def checkable_action(text: str, parent: QObject | None) -> QAction:
    """``QAction(text, parent, checkable=True)``, with the property set by its setter."""
    action = QAction(text, parent)
    action.setCheckable(True)
    return action


def clipboard() -> QClipboard:
    """The application's clipboard (there is one as soon as a QGuiApplication exists)."""
    board = QGuiApplication.clipboard()
    assert board is not None, "no clipboard: create the QApplication first"
    return board
