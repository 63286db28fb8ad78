"""DataView: draws the data set and engine.grid's arrays; clicks pick training samples."""

import numpy as np
import pyqtgraph as pg
import pytest
from PyQt6.QtCore import QRectF

from engine import Network
from engine.datasets import make_dataset
from gui.data_view import CLASS_COLORS, DataView


def net_for(ds, out_act="sigmoid", W=None, b=None):
    layer = {"units": ds.output_size, "activation": out_act}
    if W is not None:
        layer.update(W=W, b=b)
    loss = "cross_entropy" if out_act == "softmax" else "squared"
    return Network.from_spec({"input_size": ds.input_size, "seed": 0, "loss": loss,
                              "layers": [layer]})


@pytest.fixture
def view(qtbot):
    v = DataView()
    qtbot.addWidget(v)
    v.resize(500, 400)
    return v


def test_scatter_shows_training_columns_and_validation(view):
    ds = make_dataset("moons", n_samples=100, noise=0.1, seed=0, val_fraction=0.2)
    view.set_dataset(ds)
    x, y = view.scatter.getData()
    np.testing.assert_array_equal(x, ds.X[0])
    np.testing.assert_array_equal(y, ds.X[1])
    assert len(view.val_scatter.getData()[0]) == ds.X_val.shape[1] == 20
    assert not view.image.isVisible() or view.net is None


def test_background_is_the_network_output_plane(view):
    # one sigmoid unit with W = [1, -2], b = 0.5: the background at a grid point is
    # σ(x₁ − 2 x₂ + 0.5), computed here by hand
    ds = make_dataset("moons", n_samples=60, noise=0.1, seed=0, val_fraction=0.0)
    view.set_dataset(ds)
    view.set_network(net_for(ds, W=[[1.0, -2.0]], b=[0.5]))
    assert view.image.isVisible() and view.boundary.isVisible()
    img = view.image.image  # first index x, second y
    rect = view.image.boundingRect()
    assert img.shape == (100, 100)
    r = view.image.mapRectToParent(rect)
    dx = r.width() / 100
    dy = r.height() / 100
    x0, y0 = r.left() + dx / 2, r.top() + dy / 2  # centre of cell (0, 0)
    for i, j in [(0, 0), (99, 0), (37, 81), (99, 99)]:
        x, y = x0 + i * dx, y0 + j * dy
        assert img[i, j] == pytest.approx(1 / (1 + np.exp(-(x - 2 * y + 0.5))), rel=1e-9)
    # the grid covers the data
    assert r.left() < ds.X[0].min() and r.right() > ds.X[0].max()
    assert r.top() < ds.X[1].min() and r.bottom() > ds.X[1].max()


def test_refresh_follows_weight_changes(view):
    ds = make_dataset("xor", n_samples=40, noise=0.0, seed=0, val_fraction=0.0)
    net = net_for(ds, W=[[0.0, 0.0]], b=[0.0])
    view.set_dataset(ds)
    view.set_network(net)
    np.testing.assert_allclose(view.image.image, 0.5)  # σ(0)
    net.set_params([(np.zeros((1, 2)), np.array([[2.0]]))])
    view.refresh_prediction()
    np.testing.assert_allclose(view.image.image, 1 / (1 + np.exp(-2.0)))


def test_multiclass_colours_by_predicted_class(view):
    ds = make_dataset("blobs", n_samples=90, noise=0.1, seed=0, val_fraction=0.0)
    k = ds.output_size
    # output c is x₁ for c = 0, x₂ for c = 1, 0 otherwise (identity): class by hand below
    W = [[1.0, 0.0], [0.0, 1.0]] + [[0.0, 0.0]] * (k - 2)
    view.set_dataset(ds)
    view.set_network(net_for(ds, "identity", W=W, b=[0.0] * k))
    assert view.class_image.isVisible() and not view.image.isVisible()
    rgba = view.class_image.image  # (nx, ny, 4)
    r = view.class_image.mapRectToParent(view.class_image.boundingRect())
    x = r.left() + r.width() / 200    # centre of the first column (x small, < 0)
    y = r.bottom() - r.height() / 200  # centre of the last row (y large, > 0)
    assert x < 0 < y  # so x₂ wins: class 1
    assert tuple(rgba[0, -1, :3]) == pg.mkColor(CLASS_COLORS[1]).getRgb()[:3]


