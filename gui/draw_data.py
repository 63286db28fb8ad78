"""Draw 2-D data by hand in the data view: a click adds a point of the chosen class, a
right-click on a point deletes it; each change is one undoable step (Edit → Undo).

The drawn points become the training set (``Experiment.set_data``): the weights are
kept, since the network's sizes do not change.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPointF, Qt

from engine.datasets import Dataset

NAME = "drawn"


def targets_for(cls: int, n_out: int) -> np.ndarray:
    """The target column of class ``cls``: 0/1 for one output, one-hot for several."""
    if n_out == 1:
        return np.array([[float(cls)]])
    y = np.zeros((n_out, 1))
    y[cls, 0] = 1.0
    return y


def with_point(ds: Dataset, x: float, y: float, cls: int) -> Dataset:
    """``ds`` with one more sample at (x, y) of class ``cls`` (training samples only)."""
    n_out = ds.output_size
    if not 0 <= cls < max(2, n_out):
        raise ValueError(f"class {cls} does not exist; choose 0 to {max(2, n_out) - 1}")
    X = np.hstack([ds.X, [[x], [y]]])
    Y = np.hstack([ds.Y, targets_for(cls, n_out)])
    return Dataset.from_arrays(X, Y, name=NAME, kind="classification")


def without_point(ds: Dataset, idx: int) -> Dataset:
    """``ds`` without training sample ``idx``; the last point cannot go."""
    N = ds.X.shape[1]
    if N <= 1:
        raise ValueError("the data set needs at least one sample: this is its last point")
    if not 0 <= idx < N:
        raise ValueError(f"sample #{idx} does not exist")
    keep = np.arange(N) != idx
    return Dataset.from_arrays(ds.X[:, keep], ds.Y[:, keep], name=NAME, kind=ds.kind)


class DataDrawing:
    """The drawing mode of a window's data view, and its undo history of data sets."""

    def __init__(self, win) -> None:
        self.win = win
        self.enabled = False
        self.cls = 1
        win.data_view.glw.scene().sigMouseClicked.connect(self._on_clicked)

    def set_enabled(self, on: bool) -> bool:
        """Turn drawing on (2-D inputs only) or off; False (and a message) when refused."""
        if on and self.win.model.dataset.input_size != 2:
            self.win.status.showMessage("Drawing needs a data set with 2 inputs", 6000)
            self.enabled = False
            return False
        self.enabled = bool(on)
        if on:
            self.win.status.showMessage(
                f"Drawing: click adds a point of class {self.cls}, right-click a point "
                "deletes it, Ctrl+Z undoes", 8000)
        return True

    def add(self, x: float, y: float) -> bool:
        m = self.win.model
        try:
            ds = with_point(m.dataset, x, y, self.cls)
        except ValueError as e:
            self.win.status.showMessage(str(e), 6000)
            return False
        return self._use(ds)

    def delete(self, idx: int) -> bool:
        try:
            ds = without_point(self.win.model.dataset, idx)
        except ValueError as e:
            self.win.status.showMessage(str(e), 6000)
            return False
        return self._use(ds)

    def _use(self, ds: Dataset) -> bool:
        m = self.win.model
        before = m.dataset
        if not m.set_imported_dataset(ds):
            return False
        self.win.hand_undo.append(("data", before, m.dataset))
        self.win.hand_redo.clear()
        return True

    def _on_clicked(self, ev) -> None:
        if not self.enabled:
            return
        dv = self.win.data_view
        pos = ev.scenePos()
        if not dv.plot.vb.sceneBoundingRect().contains(pos):
            return
        p = dv.plot.vb.mapSceneToView(pos)
        hit = dv.scatter.pointsAt(QPointF(p.x(), p.y()))
        if ev.button() == Qt.MouseButton.RightButton and len(hit):
            self.delete(int(hit[0].data()))
            ev.accept()
        elif ev.button() == Qt.MouseButton.LeftButton and not len(hit) and not ev.double():
            self.add(float(p.x()), float(p.y()))
            ev.accept()
