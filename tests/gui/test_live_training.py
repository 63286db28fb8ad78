"""Training you can watch: the views follow the weights while a run goes on, throttled,
and never show a number of the stepped pass that the new weights have made wrong."""

from __future__ import annotations

import numpy as np
import pytest

from gui import live_training
from gui.main_window import MainWindow
from gui.matrix_panel import LIVE_BLANK
from gui.settings import AppSettings, make_qsettings

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
PER_SAMPLE = ("a_prev", "z", "a", "y", "dc_da", "sigma_prime", "delta")


class FakeClock:
    def __init__(self, step: float = 0.0) -> None:
        self.t, self.step = 0.0, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


@pytest.fixture
def window(new_window):
    return new_window((1600, 1000))


def run_until(window, qtbot, iterations: int) -> None:
    """Train at full speed until the trainer has run ``iterations`` more, then pause."""
    m = window.model
    window.controls.set_train_speed(None)
    start = m.trainer.iteration
    window.controls.epochs.setValue(0)
    window.controls.train.trigger()
    qtbot.waitUntil(lambda: m.trainer.iteration >= start + iterations
                    and window.live.redraws >= 2, timeout=10_000)


def edge_widths(graph, layer):
    return {(j, i): line.pen().widthF() for j, i, line in graph._edges[layer]}


def test_edges_follow_the_weights_the_engine_holds(window, qtbot):
    g, m = window.graph, window.model
    before = edge_widths(g, 2)
    run_until(window, qtbot, 50)
    window.live.redraw()            # draw the weights as they are at this moment
    assert g.live
    W = m.net.params()[1][0]        # W₂ the network holds now
    widths = edge_widths(g, 2)
    # width = 0.5 + 3.5 |w| / max|W|: the graph's one rule, applied to the engine's W
    expected = {(j, i): 0.5 + 3.5 * abs(W[j, i]) / np.abs(W).max() for j, i in widths}
    assert widths == pytest.approx(expected, abs=1e-9)
    assert widths != pytest.approx(before, abs=1e-3)   # they did move
    for j, i, line in g._edges[2]:                      # red for w > 0, blue for w < 0
        c = line.pen().color()
        if abs(W[j, i]) > 0.5 * np.abs(W).max():
            assert (c.red() > c.blue()) == (W[j, i] > 0)
    # the same colours the stepped view gives these weights (one colour rule, two speeds)
    live = [line.pen().color().getRgb() for _j, _i, line in g._edges[2]]
    g._colored = []
    g._color_edges(m.net.params())
    assert live == [line.pen().color().getRgb() for _j, _i, line in g._edges[2]]


def test_matrices_show_the_weights_now_and_blank_the_stepped_samples(window, qtbot):
    mp, m = window.matrices, window.model
    for _ in range(5):              # a few steps: z₁, a₁, … of the stepped pass on screen
        m.step()
    window._on_layer_clicked(1)
    assert mp.image_data("z") is not None
    run_until(window, qtbot, 30)
    window.live.redraw()
    assert mp.live
    W, b = m.net.params()[0]
    assert np.array_equal(mp.image_data("W"), W) and np.array_equal(
        mp.image_data("b").ravel(), b.ravel())
    g = m.trainer.last_grads
    assert g is not None and np.array_equal(mp.image_data("dW"), g.dW[1])
    for key in PER_SAMPLE:          # no z, a, δ … of weights that are gone
        assert mp.image_data(key) is None and mp.empty_text(key) == LIVE_BLANK, key
    assert "training" in window.graph.neuron_tooltip(1, 0)
    assert "z₁[0] =" not in window.graph.neuron_tooltip(1, 0)
    # hovering a cell shows its value but asks the stepper for no explanation
    hovered = []
    mp.cell_hovered.connect(lambda *a: hovered.append(a))
    mp._hover_cell("W", 0, 0)
    assert hovered == []
    # another layer picked while training: its weights now, not the stepped pass
    window._on_layer_clicked(2)
    assert mp.live and np.array_equal(mp.image_data("W"), m.net.params()[1][0])
    # presentation mode re-fonts the panel: it stays live
    window.set_presentation(True)
    assert mp.live and mp.image_data("z") is None
    window.set_presentation(False)
    window.set_theme("dark")        # every view drawn again: still the weights now
    assert mp.live and window.graph.live and mp.image_data("z") is None
    assert np.array_equal(mp.image_data("W"), m.net.params()[1][0])
    window.set_theme("light")


def test_after_a_pause_the_stepped_pass_is_the_truth_of_the_current_weights(window, qtbot):
    mp, m = window.matrices, window.model
    run_until(window, qtbot, 30)
    with qtbot.waitSignal(m.training_paused):
        m.pause()
    assert not mp.live and not window.graph.live
    window._on_layer_clicked(1)
    W, b = m.net.params()[0]
    assert np.array_equal(mp.image_data("W"), W)
    m.step()                        # z₁ of the next pass, at the trained weights
    X, _Y = m.step_batch()
    np.testing.assert_allclose(mp.image_data("z"), W @ X + b.reshape(-1, 1), atol=1e-12)


