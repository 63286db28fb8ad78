"""The loss curve: train loss per iteration, plus full-set train/val loss per epoch.

The widget only draws ``engine.training.History`` (``iter_loss``, ``epoch_train``,
``epoch_val``); it computes nothing but the x positions of the points.

Numbering and the CSV format: see ``engine.history_csv``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor, QPen
from PyQt6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.fileio import atomic_write_via
from engine.history_csv import (  # noqa: F401 - part of this module's interface
    CSV_HEADER,
    epoch_ends,
    epoch_layout,
    history_csv_text,
    iters_per_epoch_of,
    read_history_csv,
    write_history_csv,
)

from .loss_buffers import Counting, EpochX, Extent, Growing
from .loss_range import Range, StickyViewBox, padded, sticky_x, sticky_y

X_AXES = ("iteration", "epoch")
EXPORT_TYPES = (".png", ".svg", ".csv")
HINT = "Train (toolbar) to see the loss fall"
# Beyond this many epochs the markers merge into a thick line, and each refresh would
# rebuild thousands of them: the epoch curves are then drawn as plain lines.
MAX_EPOCH_SYMBOLS = 200
EPOCH_SYMBOLS = ("o", "s")  # train, validation
# Points per pixel column that peak downsampling keeps (pyqtgraph's default is five):
# with 1 each column keeps its min and max, so a band looks the same and costs a fraction
# to draw; the thick epoch lines of a long run cost ~1.5 ms more per paint at 5.
DOWNSAMPLE_FACTOR = 1.0


class _GridAxis(pg.AxisItem):
    """An AxisItem whose translucent grid lines are drawn as the opaque colour they show.

    Qt's raster engine draws a translucent cosmetic line about 20 times slower than
    an opaque one: pyqtgraph's three-level grid over a 1000×500 plot cost ~15 ms per
    repaint. Pre-blending each tick pen with the background draws the same picture
    (the grid sits under the curves, see ``LossPlotWidget``) in well under 1 ms.
    """

    def __init__(self, orientation: str, background: QColor) -> None:
        super().__init__(orientation)
        self._bg = background
        self._pens: dict[int, QPen] = {}

    def generateDrawSpecs(self, p: Any) -> Any:  # noqa: N802 - pyqtgraph's name
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return None
        axis, ticks, texts = specs
        return axis, [(self._opaque(pen), p1, p2) for pen, p1, p2 in ticks], texts

    def _opaque(self, pen: QPen) -> QPen:
        c = pen.color()
        if c.alpha() == 255:
            return pen
        key = c.rgba()
        if key not in self._pens:
            a, bg = c.alphaF(), self._bg
            blended = QColor.fromRgbF(*(a * f + (1 - a) * g for f, g in (
                (c.redF(), bg.redF()), (c.greenF(), bg.greenF()), (c.blueF(), bg.blueF()))))
            out = QPen(pen)
            out.setColor(blended)
            self._pens[key] = out
        return self._pens[key]


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
        self.plot_widget = pg.PlotWidget(
            background=bg, viewBox=self.view_box,
            axisItems={side: _GridAxis(side, bg) for side in ("left", "bottom")})
        self.plot_item = self.plot_widget.getPlotItem()
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
        pi.setLabel("left", "loss C", color="#222")
        pi.setLabel("bottom", "iteration", color="#222")
        self.legend = pi.addLegend(offset=(-10, 10), labelTextColor="k")
        # Peak downsampling keeps spikes visible; clip-to-view keeps 10⁶ points interactive.
        self.iter_curve = pi.plot(pen=pg.mkPen((70, 110, 200, 150), width=1),
                                  autoDownsampleFactor=DOWNSAMPLE_FACTOR,
                                  name="train loss (mini-batch, per iteration)")
        self.epoch_train_curve = pi.plot(
            pen=pg.mkPen((20, 40, 140), width=2.5), symbol=EPOCH_SYMBOLS[0], symbolSize=6,
            symbolBrush=(20, 40, 140), symbolPen=None, name="train loss (mean over the epoch)",
            autoDownsampleFactor=DOWNSAMPLE_FACTOR)
        self.epoch_val_curve = pi.plot(
            pen=pg.mkPen((220, 100, 20), width=2.5, style=pg.QtCore.Qt.PenStyle.DashLine),
            symbol=EPOCH_SYMBOLS[1], symbolSize=6, symbolBrush=(220, 100, 20), symbolPen=None,
            name="validation loss (per epoch)", autoDownsampleFactor=DOWNSAMPLE_FACTOR)
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
        self.setMinimumSize(240, 160)

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
        """Draw the History and fit the view to all of it (until refresh() adds points)."""
        self._live = False
        self._update_curves()
        self.plot_item.enableAutoRange()
        self._settle_range()

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
        self.plot_item.setLabel("bottom", mode, color="#222")
        self._show_all()

    def export(self, path: str | os.PathLike[str], width: int | None = None) -> None:
        """Write the plot to ``path``: .png / .svg (pyqtgraph exporters) or .csv (the history).

        Written by the app's one atomic writer (``engine.fileio.atomic_write_via``).
        """
        path = Path(path)
        ext = path.suffix.lower()
        if ext not in EXPORT_TYPES:
            raise ValueError(f"cannot export loss plot to {ext or 'a file without extension'!r}"
                             f" ({path.name}); use one of {', '.join(EXPORT_TYPES)}")
        if width is not None and int(width) < 16:
            raise ValueError(f"export width must be at least 16 pixels, got {width}")
        self.refresh()
        if ext == ".csv":
            write_history_csv(self._history, path, self._k)   # atomic itself
        elif ext == ".png":
            def write_png(tmp: str) -> None:
                ex = pg.exporters.ImageExporter(self.plot_item)
                if width is not None:
                    ex.parameters()["width"] = int(width)
                ex.export(tmp)
            atomic_write_via(path, write_png)
        else:
            def write_svg(tmp: str) -> None:
                ex = pg.exporters.SVGExporter(self.plot_item)
                if width is not None:
                    ex.parameters()["width"] = float(width)
                ex.export(tmp)
            atomic_write_via(path, write_svg)

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
        """Keep the hint centred over the plot."""
        super().resizeEvent(event)
        self.hint.setGeometry(self.rect())

    # -- helpers ------------------------------------------------------------
    def _show_in_legend(self, curve: pg.PlotDataItem, on: bool) -> None:
        listed = any(sample.item is curve for sample, _ in self.legend.items)
        if on and not listed:
            self.legend.addItem(curve, curve.name())
        elif not on and listed:
            self.legend.removeItem(curve)

    def _mask(self, y: np.ndarray) -> np.ndarray:
        # log10 of a loss ≤ 0 is undefined: hide such points instead of warning
        if self._log_y and (y <= 0).any():
            y = np.where(y > 0, y, np.nan)
        return y


def _ensure_app() -> Any:
    """The running QApplication, or a new one (offscreen when there is no display)."""
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or os.environ.get("QT_QPA_PLATFORM")) and os.name == "posix":
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication([])
    return app


def export_loss_plot(history: Any, path: str | os.PathLike[str], *, log_y: bool = False,
                     x_axis: str = "iteration", width: int = 1200, height: int | None = None,
                     iters_per_epoch: int | None = None) -> None:
    """Export a loss plot without a window (for the CLI); same plot as ``LossPlotWidget``.

    Parameters
    ----------
    history : History-like with ``iter_loss``, ``epoch_train``, ``epoch_val``.
    path : target file; .png, .svg or .csv (ValueError otherwise). Written atomically.
    log_y, x_axis : as ``LossPlotWidget.set_log_y`` / ``set_x_axis``.
    width, height : image size in pixels; height defaults to 0.6 · width.
    """
    from PyQt6.QtCore import Qt

    ext = Path(path).suffix.lower()
    if ext not in EXPORT_TYPES:
        raise ValueError(f"cannot export loss plot to {ext or 'a file without extension'!r}; "
                         f"use one of {', '.join(EXPORT_TYPES)}")
    if x_axis not in X_AXES:
        raise ValueError(f"x axis must be one of {X_AXES}, got {x_axis!r}")
    width = int(width)
    height = int(height) if height is not None else int(round(width * 0.6))
    if width < 16 or height < 16:
        raise ValueError(f"image size {width}×{height} is too small (at least 16×16)")
    app = _ensure_app()
    w = LossPlotWidget()
    try:
        # Lay the widget out at the requested size without ever showing it on screen.
        w.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        w.resize(width, height)
        w.set_history(history, iters_per_epoch)
        w.set_x_axis(x_axis)
        w.set_log_y(log_y)
        w.show()
        app.processEvents()
        w.export(path, width=width)
    finally:
        w.close()
        w.deleteLater()
        app.processEvents()
