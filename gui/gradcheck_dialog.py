"""The seed's two sanity checks, shown: dimension check and central-difference check.

Each layer's ∂C/∂W_ℓ and ∂C/∂b_ℓ get a heatmap of the relative error per entry,
|analytic − numeric| / max(|analytic|, |numeric|) as computed by
``engine.checks.gradient_check``, drawn on a log₁₀ scale with a diverging colour
map centred on the pass threshold: blue entries agree, red ones fail, white is
on the threshold. A table lists the worst entries with both gradients.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QObject, QThread, pyqtSignal
from PyQt6.QtGui import QFont, QFontMetricsF
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.checks import dimension_check, gradient_check
from engine.formulas import sub
from gui.heatmap import tick_step

LOG_SPAN = 6.0      # colour levels: log₁₀(threshold) ± LOG_SPAN decades
ERROR_FLOOR = 1e-16  # log₁₀ of an exact 0 would be −∞: draw it as 1e-16 (far below any threshold)
N_WORST = 12
BIG_NET = 3000       # more parameters than this: check a sample of entries per parameter
SAMPLE = 300


def param_title(name: str, layer: int, shape: tuple[int, ...] | None = None) -> str:
    """'W₂ (8×4)'."""
    t = f"{name}{sub(layer)}"
    return t if shape is None else f"{t} ({'×'.join(map(str, shape))})"


# Above this many multiply-adds (entries × 2 forward passes × batch × parameters) the
# check runs on a worker thread with progress and Cancel; below it (every small network
# of a lecture) at once.
SYNC_COST = 20_000_000


def checked_entries(net: Any, max_entries: int | None) -> int:
    """How many entries ``gradient_check`` compares for ``max_entries`` per W_ℓ / b_ℓ."""
    sizes = [p.size for W, b in net.params() for p in (W, b)]
    return sum(n if max_entries is None else min(n, max_entries) for n in sizes)


class _Cancelled(Exception):
    pass


class _CheckThread(QThread):
    """``gradient_check`` off the GUI thread; numpy releases the GIL in its products."""

    progressed = pyqtSignal(int, int)
    done = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, net: Any, X: Any, Y: Any, h: float, max_entries: int | None,
                 parent: QObject) -> None:
        super().__init__(parent)
        self.net, self.X, self.Y, self.h, self.max_entries = net, X, Y, h, max_entries
        self.cancelled = False

    def run(self) -> None:
        def progress(done: int, total: int) -> None:
            if self.cancelled:
                raise _Cancelled
            self.progressed.emit(done, total)
        try:
            with np.errstate(all="ignore"):
                check = gradient_check(self.net, self.X, self.Y, h=self.h,
                                       max_entries=self.max_entries, progress=progress)
        except _Cancelled:
            self.failed.emit("")
            return
        except (ValueError, FloatingPointError) as e:
            self.failed.emit(f"The check stopped: {e}")
            return
        self.done.emit(check)


class GradCheckDialog(QDialog):
    """Run the gradient check on ``(net, X, Y)`` and show where backprop and finite
    differences agree.

    Parameters
    ----------
    net : engine.Network (not modified).
    X, Y : the batch, (n_0, B) and (n_L, B).
    h : the central-difference step.
    max_entries : check at most this many entries per parameter (None: all, or a
        sample of 300 when the network has more than 3000 parameters).
    """

    def __init__(self, net: Any, X: Any, Y: Any, parent: QWidget | None = None, *,
                 h: float = 1e-5, max_entries: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Gradient check: backprop vs. central differences")
        if max_entries is None and net.n_params() > BIG_NET:
            max_entries = SAMPLE
        self._max_entries = max_entries
        self.check: Any = None   # the engine's GradCheckResult once it is done
        # Bad X/Y raise ValueError naming the problem, before any window appears.
        X, Y = net.check_X(X), net.check_Y(Y, np.shape(X)[1])
        grads = net.backward(net.forward(X), Y)
        self.dims = dimension_check(net, grads)
        self.summary = QLabel()
        self.dim_label = QLabel()
        self.dim_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        busy = QHBoxLayout()
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.table = QTableWidget()
        self.images: dict[tuple[int, str], pg.ImageItem] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.dim_label)
        lay.addLayout(busy)
        lay.addWidget(self.glw, 3)
        lay.addWidget(QLabel("Worst entries (largest relative error first):"))
        lay.addWidget(self.table, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(820, 760)
        self._fill_dims()
        self._worker: _CheckThread | None = None
        entries = checked_entries(net, max_entries)
        if entries * 2 * int(X.shape[1]) * net.n_params() <= SYNC_COST:
            self._show(gradient_check(net, X, Y, h=h, max_entries=max_entries))
            return
        # A big check: on a worker thread, with progress and Cancel (the window goes on).
        self.summary.setText(f"Checking {entries:,} entries (two forward passes each)…")
        self._worker = _CheckThread(net.snapshot(), X, Y, h, max_entries, self)
        self._worker.progressed.connect(self._on_progress)
        self._worker.done.connect(self._show)
        self._worker.failed.connect(self._on_failed)
        self._worker.start()

    @property
    def busy(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def cancel(self) -> None:
        """Stop a running check (it stops after the entry it is on)."""
        if self._worker is not None:
            self._worker.cancelled = True
            self.summary.setText("Cancelled: no verdict.")
            self.cancel_button.setEnabled(False)

    def done(self, r: int) -> None:   # closing also stops a running check
        self.cancel()
        if self._worker is not None:
            self._worker.wait(5000)
        super().done(r)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _on_failed(self, text: str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        if text:
            self.summary.setText(text)

    def _show(self, check: Any) -> None:
        self.check = check
        self.progress.hide()
        self.cancel_button.hide()
        self._fill_summary(self._max_entries)
        self._fill_heatmaps()
        self._fill_table()

    def _fill_summary(self, max_entries: int | None) -> None:
        r = self.check
        n = sum(e.rel_error.size for e in r.entries)
        sampled = "" if max_entries is None else f", a sample of ≤ {max_entries} per parameter"
        if r.passed:
            verdict, colour = "PASSED", "#2e7d32"
        else:
            verdict, colour = "FAILED", "#c62828"
        self.summary.setText(
            f"<span style='font-size:14pt; font-weight:bold; color:{colour}'>{verdict}</span>"
            f"&nbsp; worst relative error {r.worst:.2e} "
            f"{'&lt;' if r.passed else '≥'} threshold {r.threshold:.0e}"
            f"<br>{n} entries checked with h = {r.h:g}{sampled}. Relative error = "
            "|analytic − numeric| / max(|analytic|, |numeric|).")

    def _fill_dims(self) -> None:
        ok = all(d.ok for d in self.dims)
        parts = [f"{'✓' if d.ok else '✗'} d{param_title(d.name, d.layer)} "
                 f"{'×'.join(map(str, d.grad_shape))}"
                 + ("" if d.ok else f" ≠ {'×'.join(map(str, d.param_shape))}")
                 for d in self.dims]
        self.dim_label.setText(
            f"<b>Dimension check {'passed' if ok else 'FAILED'}</b> (each gradient has its "
            f"parameter's shape): " + ", ".join(parts))

    def _fill_heatmaps(self) -> None:
        r = self.check
        centre = math.log10(r.threshold)
        cmap = pg.colormap.get("CET-D1")
        layers = sorted({e.layer for e in r.entries})
        for row, l in enumerate(layers):
            for col, name in enumerate(("W", "b")):
                m = r.rel_error_matrix(l, name)
                plot = self.glw.addPlot(row=row, col=col)
                plot.setTitle(f"∂C/∂{param_title(name, l, m.shape)}", color="#222", size="10pt")
                plot.invertY(True)  # row 0 on top, as the matrix is written
                plot.setAspectLocked(True)
                plot.hideAxis("bottom")
                plot.getAxis("left").setTextPen("k")
                with np.errstate(divide="ignore", invalid="ignore"):
                    shown = np.log10(np.maximum(m, ERROR_FLOOR))  # NaN (not sampled) stays NaN
                img = pg.ImageItem(shown, axisOrder="row-major")
                # cells centred on their indices (pyqtgraph's MatrixDisplayExample)
                img.setRect(-0.5, -0.5, m.shape[1], m.shape[0])
                plot.addItem(img)
                # Every k-th row labelled, k as small as keeps the labels apart: one per
                # row ran "0 1 2 … 7" together in a 55 px plot.
                plot.vb.sigResized.connect(partial(_thin_row_ticks, plot, m.shape[0]))
                _thin_row_ticks(plot, m.shape[0])
                self.images[(l, name)] = img
        bar = pg.ColorBarItem(values=(centre - LOG_SPAN, centre + LOG_SPAN), colorMap=cmap,
                              interactive=False, width=14)
        bar.setImageItem(list(self.images.values()))
        bar.axis.setTextPen("k")
        bar.axis.setLabel(f"log₁₀ relative error (white = threshold {r.threshold:.0e})",
                          color="#222")
        self.glw.addItem(bar, row=0, col=2, rowspan=max(1, len(layers)))
        grid = self.glw.ci.layout
        grid.setColumnStretchFactor(0, 4)  # W is wide, b is one column
        grid.setColumnStretchFactor(1, 1)
        self.colorbar = bar

    def _fill_table(self) -> None:
        rows = []
        for e in self.check.entries:
            for k in range(e.rel_error.size):
                rows.append((float(e.rel_error[k]), e, k))
        rows.sort(key=lambda t: -t[0])
        rows = rows[:N_WORST]
        headers = ["parameter", "entry (row, col)", "analytic (backprop)",
                   "numeric (central diff.)", "relative error", ""]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        header = self.table.verticalHeader()
        if header is not None:
            header.setVisible(False)
        for i, (err, e, k) in enumerate(rows):
            cells = [param_title(e.name, e.layer), f"({e.index[k, 0]}, {e.index[k, 1]})",
                     f"{e.analytic[k]:.10g}", f"{e.numeric[k]:.10g}", f"{err:.2e}",
                     "ok" if err < self.check.threshold else "FAIL"]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        if header is not None:
            header.setStretchLastSection(True)


def _thin_row_ticks(plot: pg.PlotItem, rows: int, *_args) -> None:
    """Label rows 0, k, 2k, … of a heatmap, k as small as keeps the labels apart."""
    axis = plot.getAxis("left")
    line = QFontMetricsF(axis.style["tickFont"] or QFont()).height()
    k = tick_step(plot.vb.height() / rows, line, rows)
    axis.setTicks([[(i, str(i)) for i in range(0, rows, k)]])
