"""The loss curve: train loss per iteration, plus full-set train/val loss per epoch.

The widget only draws ``engine.training.History`` (``iter_loss``, ``epoch_train``,
``epoch_val``); it computes nothing but the x positions of the points.

Numbering and the CSV format: see ``engine.history_csv``.
"""

from __future__ import annotations

import os
from typing import Any, TypedDict

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QFont, QFontInfo
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.history_csv import (  # noqa: F401 - part of this module's interface
    CSV_HEADER,
    epoch_ends,
    epoch_layout,
    history_csv_text,
    iters_per_epoch_of,
    read_history_csv,
    write_history_csv,
)

from . import style
from .loss_axis import LossAxis
from .loss_buffers import Counting, EpochX, Extent, Growing
from .loss_export import (  # noqa: F401 - part of this module's interface
    EMPTY,
    EXPORT_SIZE,
    EXPORT_TYPES,
    X_AXES,
    export_loss_plot,
    is_empty,
)
from .loss_legend import LegendPlacer
from .loss_range import Range, StickyViewBox, padded, sticky_x, sticky_y

HINT = "Train (toolbar) to see the loss fall"
# Short, so that the legend fits one row of a narrow dock (the axis says "loss C").
LEGEND_NAMES = ("per mini-batch", "train, epoch mean", "validation")
# The view of an empty plot: iterations 0..10, loss 0..1 (log: 10⁻²..10⁰).
EMPTY_RANGE = ((0.0, 10.0), ((0.0, 1.0), (-2.0, 0.0)))
LEGEND_EVERY = 15   # refreshes (½ s while training) between choices of the legend's corner


class PlotColors(TypedDict):
    """One theme's colours: CSS names for text and paper, RGB(A) tuples for pens."""

    paper: str
    text: str
    axis: tuple[int, int, int]
    hint: str
    iter: tuple[int, int, int, int]
    train: tuple[int, int, int]
    val: tuple[int, int, int]
    legend: tuple[int, int, int, int]


# Per theme: paper, text, axis line, the three curves, the legend's paper inside the plot.
COLORS: dict[str, PlotColors] = {
    "light": {"paper": "#ffffff", "text": "#222222", "axis": (90, 90, 90), "hint": "#777777",
              "iter": (70, 110, 200, 150), "train": (20, 40, 140), "val": (220, 100, 20),
              "legend": (255, 255, 255, 215)},
    "dark": {"paper": "#1f1f22", "text": "#e4e4e4", "axis": (170, 170, 170), "hint": "#a6a6a6",
             "iter": (110, 150, 235, 150), "train": (150, 190, 255), "val": (245, 150, 70),
             "legend": (31, 31, 34, 215)},
}
LABEL_SCALE = 1.15  # axis labels a little larger than ticks and legend, at every size
# Beyond this many epochs the markers merge into a thick line, and each refresh would
# rebuild thousands of them: the epoch curves are then drawn as plain lines.
MAX_EPOCH_SYMBOLS = 200
EPOCH_SYMBOLS = ("o", "s")  # train, validation
# Points per pixel column that peak downsampling keeps (pyqtgraph's default is five):
# with 1 each column keeps its min and max, so a band looks the same and costs a fraction
# to draw; the thick epoch lines of a long run cost ~1.5 ms more per paint at 5.
DOWNSAMPLE_FACTOR = 1.0