def test_click_asks_for_the_sample_and_rings_it_once_accepted(view, qtbot):
    ds = make_dataset("moons", n_samples=50, noise=0.1, seed=0, val_fraction=0.2)
    view.set_dataset(ds)
    pts = view.scatter.points()
    with qtbot.waitSignal(view.sample_clicked) as blocker:
        view.scatter.sigClicked.emit(view.scatter, [pts[7]], None)
    assert blocker.args == [7]
    # The model may refuse (e.g. while training): the ring waits for its answer.
    assert len(view.ring.getData()[0]) == 0
    view.set_selected_sample(7)
    rx, ry = view.ring.getData()
    assert (rx[0], ry[0]) == (ds.X[0, 7], ds.X[1, 7])
    view.set_selected_sample(None)
    assert len(view.ring.getData()[0]) == 0
    with pytest.raises(ValueError, match="out of range"):
        view.set_selected_sample(40)


def test_regression_draws_network_curve(view):
    ds = make_dataset("sine", n_samples=50, noise=0.1, seed=0, val_fraction=0.0)
    view.set_dataset(ds)
    view.set_network(net_for(ds, "identity", W=[[0.5]], b=[-1.0]))
    xs, ys = view.fit_curve.getData()
    np.testing.assert_allclose(ys, 0.5 * xs - 1.0)
    assert xs.min() < ds.X.min() and xs.max() > ds.X.max()
    np.testing.assert_array_equal(view.scatter.getData()[1], ds.Y[0])


def test_digits_message_and_sample_image(view):
    ds = make_dataset("digits", n_samples=100, seed=0, val_fraction=0.0)
    view.set_dataset(ds)
    view.set_network(net_for(ds, "softmax"))
    assert "2-D inputs" in view.message.text()
    assert len(view.scatter.getData()[0]) == 0
    view.set_selected_sample(5)
    np.testing.assert_array_equal(view.sample_image.image, ds.X[:, 5].reshape(8, 8))
    assert view.sample_image.isVisible()
    assert f"class {int(ds.labels[5])}" in view.message.text()


def test_mismatched_network_is_explained(view):
    ds = make_dataset("moons", n_samples=40, seed=0, val_fraction=0.0)
    view.set_dataset(ds)
    wrong = Network.from_spec({"input_size": 3, "layers": [{"units": 1,
                                                            "activation": "sigmoid"}]})
    view.set_network(wrong)
    assert "does not fit" in view.message.text() and not view.image.isVisible()


def test_prediction_covers_the_whole_visible_plane(view):
    ds = make_dataset("moons", n_samples=60, noise=0.1, seed=0, val_fraction=0.2)
    view.set_dataset(ds)
    view.set_network(net_for(ds))
    view.plot.vb.setGeometry(QRectF(0, 0, 300, 150))   # wide: the locked aspect widens x
    (x0, x1), (y0, y1) = view.plot.vb.viewRange()
    r = view.image.mapRectToParent(view.image.boundingRect())
    assert r.left() <= x0 + 1e-9 and r.right() >= x1 - 1e-9
    assert r.top() <= y0 + 1e-9 and r.bottom() >= y1 - 1e-9
    view.plot.vb.setRange(xRange=(-6, 6), yRange=(-4, 4), padding=0)   # the user zooms out
    r = view.image.mapRectToParent(view.image.boundingRect())
    assert r.left() <= -6 + 1e-9 and r.right() >= 6 - 1e-9


