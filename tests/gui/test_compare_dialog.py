"""The table of runs: rows to changes, bad cells refused, trained curves shown and exported."""

import numpy as np
import pyqtgraph as pg

from engine import Network, make_dataset
from engine.compare import MAX_RUNS, Base, read_compare_csv, runs_from_changes, train_runs
from engine.grid import decision_grid, padded_limits
from gui.compare_dialog import CompareDialog

DS = make_dataset("moons", n_samples=80, seed=2)
NET = Network.from_spec({"input_size": 2, "layers": [{"units": 4, "activation": "tanh"},
                                                     {"units": 1, "activation": "sigmoid"}]})
BASE = {"optimizer": "sgd", "lr": "0.1", "batch_size": "16", "loss": "squared",
        "activations": "tanh:sigmoid"}


def make(qtbot):
    calls = []

    def train(changes, epochs):
        calls.append((changes, epochs))
        base = Base.from_network(NET, DS.X, DS.Y, batch_size=16, lr=0.1)
        runs = runs_from_changes(base, changes)
        train_runs(runs, epochs)
        return runs

    dlg = CompareDialog(BASE, train, points=(DS.X, DS.labels))
    qtbot.addWidget(dlg)
    return dlg, calls


def test_rows_become_changes_and_trained_curves(qtbot, tmp_path):
    dlg, calls = make(qtbot)
    assert dlg.table.rowCount() == 1 and dlg.table.item(0, 0).text() == "base"
    dlg.add_run()
    dlg.table.item(1, 2).setText("0.5")            # α of run 2
    dlg.add_run()                                  # a copy of run 2 …
    dlg.table.item(2, 1).setText("adam")           # … with adam
    assert [dlg.table.item(r, 0).text() for r in range(3)] == [
        "base", "lr=0.5", "optimizer=adam, lr=0.5"]
    dlg.epochs.setValue(3)
    with qtbot.waitSignal(dlg.trained):
        dlg.train_button.click()
    assert calls == [([{}, {"lr": 0.5}, {"optimizer": "adam", "lr": 0.5}], 3)]
    assert len(dlg.plot.curves) == 3
    firsts = {c.yData[0] for c in dlg.plot.curves}
    assert len(firsts) == 1                        # one start, one first batch
    # one small decision-boundary plot per run, the run's own a_L on the shared grid
    assert [p.titleLabel.text for p in dlg.boundaries.plots] == [
        "base", "lr=0.5", "optimizer=adam, lr=0.5"]
    img = [i for i in dlg.boundaries.plots[2].items if isinstance(i, pg.ImageItem)][0]
    xs, ys, v = decision_grid(dlg.runs[2].net, *padded_limits(DS.X), 60)
    np.testing.assert_array_equal(img.image, v.score.T)
    assert dlg.table.item(2, 6).text() == f"{dlg.runs[2].history.iter_loss[-1]:.4g}"
    dlg.export(str(tmp_path / "c.csv"))
    back = read_compare_csv((tmp_path / "c.csv").read_text())
    assert list(back) == ["base", "lr=0.5", "optimizer=adam, lr=0.5"]
    assert back["lr=0.5"] == dlg.runs[1].history.iter_loss
    dlg.export(str(tmp_path / "c.svg"))
    assert "optimizer=adam, lr=0.5" in (tmp_path / "c.svg").read_text()


def test_bad_cells_and_too_many_rows(qtbot):
    dlg, calls = make(qtbot)
    dlg.table.item(0, 3).setText("0")              # batch size 0
    assert "batch_size must be ≥ 1" in dlg.status.text()
    dlg.train_button.click()
    assert calls == []                             # nothing trained with a bad cell
    dlg.table.item(0, 3).setText("16")
    dlg.table.item(0, 4).setText("cross_entropy")  # fine for a sigmoid output
    dlg.table.item(0, 5).setText("softmax:sigmoid")
    dlg.train_button.click()
    assert "softmax" in dlg.status.text() and calls and dlg.runs == []
    for _ in range(MAX_RUNS + 2):
        dlg.add_run()
    assert dlg.table.rowCount() == MAX_RUNS and not dlg.add_button.isEnabled()
    dlg.remove_run()
    assert dlg.table.rowCount() == MAX_RUNS - 1 and dlg.add_button.isEnabled()
