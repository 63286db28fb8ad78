"""The editor offers softmax only where it is valid and pairs it with cross-entropy."""

from __future__ import annotations

from gui.architecture_editor import ArchitectureEditor

SPEC = {"input_size": 2, "loss": "squared", "seed": 0,
        "layers": [{"units": 8, "activation": "tanh"}, {"units": 3, "activation": "sigmoid"}]}


def items(combo):
    return [combo.itemText(i) for i in range(combo.count())]


def test_softmax_only_on_an_output_of_several_units(qtbot):
    ed = ArchitectureEditor()
    qtbot.addWidget(ed)
    ed.load(SPEC, {"name": "blobs", "n_samples": 200, "noise": 0.1}, 2, 3, "blobs")
    hidden, out = ed.table.cellWidget(0, 1), ed.table.cellWidget(1, 1)
    assert "softmax" not in items(hidden) and "softmax" in items(out)
    one = {**SPEC, "layers": [SPEC["layers"][0], {"units": 1, "activation": "sigmoid"}]}
    ed.load(one, {"name": "moons", "n_samples": 200, "noise": 0.1}, 2, 1, "moons")
    assert "softmax" not in items(ed.table.cellWidget(1, 1))   # one unit: always 1


def test_choosing_softmax_picks_cross_entropy_and_back(qtbot):
    ed = ArchitectureEditor()
    qtbot.addWidget(ed)
    ed.load(SPEC, {"name": "blobs", "n_samples": 200, "noise": 0.1}, 2, 3, "blobs")
    out = ed.table.cellWidget(1, 1)
    out.setCurrentText("softmax")
    out.activated.emit(out.currentIndex())
    assert ed.loss.currentText() == "cross_entropy" and "cross-entropy" in ed.info.text()
    ed.loss.setCurrentText("squared")
    ed.loss.activated.emit(ed.loss.currentIndex())
    assert out.currentText() == "sigmoid" and ed.spec()["loss"] == "squared"
