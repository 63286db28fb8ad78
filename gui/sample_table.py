"""Type one or a few samples by hand (x₁…x_n, y₁…y_m) and make them the data set.

The lecture works one sample at a time: a teacher types the sample of the slide,
or pastes a few rows from a spreadsheet (Ctrl+V: tab, semicolon or comma
separated, decimal commas welcome).  A table of the wrong width is refused with
the reason under the table; nothing changes until "Use as data".
"""

from __future__ import annotations

from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from engine.datasets import Dataset
from engine.formulas import sub
from engine.typed_table import parse_table

from .qt_typed import clipboard

NAME = "typed samples"


class SampleTable(QDialog):
    """A table of samples for ``model`` (a LensModel): its input and output sizes."""

    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Type samples")
        self.model = model
        self.n_in, self.n_out = model.dataset.input_size, model.dataset.output_size
        intro = QLabel(f"One sample per row: the inputs x{sub(1)}…x{sub(self.n_in)}, then the "
                       f"targets y{sub(1)}…y{sub(self.n_out)}. Paste rows from a spreadsheet "
                       "with Ctrl+V (tab, semicolon or comma separated; 0,5 works).")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, self.n_in + self.n_out)
        self.table.setHorizontalHeaderLabels(
            [f"x{sub(i)}" for i in range(1, self.n_in + 1)]
            + [f"y{sub(j)}" for j in range(1, self.n_out + 1)])
        self.problem = QLabel("")
        self.problem.setObjectName("sample_table_problem")
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setWordWrap(True)
        buttons = QHBoxLayout()
        for text, slot in (("Add row", self.add_row), ("Remove row", self.remove_row),
                           ("Paste", self.paste)):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, s=slot: s())
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.use_button = QPushButton("Use as data")
        self.use_button.setDefault(True)
        self.use_button.clicked.connect(lambda _c=False: self.use())
        buttons.addWidget(self.use_button)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.problem)
        lay.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Paste, self.table, self.paste)
        X, Y = model.step_batch()   # start from the sample(s) being stepped
        self.fill(X[:, :20], Y[:, :20])
        self.resize(120 + 90 * (self.n_in + self.n_out), 320)

    def fill(self, X, Y) -> None:
        """Show the columns of X and Y as rows."""
        self.table.setRowCount(X.shape[1])
        for r in range(X.shape[1]):
            for c, v in enumerate([*X[:, r], *Y[:, r]]):
                self.table.setItem(r, c, QTableWidgetItem(f"{float(v):.10g}"))
        self.problem.setText("")

    def add_row(self) -> None:
        self.table.insertRow(self.table.rowCount())

    def remove_row(self) -> None:
        r = self.table.currentRow()
        self.table.removeRow(r if r >= 0 else self.table.rowCount() - 1)

    def text(self) -> str:
        """The table as tab-separated rows (what ``parse_table`` reads)."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(self.table.columnCount())]
            rows.append("\t".join(it.text() if it is not None else "" for it in cells))
        return "\n".join(rows)

    def paste(self, text: str | None = None) -> bool:
        """Replace the rows by a pasted table; refused (and nothing changed) if it does not fit."""
        text = clipboard().text() if text is None else text
        try:
            X, Y = parse_table(text, self.n_in, self.n_out)
        except ValueError as e:
            self.problem.setText(f"Not pasted: {e}.")
            return False
        self.fill(X, Y)
        return True

    def use(self) -> bool:
        """Make the rows the data set (the weights are kept: the sizes are the same)."""
        try:
            X, Y = parse_table(self.text(), self.n_in, self.n_out)
            ds = Dataset.from_arrays(X, Y, name=NAME)
        except ValueError as e:
            self.problem.setText(f"Not used: {e}.")
            return False
        if not self.model.set_imported_dataset(ds):
            return False
        self.problem.setText("")
        return True
