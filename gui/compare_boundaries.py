"""Small multiples: each compared run's decision boundary over the same plane.

Draws ``engine.compare.boundary_grids`` output, [(label, xs, ys, score)], with the
training points on top; the output a_L is coloured with the diverging CET-D1 map on
levels 0..1, so the boundary a_L = 0.5 is the neutral colour. Computes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QVBoxLayout, QWidget

COLUMNS = 4


class BoundaryMultiples(QWidget):
    """Up to eight small decision-boundary plots in a grid, one per run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.cmap = pg.colormap.get("CET-D1")
        self.plots: list[pg.PlotItem] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view)
        self.setMinimumSize(240, 120)

    def set_grids(self, grids: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
                  X: np.ndarray | None = None, labels: np.ndarray | None = None) -> None:
        """One plot per (label, xs, ys, score); X (2, N) and int labels are drawn as points."""
        self.view.clear()
        self.plots = []
        for i, (label, xs, ys, score) in enumerate(grids):
            p = self.view.addPlot(row=i // COLUMNS, col=i % COLUMNS, title=label)
            p.hideAxis("left")
            p.hideAxis("bottom")
            p.setAspectLocked(True)
            img = pg.ImageItem(np.asarray(score).T, levels=(0.0, 1.0))  # first index is x
            img.setLookupTable(self.cmap.getLookupTable(nPts=256))
            dx, dy = xs[1] - xs[0], ys[1] - ys[0]
            img.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx,
                               ys[-1] - ys[0] + dy))
            p.addItem(img)
            if X is not None:
                brushes = None if labels is None else [
                    pg.mkBrush("k" if c else "w") for c in np.asarray(labels).ravel()]
                p.addItem(pg.ScatterPlotItem(X[0], X[1], size=4, pen=pg.mkPen("k", width=0.5),
                                             brush=brushes or pg.mkBrush("w")))
            self.plots.append(p)
