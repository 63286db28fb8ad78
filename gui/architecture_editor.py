"""The architecture and data editor: layers, loss, seed, dataset; Apply rebuilds from the seed.

The editor only collects a spec-ish dict and ``make_dataset`` arguments; the
engine validates them (through ``LensModel.set_experiment``) and its message is
shown when something is wrong.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from engine import ACTIVATIONS, LOSSES
from engine.datasets import DATASETS, N_SAMPLES_RANGE, NOISE_MAX

from .spin_boxes import float_spin, int_spin

# Above this many parameters the editor warns: stepping and heatmaps get slow.
LARGE_PARAMS = 100_000


MAX_UNITS = 10_000
HIDDEN_ACTIVATIONS = [a for a in ACTIVATIONS if a != "softmax"]  # softmax: output only
REGRESSION_SETS = ("sine",)


class ArchitectureEditor(QWidget):
    """Edit the layers and the dataset; ``applied(spec, data)`` on Apply."""

    applied = pyqtSignal(dict, dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        note = QLabel("Input size n₀ and output size n<sub>L</sub> follow the dataset "
                      "automatically. Apply draws new weights from the seed.")
        note.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["units", "activation"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(120)
        self.table.setMaximumHeight(260)
        self.add_btn = QPushButton("Add hidden layer")
        self.add_btn.setToolTip("Insert a hidden layer before the output layer")
        self.remove_btn = QPushButton("Remove layer")
        self.remove_btn.setToolTip("Remove the selected hidden layer (the output layer stays)")
        self.loss = QComboBox()
        self.loss.addItems(LOSSES)
        self.seed = int_spin(0, 2**31 - 1)
        self.dataset = QComboBox()
        self.dataset.addItems(DATASETS)
        self.n_samples = int_spin(*N_SAMPLES_RANGE)
        self.noise = float_spin(0.0, NOISE_MAX, 0.05, 3)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.pending = QLabel("Changes not applied yet: press Apply to rebuild.")
        self.pending.setWordWrap(True)
        self.pending.setStyleSheet("color: #b35900; font-weight: bold")
        self.pending.hide()
        self.apply_btn = QPushButton("Apply")
        self.apply_btn.setToolTip("Rebuild the network and the data from the seed")

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_btn)
        buttons.addWidget(self.remove_btn)
        form = QFormLayout()
        form.addRow("loss", self.loss)
        form.addRow("seed", self.seed)
        form.addRow("dataset", self.dataset)
        form.addRow("samples", self.n_samples)
        form.addRow("noise", self.noise)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.table)
        lay.addLayout(buttons)
        lay.addLayout(form)
        lay.addWidget(self.info)
        lay.addWidget(self.pending)
        lay.addWidget(self.apply_btn)
        lay.addStretch(1)

        self._n_in, self._n_out = 2, 1
        self.add_btn.clicked.connect(self._on_add)
        self.remove_btn.clicked.connect(self._on_remove)
        self.apply_btn.clicked.connect(self._on_apply)
        self.dataset.activated.connect(self._on_dataset_changed)
        # Any edit is only a plan until Apply: say so, so the graph is not mistaken for it.
        for sig in (self.add_btn.clicked, self.remove_btn.clicked, self.loss.activated,
                    self.seed.valueChanged, self.dataset.activated,
                    self.n_samples.valueChanged, self.noise.valueChanged):
            sig.connect(self._mark_pending)
        self.loss.activated.connect(self._on_loss_chosen)

    # -- model → editor ---------------------------------------------------------------
    def load(self, spec: dict, data_spec: dict | None, n_in: int, n_out: int,
             dataset_name: str) -> None:
        """Show a network spec and the dataset that made it."""
        self._n_in, self._n_out = n_in, n_out
        self.table.setRowCount(0)
        for ly in spec["layers"]:
            self._insert_row(self.table.rowCount(), ly["units"], ly["activation"])
        self._mark_output_row()
        self.loss.setCurrentText(spec.get("loss", "squared"))
        self.seed.setValue(int(spec.get("seed", 0)))
        if data_spec is None:   # imported data has no generator: show it, keep it
            if self.dataset.findText(dataset_name) < 0:
                self.dataset.addItem(dataset_name)
            self.dataset.setCurrentText(dataset_name)
        else:
            self.dataset.setCurrentText(data_spec["name"])
            self.n_samples.setValue(int(data_spec.get("n_samples", 200)))
            self.noise.setValue(float(data_spec.get("noise", 0.1)))
        self._update_info()
        self._show_pending(False)

    # -- editor → spec -----------------------------------------------------------------
    def spec(self) -> dict:
        """The spec-ish dict (no weights; sizes are fitted to the data by the model)."""
        layers = []
        for r in range(self.table.rowCount()):
            layers.append({"units": self.table.cellWidget(r, 0).value(),
                           "activation": self.table.cellWidget(r, 1).currentText()})
        return {"input_size": self._n_in, "loss": self.loss.currentText(),
                "seed": self.seed.value(), "layers": layers}

    def data(self) -> dict:
        """``make_dataset`` arguments (or ``{"name": <imported>}`` to keep imported data)."""
        return {"name": self.dataset.currentText(), "n_samples": self.n_samples.value(),
                "noise": self.noise.value()}

    def n_params(self) -> int:
        """Parameter count of the edited layers (for the size warning only)."""
        sizes = [self._n_in] + [self.table.cellWidget(r, 0).value()
                                for r in range(self.table.rowCount())]
        if sizes and len(sizes) > 1:
            sizes[-1] = self._n_out
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))

    # -- helpers -----------------------------------------------------------------------
    def _insert_row(self, row: int, units: int, activation: str) -> None:
        self.table.insertRow(row)
        spin = int_spin(1, MAX_UNITS)
        spin.setToolTip(f"Units in this layer: at least 1 (no empty layers), at most {MAX_UNITS}")
        spin.setValue(max(1, int(units)))
        spin.valueChanged.connect(self._update_info)
        spin.valueChanged.connect(self._mark_pending)
        combo = QComboBox()
        combo.addItems(list(ACTIVATIONS))
        combo.setCurrentText(activation)
        combo.activated.connect(self._mark_pending)
        combo.activated.connect(lambda _i, c=combo: self._on_activation_chosen(c))
        self.table.setCellWidget(row, 0, spin)
        self.table.setCellWidget(row, 1, combo)

    def _offer_softmax(self, combo: QComboBox, offer: bool) -> None:
        """Softmax only where it is valid: the output layer, over more than one unit."""
        i = combo.findText("softmax")
        if offer and i < 0:
            combo.addItem("softmax")
            combo.setItemData(combo.count() - 1, "the output as class probabilities "
                              "(goes with the cross-entropy loss)",
                              Qt.ItemDataRole.ToolTipRole)
        elif not offer and i >= 0:
            if combo.currentIndex() == i:
                combo.setCurrentText("sigmoid" if self._is_output(combo) else "tanh")
            combo.removeItem(i)

    def _is_output(self, combo: QComboBox) -> bool:
        return combo is self.table.cellWidget(self.table.rowCount() - 1, 1)

    def _on_activation_chosen(self, combo: QComboBox) -> None:
        if combo.currentText() == "softmax" and self.loss.currentText() != "cross_entropy":
            self.loss.setCurrentText("cross_entropy")
            self.info.setText("Softmax goes with the cross-entropy loss: the loss is now "
                              "cross_entropy.")

    def _on_loss_chosen(self, _i: int) -> None:
        out = self.table.cellWidget(self.table.rowCount() - 1, 1)
        if out is not None and out.currentText() == "softmax" \
                and self.loss.currentText() != "cross_entropy":
            out.setCurrentText("sigmoid")
            self.info.setText(f"Softmax works only with cross-entropy: the output layer is "
                              f"now sigmoid for the {self.loss.currentText()} loss.")

    def _mark_output_row(self) -> None:
        n = self.table.rowCount()
        labels = [f"ℓ={i + 1}" for i in range(n)]
        for r in range(n):
            out = r == n - 1
            self._offer_softmax(self.table.cellWidget(r, 1), out and self._n_out > 1)
            spin = self.table.cellWidget(r, 0)
            spin.setEnabled(not out)
            if out:
                spin.setValue(self._n_out)
                spin.setToolTip("The output layer has as many units as the dataset has "
                                "target rows; it follows the dataset")
                labels[r] += " out"
        self.table.setVerticalHeaderLabels(labels)
        self.remove_btn.setEnabled(n > 1)

    def _on_add(self) -> None:
        row = max(0, self.table.rowCount() - 1)
        sel = self.table.currentRow()
        if 0 <= sel < self.table.rowCount() - 1:
            row = sel + 1
        self._insert_row(row, 8, "tanh")
        self._mark_output_row()
        self._update_info()

    def _on_remove(self) -> None:
        n = self.table.rowCount()
        if n <= 1:
            self.info.setText("The output layer cannot be removed.")
            return
        sel = self.table.currentRow()
        row = sel if 0 <= sel < n - 1 else n - 2
        self.table.removeRow(row)
        self._mark_output_row()
        self._update_info()

    def _on_dataset_changed(self, _i: int) -> None:
        # A regression target (sine) needs an unbounded output; classification a sigmoid.
        out = self.table.cellWidget(self.table.rowCount() - 1, 1)
        if out is None:
            return
        name = self.dataset.currentText()
        if name in REGRESSION_SETS and out.currentText() == "sigmoid":
            out.setCurrentText("identity")
        elif name not in REGRESSION_SETS and out.currentText() == "identity":
            out.setCurrentText("sigmoid")
        self.info.setText("The output layer's size will follow the new dataset on Apply.")

    def _update_info(self, *_args) -> None:
        n = self.n_params()
        text = f"{self.table.rowCount()} layers with weights, {n:,} parameters."
        if n > LARGE_PARAMS:
            text = (f"<span style='color:#c0392b'><b>{n:,} parameters</b> is more than "
                    f"{LARGE_PARAMS:,}: stepping and the heatmaps will be slow and the cells "
                    "too small to read. Consider fewer units.</span>")
        self.info.setText(text)

    def _mark_pending(self, *_args) -> None:
        self._show_pending(True)

    def _show_pending(self, on: bool) -> None:
        self.pending.setVisible(on)
        font = self.apply_btn.font()
        font.setBold(on)
        self.apply_btn.setFont(font)

    @property
    def has_pending_changes(self) -> bool:
        """True after an edit that Apply has not rebuilt yet."""
        return not self.pending.isHidden()

    def _on_apply(self) -> None:
        self.applied.emit(self.spec(), self.data())
