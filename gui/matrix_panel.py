"""The matrices of one layer ℓ as heatmaps, straight from the stepper's record.

Two rows, read left to right in the order the lecture computes them::

    forward:   a_{ℓ-1}   W_ℓ        b_ℓ   →  z_ℓ   →  a_ℓ
    backward:  W_{ℓ+1}ᵀδ_{ℓ+1}  ⊙ σ'_ℓ  →  δ_ℓ   →  dW_ℓ = δ_ℓ a_{ℓ-1}ᵀ,  db_ℓ

Each matrix is one ``ImageItem`` (pyqtgraph's MatrixDisplayExample idiom: row 0
on top, cells centred on their indices, samples are columns) with its own
``ColorBarItem``.  The panel never computes anything: it draws the arrays in
``stepper.state`` and marks the keys in ``stepper.last.computed``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, Qt, pyqtSignal
from PyQt6.QtGui import QCursor, QFont, QFontMetricsF, QTextOption, QTransform
from PyQt6.QtWidgets import QGraphicsTextItem, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from engine.stepper import quantity_title
from gui import style

# (slot key, quantity key in the state, layer offset, grid row, grid col, column stretch)
SLOTS = (
    ("a_prev", "a", -1, 0, 0, 3), ("W", "W", 0, 0, 1, 3), ("b", "b", 0, 0, 2, 2),
    ("z", "z", 0, 0, 3, 3), ("a", "a", 0, 0, 4, 3),
    ("dc_da", "dc_da", 0, 1, 0, 3), ("sigma_prime", "sigma_prime", 0, 1, 1, 3),
    ("delta", "delta", 0, 1, 2, 3), ("dW", "dW", 0, 1, 3, 3), ("db", "db", 0, 1, 4, 2),
)
BAR_TEXT_PAD = 6   # px beside a colour bar's label: tick 3, offset 2, rounding 1

class _Title(pg.GraphicsWidget):
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
        self.item.document().setDocumentMargin(1)
        opt = self.item.document().defaultTextOption()
        opt.setAlignment(Qt.AlignmentFlag.AlignHCenter)   # name and badge centred on each other
        self.item.document().setDefaultTextOption(opt)
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
            self._natural = self.item.document().idealWidth()
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
                if self.item.document().idealWidth() <= w or size <= base * self.MIN_SCALE:
                    break
                size -= 0.25
            self.item.setTextWidth(w)
            h = np.ceil(self.item.document().size().height())
            if h != self.minimumHeight():
                self.setMinimumHeight(h)
                self.setMaximumHeight(h)
        self.item.setHtml(self.html)
        self.item.setTextWidth(w)

    def fits(self) -> bool:
        """Whether every line of the text fits the title's width (for tests)."""
        return self.item.document().idealWidth() <= self.size().width() + 0.5


