"""One matrix as a heatmap: title, plot with image and colour bar, empty state.

pyqtgraph's MatrixDisplayExample idiom (row 0 on top, cells centred on their
indices, samples are columns) on a lean ``MatrixPlot`` (gui/matrix_plot.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtGui import QFont, QFontMetricsF, QTextOption, QTransform
from PyQt6.QtWidgets import QGraphicsGridLayout

from gui import style
from gui.fitted_title import FittedTitle
from gui.matrix_plot import MatrixPlot


class Heatmap:
    """One matrix: its title above a MatrixPlot holding the image and the empty-state text."""

    def __init__(self, grid: QGraphicsGridLayout, col: int, cmap: pg.ColorMap) -> None:
        # The title is its own item above the plot, in the row's grid, so that its width
        # never adds to the axis and colour bar widths and pushes the row past the edge.
        self.label = FittedTitle()
        grid.addItem(self.label, 0, col)
        self.plot = MatrixPlot(cmap)
        grid.addItem(self.plot, 1, col)
        self.bar = self.plot.bar
        self.with_bar = True   # False: no colour bar (hover gives the numbers)
        self.plot.getAxis("left").setStyle(tickTextOffset=3)   # "700" still fits in 26 px
        # Column 0's label is centred on the plot's edge: let it stick out a little.
        self.plot.getAxis("top").setStyle(hideOverlappingLabels=8)
        self.plot.vb.setMinimumWidth(38)   # room for "computed" (5 pt) in the empty state
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(cmap)
        # Shift by half a cell so cell (r, c) is centred on the integer (c, r).
        self.image.setTransform(QTransform().translate(-0.5, -0.5))
        self.plot.addItem(self.image)
        self.empty = pg.TextItem(style.NOT_COMPUTED, color=style.MUTED, anchor=(0.5, 0.5))
        self.plot.addItem(self.empty, ignoreBounds=True)
        self.empty_font = style.font(1.0, 1)
        self.empty.textItem.document().setDocumentMargin(1)   # 4 px each side took a word's room
        opt = self.empty.textItem.document().defaultTextOption()
        opt.setWrapMode(QTextOption.WrapMode.WordWrap)  # never "compute / d": shrink instead
        self.empty.textItem.document().setDefaultTextOption(opt)
        self.plot.vb.sigResized.connect(self._on_resized)
        self.tick_font = style.font(1.0, -2)
        self._ticks: dict[str, tuple[int, int]] = {}   # (n, k) each index axis shows
        self.data: np.ndarray | None = None
        self.shape: tuple[int, ...] | None = None
        self.title: str | None = ""
        self.empty_text: str | None = style.NOT_COMPUTED
        self.levels: tuple[float, float] | None = None
        self._empty_fitted: tuple | None = None   # (w, h, text, size) _fit_empty fitted for
        # what show() drew last: (array, empty text, levels asked for)
        self._shown: tuple[np.ndarray | None, str, tuple | None] | None = None
        # Quiz mode: the shape of the matrix shown as "?" cells (None: not asked).
        self.unknown_shape: tuple[int, int] | None = None
        self._marks: list[pg.TextItem] = []   # the "?" of each cell, reused

    def show(self, arr: np.ndarray | None, empty_text: str,
             levels: tuple[float, float] | None = None) -> None:
        """Draw ``arr`` with symmetric levels (``levels`` if given), or the empty state."""
        # The engine never changes an array in place (a step stores new arrays, the
        # update new W and b), so the same object means the same numbers: skip it.
        # Re-setting all ten images each step repainted the whole panel (~15 ms).
        if self._shown is not None and arr is self._shown[0] \
                and (empty_text, levels) == self._shown[1:]:
            return
        self._shown = (arr, empty_text, levels)
        self._hide_unknown()
        self.data = arr
        if arr is None:
            # Hidden, not cleared: in the window, ImageItem.clear() asked Qt to repaint the
            # whole panel (a scene-wide update) on every step that emptied a slot.
            self.image.setVisible(False)
            self.bar.setVisible(False)  # a scale without data would be a stale number
            # Wrapped onto two lines: one line is wider than a narrow vector plot.
            two_lines = empty_text.replace(" yet", "<br>yet").replace(" for ", "<br>for ")
            self.empty.setHtml(f'<div style="text-align:center; color:{style.MUTED}">'
                               f"{two_lines}</div>")
            self.empty_text = empty_text
            self._empty_fitted = None
            self.empty.setVisible(True)
            self._fit_empty()
            self.shape = None
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
            self.empty.setPos(0.5, 0.5)
            for side in ("left", "top"):
                self.plot.getAxis(side).setTicks([[]])
            self._ticks.clear()
            return
        self.empty.setVisible(False)
        self.empty_text = None
        self.image.setVisible(True)
        self.bar.setVisible(self.with_bar)
        if levels is None:
            levels = style.symmetric_levels(arr)
        self.image.setImage(arr, autoLevels=False, levels=levels)
        if levels != self.levels:
            self.levels = levels
            self.bar.set_levels(levels)
        if arr.shape != self.shape:
            self.shape = arr.shape
            rows, cols = arr.shape
            self.plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
            self._fit_ticks()

    def show_unknown(self, shape: tuple[int, int], selected: tuple[int, int] | None = None
                     ) -> None:
        """Quiz mode: a ``shape`` grid of "?" cells (one big "?" when large), the chosen
        cell ``selected`` (row, col) tinted. ``data`` stays None: no value can leak."""
        rows, cols = int(shape[0]), int(shape[1])
        self._shown = None          # the next show() draws whatever it gets
        self.data = None
        self.unknown_shape = (rows, cols)
        self.empty.setVisible(False)
        self.empty_text = "?"
        self.bar.setVisible(False)
        # Zero is the colour map's neutral colour; the chosen cell takes the positive end.
        img = np.zeros((rows, cols))
        if selected is not None and 0 <= selected[0] < rows and 0 <= selected[1] < cols:
            img[selected] = 0.6
        self.image.setImage(img, autoLevels=False, levels=(-1.0, 1.0))
        self.image.setVisible(True)
        self.levels = None
        if self.shape != (rows, cols):
            self.shape = (rows, cols)
            self.plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
            self._fit_ticks()
        self._fit_unknown()

    def _fit_unknown(self) -> None:
        """One "?" per cell where the cells are big enough for it, else one in the middle."""
        if self.unknown_shape is None:
            return
        rows, cols = self.unknown_shape
        font = QFont(self.empty_font)
        h = QFontMetricsF(font).height()
        vb = self.plot.vb
        per_cell = rows * cols <= 64 and vb.height() / rows >= h and vb.width() / cols >= h
        need = rows * cols if per_cell else 1
        while len(self._marks) < need:
            t = pg.TextItem("?", color=style.TEXT, anchor=(0.5, 0.5))
            self.plot.addItem(t, ignoreBounds=True)
            self._marks.append(t)
        if not per_cell:
            font.setPointSizeF(min(font.pointSizeF() * 2, max(vb.height() / 1.6, 6.0)))
        for n, t in enumerate(self._marks):
            t.setVisible(n < need)
            if n < need:
                t.setFont(font)
                t.setPos(*((n % cols, n // cols) if per_cell
                           else ((cols - 1) / 2, (rows - 1) / 2)))

    def _hide_unknown(self) -> None:
        if self.unknown_shape is not None:
            self.unknown_shape = None
            self.shape = None   # the ranges and ticks are set again for what comes next
            for t in self._marks:
                t.setVisible(False)

    def _on_resized(self) -> None:
        self._fit_unknown()
        self._fit_empty()
        self._fit_ticks()

    def set_tick_font(self, font: QFont) -> None:
        """Tick labels of both index axes and the colour bar in ``font``."""
        self.tick_font = font
        for side in ("left", "top"):
            self.plot.getAxis(side).setStyle(tickFont=font)
        # A point smaller than the index labels: the bar's width is taken from the heatmap.
        bar_font = QFont(font)
        bar_font.setPointSizeF(font.pointSizeF() - 1)
        self.bar.set_font(bar_font)
        self._ticks.clear()
        self._fit_ticks()

    def _fit_ticks(self) -> None:
        """Label every k-th row and column, k as small as keeps the labels apart."""
        if self.shape is None:
            return
        rows, cols = self.shape
        fm = QFontMetricsF(self.tick_font)
        vb = self.plot.vb
        for side, n, cell, label in (
                ("left", rows, vb.height() / rows, fm.height()),
                ("top", cols, vb.width() / cols, fm.horizontalAdvance(str(cols - 1)) + 6)):
            k = tick_step(cell, label, n)
            if self._ticks.get(side) != (n, k):
                self._ticks[side] = (n, k)
                self.plot.getAxis(side).setTicks([[(i, str(i)) for i in range(0, n, k)], []])

    def _fit_empty(self) -> None:
        """Wrap the empty-state text at the plot's width, smaller font if a word is wider.

        A narrow vector plot (b, db, a column) is narrower than "not computed yet".
        """
        if self.empty_text is None:
            return
        w, h = self.plot.vb.width() - 2, self.plot.vb.height() - 2
        key = (w, h, self.empty_text, self.empty_font.pointSizeF())
        if key == self._empty_fitted:   # a relayout that left this plot's size alone
            return
        self._empty_fitted = key
        doc = self.empty.textItem
        font = QFont(self.empty_font)
        while True:
            doc.setFont(font)
            doc.setTextWidth(-1)
            natural = doc.boundingRect().width()
            if w > 0:
                doc.setTextWidth(min(natural, w))   # a fixed width also lets it centre
            box = doc.boundingRect()
            size = font.pointSizeF()
            if w <= 0 or (box.width() <= w + 0.5 and box.height() <= h) or size <= 5.0:
                break
            font.setPointSizeF(size - 0.5)
        self.empty.updateTextPos()

    def set_title(self, html: str, widest: str) -> None:
        """Show ``html``, laid out at the width of ``widest`` (the same title with its badge).

        Marking a matrix swaps the blank second line for the badge; at a fixed width the
        label keeps its size, so nothing re-lays out (that cost a second paint of the row).
        """
        if html != self.title:
            self.title = html
            self.label.set_text(html, widest)

    def set_marked(self, color: str | None) -> None:
        """Frame the matrix in ``color`` ("just computed"), or take the frame away."""
        self.plot.set_frame(color)



def tick_step(cell: float, label: float, n: int) -> int:
    """The label step k (1, 2, 5, 10, 20, …) so labels ``label`` px long fit cells ``cell`` px wide.

    Labelling every index ran W₂'s columns together ("01234567") in a 30 px plot.
    """
    k = 1
    for k in (m * 10 ** e for e in range(0, 8) for m in (1, 2, 5)):
        if k * cell >= label or k >= n:
            break
    return k
