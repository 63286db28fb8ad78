"""One message when training diverges, with the way out as a button: Reset with a smaller α."""

from __future__ import annotations

from typing import Any

from PyQt6.QtWidgets import QMessageBox, QPushButton, QWidget

from . import messages

SHRINK = 10.0   # the α offered: the one that diverged, divided by this


def divergence_box(parent: QWidget | None, message: str, lr: float
                   ) -> tuple[QMessageBox, QPushButton]:
    """The message box (not shown) and its "Reset with α = …" button."""
    text = message[:1].upper() + message[1:]
    box = QMessageBox(QMessageBox.Icon.Warning, "Training diverged", text,
                      QMessageBox.StandardButton.NoButton, parent)
    # Built here, not by addButton(text, role): that overload is typed as maybe None.
    reset = QPushButton(f"Reset with α = {lr / SHRINK:g}")
    box.addButton(reset, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Keep these weights", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reset)
    return box, reset


def offer_reset(parent: QWidget | None, model: Any, message: str) -> bool:
    """Show the engine's message once; on "Reset with α = …" set that α and reset.

    Returns True when the user chose the reset.
    """
    lr = float(model.lr)
    if messages.is_headless() or messages.is_routed():
        messages.warning(parent, "Training diverged", message)   # no box nobody can close
        return False
    box, reset = divergence_box(parent, message, lr)
    try:
        box.exec()
        chosen = box.clickedButton() is reset
    finally:
        box.deleteLater()
    if chosen:
        model.set_lr(lr / SHRINK)
        model.reset()
    return chosen