class LossPlotWidget(QWidget):
    """Loss C against iteration or epoch; set a History once, then ``refresh()`` while it grows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history: Any = None
        self._k: int | None = None
        self._x_axis = "iteration"
        self._log_y = False
        self._iter_x = Counting()
        self._epoch_key: tuple | None = None  # what the epoch curves show now
        self._reset_buffers()
        self._x_max = np.nan                # largest x drawn
        self._x_max_epochs = np.nan         # … by the epoch curves
        self._n_shown = 0                   # iteration losses drawn
        # True while refresh() is adding points: auto-range then keeps a sticky nice
        # range (gui/loss_range.py); set_history & co. fit the data exactly again.
        self._live = False
        bg = QColor("white")
        self.view_box = StickyViewBox()
        self.view_box.sticky = self._sticky_range
        # A layout of two rows: the plot, and under it the legend. Inside the plot the
        # legend hid the curves whenever they passed its corner (a noisy mini-batch
        # curve passes every corner).
        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setBackground(bg)
        self.plot_item = pg.PlotItem(
            viewBox=self.view_box,
            axisItems={side: LossAxis(side, bg) for side in ("left", "bottom")})
        self.plot_widget.addItem(self.plot_item, row=0, col=0)
        pi = self.plot_item
        pi.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):
            ax = pi.getAxis(side)
            ax.setZValue(-200)  # under the ViewBox (z -100): opaque grid lines stay behind curves
            ax.setTextPen("k")  # the default grey is hard to read on white and in exports
            ax.setPen((90, 90, 90))
            ax.enableAutoSIPrefix(False)  # "loss C (x0.001)" confuses more than it helps
        for side in ("top", "right"):   # hidden, but linked: no label re-render per range
            pi.getAxis(side).enableAutoSIPrefix(False)
        self._text_px = 11.0
        self._refreshes = 0
        self._text_color = "#222"
        # Peak downsampling keeps spikes visible; clip-to-view keeps 10⁶ points interactive.
        self.iter_curve = pi.plot(pen=pg.mkPen((70, 110, 200, 150), width=1),
                                  autoDownsampleFactor=DOWNSAMPLE_FACTOR,
                                  name=LEGEND_NAMES[0])
        self.epoch_train_curve = pi.plot(
            pen=pg.mkPen((20, 40, 140), width=2.5), symbol=EPOCH_SYMBOLS[0], symbolSize=6,
            symbolBrush=(20, 40, 140), symbolPen=None, name=LEGEND_NAMES[1],
            autoDownsampleFactor=DOWNSAMPLE_FACTOR)
        self.epoch_val_curve = pi.plot(
            pen=pg.mkPen((220, 100, 20), width=2.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            symbol=EPOCH_SYMBOLS[1], symbolSize=6, symbolBrush=(220, 100, 20), symbolPen=None,
            name=LEGEND_NAMES[2], autoDownsampleFactor=DOWNSAMPLE_FACTOR)
        self._legend = LegendPlacer(self.plot_widget.ci, pi, [
            self.iter_curve, self.epoch_train_curve, self.epoch_val_curve])
        self.legend = self._legend.below
        self.iter_curve.setDownsampling(auto=True, method="peak")
        self.iter_curve.setClipToView(True)
        # While they have markers the epoch curves are drawn whole: clipping them, or
        # re-checking their (finite, modest) values against a dynamic range limit, would
        # rebuild their markers on every pan and zoom.
        for c in (self.epoch_train_curve, self.epoch_val_curve):
            c.setDownsampling(ds=1, auto=False)
            c.setClipToView(False)
            c.setDynamicRangeLimit(None)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot_widget)
        # Before any training the plot is empty: say what fills it (not part of exports).
        self.hint = QLabel(HINT, self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #777; font-size: 11pt; background: transparent;")
        self.hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setMinimumSize(240, 120)   # with the data view: fits 720 px
        self.set_text_px(QFontInfo(style.font()).pixelSize())
        self.apply_theme()

    # -- public API ---------------------------------------------------------
    def set_history(self, history: Any, iters_per_epoch: int | None = None) -> None:
        """Show ``history`` (kept by reference); ``iters_per_epoch`` fixes k if known."""
        for attr in ("iter_loss", "epoch_train", "epoch_val"):
            if history is not None and not hasattr(history, attr):
                raise ValueError(f"history has no attribute {attr!r} (expected a "
                                 "engine.training.History)")
        self._history = history
        self._k = iters_per_epoch
        self._reset_buffers()
        self._epoch_key = None
        self._show_all()

    def show_history(self, history: Any) -> None:
        """Show ``history`` after it changed: only the new points if it just grew
        (a stepped iteration), all of it if it is another one or was cut back."""
        if history is self._history and len(history.iter_loss) >= self._n_shown:
            self.refresh()
        else:
            self.set_history(history)

    @property
    def n_shown(self) -> int:
        """Iteration losses drawn."""
        return self._n_shown

    @property
    def history(self) -> Any:
        return self._history

    def refresh(self) -> None:
        """Redraw from the same History; cheap (only new points are converted).

        With 10⁶ points this must stay well under a frame: x values are views of
        cached arrays, epoch-axis positions are extended incrementally, the epoch
        curves are set again only when an epoch (or k) changed, and while points
        are being added the auto-range keeps a sticky nice range (no bounds of the
        curves computed, no axes regenerated until the data leave that range).
        """
        n, key = self._n_shown, self._epoch_key
        self._update_curves()
        if self._history is not None and (self._n_shown > n or self._epoch_key != key):
            self._live = True
        self._settle_range()
        self._refreshes += 1
        if self._legend.inside and self._refreshes % LEGEND_EVERY == 0:
            self._fit_legend()   # the curves moved: maybe another corner is emptier now

    def _reset_buffers(self) -> None:
        # Per History list: its values as floats and their extent, both kept up to date
        # with the new items only (an epoch ends in most frames of a fast run).
        self._iter_y, self._epoch_y = Growing(), (Growing(), Growing())
        self._iter_ext, self._epoch_exts = Extent(), (Extent(), Extent())
        self._ends = Growing()
        self._epoch_x = EpochX()

    def _epoch_ends(self, h: Any, k: int | None) -> np.ndarray | None:
        """``epoch_ends``, from a float copy of ``epoch_iteration`` extended incrementally."""
        known = getattr(h, "epoch_iteration", None)
        E = max(len(h.epoch_train), len(h.epoch_val))
        if known is not None and len(known) >= E:
            return self._ends.sync(known)[:E]
        return epoch_ends(h, k)

    def _show_all(self) -> None:
        """Draw the History and fit the view to all of it (until refresh() adds points).

        With nothing to fit (after Reset) the view goes back to ``EMPTY_RANGE``: an
        auto-range over no data keeps whatever range the last run left.
        """
        self._live = False
        self._update_curves()
        if self.is_empty():
            x, y = EMPTY_RANGE
            self.view_box.setRange(xRange=x, yRange=y[self._log_y], padding=0.0,
                                   disableAutoRange=False)
        self.plot_item.enableAutoRange()
        self._settle_range()
        self._fit_legend()

    def _update_curves(self) -> None:
        h = self._history
        self.hint.setVisible(h is None or not (len(h.iter_loss) or len(h.epoch_train)
                                               or len(h.epoch_val)))
        if h is None:
            for c in (self.iter_curve, self.epoch_train_curve, self.epoch_val_curve):
                c.setData([], [])
            self._epoch_key = None
            self._n_shown = 0
            return
        self._set_curves(h)

    def _set_curves(self, h: Any) -> None:
        raw = self._iter_y.sync(h.iter_loss)
        self._iter_ext.update(raw)
        y = self._mask(raw)
        n = self._n_shown = y.size
        k = iters_per_epoch_of(h, self._k)
        ends = self._epoch_ends(h, k)
        x_iter = np.nan
        if self._x_axis == "iteration":
            self.iter_curve.setData(self._iter_x.upto(n), y)
            x_iter = float(n)
        elif k and ends is not None:
            x = self._epoch_x.sync_frac(n, ends, k)
            self.iter_curve.setData(x, y)
            x_iter = float(x[-1]) if n else np.nan
        else:
            self.iter_curve.setData([], [])
        key = (self._x_axis, self._log_y, k, len(h.epoch_train), len(h.epoch_val),
               None if ends is None else ends.size)
        if key == self._epoch_key:
            self._x_max = np.fmax(x_iter, self._x_max_epochs)
            return
        self._epoch_key = key
        et, ev = (g.sync(values) for g, values in zip(self._epoch_y, (h.epoch_train, h.epoch_val),
                                                     strict=True))
        for ext, y in zip(self._epoch_exts, (et, ev), strict=True):
            ext.update(y)
        et, ev = self._mask(et), self._mask(ev)
        few = max(et.size, ev.size) <= MAX_EPOCH_SYMBOLS
        for c, symbol in zip((self.epoch_train_curve, self.epoch_val_curve), EPOCH_SYMBOLS,
                             strict=True):
            if (c.opts["symbol"] is not None) != few:
                c.setSymbol(symbol if few else None)
                # Without markers a long epoch curve is a plain line: thin it out like
                # the iteration curve (a thick dashed line of 10³ points is slow to stroke).
                c.setDownsampling(ds=1, auto=not few, method="peak")
                c.setClipToView(not few)
        self._show_in_legend(self.epoch_val_curve, ev.size > 0)  # no val set: no val entry
        if self._x_axis == "iteration":
            if ends is None:  # epoch points cannot be placed on the iteration axis
                ends = np.full(max(et.size, ev.size), np.nan)
            self.epoch_train_curve.setData(ends[: et.size], et)
            self.epoch_val_curve.setData(ends[: ev.size], ev)
            xs = ends[: max(et.size, ev.size)]
            xs = xs[np.isfinite(xs)]
            self._x_max_epochs = float(xs.max()) if xs.size else np.nan
        else:
            self.epoch_train_curve.setData(self._iter_x.upto(et.size), et)
            self.epoch_val_curve.setData(self._iter_x.upto(ev.size), ev)
            self._x_max_epochs = float(max(et.size, ev.size)) or np.nan
        self._x_max = np.fmax(x_iter, self._x_max_epochs)

    def apply_theme(self, theme: str | None = None) -> None:
        """Colours of ``theme`` ("light"/"dark"; default: the window's, ``style.THEME``)."""
        c = COLORS[theme or style.THEME]
        bg = QColor(c["paper"])
        self.plot_widget.setBackground(bg)
        for side in ("left", "bottom"):
            ax = self.plot_item.getAxis(side)
            ax.setTextPen(c["text"])
            ax.setPen(c["axis"])
            ax.set_background(bg)
        self._text_color = c["text"]
        self._set_axis_labels()
        for curve, color, dash in ((self.iter_curve, c["iter"], False),
                                   (self.epoch_train_curve, c["train"], False),
                                   (self.epoch_val_curve, c["val"], True)):
            pen = pg.mkPen(color, width=1 if curve is self.iter_curve else 2.5)
            if dash:
                pen.setStyle(Qt.PenStyle.DashLine)
            curve.setPen(pen)
            if curve is not self.iter_curve:
                curve.setSymbolBrush(color)
        self._legend.set_colors(c["text"], c["legend"])
        self.hint.setStyleSheet(f"color: {c['hint']}; font-size: 11pt; background: transparent;")

    def set_text_px(self, px: float) -> None:
        """Tick labels and legend ``px`` pixels high, axis labels ``LABEL_SCALE`` × that.

        One size for all the plot's text, so that an export of any size keeps the
        proportions (the axis labels were ~3× the legend's text).
        """
        self._text_px = float(px)
        tick = QFont()
        tick.setPixelSize(max(1, round(px)))
        for side in ("left", "bottom"):
            ax = self.plot_item.getAxis(side)
            ax.setTickFont(tick)
            ax.setStyle(tickTextOffset=max(3, round(0.3 * px)))
        self._set_axis_labels()
        self._legend.set_text_px(px)
        self._fit_legend()

    def _set_axis_labels(self) -> None:
        css = {"color": self._text_color, "font-size": f"{round(self._text_px * LABEL_SCALE)}px"}
        self.plot_item.setLabel("left", "loss C", **css)
        self.plot_item.setLabel("bottom", self._x_axis, **css)

    def _fit_legend(self) -> None:
        """Legend under the plot when one row fits, else in the emptiest corner (loss_legend)."""
        self._legend.place(self.width())
        # The view sized its layout before the legend moved: a one-row legend's width was
        # then the layout's minimum, and the plot stayed wider than the dock (cut off).
        view = self.plot_widget
        ci = view.ci
        if ci.geometry().size() != view.range.size():
            ci.setGeometry(view.range)

    def set_log_y(self, on: bool) -> None:
        """Log-scale loss axis; losses ≤ 0 (a perfect fit) are left out of the drawing."""
        self._log_y = bool(on)
        self.plot_item.setLogMode(y=self._log_y)
        self._show_all()

    def set_x_axis(self, mode: str) -> None:
        """``"iteration"`` or ``"epoch"`` on the horizontal axis."""
        if mode not in X_AXES:
            raise ValueError(f"x axis must be one of {X_AXES}, got {mode!r}")
        self._x_axis = mode
        self._set_axis_labels()
        self._show_all()

    def is_empty(self) -> bool:
        """True while there is no loss to draw (before training, after Reset)."""
        return is_empty(self._history)

    def export(self, path: str | os.PathLike[str], width: int | None = None,
               height: int | None = None) -> None:
        """Write the plot to ``path``: .png / .svg at ``width`` × ``height`` or .csv.

        The picture is drawn for its own size (``gui.loss_export``), not copied from
        this widget's shape; default 1600×900. An empty plot raises ValueError (EMPTY)
        and writes nothing.
        """
        self.refresh()
        export_loss_plot(self._history, path, log_y=self._log_y, x_axis=self._x_axis,
                         width=width, height=height, iters_per_epoch=self._k)

    def _settle_range(self) -> None:
        """Auto-range now, not in pyqtgraph's prepare-for-paint.

        Left to the paint, the new range and view transform are set while painting
        and queue a second paint of the whole plot: every refresh was painted twice.
        """
        vb = self.view_box
        if any(vb.autoRangeEnabled()):
            vb.updateAutoRange()
            vb.updateMatrix()      # moving the view's child group asks for a range update
            vb.updateAutoRange()   # … which finds nothing left to change

    def _sticky_range(self) -> tuple[Range | None, Range | None] | None:
        """The view box's auto-range while live: sticky nice ranges of what is drawn."""
        if not self._live:
            return None
        x = padded(sticky_x(self._x_max)) if np.isfinite(self._x_max) else None
        bounds = [e.bounds(self._log_y) for e in (self._iter_ext, *self._epoch_exts)]
        lo, hi = np.fmin.reduce([b[0] for b in bounds]), np.fmax.reduce([b[1] for b in bounds])
        y = (padded(sticky_y(float(lo), float(hi), self._log_y))
             if np.isfinite(lo + hi) and (hi > 0 or not self._log_y) else None)
        return x, y

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Keep the hint centred over the plot and the legend within its width."""
        super().resizeEvent(event)
        self.hint.setGeometry(self.rect())
        self._fit_legend()

    # -- helpers ------------------------------------------------------------
    def _show_in_legend(self, curve: pg.PlotDataItem, on: bool) -> None:
        listed = self._legend.listed(curve)
        if on and not listed:
            self._legend.add(curve)
            self.set_text_px(self._text_px)   # the new entry's text size, and the columns
        elif not on and listed:
            self._legend.remove(curve)
            self._fit_legend()

    def _mask(self, y: np.ndarray) -> np.ndarray:
        # log10 of a loss ≤ 0 is undefined: hide such points instead of warning
        if self._log_y and (y <= 0).any():
            y = np.where(y > 0, y, np.nan)
        return y
