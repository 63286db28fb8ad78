"""The plot of one matrix: a ViewBox, index axes above and to the left, a colour bar.

Built from the parts a heatmap needs rather than a PlotItem with a ColorBarItem.
Those are whole plots (four axes each, a context menu, a ViewBox inside the colour
bar) and ten of them took ~170 ms of the window's start-up.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PyQt6.QtWidgets import QGraphicsGridLayout, QGraphicsItem, QGraphicsRectItem, QSizePolicy

from gui import style


class ColorBar(pg.GraphicsWidget):
    """A vertical colour scale from −m (bottom) to +m (top), labelled −m, 0 and +m.

    Its width is fixed, set from the widest label any level can have, so new levels
    never re-lay out the row.  Hidden (an empty slot), it keeps its place: freeing
    it resized every plot in the row each time a slot filled or emptied.
    """

    GAP, BAR, TICK, OFFSET = 1, 8, 3, 2   # px, left to right: gap, strip, tick, text offset

    def __init__(self, cmap: pg.ColorMap) -> None:
        super().__init__()
        lut = np.ascontiguousarray(cmap.getLookupTable(nPts=256, alpha=True)[::-1])  # +m on top
        self._strip = QImage(lut.tobytes(), 1, 256, 4, QImage.Format.Format_RGBA8888).copy()
        self.font = style.font(1.0, -3)
        self.labels: tuple[str, str, str] = ("", "0", "")   # bottom, middle, top
        self._text = pg.mkColor(pg.getConfigOption("foreground"))
        policy = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.set_font(self.font)

    def text_width(self) -> float:
        """Room for the labels: the width less the strip, its tick and the gaps."""
        return self.minimumWidth() - (self.GAP + self.BAR + self.TICK + self.OFFSET)

    def set_font(self, font: QFont) -> None:
        """Label in ``font``; the width fits the widest label ``bar_label`` can make."""
        self.font = font
        fm = QFontMetricsF(font)
        text = max(fm.horizontalAdvance(t) for t in WIDEST_BAR_LABELS)
        w = float(np.ceil(self.GAP + self.BAR + self.TICK + self.OFFSET + text + 1))
        self.setMinimumWidth(w)
        self.setMaximumWidth(w)
        self.update()

    def set_levels(self, levels: tuple[float, float]) -> None:
        lo, hi = levels
        self.labels = (bar_label(lo), "0", bar_label(hi))
        self.update()

    def shows_zero(self) -> bool:
        """Whether the "0" label fits between the other two (a short plot has room for two)."""
        return self.height() >= 3 * QFontMetricsF(self.font).height()

    def paint(self, p: QPainter, *args) -> None:
        h = self.height()
        strip = QRectF(self.GAP, 0.0, self.BAR, h)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.drawImage(strip, self._strip)
        p.setPen(QColor(style.NEUTRAL))
        p.drawRect(strip.adjusted(0, 0, -1, -1))
        p.setPen(self._text)
        p.setFont(self.font)
        x = strip.right()
        fm = QFontMetricsF(self.font)
        th = fm.height()
        for label, y, top in zip(self.labels, (h - 0.5, h / 2, 0.5), (h - th, (h - th) / 2, 0.0),
                                 strict=True):
            p.drawLine(int(x), int(y), int(x + self.TICK), int(y))
            if label == "0" and not self.shows_zero():
                continue
            box = QRectF(x + self.TICK + self.OFFSET, top, self.width(), th)
            p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)


class MatrixPlot(pg.GraphicsWidget):
    """A ViewBox with index axes above and to the left, and a colour bar to the right."""

    def __init__(self, cmap: pg.ColorMap) -> None:
        super().__init__()
        grid = QGraphicsGridLayout()
        grid.setContentsMargins(1, 1, 1, 1)
        grid.setHorizontalSpacing(0)
        grid.setVerticalSpacing(0)
        self.setLayout(grid)
        self.vb = pg.ViewBox(parent=self, enableMenu=False, invertY=True, defaultPadding=0.0)
        self.vb.setMouseEnabled(x=False, y=False)
        self.vb.disableAutoRange()   # show() sets every range itself
        self.axes: dict[str, pg.AxisItem] = {}
        for side, pos in (("top", (0, 1)), ("left", (1, 0))):
            axis = pg.AxisItem(side, parent=self)
            axis.linkToView(self.vb)
            axis.setZValue(0.5)   # above the image, as in a PlotItem
            axis.setFlag(QGraphicsItem.GraphicsItemFlag.ItemNegativeZStacksBehindParent)
            # Index axes have no units: without this, every range change re-rendered
            # the (empty) axis label's HTML, ~370 times while the window started.
            axis.enableAutoSIPrefix(False)
            grid.addItem(axis, *pos)
            self.axes[side] = axis
        self.axes["left"].setWidth(26)
        self.axes["top"].setHeight(16)
        grid.addItem(self.vb, 1, 1)
        self.vb.setBorder(pg.mkPen(style.NEUTRAL, width=1))
        # The "just computed" frame lies wholly inside the ViewBox.  Drawn as the ViewBox's
        # border, half of it lay outside the box's bounds, so taking it away left that half
        # on screen in a real window (offscreen grabs repaint everything and hid this).
        self.frame = QGraphicsRectItem(self.vb)
        self.frame.setZValue(1e6)   # above the image (the view's items)
        self.frame.setVisible(False)
        self.frame.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.vb.sigResized.connect(self._place_frame)
        self.bar = ColorBar(cmap)
        grid.addItem(self.bar, 1, 2)

    FRAME_WIDTH = 4

    def set_frame(self, color: str | None) -> None:
        if color is not None:
            self.frame.setPen(pg.mkPen(color, width=self.FRAME_WIDTH))
        self.frame.setVisible(color is not None)

    def _place_frame(self) -> None:
        half = self.FRAME_WIDTH / 2
        self.frame.setRect(self.vb.rect().adjusted(half, half, -half, -half))

    def getAxis(self, side: str) -> pg.AxisItem:  # noqa: N802 - PlotItem's name
        return self.axes[side]

    def addItem(self, item, ignoreBounds: bool = False) -> None:  # noqa: N802, N803
        self.vb.addItem(item, ignoreBounds=ignoreBounds)

    def setRange(self, **kwargs) -> None:  # noqa: N802 - PlotItem's name
        self.vb.setRange(**kwargs)


def bar_label(v: float) -> str:
    """A colour-bar level in at most six characters: 0.53, -0.011, 340, 2e-5."""
    a = abs(v)
    if 0.01 <= a < 100:
        return f"{v:.2g}"
    if 100 <= a < 1e4:
        return f"{v:.0f}"
    return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


# The widest labels bar_label makes: the colour bar reserves their width.
WIDEST_BAR_LABELS = ("-0.088", "-8888", "-8e-88", "-8e88")


