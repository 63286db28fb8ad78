"""LossPlotWidget and export_loss_plot: curves follow the History, exports read back."""

import csv
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import numpy as np
import pytest
from PyQt6.QtGui import QImage

from gui.loss_plot import LossPlotWidget, export_loss_plot, read_history_csv


def make_history(n_epochs=4, k=25, val=True):
    rng = np.random.default_rng(1)
    n = n_epochs * k
    iter_loss = list(1.0 / (1 + 0.05 * np.arange(n)) + 0.05 * rng.random(n))
    epoch_train = [float(np.mean(iter_loss[e * k:(e + 1) * k])) for e in range(n_epochs)]
    epoch_val = [x * 1.1 for x in epoch_train] if val else []
    return SimpleNamespace(iter_loss=iter_loss, epoch_train=epoch_train, epoch_val=epoch_val)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
def widget(qtbot):
    w = LossPlotWidget()
    qtbot.addWidget(w)
    w.resize(600, 400)
    return w


def test_curves_follow_history_and_refresh(widget):
    h = make_history(n_epochs=2, k=10)
    widget.set_history(h)
    x, y = widget.iter_curve.xData, widget.iter_curve.yData
    assert list(x) == list(range(1, 21))
    assert list(y) == h.iter_loss
    # epoch points sit on the last iteration of each epoch (k = 10)
    assert list(widget.epoch_train_curve.xData) == [10, 20]
    assert list(widget.epoch_val_curve.yData) == h.epoch_val
    # the History grows in place; refresh picks up only what is new
    h.iter_loss.extend([0.01, 0.02])
    widget.refresh()
    assert widget.iter_curve.yData.size == 22
    assert widget.iter_curve.yData[-1] == 0.02
    # a new History (shorter) replaces the old one completely
    widget.set_history(SimpleNamespace(iter_loss=[3.0], epoch_train=[], epoch_val=[]))
    assert list(widget.iter_curve.yData) == [3.0]
    assert widget.epoch_train_curve.yData is None or widget.epoch_train_curve.yData.size == 0


def test_epoch_axis_puts_iterations_at_fractional_epochs(widget):
    h = make_history(n_epochs=3, k=4)
    widget.set_history(h)
    widget.set_x_axis("epoch")
    assert widget.plot_item.getAxis("bottom").labelText == "epoch"
    np.testing.assert_allclose(widget.iter_curve.xData, np.arange(1, 13) / 4)
    assert list(widget.epoch_train_curve.xData) == [1, 2, 3]
    with pytest.raises(ValueError, match="'epochs'"):
        widget.set_x_axis("epochs")


def test_log_y_hides_nonpositive_losses(widget):
    h = SimpleNamespace(iter_loss=[1.0, 0.1, 0.0, 0.01], epoch_train=[], epoch_val=[])
    widget.set_history(h)
    widget.set_log_y(True)
    assert widget.plot_item.getAxis("left").logMode
    y = widget.iter_curve.yData
    assert np.isnan(y[2]) and y[3] == 0.01
    widget.set_log_y(False)
    assert widget.iter_curve.yData[2] == 0.0


def test_csv_round_trips_history(widget, tmp_path):
    h = make_history(n_epochs=3, k=7)
    widget.set_history(h)
    path = tmp_path / "loss.csv"
    widget.export(path)
    back = read_history_csv(path)
    assert back == {"iter_loss": h.iter_loss, "epoch_train": h.epoch_train,
                    "epoch_val": h.epoch_val}
    rows = read_rows(path)
    assert rows[0] == ["iteration", "epoch", "train_loss", "epoch_train_loss", "epoch_val_loss"]
    assert rows[7][:2] == ["7", "1"] and rows[7][3] != ""   # last iteration of epoch 1
    assert rows[8][:2] == ["8", "2"] and rows[8][3] == ""
    assert len(rows) == 1 + 21
    assert not [p for p in os.listdir(tmp_path) if p != "loss.csv"]  # no temp file left


