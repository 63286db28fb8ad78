"""The update step in the window: W before | step | W after, hover arithmetic, edge and
neuron hovers, and quiz mode revealing nothing.

Expected numbers are worked out here from the stepper's inputs (the weights before,
∂C/∂W, α), never read from the update view's own record.
"""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPointF

from engine.quiz import QuizSettings
from gui.consistency import drawn_state_problems
from gui.update_row import UPDATE_KEYS

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def win(new_window):
    return new_window((1280, 800))


def to_update(win, back=0):
    m = win.model
    while m.stepper.k < m.stepper.K - back:
        m.step()


def hover(win, key, row, col):
    """Move the mouse over cell (row, col) of heatmap ``key`` (as pyqtgraph reports it)."""
    vb = win.matrices._maps[key].plot.vb
    win.matrices._on_mouse_moved(vb.mapViewToScene(QPointF(col, row)))


def test_the_update_row_replaces_the_backward_row_with_the_engines_numbers(win, qtbot):
    m, mp = win.model, win.matrices
    to_update(win, back=1)
    assert not mp.showing_update
    layer = win.layer
    W0, b0 = (x.copy() for x in m.net.params()[layer - 1])
    m.step()   # the update
    assert mp.showing_update and win.layer == layer
    dW, db = m.stepper.state.dW[layer], m.stepper.state.db[layer]
    W1, b1 = m.net.params()[layer - 1]
    np.testing.assert_array_equal(mp.image_data("W_before"), W0)
    np.testing.assert_allclose(mp.image_data("W_step"), -m.lr * dW)
    np.testing.assert_array_equal(mp.image_data("W_after"), W1)
    np.testing.assert_allclose(W0 - m.lr * dW, W1)   # what the row says, by hand
    np.testing.assert_allclose(mp.image_data("b_step"), -m.lr * db)
    np.testing.assert_array_equal(mp.image_data("b_after"), b1)
    np.testing.assert_array_equal(mp.image_data("b_before"), b0)
    assert "−α ∂C/∂W" in mp._maps["W_step"].title and "W" in mp._maps["W_after"].title
    # before and after on one colour scale
    before = mp._maps["W_before"].image.getLevels()
    assert tuple(before) == tuple(mp._maps["W_after"].image.getLevels())
    assert max(abs(x) for x in before) == pytest.approx(max(np.abs(W0).max(), np.abs(W1).max()))
    assert drawn_state_problems(win) == []
    m.step_back()
    assert not mp.showing_update
    assert mp.cell_at(mp._maps["delta"].plot.vb.sceneBoundingRect().center()) is not None
    np.testing.assert_array_equal(mp.image_data("delta"), m.stepper.state.delta[layer])


def test_hovering_w_after_shows_the_lectures_update_with_its_numbers(win):
    m = win.model
    to_update(win, back=1)
    layer = win.layer
    W0 = m.net.params()[layer - 1][0].copy()
    m.step()
    dW, lr = m.stepper.state.dW[layer], m.lr
    i, j = W0.shape[0] - 1, W0.shape[1] - 1
    hover(win, "W_after", i, j)
    text = win.formula._cell.text()
    s = f"[{i}, {j}]"
    g = dW[i, j]
    assert text.startswith(f"W{chr(0x2080 + layer)}_after{s} = ")
    assert f"− α·∂C/∂W{chr(0x2080 + layer)}{s}" in text
    assert f"{W0[i, j]:.4g} − {lr:.4g} · " in text
    assert f"{g:.4g}" in text and text.endswith(f"= {W0[i, j] - lr * g:.4g}")
    hover(win, "W_step", 0, 0)
    assert win.formula._cell.text().endswith(f"= {-lr * dW[0, 0]:.4g}")
    assert "after" in win.matrices._hover_label.text() or "∂C" in win.matrices._hover_label.text()


@pytest.mark.parametrize("opt, rule", [("momentum", "momentum"), ("adam", "Adam")])
def test_momentum_and_adam_show_the_real_step_and_say_so(win, opt, rule):
    m = win.model
    m.set_optimizer(opt)
    for _ in range(2):   # the second update: momentum's v is no longer the gradient
        to_update(win)
        m.step()
    to_update(win, back=1)
    layer = win.layer
    W0 = m.net.params()[layer - 1][0].copy()
    m.step()
    W1 = m.net.params()[layer - 1][0]
    mp = win.matrices
    assert mp.showing_update
    assert f"ΔW{chr(0x2080 + layer)} ({rule}" in mp._maps["W_step"].title
    assert "−α" not in mp._maps["W_step"].title
    np.testing.assert_allclose(mp.image_data("W_step"), W1 - W0)
    dW = m.stepper.state.dW[layer]
    assert not np.allclose(W1 - W0, -m.lr * dW)   # not the gradient step: no false label
    hover(win, "W_after", 0, 0)
    assert win.formula._cell.text().endswith(f"= {W1[0, 0]:.4g}")
    # the sentence says what the rule does, not plain descent's "step of size α"
    assert "step of size α against its gradient" not in win.formula._sentence.text()


