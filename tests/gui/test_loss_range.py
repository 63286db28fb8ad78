"""The loss plot's sticky auto-range: live training moves the view only when the data leave it."""

from types import SimpleNamespace

import numpy as np
import pytest

from gui.loss_plot import LossPlotWidget
from gui.loss_range import nice_ceil, nice_floor, padded, sticky_x, sticky_y


@pytest.fixture
def widget(qtbot):
    w = LossPlotWidget()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    qtbot.waitExposed(w)
    return w


def view(w):
    (x0, x1), (y0, y1) = w.view_box.viewRange()
    return x0, x1, y0, y1


def sticky(x0, x1, y0, y1):
    """The view of sticky ranges x0..x1, y0..y1: with their small padding."""
    return (*padded((x0, x1)), *padded((y0, y1)))


def train(w, h, losses):
    """Append losses one refresh at a time, as the window does while training."""
    for loss in losses:
        h.iter_loss.append(loss)
        w.refresh()


def test_nice_numbers():
    assert [nice_ceil(v) for v in (0.3, 1, 1.5, 3, 7, 11, 450, 501)] == \
        [0.5, 1, 2, 5, 10, 20, 500, 1000]
    assert nice_ceil(0.26, (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)) == 0.3
    assert nice_floor(0.65) == 0.6 and nice_floor(2.31) == 2.0 and nice_floor(1) == 1
    assert sticky_x(98) == (0, 100) and sticky_x(99) == (0, 200)   # 2 % headroom
    assert sticky_y(0.01, 0.7, log=False) == (0, 0.8)
    assert sticky_y(2.29, 2.31, log=False) == (2.0, 2.5)   # far above 0: a nice floor
    assert sticky_y(0.003, 0.7, log=True) == (-3, 0)        # whole decades


def test_live_range_holds_while_a_few_points_arrive_and_grows_past_them(widget):
    h = SimpleNamespace(iter_loss=[0.7, 0.69], epoch_train=[], epoch_val=[])
    widget.set_history(h)
    train(widget, h, [0.68] * 40)
    before = view(widget)
    assert before == sticky(0, 50, 0.6, 0.8)   # 42 points, losses 0.68 to 0.7: far above 0
    train(widget, h, [0.65, 0.62, 0.61])
    assert view(widget) == before
    train(widget, h, [0.3])            # falling towards 0: the bottom goes to 0
    assert view(widget) == sticky(0, 50, 0, 0.8)
    train(widget, h, [0.3] * 10)       # iteration 55 passes the right edge
    assert view(widget) == sticky(0, 100, 0, 0.8)
    train(widget, h, [0.9])            # a loss above the top
    assert view(widget) == sticky(0, 100, 0, 1.0)
    x, y = widget.iter_curve.getData()
    assert x.max() < 100 and y.max() < 1.0   # every point inside the nice bounds


def test_log_y_live_range_is_whole_decades(widget):
    h = SimpleNamespace(iter_loss=[0.5], epoch_train=[], epoch_val=[])
    widget.set_history(h)
    widget.set_log_y(True)
    train(widget, h, list(np.geomspace(0.5, 0.02, 30)))
    assert view(widget)[2:] == padded((-2, 0))
    train(widget, h, [0.005])
    assert view(widget)[2:] == padded((-3, 0))


def test_epoch_axis_live_range_covers_epochs(widget):
    h = SimpleNamespace(iter_loss=[], epoch_train=[], epoch_val=[], iters_per_epoch=4)
    widget.set_history(h)
    widget.set_x_axis("epoch")
    for _ in range(3):
        train(widget, h, [0.5] * 4)
        h.epoch_train.append(0.4)
        h.epoch_val.append(1.1)
        widget.refresh()
    assert view(widget) == sticky(0, 5, 0, 1.2)


def test_user_zoom_is_kept_and_the_a_button_restores_the_live_range(widget, qtbot):
    h = SimpleNamespace(iter_loss=[0.7] * 30, epoch_train=[], epoch_val=[])
    widget.set_history(h)
    train(widget, h, [0.3] * 5)
    live = view(widget)
    widget.view_box.scaleBy((0.5, 0.5))   # what a mouse-wheel zoom does: auto-range off
    zoomed = view(widget)
    assert zoomed != live and not any(widget.view_box.autoRangeEnabled())
    train(widget, h, [0.2] * 100)  # passes the old right edge
    assert view(widget) == zoomed
    widget.plot_item.autoBtnClicked()   # the "A" button; pyqtgraph ranges before the paint
    assert all(widget.view_box.autoRangeEnabled())
    qtbot.waitUntil(lambda: view(widget) == sticky(0, 200, 0, 0.8))
    train(widget, h, [0.2] * 3)
    assert view(widget) == sticky(0, 200, 0, 0.8)


def test_set_history_fits_the_data_exactly_again(widget):
    h = SimpleNamespace(iter_loss=[0.7] * 30, epoch_train=[], epoch_val=[])
    widget.set_history(h)
    train(widget, h, [0.6, 0.5])
    assert view(widget)[:2] == padded((0, 50))
    widget.set_history(h)   # training ended: the window sets the History again
    x0, x1, y0, y1 = view(widget)
    assert 1 < x0 + 2 and 32 <= x1 < 34   # pyqtgraph's fit with its small padding
    assert 0.48 < y0 < 0.5 and 0.7 < y1 < 0.72