def test_the_data_view_marks_exactly_the_trainers_last_batch(window, qtbot):
    dv, m = window.data_view, window.model
    run_until(window, qtbot, 20)
    window.live.redraw()
    idx = m.trainer.last_indices
    assert idx is not None and len(idx) == m.batch_size
    x, y = dv.batch_marks.getData()
    ds = m.dataset
    assert np.array_equal(x, ds.X[0, idx]) and np.array_equal(y, ds.X[1, idx])
    assert f"({len(idx)} samples)" in dv.batch_label.text()
    with qtbot.waitSignal(m.training_finished):
        m.stop_training()
    assert len(dv.batch_marks.getData()[0]) == 0 and dv.batch_label.isHidden()


def test_redraws_are_throttled_by_the_clock(window, qtbot, monkeypatch):
    m, live = window.model, window.live
    counts = {"graph": 0, "matrices": 0}
    for name, view in (("graph", window.graph), ("matrices", window.matrices)):
        orig = view.show_live

        def counted(*a, _orig=orig, _name=name, **k):
            counts[_name] += 1
            return _orig(*a, **k)
        monkeypatch.setattr(view, "show_live", counted)
    clock = FakeClock(step=0.001)   # every reading 1 ms on: the engine looks fast
    live._clock = clock
    ctrl = m._ensure_controller()
    ctrl._clock = clock
    m.set_train_speed(None)
    m.set_batch_size(m.n_samples)   # one iteration an epoch
    with qtbot.waitSignal(m.training_finished, timeout=30_000):
        m.train(300)
    elapsed = clock.t
    assert m.trainer.iteration == 300
    n = counts["graph"]
    assert n == counts["matrices"] == live.redraws
    # one at the start, then at most LIVE_PER_SECOND a second of (fake) time, and at
    # least 10 a second: the views keep moving
    assert 10 * elapsed - 1 <= n <= live_training.LIVE_PER_SECOND * elapsed + 2
    assert n < 300


def test_the_speed_is_remembered_and_changes_a_run_at_once(qtbot, tmp_path):
    ini = tmp_path / "speed.ini"
    win = MainWindow(settings=AppSettings(make_qsettings(ini)))
    qtbot.addWidget(win)
    c = win.controls
    assert c.train_speed.currentText() == "30 it/s" and win.model.train_speed == 30
    c.slower.trigger()
    c.slower.trigger()
    assert c.train_speed.currentText() == "5 it/s" and win.model.train_speed == 5
    win.model.train(None)
    assert win.model._controller.rate == 5
    c.faster.trigger()              # mid-run: the controller has the new rate at once
    assert win.model._controller.rate == 10
    win.model.stop_training()
    win.save_settings()
    again = MainWindow(settings=AppSettings(make_qsettings(ini)))
    qtbot.addWidget(again)
    assert again.controls.train_speed.currentText() == "10 it/s"
    assert again.model.train_speed == 10
    for _ in range(20):
        again.controls.faster.trigger()   # past the fastest: stays at max
    assert again.controls.train_speed.currentText() == "max" and again.model.train_speed is None
    again.save_settings()
    third = MainWindow(settings=AppSettings(make_qsettings(ini)))
    qtbot.addWidget(third)
    assert third.model.train_speed is None
    for w in (win, again, third):
        w.file_controller.maybe_save = lambda: True
        w.model.shutdown()


def test_while_training_an_edges_tooltip_gives_its_weight_now(window, qtbot):
    # The stepped pass's weights are gone while training: a hovered edge names the weight
    # the network holds at the last live redraw, never the stepped one.
    g, m = window.graph, window.model
    W_stepped = m.stepper.state.params[1][0].copy()
    run_until(window, qtbot, 40)
    window.live.redraw()   # no event is handled from here on: the weights stand still
    assert g.live
    W_now = m.net.params()[1][0]
    j, i = 3, 5
    line = next(ln for jj, ii, ln in g._edges[2] if (jj, ii) == (j, i))
    g.hover.on_moved(g._vb.mapViewToScene(line.line().pointAt(0.3)))
    assert g.hover.edge == (2, j, i)
    assert W_now[j, i] != W_stepped[j, i]
    assert g.hover.text.splitlines()[0] == f"W₂[{j}, {i}] = {W_now[j, i]:.4g}"
    assert "this update" not in g.hover.text


def test_training_from_the_update_step_puts_the_backward_row_back(window, qtbot):
    # The update row (W before | step | W after) belongs to a stepped update; the live
    # view draws ∂C/∂W, ∂C/∂b of the latest mini-batch in the backward row.
    mp, m = window.matrices, window.model
    for _ in range(m.stepper.K):
        m.step()
    assert mp.showing_update
    run_until(window, qtbot, 20)
    window.live.redraw()
    assert mp.live and not mp.showing_update
    assert np.array_equal(mp.image_data("dW"), m.trainer.last_grads.dW[mp.layer])



def test_while_training_the_formula_says_what_each_iteration_does(window, qtbot):
    # "press → to start" is wrong while → is disabled: the panel shows the update every
    # iteration makes, with the α and batch size in use; the stepped view comes back after.
    m = window.model
    m.set_lr(0.5)
    run_until(window, qtbot, 5)
    text = window.formula.plain_text()
    assert "Training · sgd" in text and "W ← W − α ∂C/∂W" in text and "(α = 0.5)" in text
    assert f"mini-batch of {m.trainer.batch_size} samples" in text
    assert "press →" not in text
    with qtbot.waitSignal(m.training_paused):
        m.pause()
    assert "Training ·" not in window.formula.plain_text()