def test_csv_mid_epoch_without_validation(widget, tmp_path):
    h = make_history(n_epochs=2, k=5, val=False)
    h.iter_loss.extend([0.5, 0.4])  # a third epoch in progress
    widget.set_history(h, iters_per_epoch=5)
    widget.export(tmp_path / "l.csv")
    back = read_history_csv(tmp_path / "l.csv")
    assert back["iter_loss"] == h.iter_loss and back["epoch_val"] == []
    assert back["epoch_train"] == h.epoch_train
    legend_names = [label.text for _, label in widget.legend.items]
    assert not any("validation" in t for t in legend_names)  # no val set, no val entry
    rows = read_rows(tmp_path / "l.csv")
    assert rows[-1][:2] == ["12", "3"]


def test_png_export_has_requested_width(widget, qtbot, tmp_path):
    widget.set_history(make_history())
    widget.show()
    qtbot.waitExposed(widget)
    path = tmp_path / "loss.png"
    widget.export(path, width=900)
    img = QImage(str(path))
    assert not img.isNull()
    assert img.width() == 900


def test_svg_export_contains_the_curve(widget, qtbot, tmp_path):
    widget.set_history(make_history(n_epochs=4, k=50))
    widget.show()
    qtbot.waitExposed(widget)
    path = tmp_path / "loss.svg"
    widget.export(path)
    root = ET.parse(path).getroot()
    counts = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "path":
            counts.append(el.get("d", "").count("L"))
        elif tag == "polyline":
            counts.append(len(el.get("points", "").split()))
    assert max(counts) >= 150  # the 200-point iteration curve, not just axes and ticks


def test_bad_extension_names_it(widget, tmp_path):
    widget.set_history(make_history())
    with pytest.raises(ValueError, match=r"\.jpeg"):
        widget.export(tmp_path / "loss.jpeg")
    with pytest.raises(ValueError, match=r"\.txt"):
        export_loss_plot(make_history(), tmp_path / "loss.txt")
    assert list(tmp_path.iterdir()) == []


def test_bad_history_is_named(widget):
    with pytest.raises(ValueError, match="iter_loss"):
        widget.set_history(SimpleNamespace(epoch_train=[], epoch_val=[]))


def test_export_function_in_running_app(qtbot, tmp_path):
    path = tmp_path / "out.png"
    export_loss_plot(make_history(), path, log_y=True, x_axis="epoch", width=640)
    img = QImage(str(path))
    assert img.width() == 640
    assert img.height() == 360   # 16:9 when only the width is given


def test_export_function_headless_without_app(tmp_path):
    # A fresh interpreter with no QApplication and no display: the CLI situation.
    code = (
        "from types import SimpleNamespace\n"
        "from gui.loss_plot import export_loss_plot\n"
        "h = SimpleNamespace(iter_loss=[1.0, 0.5, 0.25, 0.2], epoch_train=[0.6, 0.2],"
        " epoch_val=[0.7, 0.3])\n"
        f"export_loss_plot(h, {str(tmp_path / 'a.png')!r}, width=500)\n"
        f"export_loss_plot(h, {str(tmp_path / 'a.csv')!r})\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", code], cwd=root, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert QImage(str(tmp_path / "a.png")).width() == 500
    assert read_history_csv(tmp_path / "a.csv")["epoch_val"] == [0.7, 0.3]


def test_real_history_with_uneven_epoch_ends(widget, tmp_path):
    # engine.training.History records where each epoch ended; a resumed run may
    # have epochs of different length. The plot and the CSV must use those ends.
    from engine.training import History
    h = History(iter_loss=[1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4], epoch_train=[0.9, 0.6],
                epoch_val=[1.0, 0.7], epoch_iteration=[3, 6])
    widget.set_history(h)
    assert list(widget.epoch_train_curve.xData) == [3, 6]
    widget.set_x_axis("epoch")
    np.testing.assert_allclose(widget.iter_curve.xData, [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2, 7 / 3])
    widget.export(tmp_path / "h.csv")
    rows = read_rows(tmp_path / "h.csv")
    assert [r[1] for r in rows[1:]] == ["1", "1", "1", "2", "2", "2", "3"]
    assert rows[3][3:] == ["0.9", "1.0"] and rows[6][3:] == ["0.6", "0.7"]
    back = read_history_csv(tmp_path / "h.csv")
    assert back == {"iter_loss": h.iter_loss, "epoch_train": h.epoch_train,
                    "epoch_val": h.epoch_val}


