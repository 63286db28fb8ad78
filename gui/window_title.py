"""The title bar: "name — Backprop Lens", with Qt's unsaved mark while there is unsaved work."""

from __future__ import annotations

import os
from typing import Any

from PyQt6.QtWidgets import QMainWindow

APP = "Backprop Lens"
UNTITLED = "untitled"


def title_for(path: str | None) -> str:
    """The window title for the session at ``path`` (None: not saved yet).

    ``[*]`` is where Qt draws the unsaved mark ("*") while ``isWindowModified()``.
    """
    name = os.path.basename(path) if path else UNTITLED
    return f"{name}[*] — {APP}"


def track_title(window: QMainWindow, files: Any) -> None:
    """Keep ``window``'s title on ``files``' session (a FileController) and its unsaved state."""
    def update(*_args: Any) -> None:
        window.setWindowTitle(title_for(files.path))
        window.setWindowModified(bool(files.is_dirty))

    files.file_changed.connect(update)
    files.dirty_changed.connect(update)
    update()
