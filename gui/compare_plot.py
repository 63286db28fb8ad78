"""Overlaid loss curves of runs compared side by side, and their PNG/SVG export.

Draws what ``engine.compare.loss_curves`` returns, (x-axis name, [(label, x, loss)]);
it computes nothing. Exports go through pyqtgraph's exporters into memory and are
written with ``engine.fileio.atomic_write_bytes``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PyQt6.QtCore import QBuffer, QIODevice, Qt
from PyQt6.QtGui import QColor, QFont
from PyQt6.QtWidgets import QVBoxLayout, QWidget

from engine.fileio import BadFileError, atomic_write_bytes

from .loss_axis import LossAxis
from .loss_export import ensure_app

# Okabe-Ito colours (distinct for colour-blind readers), then two more for runs 7 and 8.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#999999")
STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine)
PLOT_TYPES = (".png", ".svg")
Curve = tuple[str, np.ndarray, np.ndarray]


class ComparePlotWidget(QWidget):
    """Loss of several runs against iteration or epoch, one labelled curve per run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The loss plot's axes: on a log axis every label is a power of ten, none overlap.
        self.plot_widget = pg.PlotWidget(background="w", axisItems={
            side: LossAxis(side, QColor("white")) for side in ("left", "bottom")})
        self.plot_item = self.plot_widget.getPlotItem()
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        self.plot_item.setLabel("left", "loss C", color="#222")
        for side in ("left", "bottom"):
            self.plot_item.getAxis(side).setTextPen("k")
            self.plot_item.getAxis(side).enableAutoSIPrefix(False)  # no "(x0.001)" in labels
            self.plot_item.getAxis(side).setStyle(tickFont=QFont())  # measured for spacing
        # An opaque box: with eight runs the legend otherwise sits on top of the curves.
        self.legend = self.plot_item.addLegend(offset=(-10, 10), labelTextColor="k",
                                               brush=pg.mkBrush(255, 255, 255, 230),
                                               pen=pg.mkPen(180, 180, 180))
        self.curves: list[pg.PlotDataItem] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot_widget)
        # A fixed minimum keeps Qt from asking the (offscreen) platform to propagate size hints.
        self.setMinimumSize(240, 160)

    def set_curves(self, x_name: str, curves: Sequence[Curve], log_y: bool = False) -> None:
        """Replace the curves; a loss ≤ 0 is hidden on a log axis."""
        self.plot_item.clear()
        self.legend.clear()
        self.curves = []
        self.plot_item.setLogMode(x=False, y=log_y)
        self.plot_item.setLabel("bottom", x_name, color="#222")
        for i, (label, x, y) in enumerate(curves):
            y = np.asarray(y, dtype=float)
            if log_y:
                y = np.where(y > 0, y, np.nan)
            pen = pg.mkPen(PALETTE[i % len(PALETTE)], width=1.5,
                           style=STYLES[(i // len(PALETTE)) % len(STYLES)])
            item = self.plot_item.plot(np.asarray(x, dtype=float), y, pen=pen, name=label,
                                       connect="finite")
            self.curves.append(item)
        self.plot_item.enableAutoRange()

    def export_bytes(self, ext: str, width: int) -> bytes:
        """The plot as .png or .svg file contents."""
        if ext == ".svg":
            ex = pg.exporters.SVGExporter(self.plot_item)
            ex.parameters()["width"] = float(width)
            data = ex.export(toBytes=True)
            return bytes(data)
        ex = pg.exporters.ImageExporter(self.plot_item)
        ex.parameters()["width"] = int(width)
        image = ex.export(toBytes=True)
        buf = QBuffer()
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buf, "PNG"):
            raise OSError("the PNG encoder failed")
        return bytes(buf.data().data())

    def export(self, path: str | os.PathLike[str], width: int = 1200) -> None:
        """Write .png or .svg atomically."""
        ext = Path(path).suffix.lower()
        if ext not in PLOT_TYPES:
            raise BadFileError(path, f"cannot export a comparison plot as {ext or '(none)'!r}; "
                                     f"use {', '.join(PLOT_TYPES)}")
        atomic_write_bytes(path, self.export_bytes(ext, width))


def export_compare_plot(x_name: str, curves: Sequence[Curve], path: str | os.PathLike[str], *,
                        log_y: bool = False, width: int = 1200, height: int | None = None
                        ) -> None:
    """Export overlaid curves without a window (for the CLI)."""
    app: Any = ensure_app()
    w = ComparePlotWidget()
    try:
        w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        w.resize(int(width), int(height or round(width * 0.6)))
        w.set_curves(x_name, curves, log_y)
        w.show()
        app.processEvents()
        w.export(path, width)
    finally:
        w.close()
        w.deleteLater()
        app.processEvents()
