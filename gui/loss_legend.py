"""Where the loss plot's legend goes: under the plot, or in the corner the curves leave free.

Under the plot it never hides a curve, but in a short dock (1280×720: ~180 px) a legend
of two or three rows left the curves a sliver. So: one row under the plot when all
entries fit the width; otherwise inside the plot, one entry per row, in the corner
holding the fewest drawn points (top right when tied: loss curves fall from the left);
in a plot so small that the legend would cover more than ``MAX_COVER`` of it, no legend.
Two LegendItems with the same entries, one of them shown: moving one item between a
layout and an anchor in the view left it anchored to the view.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

# (item anchor = parent anchor, offset in px) for the four corners, top right first.
CORNERS = (((1, 0), (-8, 8)), ((0, 0), (8, 8)), ((1, 1), (-8, -8)), ((0, 1), (8, -8)))
SPACING = 12   # px between a legend sample, its label and the next entry
MAX_COVER = 0.3  # largest share of the plot area a legend inside it may cover


def one_row_width(legend: pg.LegendItem) -> float:
    """Width of all entries side by side: samples, labels and the spacing between them."""
    return sum(sample.boundingRect().width() + label.minimumWidth() + 2 * SPACING
               for sample, label in legend.items) + 30   # the layouts' margins


def points_in(rect: Any, curves: list[pg.PlotDataItem]) -> int:
    """How many drawn points of ``curves`` fall in ``rect`` (view coordinates)."""
    n = 0
    for c in curves:
        x, y = c.getData()   # what is drawn: clipped and downsampled, log10 applied
        if x is None or len(x) == 0:
            continue
        inside = ((x >= rect.left()) & (x <= rect.right())
                  & (y >= rect.top()) & (y <= rect.bottom()))
        n += int(np.count_nonzero(inside))
    return n


class LegendPlacer:
    """The loss plot's legend: ``below`` (a row of ``layout``) or ``inside`` (a corner)."""

    def __init__(self, layout: pg.GraphicsLayout, plot: pg.PlotItem,
                 curves: list[pg.PlotDataItem]) -> None:
        self.layout, self.plot, self.curves = layout, plot, curves
        style = {"labelTextColor": "k", "horSpacing": SPACING, "pen": pg.mkPen(None)}
        self.below = pg.LegendItem(**style)
        self.inside_legend = pg.LegendItem(brush=pg.mkBrush(255, 255, 255, 215), **style)
        self.inside_legend.setParentItem(plot.vb)
        self.inside_legend.hide()
        for c in curves:
            self.add(c)
        layout.addItem(self.below, row=1, col=0)
        self.inside = False
        self.corner = 0
        # A new size or range of the view frees other corners (and the first choice is
        # made before the view has its final size).
        plot.vb.sigResized.connect(self._on_view_changed)
        plot.vb.sigRangeChanged.connect(self._on_view_changed)

    def _on_view_changed(self, *_args: Any) -> None:
        if self.inside:
            self.choose_corner()

    @property
    def legends(self) -> tuple[pg.LegendItem, pg.LegendItem]:
        return self.below, self.inside_legend

    def listed(self, curve: pg.PlotDataItem) -> bool:
        return any(sample.item is curve for sample, _ in self.below.items)

    def add(self, curve: pg.PlotDataItem) -> None:
        for legend in self.legends:
            legend.addItem(curve, curve.name())

    def remove(self, curve: pg.PlotDataItem) -> None:
        for legend in self.legends:
            legend.removeItem(curve)

    def set_colors(self, text: Any, paper: Any) -> None:
        """Label colour of both legends; ``paper`` behind the one inside the plot."""
        for legend in self.legends:
            legend.setLabelTextColor(text)
            for _sample, label in legend.items:
                label.setText(label.text, color=text)
        self.inside_legend.setBrush(pg.mkBrush(paper))

    def set_text_px(self, px: float) -> None:
        for legend in self.legends:
            legend.setLabelTextSize(f"{max(1, round(px))}px")
            for _sample, label in legend.items:
                label.setText(label.text)   # setLabelTextSize alone does not re-render
            legend.updateSize()

    def place(self, width: float) -> None:
        """Under the plot if one row fits ``width``, else inside in the emptiest corner."""
        fits = one_row_width(self.below) <= width
        if fits == self.inside or not fits and self.below.isVisible():
            if fits:
                self.layout.addItem(self.below, row=1, col=0)
            else:
                self.layout.removeItem(self.below)
            self.below.setVisible(fits)
            self.inside_legend.setVisible(not fits)
            self.inside = not fits
        n = max(1, len(self.below.items))
        if self.below.columnCount != n:
            self.below.setColumnCount(n)
        if self.inside:
            self.choose_corner()

    def choose_corner(self) -> None:
        vb, legend = self.plot.vb, self.inside_legend
        size = legend.boundingRect()
        area = vb.width() * vb.height()
        legend.setVisible(size.width() * size.height() <= MAX_COVER * area)
        if not legend.isVisible():
            return
        best, best_n = 0, None
        for i, (anchor, offset) in enumerate(CORNERS):
            # the legend's rect at this corner, in the view's pixels, then in data coordinates
            x0 = anchor[0] * (vb.width() - size.width()) + offset[0]
            y0 = anchor[1] * (vb.height() - size.height()) + offset[1]
            p0 = vb.mapToView(pg.QtCore.QPointF(x0, y0))
            p1 = vb.mapToView(pg.QtCore.QPointF(x0 + size.width(), y0 + size.height()))
            rect = pg.QtCore.QRectF(p0, p1)
            n = points_in(rect.normalized(), self.curves)
            if best_n is None or n < best_n:
                best, best_n = i, n
        anchor, offset = CORNERS[best]
        self.corner = best
        legend.anchor(itemPos=anchor, parentPos=anchor, offset=offset)
