"""Double-click a weight, type a number: the pass is redone with it; undo, redo, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from gui.consistency import drawn_state_problems

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def window(new_window):
    return new_window((1400, 900))


def double_click(qtbot, widget, pos):
    """What a real double-click sends (QTest's mouseDClick alone sends only the second press)."""
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(widget, left, pos=pos)
    qtbot.mouseRelease(widget, left, pos=pos)
    qtbot.mouseDClick(widget, left, pos=pos)
    qtbot.mouseRelease(widget, left, pos=pos)


def double_click_cell(qtbot, win, key, row, col):
    rect = win.matrices.cell_rect(key, row, col)
    double_click(qtbot, win.matrices.graphics.viewport(), rect.center())
    return win.cell_editor


def type_into(qtbot, editor, text):
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)   # the selected old value goes
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_typing_a_weight_redoes_the_pass_and_undo_restores_it(window, qtbot, messages):
    m = window.model
    window.layer = 1
    window._show_layer()
    m.step()   # z1 computed: the edit must redo it
    W1_before = m.net.params()[0][0]
    assert not window.file_controller.is_dirty
    editor = double_click_cell(qtbot, window, "W", 3, 1)
    assert editor is not None and editor.isVisible()
    assert float(editor.text()) == pytest.approx(W1_before[3, 1], rel=1e-5)
    type_into(qtbot, editor, "0,25")   # a decimal comma
    W1, b1 = m.net.params()[0]
    assert W1[3, 1] == 0.25 and W1 is not W1_before
    x = m.stepper.X
    hand = W1_before.copy()
    hand[3, 1] = 0.25
    assert np.allclose(window.matrices.image_data("z"), hand @ x + b1, rtol=1e-14, atol=0)
    assert window.matrices.image_data("W")[3, 1] == 0.25
    assert window.file_controller.is_dirty   # unsaved work now
    assert drawn_state_problems(window) == [] and not messages
    assert not editor.isVisible()
    window.undo_edit_action.trigger()
    assert m.net.params()[0][0] is W1_before
    assert np.array_equal(window.matrices.image_data("z"), W1_before @ x + b1)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)   # Ctrl+Shift+Z redoes
    assert m.net.params()[0][0] is W1
    assert drawn_state_problems(window) == []


@pytest.mark.parametrize("text, reason", [("abc", "not a number"), ("1,000.5", "decimal"),
                                          ("nan", "finite"), ("", "type a number")])
def test_text_that_is_not_a_number_is_refused_in_place(window, qtbot, messages, text, reason):
    m = window.model
    params = m.net.params()
    b_key = double_click_cell(qtbot, window, "b", 0, 0)
    type_into(qtbot, b_key, text)
    assert b_key.isVisible() and b_key.reason.isVisible()
    assert reason in b_key.reason.text()
    assert all(W is W0 and b is b0 for (W, b), (W0, b0) in zip(m.net.params(), params))
    assert not messages   # no dialog: the reason is beside the editor
    qtbot.keyClick(b_key, Qt.Key.Key_Escape)
    assert not b_key.isVisible()
    assert not window.file_controller.is_dirty


def test_a_cell_of_z_opens_no_editor(window, qtbot):
    window.model.step()
    assert double_click_cell(qtbot, window, "z", 0, 0) is None


def test_double_clicking_an_edge_of_the_graph_edits_that_weight(window, qtbot):
    g = window.graph
    l, j, i = 2, 0, 0   # the top edge: no other edge crosses its middle
    line = next(item for jj, ii, item in g._edges[l] if (jj, ii) == (j, i))
    mid = line.line().center()
    at = g.graphics.mapFromScene(g._vb.mapViewToScene(mid))
    assert g.edge_at(g.graphics.mapToScene(at)) == (l, j, i)
    double_click(qtbot, g.graphics.viewport(), at)
    editor = window.cell_editor
    assert editor is not None
    type_into(qtbot, editor, "-.3")
    assert window.model.net.params()[l - 1][0][j, i] == -0.3


def test_editing_while_training_is_refused_and_changes_nothing(window, qtbot, messages):
    m = window.model
    with qtbot.waitSignal(m.training_started):
        m.train(None)
    assert not m.set_param("W", 1, 0, 0, 1.0)
    assert any("Pause or stop training" in t for _, t in messages)
    with qtbot.waitSignal(m.training_finished):
        m.stop_training()
    assert not m.ex.can_undo_edit


def test_the_hover_line_never_shows_a_value_an_edit_replaced(window, qtbot):
    window.layer = 1
    window._show_layer()
    window.matrices._hover_cell("W", 0, 0)
    old = window.matrices._hover_label.text()
    assert "W₁[row 0, col 0]" in old
    window.model.set_param("W", 1, 0, 0, 3.5)
    assert window.matrices._hover_label.text() != old
