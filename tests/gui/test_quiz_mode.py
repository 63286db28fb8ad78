"""Quiz mode in the window: "?" heatmaps, → checks then reveals, keyboard alone, clicks.

Expected values are worked out here from the stepper's own inputs (a_L, y, z), never
read from the quiz.
"""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt

from engine.experiment import Experiment
from gui.consistency import drawn_state_problems
from gui.lens_model import LensModel
from gui.main_window import MainWindow
from gui.settings import AppSettings, make_qsettings

# Showing a window offscreen: Qt says its plugin cannot propagate size hints.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def win(new_window):
    return new_window((1280, 800))


def to_delta_L(win):
    """Walk the forward pass and the loss: the next step computes δ_L."""
    m = win.model
    for _ in range(2 * m.net.L + 1):
        m.step()


def delta_L_by_hand(m):
    """δ_L = 2(a_L − y) ⊙ σ'(z_L) for the sigmoid output: σ' = a(1 − a)."""
    s = m.stepper.state
    a, y = s.a[m.net.L], s.Y
    return 2 * (a - y) * a * (1 - a)


def test_the_next_quantity_is_a_question_mark_and_asking_never_steps(win):
    m, qm = win.model, win.quiz_mode
    to_delta_L(win)
    st, k, W = m.stepper, m.stepper.k, m.net.params()[0][0]
    qm.action.trigger()                                  # Tools → Quiz mode
    assert qm.enabled and qm.dock.isVisible()
    assert win.layer == m.net.L
    assert win.matrices.empty_text("delta") == "?"       # δ_L is the question …
    assert win.matrices.image_data("delta") is None      # … and no value is drawn
    assert win.matrices.empty_text("dW") == "not computed yet"   # not quizzed yet
    assert "δ₃" in qm.panel.prompt.text()
    assert m.stepper is st and st.k == k and m.net.params()[0][0] is W
    assert drawn_state_problems(win) == []
    qm.action.trigger()                                  # off: the plain empty state again
    assert win.matrices.empty_text("delta") == "not computed yet"


def test_step_checks_then_reveals_and_the_score_counts_per_pass(win):
    m, qm = win.model, win.quiz_mode
    to_delta_L(win)
    qm.set_enabled(True)
    want = delta_L_by_hand(m)[0, 0]
    qm.panel.answer.setText(f"{want:.6g}")
    win.controls.step.trigger()                          # → checks, then steps
    assert qm.answers[-1].correct and "✓" in qm.panel.verdict.text()
    np.testing.assert_allclose(m.stepper.state.delta[m.net.L][0, 0], want, rtol=1e-12)
    assert win.matrices.image_data("delta") is not None  # the matrix appears
    # next: ∂C/∂W_L = δ_L a_{L-1}ᵀ; a miss shows the worked computation, then the step
    qm.panel.select("dW", 0, 2)
    qm.panel.answer.setText("123")
    win.controls.step.trigger()
    assert not qm.answers[-1].correct
    verdict = qm.panel.verdict.text()
    assert "✗" in verdict and "=" in verdict and "·" in verdict
    assert m.stepper.state.dW[m.net.L] is not None
    assert qm.panel.score_label.text() == "pass 1: 1/2"
    assert "1/2" in win.status.currentMessage()


def test_a_non_number_is_refused_with_the_reason_and_does_not_step(win):
    m, qm = win.model, win.quiz_mode
    to_delta_L(win)
    qm.set_enabled(True)
    k = m.stepper.k
    qm.panel.answer.setText("abc")
    win.controls.step.trigger()
    assert m.stepper.k == k and qm.answers == []
    assert "not a number" in qm.panel.verdict.text()