def test_hovering_an_edge_shows_which_weight_and_its_value(win, qtbot):
    g = win.graph
    m = win.model
    qtbot.wait(20)
    layer, j, i = 2, 3, 5
    line = next(ln for jj, ii, ln in g._edges[layer] if (jj, ii) == (j, i))
    pos = g._vb.mapViewToScene(line.line().pointAt(0.3))   # edges cross at their middles
    assert g.edge_at(pos) == (layer, j, i)
    g.hover.on_moved(pos)
    w = m.net.params()[1][0][j, i]
    assert g.hover.text.splitlines()[0] == f"W₂[{j}, {i}] = {w:.4g}"
    assert "unit 5 of layer 1 to unit 3 of layer 2" in g.hover.text
    to_update(win)
    W0 = m.stepper.update_step().before[1][0]
    g.hover.on_moved(pos)
    lines = g.hover.text.splitlines()
    assert lines[0] == f"W₂[{j}, {i}] = {m.net.params()[1][0][j, i]:.4g}"
    assert lines[2].startswith(f"this update: {W0[j, i]:.4g} before, −α ∂C/∂W₂ = ")
    # far from every edge: nothing
    g.hover.on_moved(g._vb.mapViewToScene(QPointF(-0.4, g._top)))
    assert g.hover.edge is None


def test_a_neurons_tooltip_gives_the_batch_values_compactly(win):
    m = win.model
    m.select_sample(None)   # the mini-batch
    for _ in range(2):
        m.step()   # z₁, a₁
    z = m.stepper.state.z[1]
    text = win.graph.neuron_tooltip(1, 2)
    line = next(t for t in text.splitlines() if t.startswith("z₁[2]"))
    assert line.startswith(f"z₁[2] = {z[2, 0]:.4g}")
    assert f"batch: {z[2, 0]:.4g}, {z[2, 1]:.4g}" in line and f"{z.shape[1]} samples" in line
    assert "not computed yet" in next(t for t in text.splitlines() if t.startswith("δ₁"))


def test_quiz_mode_at_the_update_reveals_nothing_before_the_step(win):
    m, qm = win.model, win.quiz_mode
    qm.set_settings(QuizSettings(("W", "b", "delta")))
    to_update(win, back=1)   # the next step is the update: W after is the question
    qm.action.trigger()
    fork = m.stepper.fork()
    fork.next()
    after = [W for W, _b in fork.net.params()]
    mp = win.matrices
    assert not mp.showing_update
    for key, hm in mp.heatmaps().items():
        if hm.data is not None and mp._in_view(key):
            assert not any(hm.data.shape == W.shape and np.array_equal(hm.data, W)
                           for W in after), key
    for l in range(1, m.net.L + 1):   # every edge tooltip gives the weight before
        j, i, line = win.graph._edges[l][0]
        win.graph.hover.on_moved(win.graph._vb.mapViewToScene(line.line().pointAt(0.3)))
        assert win.graph.hover.edge == (l, j, i)
        W_now = m.net.params()[l - 1][0]
        assert win.graph.hover.text.splitlines()[0].endswith(f"= {W_now[j, i]:.4g}")
        assert "this update" not in win.graph.hover.text
    qm.step()   # → reveals
    assert mp.showing_update


def test_the_update_row_titles_fit_a_narrow_panel(win, qtbot):
    from layout_probe import matrix_title_problems

    to_update(win)
    win.layer = 1
    win._show_layer()
    qtbot.wait(20)
    keys = [k for k in UPDATE_KEYS if win.matrices._maps[k].label.isVisible()]
    assert keys == list(UPDATE_KEYS)
    assert matrix_title_problems(win.matrices) == []


def test_a_hovered_cells_tooltip_is_its_plots_and_goes_stale_never(win):
    # Qt's own tooltip event (after its hover delay) shows the topmost item's tooltip: a
    # text shown only through QToolTip vanished after ~0.7 s.
    m, mp = win.model, win.matrices
    to_update(win)
    hover(win, "W_after", 0, 0)
    vb = mp._maps["W_after"].plot.vb
    W1 = m.net.params()[win.layer - 1][0]
    assert vb.toolTip() == mp._hover_label.text() and vb.toolTip().endswith(f"{W1[0, 0]:.4g}")
    hover(win, "W_step", 0, 0)
    assert vb.toolTip() == "" and mp._maps["W_step"].plot.vb.toolTip() != ""
    m.step_back()   # the value may change: no old number stays behind
    assert all(hm.plot.vb.toolTip() == "" for hm in mp.heatmaps().values())
