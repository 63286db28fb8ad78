"""A heatmap's two-line title whose font shrinks to fit its column."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QFont, QTextDocument
from PyQt6.QtWidgets import QGraphicsTextItem, QSizePolicy

from gui import style


class FittedTitle(pg.GraphicsWidget):
    """A matrix's two-line title (name, badge) that shrinks its font to fit its column.

    The row is as wide as the panel, not as the titles: a narrow window shrinks the
    font (down to ``MIN_SCALE``) instead of pushing the fifth column past the edge.
    The font is fitted to the widest version (with the "just computed" badge), so
    marking a matrix never changes the title's size and never re-lays out the row.
    """

    MIN_SCALE = 0.6

    def __init__(self) -> None:
        super().__init__()
        self.item = QGraphicsTextItem(self)
        doc = self.item.document()
        assert doc is not None   # a QGraphicsTextItem always has one
        self.doc: QTextDocument = doc
        self.doc.setDocumentMargin(1)
        opt = self.doc.defaultTextOption()
        opt.setAlignment(Qt.AlignmentFlag.AlignHCenter)   # name and badge centred on each other
        self.doc.setDefaultTextOption(opt)
        self.base = style.font()
        self.html = ""
        self._widest = ""
        self._natural = 0.0        # width of the widest version at the base font
        self._fitted: float | None = None   # the width the font was fitted for
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def set_base_font(self, font: QFont) -> None:
        self.base = font
        self._widest = ""   # measure again at the new size

    def set_text(self, html: str, widest: str) -> None:
        """Show ``html``, fitted as if it were ``widest``."""
        if widest != self._widest:
            self._widest = widest
            self.item.setFont(self.base)
            self.item.setHtml(widest)
            self.item.setTextWidth(-1)
            self._natural = self.doc.idealWidth()
            self.setMinimumWidth(np.ceil(self._natural * self.MIN_SCALE))
            self.setPreferredWidth(np.ceil(self._natural))
            self._fitted = None
        self.html = html
        self._fit()

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt's name
        self._fit()

    def _fit(self) -> None:
        w = self.size().width()
        if w <= 0:
            w = self._natural
        if w != self._fitted:
            self._fitted = w
            base = self.base.pointSizeF()
            size = base * min(1.0, w / max(self._natural, 1.0))
            font = QFont(self.base)
            self.item.setHtml(self._widest)
            while True:   # the ratio is a first guess: bold runs and subscripts do not scale
                font.setPointSizeF(max(size, base * self.MIN_SCALE))
                self.item.setFont(font)
                self.item.setTextWidth(-1)
                if self.doc.idealWidth() <= w or size <= base * self.MIN_SCALE:
                    break
                size -= 0.25
            self.item.setTextWidth(w)
            h = np.ceil(self.doc.size().height())
            if h != self.minimumHeight():
                self.setMinimumHeight(h)
                self.setMaximumHeight(h)
        self.item.setHtml(self.html)
        self.item.setTextWidth(w)

    def fits(self) -> bool:
        """Whether every line of the text fits the title's width (for tests)."""
        return self.doc.idealWidth() <= self.size().width() + 0.5