def test_keyboard_alone_type_enter_checks_enter_again_reveals(win, qtbot):
    m, qm = win.model, win.quiz_mode
    to_delta_L(win)
    qm.set_enabled(True)
    box = qm.panel.answer
    box.setFocus()
    want = delta_L_by_hand(m)[0, 0]
    qtbot.keyClicks(box, f"{want:.6g}")
    qtbot.keyClick(box, Qt.Key.Key_Return)               # checks
    assert qm.answers[-1].correct and m.stepper.state.delta[m.net.L] is None
    qtbot.keyClick(box, Qt.Key.Key_Return)               # reveals
    assert m.stepper.state.delta[m.net.L] is not None
    qtbot.keyClick(qm.panel.answer, Qt.Key.Key_Tab)      # Tab leaves the box for the buttons
    assert not box.hasFocus() or not qm.panel.isVisible()


def test_clicking_a_question_mark_cell_chooses_it(win, qtbot):
    m, qm = win.model, win.quiz_mode
    for _ in range(2 * m.net.L + 3):                     # δ_L, ∂C/∂W_L done: next δ_2 (8×1)
        m.step()
    qm.set_enabled(True)
    assert qm.panel.question.layer == 2 and win.layer == 2
    hm = win.matrices._maps["delta"]
    assert hm.unknown_shape == (8, 1)
    qtbot.wait(50)
    # the centre of cell (row 5, column 0), from data to scene to the view's pixels
    scene = hm.plot.vb.mapViewToScene(QPointF(0, 5))
    view = win.matrices._glw
    p = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(p.x(), p.y()))
    assert (qm.panel.row.value(), qm.panel.col.value()) == (5, 0)
    assert qm.panel.answer.hasFocus() or not win.isActiveWindow()


def test_whole_matrix_answers_and_quizzed_quantities_from_the_menu(win):
    m, qm = win.model, win.quiz_mode
    qm.quantity_actions["delta"].setChecked(False)
    qm.quantity_actions["z"].setChecked(True)
    assert qm.settings.quantities == ("z", "dW")
    qm.set_enabled(True)
    assert win.matrices.empty_text("z") == "?" and win.layer == 1
    W, b = m.net.params()[0]
    z1 = W @ m.stepper.X + b                             # the whole 8×1 z₁, by hand
    qm.panel.select("z", 0, 0)
    qm.panel.answer.setText("; ".join(f"{v:.6g}" for v in z1[:, 0]))
    assert qm.panel.check_answer()
    assert len(qm.answers) == 8 and all(a.correct for a in qm.answers)
    assert "8 of 8" in qm.panel.verdict.text()
    assert m.stepper.k == 0


def test_tolerance_is_settable_and_bad_input_refused(win):
    qm = win.quiz_mode
    assert not qm.set_tolerance("abc 1")
    assert "not a number" in win.status.currentMessage()
    assert not qm.set_tolerance("0.1")
    assert qm.set_tolerance("0,5 0")
    assert (qm.settings.rtol, qm.settings.atol) == (0.5, 0.0)


def test_presentation_mode_keeps_the_quiz_and_scales_it(win):
    qm = win.quiz_mode
    qm.set_enabled(True)
    size = qm.panel.font().pointSizeF()
    win.presentation_action.setChecked(True)
    assert qm.dock.isVisible() and qm.panel.font().pointSizeF() > size
    to_delta_L(win)
    assert win.matrices.empty_text("delta") == "?"       # the "?" are there in presentation


def test_after_the_update_the_question_is_the_next_batch_in_the_window(qtbot, tmp_path,
                                                                     messages):
    ex = Experiment.build(data={"name": "moons", "n_samples": 40, "noise": 0.1, "seed": 1},
                          sample=None, batch_size=8)
    w = MainWindow(LensModel(ex), settings=AppSettings(make_qsettings(tmp_path / "s.ini")))
    w.file_controller.maybe_save = lambda: True
    qtbot.addWidget(w)
    m, qm = w.model, w.quiz_mode
    qm.quantity_actions["z"].setChecked(True)
    for _ in range(m.stepper.K):                         # the pass is done: next is z₁
        m.step()
    qm.set_enabled(True)
    idx = m.ex.trainer.next_indices().copy()
    W, b = m.net.params()[0]
    z = W @ m.dataset.X[:, idx] + b
    qm.panel.select("z", 1, 2)
    qm.panel.answer.setText(f"{z[1, 2]:.6g}")
    w.controls.step.trigger()
    assert qm.answers[-1].correct and qm.answers[-1].pass_index == 1
    np.testing.assert_allclose(m.stepper.state.z[1], z, rtol=1e-12)
    m.shutdown()


