"""Fitting the layer graph to its view: margins for the texts, label forms, the loss node.

Texts keep their point size while the view changes size, so the picture's range is
computed in pixels around them (``GraphView`` mixes this in; it owns the items).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QGraphicsRectItem

NODE_PX = 16.0    # a neuron's diameter when the view has room
ARROW_ROOM = 28.0   # px between the title and the picture: the arrow is 22 px tall
NODE_MIN_PX = 7.0   # … and in a short view: smaller is hard to see from the back of a room
NODE_GAP_PX = 2.0    # px at least between two neurons' circles: merged, they read as a bar
# A short view (1280×720) drops the step's title and arrow (the formula panel has the title)
# when keeping them would bring the neurons closer than this, in px.
TITLE_MIN_SPACING = 14.0
HEADLESS_ROOM = 6.0   # px above the picture without the title
MIN_SPACING = 10.0    # px between neurons the centre's layout gives the graph at least
TWO_LINES, ONE_LINE, THREE_LINES = 0, 1, 2   # forms of a layer's label (_label_lines)
LABEL_GAP = 10.0   # px between neighbouring layer labels
MIN_PICTURE_PX = 60.0   # height the neurons keep when labels take three lines
LOSS_GAP = 0.75    # the loss node's distance from the output layer, in columns (at least)


class GraphFit:
    """The graph's range, label forms and loss node for the view's size in pixels."""

    # GraphView creates these (in __init__ and _build); declared here so the mixin's
    # code is checked against the same types.
    _vb: pg.ViewBox
    _scale: float
    _sizes: list[int]
    _top: float
    _node_px: float
    _scatters: list[pg.ScatterPlotItem]
    _step_text: pg.TextItem
    _arrow: pg.ArrowItem
    _arrow_y: float
    _loss_x: float
    _loss_box: QGraphicsRectItem
    _c_text: pg.TextItem
    _loss_text: pg.TextItem
    _layer_texts: list[pg.TextItem]
    _label_lines: list[tuple[str, str, str]]
    _label_sizes: dict[tuple[int, float], tuple[float, float]]
    _label_form: int
    _label_step: int
    _highlight: tuple[str, int | None]
    title_dropped = False   # the step's title and arrow left out: the view is too short
    _fitted_loss_w = 0.0    # px of the loss text the last fit made room for

    def _fit_range(self) -> None:
        """The picture in data units plus margins in pixels for the texts around it.

        Texts keep their point size while the view shrinks, so a fixed data range
        let the title and the layer labels run off a short view (e.g. at 1280×800).
        """
        if not self._sizes:
            return
        w, h = self._vb.width(), self._vb.height()
        if w < 40 or h < 40:
            return

        def size(item: pg.TextItem):  # text items ignore the view's scale: this is pixels
            return item.textItem.boundingRect()

        # Between the title and the picture, room in pixels for the step's arrow: in data
        # units it overlapped the title whenever the units were small (blocks of 784).
        above = size(self._step_text).height() + 4 + ARROW_ROOM
        y0, y1 = -self._top, self._top - 0.4   # the highlight band's top, labels' top
        # Too short for the title, the arrow and distinct neurons: the neurons win.
        below_two = self._label_size(TWO_LINES)[1] + 4
        self.title_dropped = (h - above - below_two) / (y1 - y0) < TITLE_MIN_SPACING
        if self.title_dropped:
            above = HEADLESS_ROOM
        self._step_text.setVisible(not self.title_dropped)
        # The arrow shows the direction of a forward, loss or backward step (see _set_highlight).
        self._arrow.setVisible(not self.title_dropped
                               and self._highlight[0] in ("forward", "loss", "backward"))
        x0, L = 0.0, len(self._sizes) - 1
        loss_w = max(size(self._loss_text).width(), size(self._c_text).width())
        self._fitted_loss_w = loss_w

        def scales(form: int) -> tuple[float, float, float, float]:
            label_w, label_h = self._label_size(form)
            below, half = label_h + 4, max(label_w, loss_w) / 2 + 6
            return ((y1 - y0) / max(h - above - below, 20.0), below,
                    (self._loss_x - x0) / max(w - 2 * half, 20.0), half)

        form = TWO_LINES
        upp, below, upx, half = scales(form)
        if 0.95 / upp < NODE_PX:
            # Short view (a projector at 1280×720 in presentation mode): a layer's label
            # on one line gives the neurons its second line, if it clears the next column.
            alt = scales(ONE_LINE)
            if self._label_size(ONE_LINE)[0] + 12 <= 1.0 / alt[2] and alt[0] < upp:
                form, (upp, below, upx, half) = ONE_LINE, alt
        # The loss node sits right of the output layer, far enough that the last layer's
        # label and the loss' value do not run together ("ℓ = 7 · sigmoidnot computed").
        need = (self._label_size(form)[0] + loss_w) / 2 + 10
        room = w - 2 * half - need
        gap = max(LOSS_GAP, need * L / room) if room > 0 else LOSS_GAP
        if gap != self._loss_x - L:
            self._loss_x = L + gap
            upp, below, upx, half = scales(form)
        # Neighbouring labels one column apart: three short lines, then every k-th label.
        # Three lines only where the view has the height for them (not at 1280×720).
        step = 1
        if self._label_size(form)[0] + LABEL_GAP > 1.0 / upx:
            alt = scales(THREE_LINES)
            # (and neurons kept MIN_SPACING apart: else fewer labels, not taller ones)
            if h - above - alt[1] >= max(MIN_PICTURE_PX, (y1 - y0) * MIN_SPACING):
                form, (upp, below, upx, half) = THREE_LINES, alt
            step = max(1, math.ceil((self._label_size(form)[0] + LABEL_GAP) * upx))
        self._set_label_lines(form, step)
        self._place_loss(upx, upp)
        self._step_text.setPos(self._step_text.pos().x(), y0 - ARROW_ROOM * upp)
        self._arrow_y = y0 - ARROW_ROOM / 2 * upp
        self._arrow.setPos(self._arrow.pos().x(), self._arrow_y)
        self._vb.setRange(xRange=(x0 - half * upx, self._loss_x + half * upx),
                          yRange=(y0 - above * upp, y1 + below * upp), padding=0)
        # Neurons are one unit apart: in a short view (1280×720, presentation mode) 16 px
        # circles ran into each other, so they shrink to the spacing (down to NODE_MIN_PX).
        node = float(round(min(NODE_PX, max(NODE_MIN_PX, min(0.95, 1 - NODE_GAP_PX * upp) / upp))))
        if node != self._node_px:
            self._node_px = node
            for scatter in self._scatters:
                scatter.setSize(node)
                scatter.opts["hoverSize"] = node + 4

    def _place_loss(self, upx: float, upp: float) -> None:
        """The C box around its glyph, and the loss' value under it, sized in pixels.

        In data units the box was 0.3 × 1.8 neuron spacings: a few pixels in a short
        view, with the C spilling out of it and the value written over the C.
        """
        c = self._c_text.textItem.boundingRect()   # the glyph with its 4 px margins
        bw, bh = c.width() * upx, c.height() * upp
        x = self._loss_x
        self._loss_box.setRect(QRectF(x - bw / 2, -bh / 2, bw, bh))
        self._c_text.setPos(x, 0)
        self._loss_text.setPos(x, bh / 2 + 2 * upp)

    def _label_size(self, form: int) -> tuple[float, float]:
        """Widest and tallest layer label in ``form`` (TWO_LINES & co.), in pixels.

        Measured once per architecture and font size (by setting the text), not on every
        resize, which would switch the labels back and forth each time.
        """
        key = (form, self._scale)
        if key not in self._label_sizes:
            shown, step = self._label_form, self._label_step
            self._set_label_lines(form)
            rects = [t.textItem.boundingRect() for t in self._layer_texts]
            self._label_sizes[key] = (max(r.width() for r in rects),
                                      max(r.height() for r in rects))
            self._set_label_lines(shown, step)
        return self._label_sizes[key]

    def _set_label_lines(self, form: int, step: int = 1) -> None:
        """Layer labels in ``form`` (two lines, one, three); only every ``step``-th shown.

        The input and output layers keep their labels whatever the step.
        """
        self._label_form, self._label_step = form, step
        last = len(self._layer_texts) - 1
        for l, (item, texts) in enumerate(zip(self._layer_texts, self._label_lines,
                                              strict=True)):
            item.setVisible(l % step == 0 and (l == last or last - l >= step) or l == last)
            text = texts[form]
            if item.toPlainText() != text:
                item.setText(text)
                item.textItem.setTextWidth(-1)   # several lines are centred at their own width
                if form != ONE_LINE:
                    item.textItem.setTextWidth(item.textItem.document().idealWidth())
                item.updateTextPos()

    def _refit_if_loss_grew(self) -> None:
        """Fit again when the loss text became wider than the one fitted ("C = 2.967e-06"
        after "C = 0.1872"): the right margin was sized for the shorter one and cut it."""
        if self._loss_text.textItem.boundingRect().width() > self._fitted_loss_w + 0.5:
            self._fit_range()

    def needed_height(self, spacing: float = MIN_SPACING) -> int:
        """The view's height (px) at which neurons are ``spacing`` px apart, without title.

        The layout of the window's centre gives the graph at least this much, so that a
        short screen never squashes the columns of neurons into a line.
        """
        if not self._sizes:
            return 0
        units = 2 * self._top - 0.4   # the band's top to the labels' top, in spacings
        labels = self._label_size(self._label_form)[1]   # the form the view shows
        return int(math.ceil(units * spacing + labels + 4 + HEADLESS_ROOM))
