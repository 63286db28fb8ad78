"""Gradient health: per-layer norms over the iterations, and one layer's distributions.

Draws plain data from ``engine.gradient_health``: ``set_norms(iterations, norms)`` with
norms (n, L, 3) = ‖∂C/∂W_ℓ‖_F, mean ‖δ_ℓ‖, update ratio (three stacked plots, log y, one
curve per layer); ``set_health(list of LayerHealth)`` for the histograms of a_ℓ,
σ'_ℓ(z_ℓ) and W_ℓ of the layer chosen in the spin box, with the saturated and dead
shares. It computes nothing; ``example_requested(name)`` asks the window to open one
of the worked examples (``engine.gradient_health.EXAMPLES``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.formulas import sub
from engine.gradient_health import EXAMPLES, histogram

NORM_TITLES = ("‖∂C/∂Wℓ‖", "mean ‖δℓ‖", "update ratio ‖ΔWℓ‖/‖Wℓ‖")
HIST_TITLES = ("aℓ", "σ'ℓ(zℓ)", "Wℓ")
EXAMPLE_NAMES = {"vanishing": "vanishing (deep sigmoid)", "exploding": "exploding (large init)",
                 "dead_relu": "dead ReLUs"}


def layer_colour(l: int, L: int) -> Any:
    """Layer ℓ's colour along viridis, input (dark blue) to output (green-yellow).

    A sequential map: the layers are ordered; the last 15 % (pale yellow) is skipped so
    every curve stands out on white.
    """
    t = 0.85 * (l - 1) / max(L - 1, 1)
    return pg.mkColor(pg.colormap.get("viridis").map(t, mode="qcolor"))


class GradientHealthPanel(QWidget):
    """See the module docstring."""

    example_requested = pyqtSignal(str)
    layer_changed = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.health: list[Any] = []
        self.norm_plots: list[pg.PlotItem] = []
        self.norm_curves: list[list[pg.PlotDataItem]] = [[], [], []]
        self.norms_view = pg.GraphicsLayoutWidget()
        self.norms_view.setBackground("w")
        for i, title in enumerate(NORM_TITLES):
            p = self.norms_view.addPlot(row=i, col=0, title=title)
            p.setLogMode(y=True)
            p.showGrid(x=True, y=True, alpha=0.25)
            p.getAxis("left").enableAutoSIPrefix(False)
            if i:
                p.setXLink(self.norm_plots[0])
            self.norm_plots.append(p)
        self.norm_plots[-1].setLabel("bottom", "iteration")
        # The legend gets a column of its own: over the curves it hid the top layers.
        self.legend = pg.LegendItem(labelTextColor="k")
        self.norms_view.addItem(self.legend, row=0, col=1, rowspan=len(NORM_TITLES))
        self.hist_view = pg.GraphicsLayoutWidget()
        self.hist_view.setBackground("w")
        self.hist_plots = [self.hist_view.addPlot(row=0, col=i, title=t)
                           for i, t in enumerate(HIST_TITLES)]
        self.layer = QSpinBox()
        self.layer.setPrefix("layer ℓ = ")
        self.layer.setRange(1, 1)
        self.layer.valueChanged.connect(self._on_layer_changed)
        self.shares = QLabel()
        self.examples = QComboBox()
        self.examples.addItem("Open a worked example…")
        for name in EXAMPLES:
            self.examples.addItem(EXAMPLE_NAMES[name], name)
        self.examples.activated.connect(self._on_example)
        bar = QHBoxLayout()
        for w in (self.layer, self.shares):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.examples)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.norms_view, 3)
        lay.addLayout(bar)
        lay.addWidget(self.hist_view, 2)
        self.setMinimumSize(320, 320)

    # -- norms over the iterations -------------------------------------------------
    def set_norms(self, iterations: Sequence[int] | np.ndarray, norms: np.ndarray) -> None:
        """Draw (n, L, 3) norms against the iterations; values ≤ 0 are gaps on the log axis."""
        norms = np.asarray(norms, dtype=float)
        x = np.asarray(iterations, dtype=float)
        L = norms.shape[1] if norms.ndim == 3 else 0
        if len(self.norm_curves[0]) != L:
            self.legend.clear()
            for i, p in enumerate(self.norm_plots):
                p.clear()
                self.norm_curves[i] = [
                    p.plot(pen=pg.mkPen(layer_colour(l, L), width=2), connect="finite")
                    for l in range(1, L + 1)]
            for l, c in enumerate(self.norm_curves[0], start=1):
                self.legend.addItem(c, f"ℓ = {l}")
            self.layer.setRange(1, max(L, 1))
        for i, curves in enumerate(self.norm_curves):
            for l, c in enumerate(curves):
                y = norms[:, l, i]
                c.setData(x, np.where(y > 0, y, np.nan))

    # -- one layer's distributions -------------------------------------------------
    def set_health(self, health: Sequence[Any]) -> None:
        """Show the histograms of the chosen layer from a list of ``LayerHealth`` (ℓ = 1..L)."""
        self.health = list(health)
        if self.health:
            self.layer.setRange(1, len(self.health))
        self._draw_layer()

    def _on_layer_changed(self, l: int) -> None:
        self._draw_layer()
        self.layer_changed.emit(l)

    def _draw_layer(self) -> None:
        for p in self.hist_plots:
            p.clear()
        l = self.layer.value()
        if not self.health or l > len(self.health):
            self.shares.setText("")
            return
        h = self.health[l - 1]
        for p, name in zip(self.hist_plots, ("a", "σ'", "W"), strict=True):
            p.setTitle(f"{name}{sub(l)}" + (f"(z{sub(l)})" if name == "σ'" else ""))
        for p, values in zip(self.hist_plots, (h.a, h.sigma_prime, h.W), strict=True):
            if values is None:
                continue   # softmax: no elementwise σ'
            counts, edges = histogram(values)
            if counts.size:
                p.addItem(pg.BarGraphItem(x0=edges[:-1], x1=edges[1:], height=counts,
                                          brush=(70, 110, 200), pen=None))
        parts = [f"{h.activation}"]
        if h.saturated is not None:
            parts.append(f"saturated (σ' < 0.01): {100 * h.saturated:.0f} %")
        if h.dead is not None:
            n = h.a.shape[0]
            parts.append(f"dead units: {round(h.dead * n)} of {n}")
        self.shares.setText(" · ".join(parts))

    def _on_example(self, index: int) -> None:
        name = self.examples.itemData(index)
        self.examples.setCurrentIndex(0)
        if name:
            self.example_requested.emit(str(name))
