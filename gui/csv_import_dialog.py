"""Import a CSV: a preview of the first rows and which columns are inputs and targets."""

from __future__ import annotations

from PyQt6.QtCore import QEventLoop
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.csv_data import CsvData, CsvPreview, column_name, load_csv, preview
from engine.fileio import BadFileError

INPUT_COLOUR = QColor(214, 230, 250)   # pale blue: inputs x
TARGET_COLOUR = QColor(250, 226, 204)  # pale orange: targets y


class CsvImportDialog(QDialog):
    """Choose how a CSV's columns map to (X, Y); ``data`` holds the result after accept.

    Raises ``BadFileError`` from the constructor when the file cannot be previewed.
    """

    def __init__(self, path: str, n_inputs: int | None = None, n_outputs: int | None = None,
                 parent: QWidget | None = None, rows: int = 10) -> None:
        super().__init__(parent)
        self.path = path
        self.data: CsvData | None = None
        self.pv: CsvPreview = preview(path, rows=rows)
        n = self.pv.n_columns
        if n < 2:
            raise BadFileError(path, f"has {n} column{'s' if n != 1 else ''}; need at least "
                                     f"one input and one target column")
        self.setWindowTitle(f"Import CSV – {path}")

        self.table = QTableWidget(len(self.pv.rows), n)
        self.table.setHorizontalHeaderLabels(
            [column_name(j, self.pv.header) for j in range(n)])
        for i, row in enumerate(self.pv.rows):
            for j, cell in enumerate(row[:n]):
                self.table.setItem(i, j, QTableWidgetItem(cell))
        # Headers name the columns the messages refer to: show them whole.
        self.table.resizeColumnsToContents()
        head, side = self.table.horizontalHeader(), self.table.verticalHeader()
        assert head is not None and side is not None   # a QTableWidget makes both headers
        wanted = head.length() + side.width() + 40
        self.setMinimumWidth(min(max(480, wanted), 1000))

        self.inputs = QSpinBox()
        self.inputs.setRange(1, n - 1)
        self.targets = QSpinBox()
        self.targets.setRange(1, n - 1)
        self.label = QCheckBox("the last column is a class label 0…k−1 (one-hot encoded)")
        self.classes = QSpinBox()
        self.classes.setRange(1, 10_000)
        self.classes.setValue(2)
        self.classes.setToolTip("k, the number of classes (1 = a single 0/1 output)")
        self.standardize = QCheckBox("standardise inputs (mean 0, std 1)")
        self.summary = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        # Defaults: the current network's n_0 / n_L when they fit the file.
        if n_inputs is not None and n_outputs is not None and n_inputs + n_outputs == n:
            self.inputs.setValue(n_inputs)
        elif n_inputs is not None and n_outputs is not None and n_outputs > 1 \
                and n_inputs + 1 == n:
            self.label.setChecked(True)
            self.classes.setValue(n_outputs)
        else:
            self.inputs.setValue(n - 1)
        self.targets.setValue(n - self.inputs.value())

        form = QFormLayout()
        form.addRow("input columns (n₀, first)", self.inputs)
        form.addRow("target columns (n<sub>L</sub>, last)", self.targets)
        form.addRow(self.label)
        form.addRow("classes k", self.classes)
        form.addRow(self.standardize)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{self.pv.n_rows} data rows, {n} columns"
                             + (", header row found" if self.pv.header else ", no header")))
        lay.addWidget(self.table)
        lay.addLayout(form)
        lay.addWidget(self.summary)
        lay.addWidget(self.error)
        self.progress = QProgressBar()   # shown while a big file is read
        self.progress.setRange(0, 100)
        self.progress.hide()
        lay.addWidget(self.progress)
        lay.addWidget(self.buttons)

        self.inputs.valueChanged.connect(self._on_inputs_changed)
        self.targets.valueChanged.connect(self._on_targets_changed)
        self.label.toggled.connect(self._on_label_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_label_changed(self.label.isChecked())

    # -- the mapping ---------------------------------------------------------------
    def _on_inputs_changed(self, v: int) -> None:
        if not self.label.isChecked():
            self.targets.blockSignals(True)
            self.targets.setValue(self.pv.n_columns - v)
            self.targets.blockSignals(False)
        self._refresh()

    def _on_targets_changed(self, v: int) -> None:
        self.inputs.blockSignals(True)
        self.inputs.setValue(self.pv.n_columns - v)
        self.inputs.blockSignals(False)
        self._refresh()

    def _on_label_changed(self, on: bool) -> None:
        n = self.pv.n_columns
        self.inputs.setEnabled(not on)
        self.targets.setEnabled(not on)
        self.classes.setEnabled(on)
        if on:
            self.inputs.blockSignals(True)
            self.inputs.setValue(n - 1)
            self.inputs.blockSignals(False)
            self.targets.blockSignals(True)
            self.targets.setValue(1)
            self.targets.blockSignals(False)
        self._refresh()

    def _refresh(self) -> None:
        """Colour the preview's columns and say in words where they go."""
        n_in = self.inputs.value()
        for j in range(self.pv.n_columns):
            brush = QBrush(INPUT_COLOUR if j < n_in else TARGET_COLOUR)
            for i in range(self.table.rowCount()):
                item = self.table.item(i, j)
                if item is not None:
                    item.setBackground(brush)
        target = "class label" if self.label.isChecked() else "targets y"
        self.summary.setText(f"{_span(1, n_in)} → inputs x (blue);  "
                             f"{_span(n_in + 1, self.pv.n_columns)} → {target} (orange)")
        self.error.clear()

    def options(self) -> dict:
        """The keyword arguments for ``load_csv``."""
        label = self.label.isChecked()
        return {"n_inputs": self.inputs.value(),
                "n_outputs": self.classes.value() if label else self.targets.value(),
                "label_column": label, "standardize": self.standardize.isChecked()}

    def accept(self) -> None:
        """Read the whole file; on a problem show it inline and stay open."""
        try:
            self.data = load_csv(self.path, **self.options(), progress=self._on_progress)
        except BadFileError as e:
            self.error.setText(str(e))
            return
        finally:
            self.progress.hide()
        super().accept()

    def _on_progress(self, done: int, total: int) -> None:
        """Show how far the reading is; repaint without taking clicks meanwhile."""
        pct = 100 * done // max(1, total)
        if pct == self.progress.value() and self.progress.isVisible():
            return
        self.progress.show()
        self.progress.setValue(pct)
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


def _span(first: int, last: int) -> str:
    """'column 3' or 'columns 1–2' (1-based, as a spreadsheet numbers them)."""
    return f"column {first}" if first == last else f"columns {first}–{last}"
