"""Tools → Compare runs…: the compare dialog wired to the window's experiment.

Each row of the dialog becomes a copy of the current experiment back at its initial
weights (``engine.compare.experiment_runs``), changed through the experiment's own
methods. They train in slices on a timer (the ``TrainingController`` pattern: at most
``CHUNK_SECONDS`` of work per tick, then the event loop), so the window never freezes;
a progress bar counts the iterations and Cancel stops between two of them. The current
experiment is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from PyQt6.QtCore import QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import QBoxLayout, QHBoxLayout, QProgressBar, QPushButton

from engine.compare import experiment_runs, train_experiment_runs

from .compare_dialog import CompareDialog

CHUNK_SECONDS = 0.03


def base_fields(ex: Any) -> dict[str, str]:
    """The dialog's first row: the current experiment's optimizer, α, batch, loss, activations."""
    return {"optimizer": ex.optimizer_name, "lr": f"{ex.lr:g}", "batch_size": str(ex.batch_size),
            "loss": ex.net.loss,
            "activations": ":".join(ly.activation.name for ly in ex.net.layers)}


class CompareRunner(QObject):
    """Trains a list of runs in timer slices; ``finished(runs)`` or ``cancelled()``."""

    progressed = pyqtSignal(int, int)   # iterations done, iterations in all
    finished = pyqtSignal(object)
    cancelled = pyqtSignal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_tick)
        self._gen: Generator[tuple[int, int], None, None] | None = None
        self._runs: list[Any] = []
        self.done = self.total = 0

    @property
    def is_running(self) -> bool:
        return self._gen is not None

    def start(self, ex: Any, changes: list[dict[str, Any]], epochs: int) -> None:
        """Build the runs (``ValueError`` on a change the experiment refuses), then train."""
        pairs = experiment_runs(ex, changes)
        self._runs = [run for run, _ in pairs]
        self.total = sum(run.iters_per_epoch for run in self._runs) * epochs
        self.done = 0
        self._gen = train_experiment_runs(pairs, epochs)
        self._timer.start()
        self.progressed.emit(0, self.total)

    def cancel(self) -> None:
        """Stop between two iterations; nothing is shown."""
        if self._gen is None:
            return
        self._timer.stop()
        self._gen.close()
        self._gen = None
        self.cancelled.emit()

    def _on_tick(self) -> None:
        gen = self._gen
        if gen is None:
            self._timer.stop()
            return
        deadline = time.perf_counter() + CHUNK_SECONDS
        try:
            while time.perf_counter() < deadline:
                next(gen)
                self.done += 1
        except StopIteration:
            self._timer.stop()
            self._gen = None
            self.progressed.emit(self.total, self.total)
            self.finished.emit(self._runs)
            return
        self.progressed.emit(self.done, self.total)


def open_compare(win: Any) -> CompareDialog:
    """Show the compare dialog for ``win.model``'s experiment (one dialog per window)."""
    old = getattr(win, "compare_dialog", None)
    if old is not None:
        if old.isVisible():
            old.raise_()
            return old
        old.deleteLater()   # a closed one: the experiment may have changed since
    ex = win.model.ex
    ds = ex.dataset
    points = (ds.X, getattr(ds, "labels", None)) if ds.X.shape[0] == 2 else None
    runner = CompareRunner(win)
    bar = QProgressBar()
    cancel = QPushButton("Cancel")
    row = QHBoxLayout()
    row.addWidget(bar, 1)
    row.addWidget(cancel)

    def train(changes: list[dict[str, Any]], epochs: int) -> None:
        runner.start(win.model.ex, changes, epochs)   # ValueError: the dialog shows it
        dlg.train_button.setEnabled(False)
        cancel.setEnabled(True)

    def ended() -> None:
        dlg.train_button.setEnabled(True)
        cancel.setEnabled(False)

    def show_progress(done: int, total: int) -> None:
        bar.setMaximum(max(total, 1))
        bar.setValue(done)

    def show_cancelled() -> None:
        ended()
        dlg.status.setText("Cancelled.")

    dlg = CompareDialog(base_fields(ex), train, points, win)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    layout = dlg.layout()
    assert isinstance(layout, QBoxLayout)   # CompareDialog lays itself out in a column
    layout.insertLayout(2, row)
    cancel.setEnabled(False)
    cancel.clicked.connect(runner.cancel)
    runner.progressed.connect(show_progress)
    runner.finished.connect(dlg.show_results)
    runner.finished.connect(lambda _runs: ended())
    runner.cancelled.connect(show_cancelled)
    dlg.finished.connect(lambda _result: runner.cancel())
    dlg.runner = runner
    dlg.resize(900, 760)
    win.compare_dialog = dlg
    dlg.show()
    return dlg
