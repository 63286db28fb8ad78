"""The matrices of one layer ℓ as heatmaps, straight from the stepper's record.

Two rows, read left to right in the order the lecture computes them::

    forward:   a_{ℓ-1}   W_ℓ        b_ℓ   →  z_ℓ   →  a_ℓ     (y beside a_L)
    backward:  W_{ℓ+1}ᵀδ_{ℓ+1}  ⊙ σ'_ℓ  →  δ_ℓ   →  dW_ℓ = δ_ℓ a_{ℓ-1}ᵀ,  db_ℓ

Each matrix is a ``Heatmap`` (gui/heatmap.py: an ImageItem with row 0 on top,
samples as columns, and its own colour bar).  The panel never computes anything:
it draws the arrays in ``stepper.state`` and marks the keys in
``stepper.last.computed``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QPointF, QRect, Qt, pyqtSignal
from PyQt6.QtGui import QCursor
from PyQt6.QtWidgets import QGraphicsGridLayout, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from engine.stepper import quantity_title
from gui import style
from gui.heatmap import Heatmap
from gui.update_row import UPDATE_KEYS, UpdateRow

# (slot key, quantity key in the state, layer offset, grid row, grid col, column stretch)
SLOTS = (
    ("a_prev", "a", -1, 0, 0, 3), ("W", "W", 0, 0, 1, 3), ("b", "b", 0, 0, 2, 2),
    ("z", "z", 0, 0, 3, 3), ("a", "a", 0, 0, 4, 3), ("y", "y", 0, 0, 5, 1),
    ("dc_da", "dc_da", 0, 1, 0, 3), ("sigma_prime", "sigma_prime", 0, 1, 1, 3),
    ("delta", "delta", 0, 1, 2, 3), ("dW", "dW", 0, 1, 3, 3), ("db", "db", 0, 1, 4, 2),
)


HOVER_PROMPT = "Hover a cell to see its row, column and value."
# While training the stepped pass's per-sample records (z, a, δ, …) belong to weights that
# are gone: their slots say so instead of showing numbers that disagree with W.
LIVE_BLANK = "training: pause or step to see"
LIVE_KEYS = ("W", "b", "dW", "db")   # what follows training live (the engine's records)


class MatrixPanel(QWidget):
    """Heatmaps of W, b, z, a, σ', W_{ℓ+1}ᵀδ_{ℓ+1}, δ, dW, db (and a_{ℓ-1}) for one layer.

    Signals
    -------
    cell_hovered(quantity, layer, row, col)
        The mouse is over a cell; ``quantity`` is the engine's key (``"a"`` with
        layer ℓ-1 for the a_{ℓ-1} context matrix).
    cell_left()
        The mouse left all cells.
    cell_clicked(quantity, layer, row, col)
        A cell was clicked ("?" cells of quiz mode included).
    """

    cell_hovered = pyqtSignal(str, int, int, int)
    cell_left = pyqtSignal()
    cell_clicked = pyqtSignal(str, int, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._layer: int | None = None
        self._stepper = None
        self._live: tuple | None = None   # show_live's arguments while training is shown
        self._marked: tuple[str, ...] = ()
        self._hover: tuple[str, int, int] | None = None
        # Quiz mode: {(quantity, layer): shape} shown as "?" while not computed, and the
        # chosen cell (quantity, layer, row, col).
        self._unknown: dict[tuple[str, int], tuple[int, int]] = {}
        self._chosen: tuple[str, int, int, int] | None = None
        self._header = QLabel("Step through the network to see its matrices.")
        self._glw = pg.GraphicsLayoutWidget()
        self.apply_theme()
        self._hover_label = QLabel(HOVER_PROMPT)
        # Their text changes every step or hover: its width must not set the window's
        # minimum width, or each step re-laid out the whole window.
        for label in (self._header, self._hover_label):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self._header)
        lay.addWidget(self._glw, 1)
        lay.addWidget(self._hover_label)
        # One grid per row, so forward and backward columns size independently.  Plain
        # QGraphicsGridLayouts: pyqtgraph's GraphicsLayout.addItem lays the whole row out
        # again after every item it adds (24 times here, ~20 ms of the window's start-up).
        self._glw.ci.layout.setContentsMargins(0, 0, 0, 0)   # pyqtgraph's 9 px, nested,
        self._glw.ci.layout.setSpacing(6)                    # took 60 px from the heatmaps
        grids = []
        for r in range(2):
            row, grid = pg.GraphicsWidget(), QGraphicsGridLayout()
            row.setLayout(grid)
            grid.setContentsMargins(2, 2, 2, 2)
            grid.setHorizontalSpacing(4)
            grid.setVerticalSpacing(0)
            grid.setRowStretchFactor(1, 1)
            self._glw.ci.layout.addItem(row, r, 0)
            grids.append(grid)
        self._maps: dict[str, Heatmap] = {}
        # A vertical caption per row in its phase colour: which half of the pass it is.
        self._captions = []
        for grid, phase in zip(grids, ("forward", "backward"), strict=True):
            cap = pg.LabelItem(phase, angle=-90, color=style.PHASE_COLORS[phase], bold=True)
            grid.addItem(cap, 0, 0, 2, 1)
            self._captions.append(cap)
        cmap = style.diverging_cmap()
        for key, _q, _off, r, c, stretch in SLOTS:
            self._maps[key] = Heatmap(grids[r], c + 1, cmap)
            grids[r].setColumnStretchFactor(c + 1, stretch)
        # y has a column on the output layer only: out of the layout elsewhere, so the
        # other five keep its room (a narrow centre fits five, not six).
        self._y_grid, self._y_shown = grids[0], True
        y = self._maps["y"]   # a narrow column: no colour bar (the same colours as a_L)
        y.with_bar = False
        y.bar.setVisible(False)
        policy = y.bar.sizePolicy()
        policy.setRetainSizeWhenHidden(False)
        y.bar.setSizePolicy(policy)
        y.plot.vb.setMinimumWidth(16)
        self._show_y_column(False)
        # At the update step the backward row gives its place to W before | step | W after.
        self._update_row = UpdateRow(cmap)
        self._update_row.widget.hide()   # out of the scene till first used
        self._maps.update(self._update_row.maps)
        self._backward_row = self._glw.ci.layout.itemAt(1, 0)
        self._update_record = None   # the engine's UpdateStep while the update row is shown
        self._update_on = False
        self._tip_vb = None   # the plot whose tooltip is the hovered cell's text
        self._glw.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._glw.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._glw.viewport().installEventFilter(self)
        self.set_font_scale(1.0)

    # -- public API ---------------------------------------------------------
    def show_layer(self, stepper, layer: int) -> None:
        """Draw layer ``layer`` (1..L) of ``stepper.state``; mark ``stepper.last.computed``."""
        st = stepper.state
        L = len(st.params)
        if not 1 <= layer <= L:
            raise ValueError(f"layer must be in 1..{L}, got {layer}")
        self._live = None   # the stepper's record again (training ended or paused)
        self._layer = layer
        self._stepper = stepper
        self._show_y_column(layer == L and self._y_fits())
        if self._hover is not None:   # its value may have changed (a step, an edit)
            self._hover = None
            self._hover_label.setText(HOVER_PROMPT)
            self._set_tip(None, "")
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
            unknown = self._unknown.get((q, layer + off)) if arr is None else None
            if unknown is not None:
                ch = self._chosen
                hm.show_unknown(unknown, ch[2:] if ch is not None and ch[:2] == (q, layer + off)
                                else None)
            shape = arr.shape if arr is not None else shapes.get(key, (n, batch))
            title = quantity_title(q, layer + off, shape, L)
            hm.set_title(self._title_html(title, key in self._marked, color),
                         self._title_html(title, True, style.NEUTRAL))
            hm.set_marked(color if key in self._marked else None)
        # Apply the new view ranges now (pyqtgraph defers them to the start of the paint):
        # applied during the paint, they marked the plots dirty again and Qt painted them
        # a second time right after (~4 ms a step).
        self._glw.scene().prepareForPaint()
        phase = ""
        if last is not None:   # "forward z", "backward grads", "update" (not "update update")
            what = last.phase if last.kind == last.phase else f"{last.phase} {last.kind}"
            phase = f" · last step: {what}"
        self._header.setText(f"<b>Layer ℓ = {layer}</b> of {L} · {n} unit{'s' if n != 1 else ''}"
                             " · batch of "
                             f"{batch} sample{'s' if batch != 1 else ''} (columns){phase}")
        self._show_update(stepper, layer)

    def _y_fits(self) -> bool:
        """Whether the top row has room for a sixth column, y, at its smallest."""
        grid = self._y_grid
        was = self._y_shown
        self._show_y_column(True)
        need = grid.effectiveSizeHint(Qt.SizeHint.MinimumSize).width()
        self._show_y_column(was)
        return need <= self._glw.viewport().width()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        st = self._stepper
        if st is not None and self._live is None and self._layer == len(st.state.params) \
                and self._y_shown != self._y_fits():
            self.show_layer(st, self._layer)

    def _show_y_column(self, on: bool) -> None:
        """The target y has a column beside a_L on the output layer; elsewhere none."""
        if on == self._y_shown:
            return
        self._y_shown = on
        hm, grid = self._maps["y"], self._y_grid
        col = next(c for k, _q, _o, _r, c, _s in SLOTS if k == "y") + 1
        if on:
            grid.addItem(hm.label, 0, col)
            grid.addItem(hm.plot, 1, col)
        else:   # out of the layout, so the other columns get its room
            grid.removeItem(hm.label)
            grid.removeItem(hm.plot)
        grid.setColumnStretchFactor(col, 1 if on else 0)
        hm.label.setVisible(on)
        hm.plot.setVisible(on)

    def set_unknown(self, cells: dict[tuple[str, int], tuple[int, int]],
                    chosen: tuple[str, int, int, int] | None = None) -> None:
        """Quiz mode: show {(quantity, layer): shape} as "?" cells while not computed.

        ``chosen`` (quantity, layer, row, col) is tinted. An empty dict ends it.
        """
        if cells == self._unknown and chosen == self._chosen:
            return
        self._unknown, self._chosen = dict(cells), chosen
        self._redraw()

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

    def apply_theme(self) -> None:
        """Take style's current background (titles and badges follow at the next redraw)."""
        self._glw.setBackground(style.BACKGROUND)

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
        self._update_row.set_font_scale(f)
        for hm in self._maps.values():
            hm.empty_font = style.font(f, 1)
            hm._fit_empty()
            hm.set_tick_font(tick)
            hm.label.set_base_font(style.font(f))
            hm.title = None  # force the title to re-render at the new size
        self._redraw()

    # -- helpers ------------------------------------------------------------
    @staticmethod
    def _array(st, q: str, l: int, W: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        if q == "W":
            return W
        if q == "b":
            return b
        if q == "y":   # the target, beside a_L: what the loss compares it with
            return st.Y if l == len(st.params) else None
        return getattr(st, q)[l]

    @staticmethod
    def _empty_text(st, key: str, layer: int, L: int) -> str:
        # At ℓ = L cross-entropy skips ∂c/∂a_L and softmax has no σ'_L: say so, not "yet".
        if key in ("dc_da", "sigma_prime") and layer == L and st.delta[L] is not None:
            return "not used for this loss"
        if key == "y":
            return "target y: output layer"
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
    def cell_at(self, pos: QPointF) -> tuple[str, int, int] | None:
        """(slot key, row, col) of the cell under the scene position ``pos``, or None."""
        for key, hm in self._maps.items():
            if hm.data is None or not self._in_view(key) \
                    or not hm.plot.vb.sceneBoundingRect().contains(pos):
                continue
            p = hm.plot.vb.mapSceneToView(pos)
            row, col = int(np.floor(p.y() + 0.5)), int(np.floor(p.x() + 0.5))
            rows, cols = hm.data.shape
            if 0 <= row < rows and 0 <= col < cols:
                return key, row, col
        return None

    def cell_rect(self, key: str, row: int, col: int) -> QRect:
        """Where cell (row, col) of heatmap ``key`` is, in ``self.graphics`` coordinates."""
        vb = self._maps[key].plot.vb
        a = self._glw.mapFromScene(vb.mapViewToScene(QPointF(col - 0.5, row - 0.5)))
        b = self._glw.mapFromScene(vb.mapViewToScene(QPointF(col + 0.5, row + 0.5)))
        return QRect(a, b).normalized()

    @property
    def graphics(self) -> pg.GraphicsLayoutWidget:
        """The view the heatmaps are drawn in (its scene gets the mouse clicks)."""
        return self._glw

    def heatmaps(self) -> dict[str, Heatmap]:
        """The heatmaps by slot key ("a_prev", "W", "b", "z", …)."""
        return dict(self._maps)

    @property
    def layer(self) -> int | None:
        return self._layer

    def _on_mouse_moved(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell is not None:
            self._hover_cell(*cell)
            return
        self._leave()

    def _on_mouse_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self._layer is None:
            return
        pos = ev.scenePos()
        for key, q, off, *_ in SLOTS:
            hm = self._maps[key]
            shape = hm.data.shape if hm.data is not None else hm.unknown_shape
            if shape is None or not self._in_view(key) \
                    or not hm.plot.vb.sceneBoundingRect().contains(pos):
                continue
            p = hm.plot.vb.mapSceneToView(pos)
            row, col = int(np.floor(p.y() + 0.5)), int(np.floor(p.x() + 0.5))
            if 0 <= row < shape[0] and 0 <= col < shape[1]:
                self.cell_clicked.emit(q, self._layer + off, row, col)
            return

    def _hover_cell(self, key: str, row: int, col: int) -> None:
        q, off = self.slot_quantity(key)
        layer = (self._layer or 0) + off
        data = self._maps[key].data
        assert data is not None   # cell_at finds cells only in a heatmap that has data
        value = data[row, col]
        text = f"{self.slot_symbol(key)}[row {row}, col {col}] = {style.fmt(value)}"
        self._hover_label.setText(text)
        QToolTip.showText(QCursor.pos(), text, self._glw)
        self._set_tip(self._maps[key].plot.vb, text)
        if self._hover != (key, row, col):
            self._hover = (key, row, col)
            if self._live is None:   # the stepper's explanation would be of older weights
                self.cell_hovered.emit(q, layer, row, col)

    def _leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            QToolTip.hideText()
            self._set_tip(None, "")
            self.cell_left.emit()

    def _set_tip(self, vb, text: str) -> None:
        """The hovered cell's text as its plot's tooltip, so the tooltip Qt shows after its
        hover delay is this one (it hid the one from QToolTip.showText); one at a time."""
        old = self._tip_vb
        if old is not None and old is not vb:
            old.setToolTip("")
        if vb is not None:
            vb.setToolTip(text)
        self._tip_vb = vb

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == event.Type.Leave:
            self._leave()
        return super().eventFilter(obj, event)

    # -- the update step's row ----------------------------------------------------------------
    def _show_update(self, stepper, layer: int) -> None:
        """At the update step, W before | step | W after (and b) instead of the backward row."""
        record = stepper.update_step()
        self._set_update_view(record is not None)
        self._update_record = record
        if record is None:
            return
        self._update_row.show(record, layer)
        color = style.PHASE_COLORS["update"]
        for key in UPDATE_KEYS:
            hm, marked = self._maps[key], key.endswith("_after")
            title = self._update_row.title(record, key, layer)
            hm.set_title(self._title_html(title, marked, color),
                         self._title_html(title, True, style.NEUTRAL))
            hm.set_marked(color if marked else None)
        self._glw.scene().prepareForPaint()

    def _set_update_view(self, on: bool) -> None:
        """Swap the backward row and the update row in the panel's layout."""
        if on == self.showing_update:
            return
        lay = self._glw.ci.layout
        row = self._update_row.widget
        old, new = (self._backward_row, row) if on else (row, self._backward_row)
        lay.removeItem(old)
        old.hide()
        lay.addItem(new, 1, 0)
        new.show()
        self._update_on = on
        lay.activate()   # place the row now: a hover right after the step finds its cells

    @property
    def showing_update(self) -> bool:
        """Whether the update row (W before | step | W after) stands in the backward row's place."""
        return self._update_on

    def _in_view(self, key: str) -> bool:
        """Whether heatmap ``key`` is on screen (the update row or the backward row is)."""
        if key in UPDATE_KEYS:
            return self.showing_update
        backward = next(r for k, _q, _o, r, *_ in SLOTS if k == key) == 1
        return not (backward and self.showing_update)

    def slot_quantity(self, key: str) -> tuple[str, int]:
        """(the engine's quantity key, layer offset) a heatmap shows: ("a", -1) for a_prev."""
        if key in UPDATE_KEYS:
            return key, 0
        return next((q, off) for k, q, off, *_ in SLOTS if k == key)

    def slot_symbol(self, key: str) -> str:
        """The symbol of what heatmap ``key`` shows: "δ₂", "W₁ before", "−α ∂C/∂W₁"."""
        layer = self._layer or 1
        if key in UPDATE_KEYS:
            record = self._update_record
            return key if record is None else record.symbol(key, layer)
        q, off = self.slot_quantity(key)
        L = len(self._stepper.state.params) if self._stepper is not None else None
        return quantity_title(q, layer + off, None, L)

    # -- live training ---------------------------------------------------------------
    def _redraw(self) -> None:
        """Draw again what is shown (after a font, quiz or size change)."""
        if self._live is not None:
            self.show_live(*self._live)
        elif self._layer is not None and self._stepper is not None:
            self.show_layer(self._stepper, self._layer)

    @property
    def live(self) -> bool:
        """True while the panel follows training (``show_live``) instead of the stepper."""
        return self._live is not None

    def show_live(self, params, layer: int, grads=None, iteration: int | None = None,
                  batch: int | None = None) -> None:
        """While training: W_ℓ, b_ℓ as they are now (``params``, the network's (W, b) pairs)
        and ∂C/∂W_ℓ, ∂C/∂b_ℓ of the latest iteration (``grads``, the trainer's record, or
        None); every per-sample slot says ``LIVE_BLANK``. ``show_layer`` ends it."""
        L = len(params)
        if not 1 <= layer <= L:
            raise ValueError(f"layer must be in 1..{L}, got {layer}")
        self._live = (params, layer, grads, iteration, batch)
        self._layer = layer
        self._set_update_view(False)   # ∂C/∂W, ∂C/∂b live in the backward row
        self._update_record = None
        self._marked = ()
        self._show_y_column(False)   # y is the stepped batch's target: per-sample too
        if self._hover is not None:
            self._hover = None
            self._hover_label.setText(HOVER_PROMPT)
        W, b = params[layer - 1]
        arrays = {"W": W, "b": b}
        if grads is not None:
            arrays.update(dW=grads.dW[layer], db=grads.db[layer])
        for key, q, off, _r, _c, _s in SLOTS:
            hm = self._maps[key]
            arr = arrays.get(key)
            hm.show(arr, LIVE_BLANK)
            shape = arr.shape if arr is not None else None
            title = quantity_title(q, layer + off, shape, L)
            hm.set_title(self._title_html(title, False, None),
                         self._title_html(title, True, style.NEUTRAL))
            hm.set_marked(None)
        self._glw.scene().prepareForPaint()
        # Short (it must fit 1280 px) and without the iteration number (the graph shows it):
        # a header that changes 15 times a second re-lays out the panel each time.
        grad_text = "" if grads is None else "; ∂C/∂W, ∂C/∂b of the last mini-batch"
        self._header.setText(f"<b>Layer ℓ = {layer}</b> of {L} · "
                             f"<b style='color:{style.PHASE_COLORS['update']}'>training</b>:"
                             f" W, b now{grad_text}")