def test_iters_per_epoch_attribute_is_used(widget):
    # the CLI passes a History-like object carrying iters_per_epoch (mid-epoch here)
    h = SimpleNamespace(iter_loss=[1.0] * 7, epoch_train=[0.9], epoch_val=[],
                        iters_per_epoch=3)
    widget.set_history(h)
    assert list(widget.epoch_train_curve.xData) == [3]


def test_hint_until_data_arrives(widget):
    widget.show()
    assert widget.hint.isVisible() and "Train" in widget.hint.text()
    h = SimpleNamespace(iter_loss=[], epoch_train=[], epoch_val=[])
    widget.set_history(h)
    assert widget.hint.isVisible()
    h.iter_loss.append(0.5)
    widget.refresh()
    assert not widget.hint.isVisible()
    widget.set_history(SimpleNamespace(iter_loss=[], epoch_train=[], epoch_val=[]))
    assert widget.hint.isVisible()


def test_growing_history_on_epoch_axis_matches_a_fresh_layout(widget):
    # refresh() extends the epoch-axis positions piecewise; they must equal a fresh layout
    from engine.training import History
    from gui.loss_plot import epoch_layout

    h = History()
    widget.set_history(h)
    widget.set_x_axis("epoch")
    for k in (3, 5, 4, 2):   # uneven epochs, as after a batch size change
        for _ in range(k):
            h.iter_loss.append(1.0 / (1 + len(h.iter_loss)))
            widget.refresh()
        h.epoch_train.append(float(np.mean(h.iter_loss[-k:])))
        h.epoch_iteration.append(len(h.iter_loss))
        widget.refresh()
    h.iter_loss.append(0.01)   # into a fifth, running epoch
    widget.refresh()
    _, frac, _ = epoch_layout(h, 3)
    np.testing.assert_allclose(widget.iter_curve.xData, frac)
    assert list(widget.epoch_train_curve.xData) == [1, 2, 3, 4]
    widget.set_x_axis("iteration")
    assert list(widget.epoch_train_curve.xData) == [3, 8, 12, 14]


def test_epoch_markers_only_while_they_can_be_told_apart(widget):
    from gui.loss_plot import MAX_EPOCH_SYMBOLS

    h = make_history(n_epochs=MAX_EPOCH_SYMBOLS, k=2)
    widget.set_history(h)
    assert widget.epoch_train_curve.opts["symbol"] == "o"
    assert widget.epoch_val_curve.opts["symbol"] == "s"
    h.iter_loss.extend([0.1, 0.1])
    h.epoch_train.append(0.1)
    h.epoch_val.append(0.1)
    widget.refresh()
    assert widget.epoch_train_curve.opts["symbol"] is None
    assert widget.epoch_val_curve.opts["symbol"] is None
    assert widget.epoch_train_curve.xData.size == MAX_EPOCH_SYMBOLS + 1
    widget.set_history(make_history(n_epochs=3, k=2))
    assert widget.epoch_train_curve.opts["symbol"] == "o"


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_long_curves_draw_at_most_a_min_and_max_per_pixel_column(widget, qtbot):
    widget.resize(400, 300)
    widget.show()
    widget.set_history(make_history(n_epochs=2000, k=25))
    qtbot.wait(20)
    columns = widget.plot_item.getViewBox().width()
    for curve in (widget.iter_curve, widget.epoch_train_curve, widget.epoch_val_curve):
        x, _y = curve.getData()   # what is drawn, after downsampling
        # pyqtgraph rounds the bin size down (2040 points on 324 columns: bins of 6, so
        # 340 bins); with bins of ≥ 5 points that is at most 1.2 bins per column.
        assert len(x) <= 2 * 1.2 * columns + 4, curve.name()
