"""The table of runs to compare: one row per run, what differs, their overlaid loss curves.

Takes plain data and callables, not the model: ``base`` is {field: text} of the current
experiment for the fields of ``engine.compare.VARY_FIELDS`` (e.g. {"optimizer": "sgd",
"lr": "0.1", "batch_size": "32", "loss": "squared", "activations": "tanh:sigmoid"}), and
``train(changes, epochs)`` trains one run per dict of changed fields from the same start
(e.g. ``engine.compare.runs_from_changes`` + ``train_runs`` on the window's experiment,
in a thread if it likes) and hands back ``engine.compare.Run``s, or the window calls
``show_results`` itself later. Cells are checked with ``engine.compare.parse_value``.
With ``points=(X, labels)`` of 2-D data, each run's decision boundary is shown as a
small multiple (``engine.compare.boundary_grids``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.compare import (
    MAX_RUNS,
    VARY_FIELDS,
    boundary_grids,
    compare_csv_text,
    label_of,
    loss_curves,
    parse_value,
)
from engine.fileio import BadFileError, atomic_write_text

from .compare_boundaries import BoundaryMultiples
from .compare_plot import ComparePlotWidget

if TYPE_CHECKING:   # compare_runs imports this module
    from .compare_runs import CompareRunner

HEADERS = {"optimizer": "optimizer", "lr": "α", "batch_size": "batch size", "loss": "loss",
           "activations": "activations"}
COLUMNS = ("label", *VARY_FIELDS, "result")


class CompareDialog(QDialog):
    """See the module docstring."""

    trained = pyqtSignal(object)        # the list of Runs shown

    def __init__(self, base: dict[str, str],
                 train: Callable[[list[dict[str, Any]], int], Sequence[Any] | None],
                 points: tuple[np.ndarray, np.ndarray | None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare runs from the same start")
        self.base, self._train = dict(base), train
        self.runs: list[Any] = []
        self.runner: CompareRunner | None = None   # set by compare_runs.open_compare
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(["what differs", *(HEADERS[f] for f in VARY_FIELDS),
                                              "final loss"])
        self.table.itemChanged.connect(self._on_item_changed)
        self.add_button = QPushButton("Add run")
        self.remove_button = QPushButton("Remove run")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.epochs.setValue(20)
        self.epochs.setPrefix("epochs ")
        self.train_button = QPushButton("Train all")
        self.export_button = QPushButton("Export…")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.plot = ComparePlotWidget()
        # 2-D data: each run's decision boundary as a small multiple (points = (X, labels))
        self.points = points
        self.boundaries = BoundaryMultiples()
        self.boundaries.setVisible(points is not None and np.shape(points[0])[0] == 2)
        bar = QHBoxLayout()
        for w in (self.add_button, self.remove_button, self.epochs, self.train_button,
                  self.export_button):
            bar.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addLayout(bar)
        lay.addWidget(self.status)
        lay.addWidget(self.plot, 2)
        lay.addWidget(self.boundaries, 1)
        self.add_button.clicked.connect(self.add_run)
        self.remove_button.clicked.connect(self.remove_run)
        self.train_button.clicked.connect(self.train_all)
        self.export_button.clicked.connect(self._on_export)
        self.add_run()   # the base itself is the first run

    # -- rows ------------------------------------------------------------------------
    def add_run(self, values: dict[str, str] | None = None) -> None:
        """A new row, a copy of the last one (or the base), up to MAX_RUNS rows."""
        n = self.table.rowCount()
        if n >= MAX_RUNS:
            self.status.setText(f"At most {MAX_RUNS} runs can be compared.")
            return
        if values is None:
            values = self.row_values(n - 1) if n else self.base
        self.table.blockSignals(True)
        self.table.insertRow(n)
        for c, f in enumerate(VARY_FIELDS, start=1):
            self.table.setItem(n, c, QTableWidgetItem(str(values.get(f, self.base.get(f, "")))))
        for c in (0, len(COLUMNS) - 1):
            item = QTableWidgetItem("")
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)  # computed, not typed
            self.table.setItem(n, c, item)
        self.table.blockSignals(False)
        self._refresh_labels()

    def remove_run(self) -> None:
        """Remove the selected row (the last one if none is selected); one always stays."""
        if self.table.rowCount() > 1:
            r = self.table.currentRow()
            self.table.removeRow(r if r >= 0 else self.table.rowCount() - 1)
            self._refresh_labels()

    def _item(self, r: int, c: int) -> QTableWidgetItem:
        item = self.table.item(r, c)
        assert item is not None   # add_run fills every cell of a row
        return item

    def row_values(self, r: int) -> dict[str, str]:
        return {f: self._item(r, c).text().strip()
                for c, f in enumerate(VARY_FIELDS, start=1)}

    def changes(self) -> list[dict[str, Any]]:
        """Per row, the parsed fields that differ from the base; ``ValueError`` on a bad cell."""
        out = []
        for r in range(self.table.rowCount()):
            ch = {}
            for f, text in self.row_values(r).items():
                if text != str(self.base.get(f, "")).strip():
                    try:
                        ch[f] = parse_value(f, text)
                    except ValueError as e:
                        raise ValueError(f"run {r + 1}: {e}") from None
            out.append(ch)
        return out

    def _on_item_changed(self, _: Any) -> None:
        self._refresh_labels()

    def _refresh_labels(self) -> None:
        try:
            changes = self.changes()
            self.status.setText("")
        except ValueError as e:
            self.status.setText(f"<span style='color:#b35900'>{e}</span>")
            return
        self.table.blockSignals(True)
        for r, ch in enumerate(changes):
            self._item(r, 0).setText(label_of(ch))
        self.table.blockSignals(False)
        self.table.resizeColumnToContents(0)   # "what differs" is the column to read
        self.add_button.setEnabled(self.table.rowCount() < MAX_RUNS)

    # -- training and results ---------------------------------------------------------
    def train_all(self) -> None:
        """Check every cell, then hand the rows to ``train``; its runs are shown."""
        try:
            changes = self.changes()
        except ValueError as e:
            self.status.setText(f"<span style='color:#b35900'>{e}</span>")
            return
        try:
            runs = self._train(changes, self.epochs.value())
        except ValueError as e:   # e.g. a loss the output layer cannot take
            self.status.setText(f"<span style='color:#b35900'>{e}</span>")
            return
        if runs is not None:
            self.show_results(runs)

    def show_results(self, runs: Sequence[Any]) -> None:
        """Overlay the runs' loss curves and fill the final-loss column."""
        self.runs = list(runs)
        x_name, curves = loss_curves(self.runs)
        self.plot.set_curves(x_name, curves, log_y=True)
        col = len(COLUMNS) - 1
        for r, run in enumerate(self.runs[:self.table.rowCount()]):
            h = run.history
            text = f"{h.iter_loss[-1]:.4g}" if h.iter_loss else "—"
            if run.diverged:
                text += " (diverged)"
            self._item(r, col).setText(text)
        if self.boundaries.isVisibleTo(self) and self.points is not None:
            X, labels = self.points
            self.boundaries.set_grids(boundary_grids(self.runs, X), X, labels)
        self.status.setText(f"{len(self.runs)} runs trained from the same initial weights "
                            f"and data order.")
        self.trained.emit(self.runs)

    def export(self, path: str) -> None:
        """Write the curves: .csv (one column per run), .png or .svg."""
        if not self.runs:
            raise BadFileError(path, "nothing to export yet: train the runs first")
        if path.lower().endswith(".csv"):
            atomic_write_text(path, compare_csv_text(self.runs))
        else:
            self.plot.export(path)

    def _ask_path(self) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export comparison", "compare.png",
                                              "PNG (*.png);;SVG (*.svg);;CSV (*.csv)")
        return path

    def _on_export(self) -> None:
        path = self._ask_path()
        if path:
            try:
                self.export(path)
                self.status.setText(f"Wrote {path}")
            except (BadFileError, OSError) as e:
                self.status.setText(f"<span style='color:#b35900'>{e}</span>")
