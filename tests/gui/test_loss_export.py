"""The loss plot fit for a slide: its size, its text, its log ticks, its legend, its ranges."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, QRectF
from PyQt6.QtGui import QFontMetricsF, QImage, QPainter

from gui.log_ticks import log_ticks, power_label
from gui.loss_export import (
    EMPTY,
    build_export_widget,
    check_size,
    export_loss_plot,
    export_text_px,
    parse_size,
)
from gui.loss_plot import EMPTY_RANGE, LossPlotWidget

ROOT = Path(__file__).resolve().parents[2]
# Every tick label on a log axis: 10ᵏ or m×10ᵏ (m may have decimals inside a decade).
POWER = re.compile(r"^(\d(\.\d+)?×)?10⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+$")


def falling(lo: float, hi: float, n: int = 400, seed: int = 0) -> SimpleNamespace:
    """Losses falling geometrically from ``hi`` to ``lo``, with mini-batch noise."""
    rng = np.random.default_rng(seed)
    y = np.geomspace(hi, lo, n) * np.exp(0.1 * rng.standard_normal(n))
    k = 20
    return SimpleNamespace(iter_loss=list(y),
                           epoch_train=[float(np.mean(y[e * k:(e + 1) * k]))
                                        for e in range(n // k)],
                           epoch_val=[], epoch_iteration=list(range(k, n + 1, k)))


def empty() -> SimpleNamespace:
    return SimpleNamespace(iter_loss=[], epoch_train=[], epoch_val=[])


@pytest.fixture
def widget(qtbot):
    w = LossPlotWidget()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    qtbot.waitExposed(w)
    return w


def tick_text_rects(axis) -> list[tuple[str, QRectF]]:
    """The labels the axis draws, each with the full bounding rect of its text."""
    img = QImage(10, 10, QImage.Format.Format_ARGB32)
    p = QPainter(img)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(p)
    finally:
        p.end()
    fm = QFontMetricsF(axis.style["tickFont"])
    out = []
    for rect, _flags, text in texts:
        r = fm.boundingRect(text)   # the whole line height, not pyqtgraph's 0.8 of it
        r.moveCenter(QPointF(rect.center()))
        if axis.orientation == "left":   # right-aligned against the ticks
            r.moveRight(rect.right())
        out.append((text, r))
    return out


def text_height(item) -> float:
    """Height of a QGraphicsTextItem's text, without its document's margins."""
    return item.boundingRect().height() - 2 * item.document().documentMargin()


# -- size ---------------------------------------------------------------------------------------
def test_png_export_is_the_size_asked_and_landscape_by_default(widget, tmp_path):
    widget.resize(300, 700)   # a tall dock: the picture must not copy its shape
    widget.set_history(falling(0.01, 1.0))
    widget.export(tmp_path / "a.png")
    widget.export(tmp_path / "b.png", width=1000, height=500)
    widget.export(tmp_path / "c.png", width=640)
    sizes = [(QImage(str(tmp_path / f)).width(), QImage(str(tmp_path / f)).height())
             for f in ("a.png", "b.png", "c.png")]
    assert sizes == [(1600, 900), (1000, 500), (640, 360)]


def test_size_is_parsed_and_checked():
    assert parse_size("1600x900") == (1600, 900) and parse_size(" 800 × 450 ") == (800, 450)
    for bad in ("1600", "x900", "16o0x900", "1600x9"):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)
    with pytest.raises(ValueError, match="20000×900"):
        check_size(20000, 900)


def test_cli_export_asks_size_and_refuses_a_bad_one(tmp_path):
    out = tmp_path / "loss.png"
    base = [sys.executable, "main.py", "train", "--layers", "2,4,1", "--dataset", "xor",
            "--epochs", "2", "--export-loss", str(out)]
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    r = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (1600, 900)
    r = subprocess.run([*base, "--size", "720x540"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (720, 540)
    out.unlink()
    r = subprocess.run([*base, "--size", "720by540"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 2 and "--size" in r.stderr and "720by540" in r.stderr
    assert not out.exists()


# -- nothing to export -------------------------------------------------------------------------
def test_an_empty_plot_is_not_exported(widget, tmp_path):
    for history in (None, empty()):
        widget.set_history(history)
        assert widget.is_empty()
        for name in ("a.png", "a.svg", "a.csv"):
            with pytest.raises(ValueError, match="nothing to export"):
                widget.export(tmp_path / name)
            with pytest.raises(ValueError, match="nothing to export"):
                export_loss_plot(history, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    assert "nothing to export" in EMPTY


def test_the_window_says_there_is_nothing_to_export(qtbot, tmp_path, monkeypatch):
    from PyQt6.QtWidgets import QFileDialog, QMessageBox

    from gui import window_menus
    from gui.main_window import MainWindow
    from gui.settings import AppSettings, make_qsettings

    said, asked = [], []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, t, text, *a: said.append(text))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: asked.append(a) or ("", ""))
    win = MainWindow(settings=AppSettings(make_qsettings(tmp_path / "s.ini")))
    qtbot.addWidget(win)
    try:
        assert window_menus.export_loss(win) is False
        assert len(said) == 1 and "nothing to export" in said[0] and not asked
        assert window_menus.export_loss(win, str(tmp_path / "x.png")) is False
        assert not (tmp_path / "x.png").exists()
        win.model.train_sync(1)
        assert window_menus.export_loss(win, str(tmp_path / "x.png"), 800, 450)
        assert QImage(str(tmp_path / "x.png")).size().width() == 800
    finally:
        win.file_controller.maybe_save = lambda: True
        win.model.shutdown()


# -- fonts -------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(800, 450), (1600, 900), (1200, 1200), (3200, 1800)])
def test_text_keeps_its_proportions_at_every_export_size(qtbot, size):
    w = build_export_widget(falling(0.01, 1.0), *size, log_y=True)
    try:
        px = export_text_px(*size)
        tick = QFontMetricsF(w.plot_item.getAxis("left").style["tickFont"]).height()
        legend = max(text_height(label.item) for _s, label in w.legend.items)
        label = text_height(w.plot_item.getAxis("bottom").label)
        # one size for ticks and legend, axis labels a little larger: not the old 3×
        assert 0.9 < legend / tick < 1.1
        assert 1.05 <= label / legend < 1.3
        # and all of it follows the picture's size (a line is ~1.2 font sizes high)
        assert 1.0 < tick / px < 1.5
    finally:
        w.close()
        w.deleteLater()
    assert export_text_px(3200, 1800) == pytest.approx(2 * export_text_px(1600, 900))


# -- log ticks ---------------------------------------------------------------------------------
def test_log_ticks_by_hand():
    labelled, minor = log_ticks(-3.0, 0.0, 300, 10)   # 100 px per decade, 15 px needed
    assert [t for _v, t in labelled] == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"]
    assert [v for v, _t in labelled] == [-3.0, -2.0, -1.0, 0.0]
    assert np.log10(2) - 3 == pytest.approx(minor[0]) and len(minor) == 3 * 8
    # 30 decades on 140 px: 4.7 px per decade, every 5th decade labelled (3·4.7 < 15 ≤ 5·4.7)
    labelled, minor = log_ticks(-30.0, 0.0, 140, 10)
    assert [v for v, _t in labelled] == [-30, -25, -20, -15, -10, -5, 0]
    assert -29.0 in minor and not any(m % 1 for m in minor)   # decades only, no 2…9
    # inside one decade (0.02 … 0.08): 2 and 5 labelled as powers of ten
    labelled, _ = log_ticks(np.log10(0.02) - 0.01, np.log10(0.08), 300, 10)
    assert [t for _v, t in labelled] == ["2×10⁻²", "5×10⁻²"]
    assert power_label(1, 0) == "10⁰" and power_label(5, -12) == "5×10⁻¹²"


RANGES = [(1e-3, 1.0), (1e-12, 1e3), (0.02, 0.08), (0.050, 0.052), (1e-300, 1e10),
          (3e-4, 2e-2), (0.9, 40.0)]


@pytest.mark.parametrize("lo,hi", RANGES)
@pytest.mark.parametrize("height", [260, 400, 900])
def test_log_tick_labels_never_overlap_and_share_one_format(qtbot, lo, hi, height):
    w = LossPlotWidget()
    qtbot.addWidget(w)
    w.resize(500, height)
    w.show()
    qtbot.waitExposed(w)
    w.set_log_y(True)
    w.set_history(falling(lo, hi))
    axis = w.plot_item.getAxis("left")
    # the axis widens to its labels on its first paint; then they are all drawn
    qtbot.waitUntil(lambda: len(tick_text_rects(axis)) >= 2, timeout=2000)
    texts = tick_text_rects(axis)
    for text, _r in texts:
        assert POWER.match(text), text
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.intersects(b), (ta, tb, a, b)
    # all inside the axis, none cut at its ends
    bounds = w.plot_item.getAxis("left").boundingRect()
    for text, r in texts:
        assert bounds.top() - 1 <= r.center().y() <= bounds.bottom() + 1, text


# -- legend ------------------------------------------------------------------------------------
def drawn_points_under(w, legend) -> int:
    """Points of the drawn curves that lie under ``legend`` (counted in scene pixels)."""
    area = legend.sceneBoundingRect()
    n = 0
    for c in (w.iter_curve, w.epoch_train_curve, w.epoch_val_curve):
        x, y = c.getData()
        if x is None:
            continue
        for xi, yi in zip(x, y, strict=True):
            if np.isfinite(yi) and area.contains(w.view_box.mapViewToScene(QPointF(xi, yi))):
                n += 1
    return n


@pytest.mark.parametrize("size", [(600, 400), (1600, 900), (3200, 1800)])
def test_the_legend_sits_under_the_plot_when_it_fits(qtbot, size):
    w = build_export_widget(falling(0.01, 1.0), *size)
    try:
        vb = w.view_box.sceneBoundingRect()
        legend = w.legend.sceneBoundingRect()
        assert w.legend.isVisible() and not w._legend.inside_legend.isVisible()
        assert legend.height() > 0 and not legend.intersects(vb)
        assert legend.top() >= vb.bottom()                  # under the plot
        assert w.plot_widget.sceneRect().contains(legend)   # and not cut off
    finally:
        w.close()
        w.deleteLater()


@pytest.mark.parametrize("rising", [False, True])
@pytest.mark.parametrize("size", [(290, 260), (250, 400)])
def test_a_narrow_plot_puts_its_legend_in_a_corner_free_of_curves(qtbot, size, rising):
    h = falling(0.01, 1.0)
    if rising:   # e.g. a validation loss that climbs: the top right is taken
        h.iter_loss.reverse()
        h.epoch_train.reverse()
    w = build_export_widget(h, *size)
    try:
        legend = w._legend.inside_legend
        assert legend.isVisible() and not w.legend.isVisible()
        assert w.view_box.sceneBoundingRect().contains(legend.sceneBoundingRect())
        assert drawn_points_under(w, legend) == 0
        assert (w._legend.corner == 0) != rising   # top right unless the curve is there
    finally:
        w.close()
        w.deleteLater()


def test_a_plot_too_small_for_a_legend_shows_none(qtbot):
    w = build_export_widget(falling(0.01, 1.0), 240, 160)   # the dock's smallest size
    try:
        assert not w.legend.isVisible() and not w._legend.inside_legend.isVisible()
        w.resize(700, 400)
        qtbot.waitUntil(w.legend.isVisible)
    finally:
        w.close()
        w.deleteLater()


# -- ranges follow Reset -----------------------------------------------------------------------
@pytest.mark.parametrize("log_y", [False, True])
def test_reset_brings_the_ranges_back(widget, qtbot, log_y):
    widget.set_log_y(log_y)
    widget.set_history(falling(10.0, 1000.0, n=5000))
    (x0, x1), _ = widget.view_box.viewRange()
    assert x1 > 4000
    widget.view_box.setRange(xRange=(100, 200))   # the user zoomed in: auto range off
    widget.set_history(empty())                   # Reset: a new, empty history
    (x0, x1), (y0, y1) = widget.view_box.viewRange()
    assert (x0, x1) == pytest.approx(EMPTY_RANGE[0])
    assert (y0, y1) == pytest.approx(EMPTY_RANGE[1][log_y])
    assert all(widget.view_box.autoRangeEnabled())
    h = empty()
    widget.set_history(h)
    for loss in (0.5, 0.4, 0.3):      # training again: the range follows the new run
        h.iter_loss.append(loss)
        widget.refresh()
    (x0, x1), (y0, y1) = widget.view_box.viewRange()
    assert x1 < 20 and (y1 < 1.0 if not log_y else y1 <= 0.1)


def test_the_plot_follows_the_widget_when_the_legend_moves_in_and_out(widget, qtbot):
    widget.set_history(falling(0.01, 1.0))
    for width, inside in ((800, False), (330, True), (900, False), (300, True)):
        widget.resize(width, 260)
        qtbot.wait(30)
        assert widget._legend.inside == inside
        # the whole plot inside the widget: a legend's width left behind as the layout's
        # minimum kept the plot wider than a narrow dock, its right part cut off
        assert widget.plot_widget.ci.geometry().width() == pytest.approx(width)
        assert widget.view_box.sceneBoundingRect().right() <= width


def test_the_compare_plot_labels_its_log_axis_like_the_loss_plot(qtbot):
    # It mixed "0.0001" with "10⁻⁵"; now it uses the loss plot's axis.
    from gui.compare_plot import ComparePlotWidget
    w = ComparePlotWidget()
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    qtbot.waitExposed(w)
    x = np.arange(1, 151, dtype=float)
    w.set_curves("iteration", [("sgd", x, np.geomspace(0.2, 1e-5, 150)),
                               ("adam", x, np.geomspace(0.2, 1e-3, 150))], log_y=True)
    axis = w.plot_item.getAxis("left")
    qtbot.waitUntil(lambda: len(tick_text_rects(axis)) >= 2, timeout=2000)
    texts = tick_text_rects(axis)
    assert all(POWER.match(text) for text, _r in texts), texts
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not a.intersects(b), (ta, tb)