class _Heatmap:
    """One matrix: a PlotItem holding an ImageItem, a colour bar and an empty-state text."""

    def __init__(self, layout: pg.GraphicsLayout, row: int, col: int) -> None:
        # The title is its own item above the plot, not PlotItem's title: that one
        # shares the image's column, so its width would add to the axis and colour
        # bar widths and push the row past the window edge.
        self.label = _Title()
        layout.addItem(self.label, row=2 * row, col=col)
        # No context menu, from the start: building the ViewBox's menu cost ~2.5 ms a plot.
        self.plot = layout.addPlot(row=2 * row + 1, col=col, enableMenu=False)
        self.plot.invertY(True)  # row 0 at the top, like the matrix on the slide
        self.plot.setDefaultPadding(0.0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showAxes(True, showValues=(True, True, False, False), size=(26, 16))
        self.plot.getAxis("left").setStyle(tickTextOffset=3)   # "700" still fits in 26 px
        # Column 0's label is centred on the plot's edge: let it stick out a little.
        self.plot.getAxis("top").setStyle(hideOverlappingLabels=8)
        self.plot.vb.setMinimumWidth(38)   # room for "computed" (5 pt) in the empty state
        self.image = pg.ImageItem(axisOrder="row-major")
        # Shift by half a cell so cell (r, c) is centred on the integer (c, r).
        self.image.setTransform(QTransform().translate(-0.5, -0.5))
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(values=(-1, 1), colorMap=style.diverging_cmap(),
                                   interactive=False, width=8)
        self.bar.setImageItem(self.image, insert_in=self.plot)
        self.plot.layout.setColumnFixedWidth(4, 1)   # pyqtgraph's 5 px gap before the bar
        # Three labels, −m, 0, +m, on an axis of fixed width: the bar never re-lays out
        # the row when the levels change, and it leaves the heatmap most of the column.
        self.bar.axis.setStyle(tickLength=3, tickTextOffset=2, autoExpandTextSpace=False)
        # (tick length + text offset + 1 px rounding: what the labels' width is added to)
        # A hidden bar (empty slot) keeps its place: freeing it re-laid out the whole row,
        # resizing every plot in it, each time a slot filled or emptied.
        policy = self.bar.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.bar.setSizePolicy(policy)
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
        self._shown: tuple[np.ndarray | None, str] | None = None   # what show() drew last

    def show(self, arr: np.ndarray | None, empty_text: str) -> None:
        """Draw ``arr`` with symmetric levels, or the empty state when ``None``."""
        # The engine never changes an array in place (a step stores new arrays, the
        # update new W and b), so the same object means the same numbers: skip it.
        # Re-setting all ten images each step repainted the whole panel (~15 ms).
        if self._shown is not None and arr is self._shown[0] and empty_text == self._shown[1]:
            return
        self._shown = (arr, empty_text)
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
        self.bar.setVisible(True)
        self.image.setImage(arr, autoLevels=False)
        levels = style.symmetric_levels(arr)
        if levels != self.levels:
            self.levels = levels
            self.bar.setLevels(levels)   # (setImage without autoLevels keeps the old ones)
            m = levels[1]
            self.bar.axis.setTicks([[(-m, _bar_label(-m)), (0.0, "0"), (m, _bar_label(m))], []])
        if arr.shape != self.shape:
            self.shape = arr.shape
            rows, cols = arr.shape
            self.plot.setRange(xRange=(-0.5, cols - 0.5), yRange=(-0.5, rows - 0.5), padding=0)
            self._fit_ticks()

    def _on_resized(self) -> None:
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
        self.bar.axis.setStyle(tickFont=bar_font)
        # Wide enough for any level's label: a fixed width, so new levels never re-lay out.
        fm = QFontMetricsF(bar_font)
        text = max(fm.horizontalAdvance(t) for t in _WIDEST_BAR_LABELS) + BAR_TEXT_PAD
        self.bar.axis.setWidth(int(np.ceil(text)))
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
        pen = pg.mkPen(color, width=4) if color else pg.mkPen(style.NEUTRAL, width=1)
        self.plot.vb.setBorder(pen)


def tick_step(cell: float, label: float, n: int) -> int:
    """The label step k (1, 2, 5, 10, 20, …) so labels ``label`` px long fit cells ``cell`` px wide.

    Labelling every index ran W₂'s columns together ("01234567") in a 30 px plot.
    """
    k = 1
    for k in (m * 10 ** e for e in range(0, 8) for m in (1, 2, 5)):
        if k * cell >= label or k >= n:
            break
    return k


def _bar_label(v: float) -> str:
    """A colour-bar level in at most six characters: 0.53, -0.011, 340, 2e-5."""
    a = abs(v)
    if 0.01 <= a < 100:
        return f"{v:.2g}"
    if 100 <= a < 1e4:
        return f"{v:.0f}"
    return f"{v:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")


# The widest labels _bar_label makes: the bar's axis reserves their width, since
# pyqtgraph silently drops a tick label wider than its axis.
_WIDEST_BAR_LABELS = ("-0.088", "-8888", "-8e-88", "-8e88")


