"""Shared look of the Backprop Lens views: phase colours, fonts, the colour map.

Every view imports its colours and fonts from here so that "forward" is the
same blue in the graph, the matrix frames and the formula panel.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtGui import QColor, QFont

# One colour per phase of the stepper's plan (StepInfo.phase).
PHASE_COLORS: dict[str, str] = {
    "forward": "#1f6fd1",   # blue
    "loss": "#c0392b",      # red
    "backward": "#e67e22",  # orange
    "update": "#2e9e44",    # green
}
NEUTRAL = "#9a9a9a"
SELECTED = "#6a3d9a"        # the layer the user picked (not a phase colour)
TEXT = "#222222"
MUTED = "#777777"
BACKGROUND = "#ffffff"
# The paper colours per theme (views read style.TEXT & co. when they draw, so a theme
# change shows at the next redraw; see use_theme). Phase colours are the same in both.
PAPER = {"light": {"TEXT": "#222222", "MUTED": "#777777", "BACKGROUND": "#ffffff",
                   "NEUTRAL": "#9a9a9a"},
         "dark": {"TEXT": "#e4e4e4", "MUTED": "#a6a6a6", "BACKGROUND": "#1f1f22",
                  "NEUTRAL": "#8c8c8c"}}
THEME = "light"


CMAP_NAME = "CET-D1"
BASE_POINT_SIZE = 11.0
NOT_COMPUTED = "not computed yet"


def use_theme(theme: str) -> None:
    """Switch the paper colours (TEXT, MUTED, BACKGROUND, NEUTRAL) and pyqtgraph's defaults."""
    global TEXT, MUTED, BACKGROUND, NEUTRAL, THEME
    if theme not in PAPER:
        raise ValueError(f"theme must be one of {', '.join(PAPER)}, got {theme!r}")
    THEME = theme
    c = PAPER[theme]
    TEXT, MUTED, BACKGROUND, NEUTRAL = c["TEXT"], c["MUTED"], c["BACKGROUND"], c["NEUTRAL"]
    pg.setConfigOptions(background=BACKGROUND, foreground=MUTED)   # plots made from now on


def is_dark() -> bool:
    return THEME == "dark"


def phase_color(phase: str | None) -> QColor:
    """The colour for a phase name; grey for unknown or ``None``."""
    return QColor(PHASE_COLORS.get(phase or "", NEUTRAL))


def diverging_cmap() -> pg.ColorMap:
    """The house diverging map (zero is the neutral middle colour)."""
    return pg.colormap.get(CMAP_NAME)


def symmetric_levels(arr: np.ndarray | None) -> tuple[float, float]:
    """Colour levels ±max|x| so zero sits on the neutral colour.

    Falls back to ±1 for an all-zero or non-finite array, where any span would
    do and a zero span would make pyqtgraph divide by zero.
    """
    if arr is None or arr.size == 0:
        return (-1.0, 1.0)
    m = float(np.nanmax(np.abs(arr))) if np.isfinite(arr).any() else 0.0
    if not np.isfinite(m) or m == 0.0:
        m = 1.0
    return (-m, m)


def font(scale: float = 1.0, delta: float = 0.0, bold: bool = False,
         family: str | None = None) -> QFont:
    """A QFont of the house base size times ``scale`` plus ``delta`` points."""
    f = QFont(family) if family else QFont()
    f.setPointSizeF(max(6.0, (BASE_POINT_SIZE + delta) * scale))
    f.setBold(bold)
    return f


def fmt(x: float) -> str:
    """A compact number for tooltips and labels (4 significant digits)."""
    return f"{x:.4g}"
