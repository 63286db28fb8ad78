"""The quiz box driven by the keyboard alone, on a real engine Quiz."""

import math

import numpy as np
from PyQt6.QtCore import Qt

from engine import Network, Stepper
from engine.quiz import Quiz, QuizSettings
from gui.quiz_panel import QuizPanel

SPEC = {"input_size": 2, "layers": [
    {"units": 2, "activation": "tanh", "W": [[0.5, -0.3], [0.1, 0.8]], "b": [0.0, 0.1]},
    {"units": 1, "activation": "sigmoid", "W": [[0.7, -0.2]], "b": [0.05]}]}


def make(qtbot, **settings):
    st = Stepper(Network.from_spec(SPEC), np.array([[1.0], [2.0]]), np.array([[0.25]]), lr=0.5)
    quiz = Quiz(st, QuizSettings(**settings))
    panel = QuizPanel(quiz.question, quiz.check_cell, quiz.score)
    qtbot.addWidget(panel)
    return st, quiz, panel


def test_type_enter_see_check_and_score(qtbot):
    st, quiz, panel = make(qtbot)
    assert "z₁" in panel.prompt.text() and panel.quantity.currentText() == "z₁ (2×1)"
    assert panel.row.maximum() == 1 and panel.col.maximum() == 0
    qtbot.keyClicks(panel.answer, "-0,1")           # z₁[0, 0] = 0.5·1 − 0.3·2 = −0.1
    with qtbot.waitSignal(panel.answered) as sig:
        qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert sig.args[0].correct and "✓" in panel.verdict.text()
    panel.row.setValue(1)
    panel.answer.setText("2")                       # z₁[1, 0] = 1.8: a miss
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert "✗" in panel.verdict.text() and "0.1·1 + 0.8·2 + 0.1 = 1.8" in panel.verdict.text()
    assert panel.score_label.text() == "pass 1: 1/2"
    panel.answer.setText("two")                     # refused with the reason, not scored
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert "not a number" in panel.verdict.text() and panel.score_label.text() == "pass 1: 1/2"
    assert st.k == 0                                # checking never stepped


def test_follows_the_stepper_and_reveals_on_request(qtbot):
    st, quiz, panel = make(qtbot, quantities=("a",))
    assert "Nothing is quizzed" in panel.prompt.text() and not panel.check_button.isEnabled()
    with qtbot.waitSignal(panel.reveal_requested, timeout=2000):
        qtbot.keyClick(panel.answer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    st.next()
    panel.refresh()
    assert panel.check_button.isEnabled() and panel.quantity.currentText() == "a₁ (2×1)"
    panel.answer.setText(f"{math.tanh(-0.1):.5f}")
    panel.check_answer()
    assert "✓" in panel.verdict.text()
