"""GradCheckDialog: shows the engine's gradient check, per entry, with a clear verdict."""

import math

import numpy as np
import pytest

import engine.network as network_mod
from engine import Network
from engine.datasets import make_dataset
from gui.gradcheck_dialog import GradCheckDialog


def small_case():
    ds = make_dataset("moons", n_samples=20, noise=0.1, seed=0, val_fraction=0.0)
    net = Network.from_spec({"input_size": 2, "seed": 1, "layers": [
        {"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    return net, ds.X, ds.Y


def test_correct_backprop_passes(qtbot):
    net, X, Y = small_case()
    before = [W.copy() for W, _ in net.params()]
    d = GradCheckDialog(net, X, Y)
    qtbot.addWidget(d)
    assert "PASSED" in d.summary.text() and "1e-06" in d.summary.text()
    assert "Dimension check passed" in d.dim_label.text()
    assert "dW₁ 3×2" in d.dim_label.text()
    # one heatmap per parameter, shaped like it, showing log10 of the engine's errors
    assert set(d.images) == {(1, "W"), (1, "b"), (2, "W"), (2, "b")}
    img = d.images[(2, "W")].image
    assert img.shape == (1, 3)
    errs = d.check.rel_error_matrix(2, "W")
    np.testing.assert_allclose(img, [[math.log10(max(e, 1e-16)) for e in errs[0]]])
    # the table lists the worst entry first, with both gradients
    worst = max(((e.rel_error[k], e, k) for e in d.check.entries
                 for k in range(e.rel_error.size)), key=lambda t: t[0])
    _, e, k = worst
    assert d.table.item(0, 1).text() == f"({e.index[k, 0]}, {e.index[k, 1]})"
    assert float(d.table.item(0, 2).text()) == pytest.approx(e.analytic[k], rel=1e-9)
    assert float(d.table.item(0, 3).text()) == pytest.approx(e.numeric[k], rel=1e-9)
    assert d.table.item(0, 5).text() == "ok"
    for (W, _), W0 in zip(net.params(), before, strict=True):
        np.testing.assert_array_equal(W, W0)  # the check never moves the weights


def test_wrong_backprop_fails_visibly(qtbot, monkeypatch):
    real = network_mod.layer_grads

    def off_by_ten_percent(delta, a_prev, *args):
        dW, db = real(delta, a_prev, *args)
        return 1.1 * dW, db

    monkeypatch.setattr(network_mod, "layer_grads", off_by_ten_percent)
    net, X, Y = small_case()
    d = GradCheckDialog(net, X, Y)
    qtbot.addWidget(d)
    assert "FAILED" in d.summary.text()
    assert d.table.item(0, 5).text() == "FAIL"
    assert d.table.item(0, 0).text().startswith("W")
    # a 10 % error is log10(0.1/1.1) ≈ −1.04: far above the colour scale's white (−6)
    assert np.nanmax(d.images[(1, "W")].image) == pytest.approx(math.log10(0.1 / 1.1), abs=1e-3)


def test_big_network_is_sampled(qtbot):
    ds = make_dataset("digits", n_samples=30, seed=0, val_fraction=0.0)
    net = Network.from_spec({"input_size": 64, "seed": 0, "loss": "cross_entropy", "layers": [
        {"units": 50, "activation": "tanh"}, {"units": 10, "activation": "softmax"}]})
    d = GradCheckDialog(net, ds.X, ds.Y)
    qtbot.addWidget(d)
    assert d.busy and "Checking 660 entries" in d.summary.text()   # off the GUI thread
    qtbot.waitUntil(lambda: d.check is not None, timeout=60_000)
    assert "sample" in d.summary.text() and not d.busy
    assert np.isnan(d.images[(1, "W")].image).sum() == 64 * 50 - 300  # unsampled: blank


def test_a_long_check_can_be_cancelled_and_leaves_no_verdict(qtbot):
    ds = make_dataset("digits", n_samples=200, seed=0, val_fraction=0.0)
    net = Network.from_spec({"input_size": 64, "seed": 0, "loss": "cross_entropy", "layers": [
        {"units": 400, "activation": "tanh"}, {"units": 400, "activation": "tanh"},
        {"units": 10, "activation": "softmax"}]})
    d = GradCheckDialog(net, ds.X, ds.Y)
    qtbot.addWidget(d)
    assert d.busy
    d.cancel()
    qtbot.waitUntil(lambda: not d.busy, timeout=60_000)
    assert d.check is None and "Cancelled" in d.summary.text()
    assert not d.images   # no heatmap of a check that did not finish


def test_bad_data_is_named(qtbot):
    net, X, Y = small_case()
    with pytest.raises(ValueError, match="Y"):
        GradCheckDialog(net, X, Y[:, :5])


# The offscreen platform (tests only) says this for every QDialog with a layout.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_shows_without_qt_warnings(qtbot):
    net, X, Y = small_case()
    d = GradCheckDialog(net, X, Y)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert d.glw.isVisible()


def test_row_labels_thin_out_in_a_short_heatmap(qtbot):
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QFont, QFontMetricsF
    net = Network.from_spec({"input_size": 2, "seed": 1, "layers": [
        {"units": 8, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}]})
    ds = make_dataset("moons", n_samples=10, seed=0, val_fraction=0.0)
    d = GradCheckDialog(net, ds.X, ds.Y)
    qtbot.addWidget(d)
    plot = d.images[(1, "W")].getViewBox().parentItem()   # the PlotItem of dW₁ (8×2)
    axis = plot.getAxis("left")
    line = QFontMetricsF(axis.style["tickFont"] or QFont()).height()
    plot.vb.setGeometry(QRectF(0, 0, 40, 8 * line + 8))   # room for a label per row
    assert [v for v, _ in axis._tickLevels[0]] == list(range(8))
    plot.vb.setGeometry(QRectF(0, 0, 40, 55))             # the dialog at 1600×1000
    ticks = [v for v, _ in axis._tickLevels[0]]
    assert 1 < len(ticks) < 8 and (ticks[1] - ticks[0]) * 55 / 8 >= line