def test_colour_bar_and_its_label_fit_a_narrow_dock(view):
    ds = make_dataset("moons", n_samples=60, noise=0.1, seed=0, val_fraction=0.2)
    view.set_dataset(ds)
    view.set_network(net_for(ds))
    ci = view.glw.ci   # the data dock's width at 1280×800
    ci.setGeometry(QRectF(0, 0, 360, 330))
    ci.layout.activate()
    assert view.colorbar.isVisible()
    assert view.colorbar.mapRectToScene(view.colorbar.boundingRect()).right() <= 360
    assert view.colorbar.axis.label.isVisible()
    assert view.title.wordWrap() and "a<sub>L</sub> = 0.5" in view.title.text()


def test_square_inputs_are_drawn_as_a_picture_and_others_leave_no_empty_axes(view):
    from engine.datasets import Dataset
    rng = np.random.default_rng(1)
    square = Dataset.from_arrays(rng.uniform(size=(784, 6)), np.eye(2)[:, [0, 1, 0, 1, 0, 1]],
                                 name="mnist-like")
    view.set_dataset(square)
    assert "28×28 image here" in view.message.text() and view.glw.isHidden()
    view.set_selected_sample(2)
    np.testing.assert_array_equal(view.sample_image.image, square.X[:, 2].reshape(28, 28))
    assert not view.glw.isHidden() and "showing sample 2" in view.message.text()
    view.set_selected_sample(None)   # back to the whole batch: no stale "showing sample 2"
    assert "Pick a sample" in view.message.text() and view.glw.isHidden()

    odd = Dataset.from_arrays(rng.normal(size=(5, 4)), rng.normal(size=(1, 4)), name="five")
    view.set_dataset(odd)
    assert "Pick a sample" not in view.message.text() and view.glw.isHidden()
    view.set_selected_sample(1)
    assert "cannot be drawn" in view.message.text() and view.glw.isHidden()

    moons = make_dataset("moons", n_samples=40, seed=0, val_fraction=0.0)
    view.set_dataset(moons)
    assert not view.glw.isHidden()


def test_a_big_network_is_evaluated_off_the_gui_thread_and_drawn_when_ready(view, qtbot):
    from engine.grid import decision_grid
    from gui.data_view import RESOLUTION, SYNC_COST
    ds = make_dataset("moons", n_samples=50, noise=0.1, seed=0)
    net = Network.from_spec({"input_size": 2, "seed": 1, "layers": [
        {"units": 120, "activation": "tanh"}, {"units": 120, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"}]})
    assert net.n_params() * RESOLUTION ** 2 > SYNC_COST   # the worker path
    view.show_data(ds, net)
    assert view.busy   # said, not frozen
    qtbot.waitUntil(lambda: not view.busy, timeout=30_000)
    assert view.image.isVisible()
    (x0, x1), (y0, y1) = view._visible_limits()
    _, _, v = decision_grid(net, (x0, x1), (y0, y1), RESOLUTION)
    np.testing.assert_array_equal(view.image.image, v.score.T)


def test_a_newer_prediction_request_wins_over_the_older_one(view, qtbot):
    from engine.grid import decision_grid
    from gui.data_view import RESOLUTION
    ds = make_dataset("moons", n_samples=50, noise=0.1, seed=0)
    nets = [Network.from_spec({"input_size": 2, "seed": s, "layers": [
        {"units": 150, "activation": "tanh"}, {"units": 150, "activation": "tanh"},
        {"units": 1, "activation": "sigmoid"}]}) for s in (1, 2)]
    view.show_data(ds, nets[0])
    view.set_network(nets[1])   # before the first is done
    qtbot.waitUntil(lambda: not view.busy, timeout=30_000)
    qtbot.wait(300)   # a late result of the first request must not be drawn over it
    (x0, x1), (y0, y1) = view._visible_limits()
    grids = [decision_grid(n, (x0, x1), (y0, y1), RESOLUTION)[2].score.T for n in nets]
    assert not np.array_equal(grids[0], grids[1])
    np.testing.assert_array_equal(view.image.image, grids[1])
