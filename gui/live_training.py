"""While training runs, the graph, the shown layer's matrices and the data view follow it.

The engine records what each iteration did (the network's weights, the trainer's
``last_grads`` and ``last_indices``); this module only decides when to draw them:
at training's start, then at most ``LIVE_PER_SECOND`` times a second on the
controller's progress signal, whatever the training speed. The stepped pass's
per-sample records (z, a, δ, …) belong to weights training has replaced, so the
views blank them (``LIVE_BLANK``) until training pauses or ends; then the model's
``changed`` (``Experiment.after_training``: a fresh pass on the current weights)
redraws every view from the stepper, which ends live mode, and the mini-batch
marks are removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QObject

from .data_view import TRAINING_RESOLUTION

# Redraws of graph + heatmaps per second while training, at most. 15 is smooth; more
# only took the engine's time (at 25 a second the 60 000-sample nets fell from 0.9 to 0.8
# of their headless speed). At full speed the controller also spaces its progress signals
# so that redrawing never takes the engine more than its share (ENGINE_SHARE): the views
# follow as often as the engine can spare (bench/bench_gui.py, section 3, counts it).
LIVE_PER_SECOND = 15.0
# The data view (the prediction on a 50×50 grid and the mini-batch marks) and the loss plot
# are the costliest paints (~9 and ~4 ms for moons, twice that on a busy machine): 5 times
# a second keeps the boundary moving and the curve growing visibly, and leaves the graph
# and the heatmaps the redraws the engine can spare; at a speed of at most LIVE_PER_SECOND
# they follow every iteration with the other views. The full 100×100 grid and the whole
# history come back when training stops (the model's changed).
DATA_INTERVAL = 0.2


class LiveTraining(QObject):
    """Draws the model's training live into ``graph``, ``matrices`` and ``data_view``.

    Parameters
    ----------
    model : LensModel
        Its training signals drive the redraws; its trainer and network are read.
    layer : callable
        The layer (1..L) the matrices show, asked at each redraw (the window's choice).
    loss_plot : LossPlotWidget, optional
        Refreshed with the data view (``DATA_INTERVAL``).
    formula : FormulaPanel, optional
        Says what each iteration does while training (the stepped pass's hint,
        "press → to start", is wrong while → is disabled).
    clock : callable
        Seconds, for the throttle; injectable so tests count redraws without timing.
    """

    def __init__(self, model: Any, graph: Any, matrices: Any, data_view: Any,
                 layer: Callable[[], int], loss_plot: Any = None,
                 clock: Callable[[], float] = time.perf_counter,
                 parent: QObject | None = None, formula: Any = None) -> None:
        super().__init__(parent)
        self.model, self.graph, self.matrices, self.data_view = model, graph, matrices, data_view
        self._layer = layer
        self.loss_plot = loss_plot
        self.formula = formula
        self._clock = clock
        self._active = False
        self._due = -float("inf")   # when the next redraw may happen
        self._data_at = -float("inf")   # when the data view was last redrawn
        self._rec: Any = None
        self.redraws = 0   # how many times the live views were drawn (tests, bench)
        model.training_started.connect(self._on_started)
        model.training_progressed.connect(self._on_progress)
        # After the model's changed(after_training) has redrawn the views from the stepper.
        model.training_paused.connect(self._on_ended)
        model.training_finished.connect(self._on_ended)
        model.training_failed.connect(self._on_ended)

    @property
    def active(self) -> bool:
        """True while training runs and the views follow it."""
        return self._active

    def _on_started(self) -> None:
        self._active = True
        self._rec = None
        self._due = self._data_at = -float("inf")
        self.redraw()   # at once: the stepped pass's numbers leave the screen
        m = self.model
        if self.formula is not None:
            self.formula.show_training(m.optimizer_name, m.optimizer.formula, m.lr,
                                       m.trainer.batch_size)

    def _on_progress(self, rec: Any) -> None:
        self._rec = rec
        now = self._clock()
        if self._active and now >= self._due:
            # Due times a fixed interval apart, not "an interval since the last redraw":
            # waiting a full interval after a late progress signal skipped the next one.
            step = 1.0 / LIVE_PER_SECOND
            self._due = self._due + step if now - self._due < step else now + step
            self.redraw(data=False)
        speed = getattr(self.model, "train_speed", None)
        slow = speed is not None and speed <= LIVE_PER_SECOND   # every iteration is drawn
        if self._active and (slow or now - self._data_at >= DATA_INTERVAL):
            self._data_at = now
            self.data_view.refresh_prediction(TRAINING_RESOLUTION)
            self._show_batch()
            if self.loss_plot is not None:
                self.loss_plot.refresh()

    def _on_ended(self, *_args: Any) -> None:
        self._active = False
        self.data_view.show_batch(None)

    def redraw(self, data: bool = True) -> None:
        """Draw the weights now and the latest iteration's gradients (and, with ``data``,
        its mini-batch in the data view)."""
        if not self._active:
            return
        tr, net = self.model.trainer, self.model.net
        params = net.params()
        grads = tr.last_grads
        idx = tr.last_indices
        it = tr.iteration
        layer = min(max(1, self._layer()), net.L)
        loss = getattr(self._rec, "loss", None) if self._rec is not None else None
        self.graph.show_live(params, it, loss)
        self.matrices.show_live(params, layer, grads, it, None if idx is None else len(idx))
        if data:
            self.data_view.show_batch(idx, it)
        self.redraws += 1

    def _show_batch(self) -> None:
        tr = self.model.trainer
        self.data_view.show_batch(tr.last_indices, tr.iteration)
