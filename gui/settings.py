"""Persistent settings (QSettings), the light/dark theme and presentation mode.

Tests and ``--screenshot`` pass an explicit ini file so the user's real
settings are never read or written by them.
"""

from __future__ import annotations

import os
from typing import Any

from PyQt6.QtCore import QSettings
from PyQt6.QtGui import QColor, QPalette
from PyQt6.QtWidgets import QApplication

from engine.experiment import DEFAULT_BATCH, DEFAULT_LR

from .controls import DEFAULT_TRAIN_SPEED

ORGANIZATION = "BackpropLens"
APPLICATION = "Backprop Lens"
THEMES = ("light", "dark")
PRESENTATION_SCALE = 1.45   # font scale for a projector at the back of a lecture hall
# A shorter window gets a smaller presentation scale: at 1.45 on a 1280×800 projector the
# texts left the heatmaps ~40 px. Full scale from FULL_SCALE_HEIGHT px down to
# MIN_PRESENTATION_SCALE at SMALL_HEIGHT px (and below).
FULL_SCALE_HEIGHT, SMALL_HEIGHT, MIN_PRESENTATION_SCALE = 960, 720, 1.2


def presentation_scale(height: int) -> float:
    """The presentation font scale for a window ``height`` px high, in steps of 0.05."""
    t = min(max((height - SMALL_HEIGHT) / (FULL_SCALE_HEIGHT - SMALL_HEIGHT), 0.0), 1.0)
    f = MIN_PRESENTATION_SCALE + t * (PRESENTATION_SCALE - MIN_PRESENTATION_SCALE)
    return round(f * 20) / 20   # coarse steps: a resize drag does not re-font every pixel

# key: (default, type) of every remembered value
DEFAULTS: dict[str, tuple[Any, type]] = {
    "theme": ("light", str),
    "presentation": (False, bool),
    "log_y": (False, bool),
    "x_axis": ("iteration", str),
    "lr": (DEFAULT_LR, float),
    "batch_size": (DEFAULT_BATCH, int),
    "optimizer": ("sgd", str),
    "epochs": (30, int),
    "play_speed": (4.0, float),
    "train_speed": (DEFAULT_TRAIN_SPEED, float),   # iterations per second; 0: max
    "cell_numbers": (True, bool),   # View → Numbers in cells (when they fit)
    "cell_digits": (3, int),
}


def make_qsettings(path: str | os.PathLike[str] | None = None) -> QSettings:
    """The user's settings, or an ini file at ``path`` (tests, screenshots)."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


class AppSettings:
    """Typed access to the remembered settings; bad stored values fall back to defaults."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else make_qsettings()

    def get(self, key: str) -> Any:
        default, typ = DEFAULTS[key]
        raw = self.q.value(key, default)
        try:
            if typ is bool:   # ini files store booleans as the strings "true"/"false"
                return raw if isinstance(raw, bool) else str(raw).lower() == "true"
            return typ(raw)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value: Any) -> None:
        self.q.setValue(key, value)

    def geometry(self):
        return self.q.value("window/geometry"), self.q.value("window/state")

    def set_geometry(self, geometry, state) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    def sync(self) -> None:
        self.q.sync()


def dark_palette() -> QPalette:
    """A plain dark palette for the Fusion style (window chrome only)."""
    p = QPalette()
    base, window, text = QColor(30, 30, 32), QColor(45, 45, 48), QColor(225, 225, 225)
    for role, color in ((QPalette.ColorRole.Window, window),
                        (QPalette.ColorRole.WindowText, text),
                        (QPalette.ColorRole.Base, base),
                        (QPalette.ColorRole.AlternateBase, window),
                        (QPalette.ColorRole.Text, text),
                        (QPalette.ColorRole.Button, window),
                        (QPalette.ColorRole.ButtonText, text),
                        (QPalette.ColorRole.ToolTipBase, window),
                        (QPalette.ColorRole.ToolTipText, text),
                        (QPalette.ColorRole.Highlight, QColor(42, 130, 218)),
                        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
                        (QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))):
        p.setColor(role, color)
    # Disabled fields must look it: the output layer's units box (fixed by the data set)
    # read like an editable "1" with only ButtonText and WindowText greyed.
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Text):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 120))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, window)
    return p


def apply_theme(theme: str) -> None:
    """Light or dark window chrome (the views follow through ``gui.view_theme``)."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    app = QApplication.instance()
    if not isinstance(app, QApplication):   # none yet, or a QCoreApplication: no widgets
        return
    app.setStyle("Fusion")
    fusion = app.style()
    assert fusion is not None   # just set
    app.setPalette(dark_palette() if theme == "dark" else fusion.standardPalette())