def test_a_random_quiz_session_keeps_every_view_true(win):
    """Monkey test (fixed seed): steps, undos, answers good and bad, settings, resets."""
    from gui.matrix_panel import SLOTS

    rng = np.random.default_rng(11)
    m, qm = win.model, win.quiz_mode
    qm.set_enabled(True)
    texts = ["0.1", "abc", "", "1 2; 3 4", "-0,5", "1e-3", "0.1 0.2"]
    for _ in range(160):
        r = int(rng.integers(0, 9))
        k_before, st_before = m.stepper.k, m.stepper
        if r <= 2:
            win.controls.step.trigger()
        elif r == 3:
            m.step_back()
        elif r == 4:
            qm.panel.answer.setText(texts[int(rng.integers(len(texts)))])
            n = len(qm.answers)
            qm.panel.check_answer()
            assert m.stepper is st_before and m.stepper.k == k_before   # checking never steps
            assert all(a.pass_index == m.trainer.iteration for a in qm.answers[n:])
        elif r == 5:
            q = list(qm.quantity_actions.values())[int(rng.integers(9))]
            q.setChecked(not q.isChecked())
        elif r == 6:
            m.select_sample(None if rng.random() < 0.5 else int(rng.integers(m.n_samples)))
        elif r == 7:
            m.reset()
        else:
            q = qm.panel.question
            if q is not None:
                qm.panel.select(q.quantities[0], 0, 0)
        assert drawn_state_problems(win) == []
        q = qm.panel.question
        for key, quantity, off, *_ in SLOTS:
            if win.matrices.empty_text(key) == "?":       # a "?" only where the next step …
                assert q is not None and quantity in q.quantities
                assert win.layer + off == q.layer          # … computes a quizzed quantity
                assert win.matrices.image_data(key) is None


def test_the_update_asks_for_the_new_weights_of_the_layer_shown(win):
    m, qm = win.model, win.quiz_mode
    qm.quantity_actions["W"].setChecked(True)
    for _ in range(m.stepper.K - 1):                     # everything but the update
        m.step()
    qm.set_enabled(True)
    win.graph.layer_clicked.emit(2)                      # the teacher clicks layer 2
    s = m.stepper.state
    W2, dW2 = m.net.params()[1][0], s.dW[2]
    new = W2 - m.lr * dW2                                # the seed's update, by hand (sgd)
    assert qm.panel.question.kind == "update" and qm.panel.question.layer == 2
    assert np.array_equal(win.matrices.image_data("W"), W2)   # W stays: the update needs it
    qm.panel.select("W", 3, 4)
    qm.panel.answer.setText(f"{new[3, 4]:.6g}")
    win.controls.step.trigger()
    assert qm.answers[-1].correct and qm.answers[-1].layer == 2
    np.testing.assert_allclose(m.net.params()[1][0], new, rtol=1e-12)


def test_answers_wait_while_training_runs(win, qtbot):
    m, qm = win.model, win.quiz_mode
    qm.set_enabled(True)
    to_delta_L(win)
    m.train(None)                                        # until stopped
    assert m.is_training
    qm.panel.answer.setText("0.1")
    assert not qm.panel.check_answer()
    assert "pause or stop training" in qm.panel.verdict.text() and qm.answers == []
    m.stop_training()


def test_closing_the_quiz_dock_ends_quiz_mode(win):
    qm = win.quiz_mode
    qm.quantity_actions["z"].setChecked(True)
    qm.set_enabled(True)
    assert win.matrices.empty_text("z") == "?"
    qm.dock.close()
    assert not qm.enabled and not qm.action.isChecked()
    assert all(win.matrices.empty_text(k) != "?" for k in ("z", "a", "delta", "dW"))
