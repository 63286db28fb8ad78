"""Drawing 2-D data in the data view: click adds, right-click deletes, Ctrl+Z undoes."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, Qt

from engine.datasets import make_dataset
from gui.consistency import drawn_state_problems
from gui.draw_data import with_point, without_point

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def window(new_window):
    return new_window((1600, 1000))


def click_at(qtbot, win, x, y, button=Qt.MouseButton.LeftButton):
    dv = win.data_view
    at = dv.glw.mapFromScene(dv.plot.vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(dv.glw.viewport(), button, pos=at)


def test_points_added_and_deleted_keep_the_other_samples():
    ds = make_dataset("blobs", n_samples=20, noise=0.1, seed=0, n_classes=3)
    more = with_point(ds, 0.5, -0.25, 2)
    assert np.array_equal(more.X[:, :-1], ds.X) and np.array_equal(more.X[:, -1], [0.5, -0.25])
    assert np.array_equal(more.Y[:, -1], [0.0, 0.0, 1.0])   # one-hot class 2
    back = without_point(more, more.X.shape[1] - 1)
    assert np.array_equal(back.X, ds.X) and np.array_equal(back.Y, ds.Y)
    with pytest.raises(ValueError, match="class 3"):
        with_point(ds, 0, 0, 3)
    one = without_point(without_point(with_point(ds, 0, 0, 0), 0), 0)
    while one.X.shape[1] > 1:
        one = without_point(one, 0)
    with pytest.raises(ValueError, match="last point"):
        without_point(one, 0)


def test_click_adds_a_point_right_click_deletes_it_and_undo_redo_follow(window, qtbot):
    m = window.model
    W = m.net.params()[0][0].copy()
    N = m.n_samples
    window.draw_action.setChecked(True)
    window.drawing.cls = 0
    click_at(qtbot, window, 1.6, 0.9)   # an empty spot in the moons picture
    assert m.n_samples == N + 1 and m.dataset.name == "drawn"
    x, y = m.dataset.X[:, -1]
    assert abs(x - 1.6) < 0.05 and abs(y - 0.9) < 0.05 and m.dataset.Y[0, -1] == 0.0
    assert np.array_equal(m.net.params()[0][0], W)   # the weights stay
    assert drawn_state_problems(window) == []
    drawn = m.dataset
    click_at(qtbot, window, x, y, Qt.MouseButton.RightButton)
    assert m.n_samples == N and not np.any(np.all(m.dataset.X == [[x], [y]], axis=0))
    window.undo_edit_action.trigger()
    assert m.dataset is drawn
    window.undo_edit_action.trigger()
    assert m.n_samples == N and m.dataset.name != "drawn"   # the generated moons again
    window.redo_edit_action.trigger()
    assert m.dataset is drawn
    assert drawn_state_problems(window) == []


def test_drawing_is_off_until_asked_and_refused_for_other_input_sizes(window, qtbot):
    m = window.model
    N = m.n_samples
    click_at(qtbot, window, 1.6, 0.9)
    assert m.n_samples == N   # not in drawing mode: a click only picks samples
    assert m.set_dataset("digits", 100)   # 64 inputs: nothing to draw on
    window.draw_action.setChecked(True)
    assert not window.draw_action.isChecked() and not window.drawing.enabled
    assert "2 inputs" in window.status.currentMessage()


def to_viewport(win, x, y):
    dv = win.data_view
    return dv.glw.mapFromScene(dv.plot.vb.mapViewToScene(QPointF(x, y)))


def test_a_drawn_point_is_dragged_to_where_it_is_dropped_and_undo_puts_it_back(window, qtbot):
    m = window.model
    window.draw_action.setChecked(True)
    window.drawing.cls = 1
    click_at(qtbot, window, 1.6, 0.9)
    N, placed = m.n_samples, m.dataset
    x, y = m.dataset.X[:, -1]
    vp = window.data_view.glw.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=to_viewport(window, x, y))
    qtbot.mouseMove(vp, pos=to_viewport(window, -1.5, -1.2))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=to_viewport(window, -1.5, -1.2))
    assert m.n_samples == N   # moved, not added
    nx, ny = m.dataset.X[:, -1]
    assert abs(nx + 1.5) < 0.05 and abs(ny + 1.2) < 0.05 and m.dataset.Y[0, -1] == 1.0
    assert np.array_equal(m.dataset.X[:, :-1], placed.X[:, :-1])   # the others stay
    assert drawn_state_problems(window) == []
    window.undo_edit_action.trigger()
    assert m.dataset is placed


def test_clear_keeps_only_the_last_point_and_undo_brings_the_rest_back(window, qtbot):
    from gui.draw_data import only_last_point
    m = window.model
    window.draw_action.setChecked(True)
    click_at(qtbot, window, 1.6, 0.9)
    full = m.dataset
    window.clear_drawing_action.trigger()
    assert m.n_samples == 1 and np.array_equal(m.dataset.X, full.X[:, -1:])
    assert "one point stays" in window.status.currentMessage()
    assert drawn_state_problems(window) == []
    window.undo_edit_action.trigger()
    assert m.dataset is full
    assert np.array_equal(only_last_point(full).Y, full.Y[:, -1:])


def test_a_click_on_a_regression_adds_the_sample_x_with_the_target_y(window, qtbot):
    m = window.model
    assert m.set_dataset("sine", 40)
    N = m.n_samples
    window.draw_action.setChecked(True)
    assert window.drawing.enabled
    click_at(qtbot, window, 0.25, 0.95)   # well above the sine curve, inside the view
    assert m.n_samples == N + 1 and m.dataset.kind == "regression"
    assert abs(m.dataset.X[0, -1] - 0.25) < 0.05 and abs(m.dataset.Y[0, -1] - 0.95) < 0.05
    assert drawn_state_problems(window) == []
