"""Numbers printed inside the cells of a heatmap, when the cells are big enough to read them.

One item per heatmap paints every cell's value (engine.handout's number format,
``digits`` significant digits) in black or white, whichever contrasts with the
cell's colour.  When the widest number does not fit its cell at a readable size
nothing is printed: hovering still tells the value.  ``CellNumberOptions`` is
shared by all heatmaps (View → Numbers in cells, digits 1–6).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PyQt6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.handout.common import number

DIGITS_RANGE = (1, 6)
MIN_POINT_SIZE = 7.0   # smaller is not read from the back of a room: show nothing instead
PAD_PX = 3.0


class CellNumberOptions:
    """Whether numbers are printed (when they fit) and with how many significant digits."""

    def __init__(self, enabled: bool = True, digits: int = 3) -> None:
        self.enabled = enabled
        self.digits = check_digits(digits)
        self.items: list[CellNumbers] = []

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self._refresh()

    def set_digits(self, digits: int) -> None:
        self.digits = check_digits(digits)
        self._refresh()

    def _refresh(self) -> None:
        for item in self.items:
            item.update()


def check_digits(digits: int) -> int:
    lo, hi = DIGITS_RANGE
    if isinstance(digits, bool) or not isinstance(digits, int) or not lo <= digits <= hi:
        raise ValueError(f"digits must be a whole number in {lo}..{hi}, got {digits!r}")
    return digits


def text_color(rgb: tuple[int, int, int] | np.ndarray) -> QColor:
    """Black on light cells, white on dark ones (relative luminance, as the handouts)."""
    r, g, b = (float(c) / 255.0 for c in rgb[:3])
    return QColor("#ffffff" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4 else "#000000")


class CellNumbers(QGraphicsItem):
    """The values of a ``Heatmap``'s cells, painted over its image in the ViewBox's pixels."""

    def __init__(self, heatmap, cmap: pg.ColorMap, options: CellNumberOptions) -> None:
        super().__init__(heatmap.plot.vb)
        self.hm = heatmap
        self.cmap = cmap
        self.options = options
        options.items.append(self)
        self.setZValue(1e5)   # above the image, below the "just computed" frame
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)   # hover and clicks go through
        self.shown_font: QFont | None = None   # what the last paint printed with (tests)
        self.shown_texts: list[str] = []
        self._fitted: tuple | None = None   # (sizes and digits, array, what layout found)
        heatmap.plot.vb.sigResized.connect(self.update)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(self.hm.plot.vb.rect())

    def layout(self) -> tuple[QFont, list[str]] | None:
        """The font and texts that fit the cells now, or None when nothing is printed."""
        arr = self.hm.data
        if not self.options.enabled or arr is None or not self.hm.image.isVisible():
            return None
        rows, cols = arr.shape
        vb = self.hm.plot.vb
        cell_w, cell_h = vb.width() / cols, vb.height() / rows
        key = (arr, self.options.digits, cell_w, cell_h, self.hm.tick_font.pointSizeF())
        if self._fitted is not None and self._fitted[0] == key[1:] and self._fitted[1] is arr:
            return self._fitted[2]   # a repaint of the same numbers at the same size
        found = self._fit(arr, cell_w, cell_h)
        self._fitted = (key[1:], arr, found)
        return found

    def _fit(self, arr: np.ndarray, cell_w: float, cell_h: float
             ) -> tuple[QFont, list[str]] | None:
        font = QFont(self.hm.tick_font)
        font.setPointSizeF(MIN_POINT_SIZE)
        smallest = QFontMetricsF(font)
        # Cells too small for one digit at the smallest size: skip formatting them all
        # (a 64×16 W has 1024 numbers and is repainted on every step).
        if smallest.height() + PAD_PX > cell_h or \
                smallest.horizontalAdvance("0") + 2 * PAD_PX > cell_w:
            return None
        texts = [number(float(x), self.options.digits) for x in arr.ravel()]
        size = self.hm.tick_font.pointSizeF() + 2.0
        while size >= MIN_POINT_SIZE:
            font.setPointSizeF(size)
            fm = QFontMetricsF(font)
            widest = max(fm.horizontalAdvance(t) for t in texts)
            if widest + 2 * PAD_PX <= cell_w and fm.height() + PAD_PX <= cell_h:
                return font, texts
            size -= 0.5
        return None

    def paint(self, p: QPainter | None, option: QStyleOptionGraphicsItem | None = None,
              widget: QWidget | None = None) -> None:
        assert p is not None   # the scene always paints an item with a painter
        found = self.layout()
        self.shown_font, self.shown_texts = (None, []) if found is None else found
        if found is None:
            return
        font, texts = found
        arr = self.hm.data
        assert arr is not None
        rows, cols = arr.shape
        lo, hi = self.hm.levels or (-1.0, 1.0)
        span = (hi - lo) or 1.0
        rgb = self.cmap.map(np.clip((arr.ravel() - lo) / span, 0.0, 1.0), mode="byte")
        vb = self.hm.plot.vb
        p.setFont(font)
        for n, text in enumerate(texts):
            r, c = divmod(n, cols)
            a = vb.mapFromView(QPointF(c - 0.5, r - 0.5))
            b = vb.mapFromView(QPointF(c + 0.5, r + 0.5))
            p.setPen(text_color(rgb[n]))
            p.drawText(QRectF(a, b).normalized(), Qt.AlignmentFlag.AlignCenter, text)
