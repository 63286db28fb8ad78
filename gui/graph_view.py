"""The network as columns of neurons, with the step in progress highlighted.

Layer ℓ sits at x = ℓ (layer 0 = the inputs), the loss node to the right of
layer L.  Edges are coloured with the house diverging map by the sign and size
of each weight in ``stepper.state.params`` and drawn wider for larger |w|.
A layer wider than ``MAX_UNITS`` is drawn as one labelled block (e.g. "784")
and its connections as one band, never thousands of lines.  The view only
reads the record: ``stepper.last`` says which layer and phase to highlight.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QPen, QPolygonF
from PyQt6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from engine.formulas import sub
from gui import style
from gui.graph_fit import LOSS_GAP, NODE_PX, TWO_LINES, GraphFit
from gui.graph_hover import GraphHover

MAX_UNITS = 16    # wider layers are drawn as a block; 16 × 16 keeps a pair under ~400 edges
BLOCK_H = 12.0    # height of a block, in unit spacings
LEGEND_MIN_HEIGHT = 220   # px of the whole view below which the legend line goes
LIVE_TIP = "training: pause or step to see its z, a and δ"
LEGEND = ("edges: blue w < 0, red w > 0, width ∝ |w| · dashed box: the layer shown below "
          "(click one to pick it)")


class GraphView(GraphFit, QWidget):
    """Draw a Network as columns of neurons and follow a Stepper's steps.

    Signals
    -------
    layer_clicked(layer)
        The user clicked the column of layer ``layer`` (1..L).
    """

    layer_clicked = pyqtSignal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._glw = pg.GraphicsLayoutWidget()
        # No context menu, from the start: building one and then disabling it took ~6 ms.
        self._vb = self._glw.addViewBox(enableMenu=False)
        self._glw.ci.layout.setContentsMargins(0, 0, 0, 0)   # 18 px of a short view's height
        self._vb.invertY(True)
        self._vb.setMouseEnabled(x=False, y=False)
        # The legend is a wrapping label, not a scene item: in the scene a long line was
        # centred on the graph and cut off at both ends when the column was narrow.
        self.legend = QLabel(LEGEND)
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.legend.setFont(style.font(1.0, -1))
        self.apply_theme()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self._glw, 1)
        lay.addWidget(self.legend)
        self._glw.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self._vb.sigResized.connect(self._fit_range)
        self._cmap = style.diverging_cmap()
        self._scale = 1.0
        self._sizes: list[int] = []
        self._stepper = None
        self._net: Any = None
        self._selected: int | None = None
        self._highlight: tuple[str, int | None] = ("idle", None)
        self.sample = 0  # the batch column whose z, a, δ the tooltips show
        self._live = False  # following training (show_live): no stepped sample to show
        self._live_params: Any = None
        self._edges: dict[int, list[tuple[int, int, QGraphicsLineItem]]] = {}
        self._colored: list = []   # the W arrays the edges were coloured from
        self._texts: list[tuple[pg.TextItem, float, bool]] = []
        self._scatters: list[pg.ScatterPlotItem] = []
        self._node_px = NODE_PX
        self.hover = GraphHover(self)   # an edge's weight as a tooltip
        self._compact = False

    # -- public API -------------------------------------------------------------
    def set_network(self, net) -> None:
        """Lay out ``net`` (sizes and activations); weights come from ``net`` until a stepper."""
        self._net = net
        self._stepper = None
        self._live = False
        self._build(net.sizes, [ly.activation.name for ly in net.layers])
        self._color_edges([(ly.W, ly.b) for ly in net.layers])
        self._set_highlight(None)

    def set_state(self, stepper) -> None:
        """Colour edges by ``stepper.state.params`` and highlight ``stepper.last``."""
        self._stepper = stepper
        self._live = False
        sizes = stepper.net.sizes
        if sizes != self._sizes:
            self._net = stepper.net
            self._build(sizes, [ly.activation.name for ly in stepper.net.layers])
        self._color_edges(stepper.state.params)
        self._set_highlight(stepper.last)
        loss = stepper.state.loss
        self._loss_text.setText(style.NOT_COMPUTED if loss is None else f"C = {style.fmt(loss)}")
        self._refit_if_loss_grew()

    def show_live(self, params, iteration: int | None = None,
                  loss: float | None = None) -> None:
        """While training: edges coloured by ``params`` (the weights now), no step
        highlighted; the loss node shows the latest mini-batch's ``loss``."""
        self._live = True
        self._live_params = params
        self._color_edges_fast(params)
        self._set_highlight(None)
        self._step_text.setText("training" + ("" if iteration is None
                                              else f" · iteration {iteration}"))
        self._step_text.setColor(style.PHASE_COLORS["update"])
        self._loss_text.setText("training" if loss is None else f"batch: {style.fmt(loss)}")
        self._refit_if_loss_grew()

    def drawn_weights(self) -> tuple[Any, Any]:
        """(the (W, b) pairs the edges show, the update's record or None): while training
        the live weights, else the stepped pass's (or the network's before a stepper)."""
        if self._live:
            return self._live_params, None
        st = self._stepper
        if st is None:
            return self._net.params(), None
        return st.state.params, st.update_step()

    @property
    def live(self) -> bool:
        """True while the view follows training (``show_live``) instead of a stepper."""
        return self._live

    @property
    def selected_layer(self) -> int | None:
        """The layer the user picked (outlined), or ``None``."""
        return self._selected

    def set_selected_layer(self, l: int | None) -> None:
        """Outline layer ``l`` (1..L) as the selected one; ``None`` clears it."""
        self._selected = l
        if l is None or not self._sizes:
            self._sel_rect.setVisible(False)
            return
        self._sel_rect.setRect(self._column_rect(l, pad=0.28))
        self._sel_rect.setVisible(True)

    def highlighted(self) -> tuple[str, int | None]:
        """(phase, layer) of the highlighted step; ("idle", None) before the first step."""
        return self._highlight

    @property
    def compact(self) -> bool:
        """Presentation mode: the legend line is hidden, the picture gets its height."""
        return self._compact

    def set_compact(self, on: bool) -> None:
        """Hide the legend line (presentation: at large fonts it wrapped to two lines)."""
        self._compact = on
        self._show_legend()

    def _show_legend(self) -> None:
        """The legend line, unless compact or too short (1280×720): the neurons need it more."""
        self.legend.setVisible(not self._compact and self.height() >= LEGEND_MIN_HEIGHT)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._show_legend()

    def apply_theme(self) -> None:
        """Take style's current paper colours (the texts follow at the next set_network)."""
        self._glw.setBackground(style.BACKGROUND)
        self.legend.setStyleSheet(f"color: {style.MUTED}; background: {style.BACKGROUND}; "
                                  "padding: 0 6px 2px 6px;")

    def set_font_scale(self, f: float) -> None:
        """Scale all text (presentation mode)."""
        self._scale = f
        for item, delta, bold in self._texts:
            self._set_font(item, delta, bold)
        self.legend.setFont(style.font(f, -1))
        self._fit_range()

    def neuron_tooltip(self, layer: int, unit: int) -> str:
        """z, a and δ of one neuron for the current sample, from the stepper's state."""
        head = f"layer {layer}, unit {unit}" if layer else f"input x[{unit}]"
        if self._live:   # the stepped pass's z, a, δ belong to weights training replaced
            return f"{head}\n{LIVE_TIP}"
        st = self._stepper.state if self._stepper is not None else None
        samples = st.samples if st is not None else None
        which = (f"sample #{int(samples[self.sample])}" if samples is not None
                 and self.sample < len(samples) else f"column {self.sample}")
        if samples is not None and len(samples) > 1:
            which += f", column {self.sample} of the batch"
        lines = [f"{head}  ({which})"]
        keys = (("a", "x"),) if layer == 0 else (("z", "z"), ("a", "a"), ("delta", "δ"))
        for key, sym in keys:
            arr = getattr(st, key)[layer] if st is not None else None
            val = style.NOT_COMPUTED if arr is None else style.fmt(arr[unit, self.sample])
            lines.append(f"{sym}{sub(layer)}[{unit}] = {val}{batch_row(arr, unit)}")
        return "\n".join(lines)

    def item_count(self) -> int:
        """Graphics items in the scene (tests check a wide layer is not 100k edges)."""
        return len(self._glw.scene().items())

    # -- building the picture (once per architecture) -------------------------------
    def _unit_y(self, n: int, i: int) -> float:
        return i - (n - 1) / 2.0

    def _half_height(self, n: int) -> float:
        return BLOCK_H / 2 if n > MAX_UNITS else (n - 1) / 2.0

    def _column_rect(self, l: int, pad: float) -> QRectF:
        h = self._half_height(self._sizes[l]) + pad + 0.3
        return QRectF(l - pad, -h, 2 * pad, 2 * h)

    def _text(self, text: str, x: float, y: float, anchor, delta: float = 0.0,
              bold: bool = False, color: str | None = None) -> pg.TextItem:
        item = pg.TextItem(text, color=color or style.TEXT, anchor=anchor)
        item.setPos(x, y)
        self._vb.addItem(item, ignoreBounds=True)
        self._texts.append((item, delta, bold))
        self._set_font(item, delta, bold)
        return item

    def _set_font(self, item: pg.TextItem, delta: float, bold: bool) -> None:
        item.setFont(style.font(self._scale, delta, bold))
        if "\n" in item.toPlainText():  # centre each line under its column, not just the block
            doc = item.textItem.document()
            opt = doc.defaultTextOption()
            opt.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            doc.setDefaultTextOption(opt)
            item.textItem.setTextWidth(-1)  # re-measure: the width depends on the font
            item.textItem.setTextWidth(doc.idealWidth())
            item.updateTextPos()  # re-anchor to the new size

    def _build(self, sizes: list[int], acts: list[str]) -> None:
        self._vb.clear()
        self._texts, self._edges, self._sizes = [], {}, list(sizes)
        self._scatters = []   # one per drawn layer of neurons
        self._label_sizes: dict[tuple[int, float], tuple[float, float]] = {}
        self._label_form, self._label_step = TWO_LINES, 1
        self._colored = []   # the W arrays the edges were coloured from
        self._layer_texts: list[pg.TextItem] = []
        L = len(sizes) - 1
        top = max(self._half_height(n) for n in sizes) + 1.2
        self._top = top
        # Highlight band behind everything, then edges, then neurons on top.
        self._band = QGraphicsRectItem()
        self._band.setPen(QPen(Qt.PenStyle.NoPen))
        self._band.setZValue(-10)
        self._vb.addItem(self._band)
        self._sel_rect = QGraphicsRectItem()
        self._sel_rect.setPen(pg.mkPen(style.SELECTED, width=2, style=Qt.PenStyle.DashLine))
        self._sel_rect.setVisible(False)
        self._vb.addItem(self._sel_rect)
        for l in range(1, L + 1):
            self._build_edges(l, sizes[l - 1], sizes[l])
        # per layer: the label on two lines, on one, on three (see TWO_LINES & co.)
        self._label_lines: list[tuple[str, str, str]] = []
        for l, n in enumerate(sizes):
            self._build_layer(l, n)
            name = "input" if l == 0 else acts[l - 1]
            units = f"{n} unit{'s' if n != 1 else ''}"
            self._label_lines.append((f"ℓ = {l} · {name}\n{units}", f"ℓ = {l} · {name} · {units}",
                                      f"ℓ = {l}\n{name}\n{units}"))
            self._layer_texts.append(self._text(self._label_lines[-1][0], l, top - 0.4,
                                                (0.5, 0), 0))
        # The loss node, right of the output layer.
        self._loss_x = L + LOSS_GAP   # _fit_range moves it further right if labels need it
        self._loss_box = QGraphicsRectItem(QRectF(self._loss_x - 0.15, -0.9, 0.3, 1.8))
        self._loss_box.setPen(pg.mkPen(style.NEUTRAL, width=2))
        self._vb.addItem(self._loss_box)
        self._c_text = self._text("C", self._loss_x, 0, (0.5, 0.5), 4, True)
        self._loss_text = self._text(style.NOT_COMPUTED, self._loss_x, 1.0, (0.5, 0), -1)
        self._arrow = pg.ArrowItem(headLen=26, headWidth=22, tailLen=50, tailWidth=9, pen=None)
        self._vb.addItem(self._arrow, ignoreBounds=True)
        self._arrow_y = -top - 0.6   # until _fit_range knows the pixel size
        self._step_text = self._text("press → to start", L / 2, -top - 0.6, (0.5, 1), 3, True)
        self._fit_range()
        self.set_selected_layer(self._selected if self._selected and self._selected <= L
                                else None)

    def _build_layer(self, l: int, n: int) -> None:
        if n > MAX_UNITS:
            rect = QGraphicsRectItem(QRectF(l - 0.12, -BLOCK_H / 2, 0.24, BLOCK_H))
            rect.setPen(pg.mkPen(style.MUTED, width=1.5))
            rect.setBrush(QBrush(QColor("#eeeeee")))
            self._vb.addItem(rect)
            self._text(str(n), l, 0, (0.5, 0.5), 2, True)
            return
        spots = [{"pos": (l, self._unit_y(n, i)), "data": (l, i)} for i in range(n)]
        scatter = pg.ScatterPlotItem(spots=spots, size=self._node_px,
                                     pen=pg.mkPen(style.TEXT, width=1.2),
                                     brush=pg.mkBrush("#ffffff"), hoverable=True,
                                     hoverSize=self._node_px + 4, tip=self._tip)
        scatter.setZValue(5)
        self._vb.addItem(scatter)
        self._scatters.append(scatter)

    def _tip(self, x: float, y: float, data) -> str:
        return self.neuron_tooltip(*data)

    def _build_edges(self, l: int, n_in: int, n_out: int) -> None:
        if n_in > MAX_UNITS or n_out > MAX_UNITS:
            # One band stands for the whole dense W_ℓ: per-weight lines would be unreadable.
            h_in, h_out = self._half_height(n_in), self._half_height(n_out)
            poly = QPolygonF([QPointF(l - 1, -h_in), QPointF(l, -h_out),
                              QPointF(l, h_out), QPointF(l - 1, h_in)])
            band = QGraphicsPolygonItem(poly)
            band.setPen(QPen(Qt.PenStyle.NoPen))
            band.setBrush(QBrush(QColor(150, 150, 150, 70)))
            band.setZValue(-5)
            self._vb.addItem(band)
            self._text(f"W{sub(l)} ({n_out} × {n_in})", l - 0.5, 0,
                       (0.5, 0.5), -1, color=style.MUTED)
            return
        lines = []
        for j in range(n_out):
            for i in range(n_in):
                line = QGraphicsLineItem(l - 1, self._unit_y(n_in, i), l, self._unit_y(n_out, j))
                line.setZValue(-2)
                self._vb.addItem(line)
                lines.append((j, i, line))
        self._edges[l] = lines

    # -- per step ---------------------------------------------------------------------
    def _color_edges(self, params) -> None:
        # Engine arrays are never changed in place: the same W objects as last time are
        # the same weights, and only the update step brings new ones (~3 ms saved a step).
        Ws = [W for W, _b in params]
        if len(Ws) == len(self._colored) and all(a is b for a, b in zip(Ws, self._colored,
                                                                          strict=True)):
            return
        self._colored = Ws
        for l, lines in self._edges.items():
            W = params[l - 1][0]
            lo, hi = style.symmetric_levels(W)
            for j, i, line in lines:
                w = W[j, i]
                # Colour level and width are the only numbers the view derives from w.
                color = self._cmap.map((w - lo) / (hi - lo), mode="qcolor")
                line.setPen(pg.mkPen(color, width=0.5 + 3.5 * abs(w) / hi))

    def _color_edges_fast(self, params) -> None:
        """``_color_edges`` with one colour-map lookup per layer, not one per edge: while
        training it runs 15 times a second (2-8-8-1: 5 ms → ~1 ms). Same colours, widths."""
        Ws = [W for W, _b in params]
        if len(Ws) == len(self._colored) and all(a is b for a, b in zip(Ws, self._colored,
                                                                          strict=True)):
            return
        self._colored = Ws
        for l, lines in self._edges.items():
            W = Ws[l - 1]
            lo, hi = style.symmetric_levels(W)
            rgba = self._cmap.map((W - lo) / (hi - lo), mode="float")
            width = 0.5 + 3.5 * np.abs(W) / hi
            for j, i, line in lines:
                pen = QPen(QColor.fromRgbF(*(float(c) for c in rgba[j, i])))
                pen.setWidthF(float(width[j, i]))
                pen.setCosmetic(True)   # as pg.mkPen makes it: width in pixels
                line.setPen(pen)

    def _set_highlight(self, rec) -> None:
        if rec is None:
            self._highlight = ("idle", None)
            self._band.setVisible(False)
            self._arrow.setVisible(False)
            self._loss_box.setPen(pg.mkPen(style.NEUTRAL, width=2))
            self._step_text.setText("press → to start")
            self._step_text.setColor(style.MUTED)
            return
        self._highlight = (rec.phase, rec.layer)
        color = style.phase_color(rec.phase)
        fill = QColor(color)
        fill.setAlpha(45)
        self._band.setBrush(QBrush(fill))
        self._band.setVisible(True)
        self._loss_box.setPen(pg.mkPen(color if rec.phase == "loss" else style.NEUTRAL, width=3))
        L, top = len(self._sizes) - 1, self._top
        y = self._arrow_y
        self._arrow.setVisible(not self.title_dropped)   # see GraphFit
        self._arrow.setStyle(brush=pg.mkBrush(color))
        if rec.phase == "update":
            self._band.setRect(QRectF(-0.3, -top, L + 0.6, 2 * top))
            self._arrow.setVisible(False)
        elif rec.phase == "loss":
            self._band.setRect(QRectF(L - 0.3, -top, self._loss_x - L + 0.55, 2 * top))
            self._arrow.setStyle(angle=180)  # pointing right: a_L flows into the loss
            self._arrow.setPos(self._loss_x - 0.2, y)
        else:
            l = rec.layer
            self._band.setRect(self._column_rect(l, pad=0.3))
            if rec.phase == "forward":
                self._arrow.setStyle(angle=180)
                self._arrow.setPos(l - 0.2, y)
            else:  # backward: the error flows right to left, from ℓ+1 (or the loss) to ℓ
                self._arrow.setStyle(angle=0)
                self._arrow.setPos(l + 0.2, y)
        self._step_text.setText(rec.title)
        self._step_text.setColor(color)

    @property
    def graphics(self) -> pg.GraphicsLayoutWidget:
        """The view the network is drawn in (its scene gets the mouse clicks)."""
        return self._glw

    def edge_at(self, pos: QPointF, tolerance: float = 5.0) -> tuple[int, int, int] | None:
        """(ℓ, row j, col i) of the edge W_ℓ[j, i] within ``tolerance`` px of scene ``pos``."""
        if not self._edges:
            return None
        p = self._vb.mapSceneToView(pos)
        ux, uy = self._vb.viewPixelSize()   # data units per pixel: distances in pixels
        if ux <= 0 or uy <= 0:
            return None
        best, best_d = None, tolerance
        # Only the layer whose span holds the mouse: on hover this runs at every move.
        for l in {int(p.x()) + 1, int(round(p.x()))}:
            for j, i, line in self._edges.get(l, ()):
                ln = line.line()
                ax, ay = (ln.x1() - p.x()) / ux, (ln.y1() - p.y()) / uy
                dx, dy = (ln.x2() - ln.x1()) / ux, (ln.y2() - ln.y1()) / uy
                n2 = dx * dx + dy * dy
                if n2 == 0:
                    continue
                t = min(1.0, max(0.0, -(ax * dx + ay * dy) / n2))
                d = ((ax + t * dx) ** 2 + (ay + t * dy) ** 2) ** 0.5
                if d < best_d:
                    best, best_d = (l, j, i), d
        return best

    def _on_scene_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or not self._sizes:
            return
        p = self._vb.mapSceneToView(ev.scenePos())
        l = int(round(p.x()))
        # Only a click near a column counts; layer 0 (inputs) has no matrices to show.
        if 1 <= l < len(self._sizes) and abs(p.x() - l) < 0.35:
            self.set_selected_layer(l)
            self.layer_clicked.emit(l)


BATCH_SHOWN = 5   # values of a batch row a neuron's tooltip lists


def batch_row(arr, unit: int) -> str:
    """The unit's values over a batch, compactly: "   (batch: 0.12, -0.3, … 16 samples)"."""
    if arr is None or arr.shape[1] < 2:
        return ""
    row = arr[unit]
    shown = ", ".join(style.fmt(v) for v in row[:BATCH_SHOWN])
    more = f", … {len(row)} samples" if len(row) > BATCH_SHOWN else ""
    return f"   (batch: {shown}{more})"
