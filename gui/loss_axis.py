"""The loss plot's axes: opaque grid lines, and collision-free power-of-ten ticks in log mode."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PyQt6.QtGui import QColor, QFontMetricsF, QPen

from .log_ticks import log_ticks


class LossAxis(pg.AxisItem):
    """An AxisItem for the loss plot.

    - Its translucent grid lines are drawn as the opaque colour they show: Qt's
      raster engine draws a translucent cosmetic line about 20 times slower than an
      opaque one (pyqtgraph's three-level grid over a 1000×500 plot cost ~15 ms per
      repaint; pre-blended, well under 1 ms). The grid sits under the curves.
    - In log mode its ticks come from ``gui.log_ticks``: every label a power of
      ten (``10⁻³``, ``2×10⁻³``), spaced so that no two labels overlap, the other
      ticks unlabelled.
    """

    def __init__(self, orientation: str, background: QColor) -> None:
        super().__init__(orientation)
        self._bg = background
        self._pens: dict[int, QPen] = {}
        self._labels: dict[float, str] = {}

    def set_background(self, background: QColor) -> None:
        """The colour grid lines are blended with (after a theme change)."""
        self._bg = QColor(background)
        self._pens.clear()
        self.picture = None
        self.update()

    def text_height(self) -> float:
        """Height of one tick label in pixels, with the tick font."""
        font = self.style["tickFont"] or self.font()
        return QFontMetricsF(font).height()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> Any:  # noqa: N802, N803
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        labelled, minor = log_ticks(minVal, maxVal, size, self.text_height())
        self._labels = {round(v, 9): t for v, t in labelled}
        return [(1.0, [v for v, _ in labelled]), (None, minor)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> Any:  # noqa: N802
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [self._labels.get(round(v, 9), "") for v in values]

    def generateDrawSpecs(self, p: Any) -> Any:  # noqa: N802 - pyqtgraph's name
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        texts = [t for t in texts if t[2]]   # unlabelled minor ticks
        return axis, [(self._opaque(pen), p1, p2) for pen, p1, p2 in ticks], texts

    def _opaque(self, pen: QPen) -> QPen:
        c = pen.color()
        if c.alpha() == 255:
            return pen
        key = c.rgba()
        if key not in self._pens:
            a, bg = c.alphaF(), self._bg
            blended = QColor.fromRgbF(*(a * f + (1 - a) * g for f, g in (
                (c.redF(), bg.redF()), (c.greenF(), bg.greenF()), (c.blueF(), bg.blueF()))))
            out = QPen(pen)
            out.setColor(blended)
            self._pens[key] = out
        return self._pens[key]
