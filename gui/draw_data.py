"""Draw 2-D data by hand in the data view: a click adds a point of the chosen class, a
drag moves a point, a right-click on a point deletes it, "Clear drawn points" keeps only
the last one (a data set needs at least one sample); each change is one undoable step
(Edit → Undo).

The drawn points become the training set (``Experiment.set_data``): the weights are
kept, since the network's sizes do not change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt6.QtCore import QEvent, QObject, QPointF, Qt

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
    """``ds`` with one more sample at (x, y) of class ``cls`` (training samples only).

    For one input (regression, drawn as x against the target) the point is the
    sample x with the target y, and ``cls`` is not used.
    """
    if ds.input_size == 1 and ds.output_size == 1:
        return Dataset.from_arrays(np.hstack([ds.X, [[x]]]), np.hstack([ds.Y, [[y]]]),
                                   name=NAME, kind="regression")
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


def moved_point(ds: Dataset, idx: int, x: float, y: float) -> Dataset:
    """``ds`` with training sample ``idx`` moved to (x, y); its class stays."""
    if not 0 <= idx < ds.X.shape[1]:
        raise ValueError(f"sample #{idx} does not exist")
    X, Y = ds.X.copy(), ds.Y
    if ds.input_size == 1:   # x against the target: both move
        X[0, idx] = x
        Y = ds.Y.copy()
        Y[0, idx] = y
    else:
        X[:, idx] = (x, y)
    return Dataset.from_arrays(X, Y, name=NAME, kind=ds.kind)


def only_last_point(ds: Dataset) -> Dataset:
    """``ds`` cleared down to its last training sample (the one drawn last)."""
    return Dataset.from_arrays(ds.X[:, -1:], ds.Y[:, -1:], name=NAME, kind=ds.kind)


class DataDrawing(QObject):
    """The drawing mode of a window's data view, and its undo history of data sets."""

    def __init__(self, win) -> None:
        super().__init__(win)
        self.win = win
        self.enabled = False
        self.cls = 1
        self._dragging: int | None = None   # the sample a left press grabbed
        win.data_view.glw.scene().sigMouseClicked.connect(self._on_clicked)

    def set_enabled(self, on: bool) -> bool:
        """Turn drawing on (2-D inputs only) or off; False (and a message) when refused."""
        ds = self.win.model.dataset
        if on and not (ds.input_size == 2 or (ds.input_size, ds.output_size) == (1, 1)):
            self.win.status.showMessage("Drawing needs a data set with 2 inputs, or 1 input "
                                        "and 1 target (a regression drawn as x against y)",
                                        6000)
            if self.enabled:
                self.win.data_view.glw.viewport().removeEventFilter(self)
            self.enabled = False
            return False
        # The drag filter sits on the view only while drawing (never in a screenshot run).
        viewport = self.win.data_view.glw.viewport()
        if on and not self.enabled:
            viewport.installEventFilter(self)
        elif not on and self.enabled:
            viewport.removeEventFilter(self)
        self.enabled = bool(on)
        if on:
            self.win.status.showMessage(
                f"Drawing: click adds a point of class {self.cls}, drag moves one, right-click "
                "deletes one, Ctrl+Z undoes", 8000)
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

    def move(self, idx: int, x: float, y: float) -> bool:
        try:
            ds = moved_point(self.win.model.dataset, idx, x, y)
        except ValueError as e:
            self.win.status.showMessage(str(e), 6000)
            return False
        return self._use(ds)

    def clear(self) -> bool:
        """Keep only the last point: the data set needs one; draw the others, then delete it."""
        ds = self.win.model.dataset
        if not (ds.input_size == 2 or (ds.input_size, ds.output_size) == (1, 1)):
            self.win.status.showMessage("Drawing needs a data set with 2 inputs, or 1 input "
                                        "and 1 target", 6000)
            return False
        if not self._use(only_last_point(ds)):
            return False
        self.win.status.showMessage("Cleared: one point stays (a data set needs one); draw "
                                    "the others, then right-click it to delete it", 10000)
        return True

    def _view_point(self, pos: Any) -> tuple[QPointF, Any] | None:
        """The data coordinates under a viewport position, and the points there."""
        dv = self.win.data_view
        scene_pos = dv.glw.mapToScene(pos)
        if not dv.plot.vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = dv.plot.vb.mapSceneToView(scene_pos)
        return p, dv.scatter.pointsAt(QPointF(p.x(), p.y()))

    def eventFilter(self, obj: Any, ev: Any) -> bool:  # noqa: N802 - Qt's name
        """A left press on a point grabs it; the release drops it there (one undoable move)."""
        if not self.enabled or ev is None:
            return False
        kind = ev.type()
        if kind == QEvent.Type.MouseButtonPress and ev.button() == Qt.MouseButton.LeftButton:
            hit = self._view_point(ev.position().toPoint())
            if hit is not None and len(hit[1]):
                self._dragging = int(hit[1][0].data())
                return True   # the view does not pan, and no point is added
        elif kind == QEvent.Type.MouseButtonRelease and self._dragging is not None:
            idx, self._dragging = self._dragging, None
            hit = self._view_point(ev.position().toPoint())
            if hit is not None:
                self.move(idx, float(hit[0].x()), float(hit[0].y()))
            return True
        return False

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