class MatrixPanel(QWidget):
    """Heatmaps of W, b, z, a, σ', W_{ℓ+1}ᵀδ_{ℓ+1}, δ, dW, db (and a_{ℓ-1}) for one layer.

    Signals
    -------
    cell_hovered(quantity, layer, row, col)
        The mouse is over a cell; ``quantity`` is the engine's key (``"a"`` with
        layer ℓ-1 for the a_{ℓ-1} context matrix).
    cell_left()
        The mouse left all cells.
    """

    cell_hovered = pyqtSignal(str, int, int, int)
    cell_left = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._layer: int | None = None
        self._stepper = None
        self._marked: tuple[str, ...] = ()
        self._hover: tuple[str, int, int] | None = None
        self._header = QLabel("Step through the network to see its matrices.")
        self._glw = pg.GraphicsLayoutWidget()
        self._glw.setBackground(style.BACKGROUND)
        self._hover_label = QLabel("Hover a cell to see its row, column and value.")
        # Their text changes every step or hover: its width must not set the window's
        # minimum width, or each step re-laid out the whole window.
        for label in (self._header, self._hover_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self._header)
        lay.addWidget(self._glw, 1)
        lay.addWidget(self._hover_label)
        # One nested layout per row, so forward and backward columns size independently.
        rows = [self._glw.addLayout(row=r, col=0) for r in range(2)]
        # pyqtgraph's 9 px margins, twice nested, took 60 px of height from the heatmaps.
        self._glw.ci.layout.setContentsMargins(0, 0, 0, 0)
        self._glw.ci.layout.setSpacing(6)
        for row in rows:
            row.layout.setContentsMargins(2, 2, 2, 2)
            row.layout.setHorizontalSpacing(4)
            row.layout.setVerticalSpacing(0)
        self._maps: dict[str, _Heatmap] = {}
        # A vertical caption per row in its phase colour: which half of the pass it is.
        self._captions = []
        for r, phase in enumerate(("forward", "backward")):
            cap = rows[r].addLabel(phase, row=0, col=0, rowspan=2, angle=-90,
                                   color=style.PHASE_COLORS[phase], bold=True)
            self._captions.append(cap)
            rows[r].layout.setRowStretchFactor(1, 1)
        for key, _q, _off, r, c, stretch in SLOTS:
            self._maps[key] = _Heatmap(rows[r], 0, c + 1)
            rows[r].layout.setColumnStretchFactor(c + 1, stretch)
        self._glw.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._glw.viewport().installEventFilter(self)
        self.set_font_scale(1.0)

    # -- public API ---------------------------------------------------------
    def show_layer(self, stepper, layer: int) -> None:
        """Draw layer ``layer`` (1..L) of ``stepper.state``; mark ``stepper.last.computed``."""
        st = stepper.state
        L = len(st.params)
        if not 1 <= layer <= L:
            raise ValueError(f"layer must be in 1..{L}, got {layer}")
        self._layer = layer
        self._stepper = stepper
        W, b = st.params[layer - 1]
        batch = st.a[0].shape[1]
        n = W.shape[0]
        # Expected shapes, so an empty slot still tells the student what will appear.
        shapes = {"a_prev": st.a[0].shape if layer == 1 else (W.shape[1], batch),
                  "W": W.shape, "b": b.shape, "dW": W.shape, "db": b.shape}
        last = stepper.last
        here = last is not None and (last.layer == layer or last.kind == "update")
        computed = tuple(last.computed) if here else ()
        # A key the step "computed" as None (∂c/∂a_L under cross-entropy) is not framed:
        # a badge on an empty slot would read as a bug.
        self._marked = tuple(k for k in computed if k in self._maps
                             and self._array(st, k, layer, W, b) is not None)
        color = style.PHASE_COLORS.get(last.phase) if last is not None else None
        for key, q, off, _r, _c, _s in SLOTS:
            hm = self._maps[key]
            arr = self._array(st, q, layer + off, W, b)
            hm.show(arr, self._empty_text(st, key, layer, L))
            shape = arr.shape if arr is not None else shapes.get(key, (n, batch))
            title = quantity_title(q, layer + off, shape, L)
            hm.set_title(self._title_html(title, key in self._marked, color),
                         self._title_html(title, True, style.NEUTRAL))
            hm.set_marked(color if key in self._marked else None)
        # Apply the new view ranges now (pyqtgraph defers them to the start of the paint):
        # applied during the paint, they marked the plots dirty again and Qt painted them
        # a second time right after (~4 ms a step).
        self._glw.scene().prepareForPaint()
        phase = f" · last step: {last.phase} {last.kind}" if last is not None else ""
        self._header.setText(f"<b>Layer ℓ = {layer}</b> of {L} · {n} unit{'s' if n != 1 else ''}"
                             " · batch of "
                             f"{batch} sample{'s' if batch != 1 else ''} (columns){phase}")

    def image_data(self, quantity: str) -> np.ndarray | None:
        """The array the heatmap ``quantity`` shows; ``None`` while it reads "not computed yet"."""
        hm = self._maps[quantity]
        return None if hm.data is None else hm.image.image

    def marked_quantities(self) -> tuple[str, ...]:
        """Keys framed as "just computed" (the last step's ``computed`` for this layer)."""
        return self._marked

    def empty_text(self, quantity: str) -> str | None:
        """The text shown in an empty heatmap, or ``None`` when it shows data."""
        return self._maps[quantity].empty_text

    def set_compact(self, on: bool) -> None:
        """Presentation mode: no hover line under the heatmaps (their height matters more).

        A hovered cell still shows its value in a tooltip and its arithmetic in the formula.
        """
        self._hover_label.setVisible(not on)

    def set_font_scale(self, f: float) -> None:
        """Scale all text (presentation mode)."""
        self._scale = f
        self._header.setFont(style.font(f))
        self._hover_label.setFont(style.font(f, bold=True))
        tick = style.font(f, -2)
        for cap, phase in zip(self._captions, ("forward", "backward"), strict=True):
            cap.setText(phase, size=f"{style.BASE_POINT_SIZE * f:.0f}pt",
                        color=style.PHASE_COLORS[phase], bold=True)
        for hm in self._maps.values():
            hm.empty_font = style.font(f, 1)
            hm._fit_empty()
            hm.set_tick_font(tick)
            hm.label.set_base_font(style.font(f))
            hm.title = None  # force the title to re-render at the new size
        if self._layer is not None:
            self.show_layer(self._stepper, self._layer)

    # -- helpers ------------------------------------------------------------
    @staticmethod
    def _array(st, q: str, l: int, W: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        if q == "W":
            return W
        if q == "b":
            return b
        return getattr(st, q)[l]

    @staticmethod
    def _empty_text(st, key: str, layer: int, L: int) -> str:
        # At ℓ = L cross-entropy skips ∂c/∂a_L and softmax has no σ'_L: say so, not "yet".
        if key in ("dc_da", "sigma_prime") and layer == L and st.delta[L] is not None:
            return "not used for this loss"
        return style.NOT_COMPUTED

    def _title_html(self, title: str, marked: bool, color: str | None) -> str:
        # Two lines always (name, then badge or blank) so marking a matrix never
        # widens or shifts its plot; a one-line badge made the row overflow.
        badge = "&nbsp;"
        if marked and color:
            badge = (f'<span style="color:white; background-color:{color};">'
                     "&nbsp;just computed&nbsp;</span>")
        # No font size here: the title item fits its font to the column's width.
        return f'<span style="color:{style.TEXT}">{title}<br>{badge}</span>'

    # -- hover (pyqtgraph's crosshair idiom: scene position → data coordinates) -----
    def _on_mouse_moved(self, pos: QPointF) -> None:
        for key, hm in self._maps.items():
            if hm.data is None or not hm.plot.vb.sceneBoundingRect().contains(pos):
                continue
            p = hm.plot.vb.mapSceneToView(pos)
            row, col = int(np.floor(p.y() + 0.5)), int(np.floor(p.x() + 0.5))
            rows, cols = hm.data.shape
            if 0 <= row < rows and 0 <= col < cols:
                self._hover_cell(key, row, col)
                return
        self._leave()

    def _hover_cell(self, key: str, row: int, col: int) -> None:
        q, off = next((q, off) for k, q, off, *_ in SLOTS if k == key)
        layer = (self._layer or 0) + off
        value = self._maps[key].data[row, col]
        L = len(self._stepper.state.params) if self._stepper is not None else None
        text = f"{quantity_title(q, layer, None, L)}[row {row}, col {col}] = {style.fmt(value)}"
        self._hover_label.setText(text)
        QToolTip.showText(QCursor.pos(), text, self._glw)
        if self._hover != (key, row, col):
            self._hover = (key, row, col)
            self.cell_hovered.emit(q, layer, row, col)

    def _leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            QToolTip.hideText()
            self.cell_left.emit()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == event.Type.Leave:
            self._leave()
        return super().eventFilter(obj, event)
