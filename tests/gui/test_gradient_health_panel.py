"""The gradient health panel draws what the engine recorded, layer by layer."""

import numpy as np

from engine import Network, Trainer, make_dataset, make_optimizer
from engine.gradient_health import GradNormRecorder, example_spec, layer_health
from gui.gradient_health_panel import GradientHealthPanel


def test_norms_and_histograms_of_the_deep_sigmoid_example(qtbot):
    ds = make_dataset("moons", n_samples=100, seed=0)
    net = Network.from_spec(example_spec("vanishing"))
    rec = GradNormRecorder(net)
    list(Trainer(net, ds.X, ds.Y, batch_size=40, optimizer=make_optimizer("sgd", 0.5)).run(
        2, on_grads=rec))
    panel = GradientHealthPanel()
    qtbot.addWidget(panel)
    panel.set_norms(rec.iterations, rec.norms)
    assert [len(c) for c in panel.norm_curves] == [6, 6, 6]
    c = panel.norm_curves[0][0]
    x, y = c.xData, c.yData  # the data as given (getData is log-mapped)
    np.testing.assert_array_equal(x, rec.iterations)
    np.testing.assert_allclose(y, rec.norms[:, 0, 0])          # ‖∂C/∂W₁‖, as recorded
    last = panel.norm_curves[0][5].yData
    assert (y * 100 < last).all()                               # the vanishing gradient, drawn
    assert panel.layer.maximum() == 6

    health = layer_health(net, ds.X)
    panel.set_health(health)
    bars = [[i for i in p.items if type(i).__name__ == "BarGraphItem"] for p in panel.hist_plots]
    assert all(len(b) == 1 for b in bars)
    heights = bars[0][0].opts["height"]
    assert heights.sum() == health[0].a.size                  # every a₁ entry counted once
    assert "sigmoid" in panel.shares.text() and "saturated" in panel.shares.text()
    with qtbot.waitSignal(panel.layer_changed, check_params_cb=lambda l: l == 3):
        panel.layer.setValue(3)
    assert bars[0][0] not in panel.hist_plots[0].items          # redrawn for layer 3


def test_dead_units_and_the_examples_menu(qtbot):
    ds = make_dataset("moons", n_samples=100, seed=0)
    health = layer_health(Network.from_spec(example_spec("dead_relu")), ds.X)
    panel = GradientHealthPanel()
    qtbot.addWidget(panel)
    panel.set_health(health)
    panel.layer.setValue(2)
    dead = round(health[1].dead * 16)
    assert f"dead units: {dead} of 16" in panel.shares.text() and dead > 0
    with qtbot.waitSignal(panel.example_requested, check_params_cb=lambda n: n == "exploding"):
        panel.examples.activated.emit(2)
    assert panel.examples.currentIndex() == 0
