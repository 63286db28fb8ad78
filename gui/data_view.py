"""The data set and what the network makes of it.

2-D inputs: the training samples as a scatter coloured by class over a heatmap
of the network's output (``engine.grid.decision_grid``), so the decision boundary
forms while training. 1-D inputs: the samples and the network's curve
(``engine.grid.curve``). More inputs: a message instead of empty axes, and when
the inputs are a square picture (the 8×8 digits, 28×28) the picked sample drawn
as that image. The view computes nothing; it draws engine arrays.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, QRectF, QRunnable, Qt, QThreadPool, pyqtSignal
from PyQt6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.grid import GridCancelled, curve, decision_grid, padded_limits

from . import style

# One colour per class; classes 0 and 1 match the ends of CET-D1 (blue / red).
CLASS_COLORS = ["#3a5fcd", "#c8323c", "#2e9e44", "#e6a117", "#7b3fa0",
                "#17a2b8", "#8c564b", "#e377c2", "#555555", "#bcbd22"]
RESOLUTION = 100
# While training: a quarter of the grid points, each cell still smaller than a point
# marker; the full grid is drawn when training stops.
TRAINING_RESOLUTION = 50
TITLE_BINARY = "colour: network output a<sub>L</sub> · black line: a<sub>L</sub> = 0.5"
TITLE_OUTPUT = "colour: network output a<sub>L</sub>"
TITLE_CLASSES = "colour: predicted class (argmax a<sub>L</sub>), paler where unsure"


# Above this many multiply-adds (grid points × parameters) the prediction is computed on a
# worker thread: 2-8-8-1 on the 100×100 grid is ~1e6; 2-3000-3000-1 took 16 s on the GUI
# thread and froze the window.
SYNC_COST = 30_000_000


def _evaluate(net: Any, job: tuple, should_stop: Any) -> Any:
    """The engine's grid (2-D) or curve (1-D) for ``job`` = (inputs, limits, resolution)."""
    n_in, lims, resolution = job
    if n_in == 1:
        return curve(net, lims[0], n=200)
    return decision_grid(net, lims[0], lims[1], resolution, should_stop=should_stop)


class _GridSignals(QObject):
    done = pyqtSignal(int, object)   # request number, the engine's values


class _GridWorker(QRunnable):
    """Evaluates one grid on a pool thread; a newer request makes it stop early."""

    def __init__(self, net: Any, job: tuple, gen: int, should_stop: Any) -> None:
        super().__init__()
        self.net, self.job, self.gen, self.should_stop = net, job, gen, should_stop
        self.signals = _GridSignals()   # lives in the GUI thread: delivered there, queued

    def run(self) -> None:
        try:
            with np.errstate(all="ignore"):
                values = _evaluate(self.net, self.job, self.should_stop)
        except GridCancelled:
            return
        self.signals.done.emit(self.gen, values)


class DataView(QWidget):
    """Scatter of the data set over the network's prediction; click a point to pick it."""

    sample_clicked = pyqtSignal(int)  # column of ds.X (a training sample)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ds: Any = None
        self.net: Any = None
        self._predictions = 0   # how many times the prediction was drawn (set_dataset)
        self._generation = 0    # the latest prediction request; older results are dropped
        self._latest = [0]      # the same, shared with worker threads
        self._waiting = False   # a worker is computing the latest request
        self.selected: int | None = None
        self.batch_idx: np.ndarray | None = None   # the samples marked as the mini-batch
        self.message = QLabel()
        self.message.setWordWrap(True)
        # Alone in the dock (no plot for > 2 inputs) it reads from the top, not mid-air.
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The title is a wrapping label, not the PlotItem's: that one sets the plot's minimum
        # width, and in a narrow dock it pushed the colour bar out of view.
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.glw = pg.GraphicsLayoutWidget()
        self.plot = self.glw.addPlot(row=0, col=0)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        # A fixed width: with the aspect locked, an auto-sized left axis oscillated (its
        # labels widen it, the view narrows, the y range grows, the labels change back…),
        # ~60 relayouts and prediction grids a second even when idle.
        self.plot.getAxis("left").setWidth(46)
        self.image = pg.ImageItem()  # a_L over the plane (one output unit)
        self.class_image = pg.ImageItem()  # predicted class over the plane (k outputs)
        self.sample_image = pg.ImageItem(axisOrder="row-major")  # a digit, row 0 on top
        # dark ink on white paper, as the digits were written (0 → white, 1 → black)
        self.sample_image.setColorMap(pg.ColorMap([0.0, 1.0], [(255, 255, 255), (0, 0, 0)]))
        for img in (self.image, self.class_image):
            img.setOpacity(0.6)  # pale background, so points of the same class stay visible
        for img in (self.image, self.class_image, self.sample_image):
            img.setZValue(-10)
            img.setVisible(False)
            self.plot.addItem(img)
        self.cmap = pg.colormap.get("CET-D1")
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=self.cmap, interactive=False,
                                        width=14)
        self.colorbar.setImageItem(self.image)
        self.colorbar.axis.setWidth(None)  # ColorBarItem fixes 45 px: the label got cut off
        self.glw.addItem(self.colorbar, row=0, col=1)
        # No axis here has units, so no SI prefix: without this each range change
        # re-rendered every axis label's HTML, hidden axes' too (~190 times at start-up).
        for item in (self.plot, self.colorbar):
            for axis in item.axes.values():
                axis["item"].enableAutoSIPrefix(False)
        # The plot's axes draw the grid across the whole plane, so every new prediction or
        # batch mark repainted them (a replayed picture of text, ~10 ms of a 20 ms paint
        # while training): cached as pixmaps, they are drawn again only when they change.
        for axis in self.plot.axes.values():
            axis["item"].setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.boundary = pg.IsocurveItem(level=0.5, pen=pg.mkPen("k", width=2))
        self.boundary.setParentItem(self.image)  # iso-line in image coordinates
        self.fit_curve = self.plot.plot(pen=pg.mkPen("#e67e22", width=3),
                                        name="network output a<sub>L</sub>")
        self.val_scatter = pg.ScatterPlotItem(size=8, brush=None, hoverable=False)
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#111", width=0.8), hoverable=True,
                                          tip=None)
        self.scatter.sigClicked.connect(self._on_points_clicked)
        self.ring = pg.ScatterPlotItem(size=20, brush=None, pen=pg.mkPen("k", width=2.5))
        # The latest training iteration's mini-batch: open squares in the update's colour.
        self.batch_marks = pg.ScatterPlotItem(size=15, symbol="s", brush=None,
                                              pen=pg.mkPen(style.PHASE_COLORS["update"], width=2))
        for item in (self.val_scatter, self.scatter, self.ring, self.batch_marks):
            self.plot.addItem(item)
        # The legend gets a row of its own under the plot: inside the view it hid a
        # whole class of points whenever the data filled the corner it sat in.
        self.legend = pg.LegendItem(colCount=4, labelTextColor="k")
        self.glw.addItem(self.legend, row=1, col=0, colspan=2)
        self.apply_theme()
        # The prediction is drawn over the whole visible plane, so panning, zooming or a
        # locked aspect ratio never leaves the boundary stopping in mid-air.
        self.plot.vb.sigRangeChanged.connect(self._on_range_changed)
        self._grid_range: tuple | None = None
        self._levels_of: Any = None            # the data set _levels belongs to
        self._levels: tuple[float, float] = (0.0, 1.0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.message)
        lay.addWidget(self.title)
        self.batch_label = QLabel()   # what the squares are, while training
        # One line whose width never sets the dock's: its text changes 15 times a second.
        self.batch_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.batch_label.hide()
        lay.addWidget(self.batch_label)
        lay.addWidget(self.glw, 1)
        # Over the plot, outside the layout: showing it never resizes the plot.
        self._busy = QLabel(self.glw)
        self._busy.setStyleSheet("background: #fff8dc; color: #222; padding: 3px 6px;"
                                 "border: 1px solid #c8a800;")
        self._busy.move(52, 6)
        self._busy.hide()
        self.setMinimumSize(260, 180)   # the dock column fits a 720 px screen
        self._clear()

    # -- public API -----------------------------------------------------------------
    def apply_theme(self) -> None:
        """Take style's current paper and text colours (the plane's colours stay)."""
        self.message.setStyleSheet(f"color: {style.TEXT}; padding: 4px;")
        self.title.setStyleSheet(f"color: {style.TEXT}; background: {style.BACKGROUND}; "
                                 "padding: 4px 4px 0 4px;")
        self.glw.setBackground(style.BACKGROUND)
        for axis in (self.plot.getAxis("left"), self.plot.getAxis("bottom"), self.colorbar.axis):
            axis.setTextPen(style.TEXT)
        self.colorbar.axis.setLabel("network output a<sub>L</sub>", color=style.TEXT)
        self.legend.setLabelTextColor(style.TEXT)
        for _sample, label in self.legend.items:
            label.setText(label.text, color=style.TEXT)
        for side, label in (("bottom", self.plot.getAxis("bottom").labelText),
                            ("left", self.plot.getAxis("left").labelText)):
            if label:
                self.plot.setLabel(side, label, color=style.TEXT)

    def set_dataset(self, ds: Any) -> None:
        """Show ``ds`` (engine.datasets.Dataset); clears the selection."""
        self.ds = ds
        self.selected = None
        drawn = self._predictions
        self._draw_data()
        if self._predictions == drawn:   # the new view range has not drawn it already
            self.refresh_prediction()

    def show_data(self, ds: Any, net: Any) -> None:
        """Show data set ``ds`` and the prediction of ``net`` (drawn once)."""
        self.net = net
        self.set_dataset(ds)

    def set_network(self, net: Any) -> None:
        """Use ``net`` for the background / curve (kept by reference: training updates it)."""
        self.net = net
        self.refresh_prediction()

    def refresh_prediction(self, resolution: int = RESOLUTION) -> None:
        """Redraw the network's prediction from engine.grid over the visible plane.

        ``resolution`` grid points per axis; training passes ``TRAINING_RESOLUTION``.
        A small network is evaluated at once; a big one (more than ``SYNC_COST``
        multiply-adds) on a worker thread, in chunks, while the view says so: a newer
        request cancels an older one, and the window never waits for it.
        """
        ds, net = self.ds, self.net
        self._predictions += 1
        self._generation += 1
        self._show_busy(False)
        if ds is None or net is None or ds.input_size > 2:
            self._hide_prediction()
            return
        if net.input_size != ds.input_size or net.sizes[-1] != ds.output_size:
            self._hide_prediction()
            self._say(f"The network ({net.sizes[0]} inputs, {net.sizes[-1]} outputs) does not "
                      f"fit the data set ({ds.input_size} inputs, {ds.output_size} outputs): "
                      "no prediction shown.")
            return
        self._say("")
        lims = self._visible_limits()
        points = 200 if ds.input_size == 1 else resolution * resolution
        job = (ds.input_size, lims, resolution)
        if points * net.n_params() <= SYNC_COST:
            self._draw_prediction(self._generation, _evaluate(net, job, None))
            return
        # The old picture stays until the new one is ready (no flicker while training).
        gen, latest = self._generation, self._latest
        latest[0] = gen
        self._show_busy(True, net)
        worker = _GridWorker(net.snapshot(), job, gen, lambda: latest[0] != gen)
        worker.signals.done.connect(self._draw_prediction)
        pool = QThreadPool.globalInstance()
        assert pool is not None   # Qt's global pool lives as long as the application
        pool.start(worker)

    def cancel(self) -> None:
        """Stop waiting for a prediction (the window closes)."""
        self._generation += 1
        self._latest[0] = -1
        self._show_busy(False)

    @property
    def busy(self) -> bool:
        """A prediction is being computed on a worker thread."""
        return self._waiting

    def _show_busy(self, on: bool, net: Any = None) -> None:
        self._waiting = on
        if on:
            self._busy.setText(f"computing the prediction of a {net.n_params():,}-parameter "
                               "network…")
            self._busy.adjustSize()
            self._busy.raise_()
        self._busy.setVisible(on)

    def _hide_prediction(self) -> None:
        self.image.setVisible(False)
        self.class_image.setVisible(False)
        self.boundary.setVisible(False)
        if self.fit_curve.xData is not None and self.fit_curve.xData.size:
            self.fit_curve.setData([], [])   # even an empty setData repaints the plot

    def _draw_prediction(self, gen: int, values: Any) -> None:
        """Draw what the engine computed for request ``gen`` (older requests are dropped)."""
        if gen != self._generation or values is None:
            return
        self._show_busy(False)
        self._hide_prediction()
        ds = self.ds
        if ds.input_size == 1:
            xs, ys = values
            self.fit_curve.setData(xs, ys[0])
            return
        xs, ys, v = values
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        # cells centred on their grid points; ImageItem's first index is x
        rect = QRectF(xs[0] - dx / 2, ys[0] - dy / 2, xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy)
        self._set_title(TITLE_BINARY if v.cls is None and ds.kind == "classification"
                        else TITLE_OUTPUT if v.cls is None else TITLE_CLASSES)
        if v.cls is None:
            img = v.score.T
            self.image.setImage(img, autoLevels=False)
            self.image.setRect(rect)
            self.image.setVisible(True)
            if ds.kind == "classification":
                self.colorbar.setLevels((0.0, 1.0))  # 0.5 (the boundary) is the neutral colour
                self.boundary.setData(img)
                self.boundary.setVisible(True)
            else:
                lo, hi = float(img.min()), float(img.max())
                self.colorbar.setLevels((lo, hi if hi > lo else lo + 1.0))
        else:
            rgba = self._class_rgba(v.cls, v.score, v.a_L.shape[0])
            self.class_image.setImage(rgba.transpose(1, 0, 2), autoLevels=False, levels=(0, 255))
            self.class_image.setRect(rect)
            self.class_image.setVisible(True)

    def show_batch(self, idx: Any, iteration: int | None = None) -> None:
        """Mark the samples ``idx`` (columns of ds.X: the trainer's latest mini-batch) with
        squares and name them in a line above the plot; ``None`` removes the marks."""
        ds = self.ds
        if idx is None or ds is None:
            self.batch_idx = None
            self.batch_marks.setData([], [])
            self.batch_label.hide()
            return
        self.batch_idx = np.asarray(idx)
        n = len(self.batch_idx)
        it = "" if iteration is None else f" of iteration {iteration}"
        color = style.PHASE_COLORS["update"]
        if ds.input_size <= 2:   # the squares say which; the line says what they are (the
            # same text all run long: a label that changes re-lays out the dock)
            self.batch_label.setText(f"<span style='color:{color}'>□ mini-batch of the latest "
                                     f"iteration</span> ({n} sample{'s' if n != 1 else ''})")
        else:                    # no plane to mark them on: name the first few
            first = ", ".join(str(int(i)) for i in self.batch_idx[:6]) + (", …" if n > 6 else "")
            self.batch_label.setText(f"<span style='color:{color}'>mini-batch{it}</span>: "
                                     f"samples {first} ({n})")
        if self.batch_label.isHidden():
            self.batch_label.setStyleSheet(f"color: {style.TEXT}; background: "
                                           f"{style.BACKGROUND}; padding: 2px 4px;")
            self.batch_label.show()
        if ds.input_size <= 2:
            x, y = self._xy(ds.X, ds.Y)
            self.batch_marks.setData(x[self.batch_idx], y[self.batch_idx])

    def set_selected_sample(self, idx: int | None) -> None:
        """Ring the training sample ``idx`` (a column of ds.X); None clears it."""
        if idx is not None and (self.ds is None or not 0 <= idx < self.ds.X.shape[1]):
            n = 0 if self.ds is None else self.ds.X.shape[1]
            raise ValueError(f"sample index {idx} out of range (the data set has {n} samples)")
        self.selected = idx
        ds = self.ds
        if idx is None or ds is None:
            self.ring.setData([], [])
            self.sample_image.setVisible(False)
            if ds is not None and ds.input_size > 2:
                self._say_pick()   # not "showing sample 5" with no sample shown
            return
        if ds.input_size > 2:
            self._show_sample_image(idx)
            return
        x, y = self._xy(ds.X, ds.Y)
        self.ring.setData([x[idx]], [y[idx]])

    # -- drawing ----------------------------------------------------------------------
    def _clear(self) -> None:
        for item in (self.scatter, self.val_scatter, self.ring, self.batch_marks):
            item.setData([], [])
        self.batch_idx = None
        self.batch_label.hide()
        for img in (self.image, self.class_image, self.sample_image):
            img.setVisible(False)
        self.boundary.setVisible(False)
        self.colorbar.setVisible(False)
        self.plot.invertY(False)
        self.legend.clear()
        self._set_title(None)
        self._say("No data set loaded.")

    def _set_title(self, text: str | None) -> None:
        self.title.setText(text or "")
        self.title.setVisible(bool(text))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _xy(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Plot coordinates: (x₁, x₂) for 2-D inputs, (x, y) for 1-D."""
        return (X[0], X[1]) if X.shape[0] == 2 else (X[0], Y[0])

    def _brushes(self, labels: np.ndarray | None, n: int) -> list[Any]:
        if labels is None:
            return [pg.mkBrush("#777")] * n
        return [pg.mkBrush(CLASS_COLORS[int(c) % len(CLASS_COLORS)]) for c in labels]

    def _draw_data(self) -> None:
        self._clear()
        ds = self.ds
        if ds is None:
            return
        if ds.input_size > 2:
            self.plot.setLabel("bottom", "")
            self.plot.setLabel("left", "")
            self._say_pick()
            return
        self.glw.setVisible(True)
        self._say("")
        self._set_title(None)
        x, y = self._xy(ds.X, ds.Y)
        self.scatter.setData(x, y, brush=self._brushes(ds.labels, x.size), data=np.arange(x.size),
                             name="training samples (click one)")
        if ds.X_val.shape[1]:
            xv, yv = self._xy(ds.X_val, ds.Y_val)
            pens = ([pg.mkPen(CLASS_COLORS[int(c) % len(CLASS_COLORS)], width=1.5)
                     for c in ds.labels_val] if ds.labels_val is not None
                    else [pg.mkPen("#333", width=1.5)] * xv.size)
            self.val_scatter.setData(xv, yv, pen=pens, brush=None, name="validation samples")
        two_d = ds.input_size == 2
        self.plot.setLabel("bottom", "x₁" if two_d else "x", color=style.TEXT)
        self.plot.setLabel("left", "x₂" if two_d else "y", color=style.TEXT)
        self.plot.setAspectLocked(two_d)
        self._fill_legend()
        self.colorbar.setVisible(two_d and ds.output_size == 1)
        # A fixed range around the data (no auto-range): the prediction image is drawn
        # over the view range, and auto-range would grow the view to fit the image.
        lims = padded_limits(np.concatenate([ds.X, ds.X_val], axis=1))
        if two_d:
            self.plot.setRange(xRange=lims[0], yRange=lims[1], padding=0)
        else:
            ys = np.concatenate([ds.Y[0], ds.Y_val[0]])
            self.plot.setRange(xRange=lims[0], yRange=padded_limits(ys[None, :])[0], padding=0)

    def _fill_legend(self) -> None:
        ds = self.ds
        # Class dots are short entries; the regression texts need two columns to fit.
        self.legend.setColumnCount(4 if ds.labels is not None else 2)
        if ds.labels is None:
            self.legend.addItem(self.scatter, "training samples (click one)")
        else:
            for c in range(ds.n_classes):
                dot = pg.ScatterPlotItem(brush=CLASS_COLORS[c % len(CLASS_COLORS)], size=9)
                self.legend.addItem(dot, f"class {c}")
        if ds.X_val.shape[1]:
            self.legend.addItem(self.val_scatter, "validation (hollow)")
        if ds.input_size == 1:
            self.legend.addItem(self.fit_curve, "network output a<sub>L</sub>")

    def _visible_limits(self) -> list[tuple[float, float]]:
        """The plot's visible (x, y) range; the data's padded limits before it is laid out."""
        (x0, x1), (y0, y1) = self.plot.vb.viewRange()
        if self.plot.vb.width() < 10 or not (x0 < x1 and y0 < y1):
            return padded_limits(self.ds.X)
        return [(float(x0), float(x1)), (float(y0), float(y1))]

    def _on_range_changed(self, *_: Any) -> None:
        rng = tuple(map(tuple, self.plot.vb.viewRange()))
        if rng != self._grid_range and self.ds is not None and self.ds.input_size <= 2:
            self._grid_range = rng
            self.refresh_prediction()

    def _class_rgba(self, cls: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
        """Colour each grid cell by its predicted class, paler where the network is unsure."""
        palette = np.array([pg.mkColor(CLASS_COLORS[c % len(CLASS_COLORS)]).getRgb()
                            for c in range(k)], dtype=np.ubyte)
        rgba = palette[cls]
        # score runs from 1/k (a coin toss) to 1 (certain): map it to opacity 40..190
        sure = np.clip((score - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        rgba[..., 3] = (40 + 150 * sure).astype(np.ubyte)
        return rgba

    def _image_side(self) -> int | None:
        """k when the inputs are a k×k picture (64: the 8×8 digits, 784: 28×28), else None."""
        n = self.ds.input_size
        k = math.isqrt(n)
        return k if n > 2 and k * k == n else None

    def _pixel_levels(self) -> tuple[float, float]:
        """The data set's own value range (digits are 0..1, standardised CSV inputs are not),
        found once per data set: scanning a 784 × 60 000 set took 24 ms, on every pick."""
        ds = self.ds
        if self._levels_of is not ds:
            lo, hi = float(ds.X.min()), float(ds.X.max())
            self._levels, self._levels_of = (lo, hi if hi > lo else lo + 1.0), ds
        return self._levels

    def _say_pick(self) -> None:
        """More than two inputs and no sample picked: say what can be shown; no empty axes."""
        ds, k = self.ds, self._image_side()
        # (Samples are picked on the toolbar: "step: one sample" and its number.)
        pick = (f" Pick a sample (toolbar, step: one sample) to see its {k}×{k} image here."
                if k else "")
        self._say(f"The decision boundary needs 2-D inputs; {ds.name} has {ds.input_size}"
                  f" inputs.{pick}")
        self._set_title(None)
        self.glw.setVisible(False)

    def _show_sample_image(self, idx: int) -> None:
        ds, k = self.ds, self._image_side()
        label = "" if ds.labels is None else f", class {int(ds.labels[idx])}"
        if k is None:
            self._say(f"sample {idx}{label}: {ds.input_size} inputs cannot be drawn as a"
                      " plane or a square picture.")
            return
        self._say(f"The decision boundary needs 2-D inputs; showing sample {idx}{label} "
                  f"as its {k}×{k} image (row 0 on top).")
        self._set_title(f"sample {idx}{label}")
        self.glw.setVisible(True)
        self.sample_image.setImage(ds.X[:, idx].reshape(k, k), autoLevels=False,
                                   levels=self._pixel_levels())
        self.sample_image.setRect(QRectF(0, 0, k, k))
        self.plot.invertY(True)  # row 0 at the top, like the picture
        self.plot.setAspectLocked(True)
        self.sample_image.setVisible(True)
        self.plot.autoRange()

    def _on_points_clicked(self, _item: Any, points: Any, *_: Any) -> None:
        if len(points):
            # The ring moves when the model accepts the choice (it may refuse, e.g.
            # while training), not before.
            self.sample_clicked.emit(int(points[0].data()))
