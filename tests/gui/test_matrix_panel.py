"""MatrixPanel draws exactly the stepper's arrays, empties what is not computed, marks the step."""

import numpy as np
import pytest
from PyQt6.QtCore import QPointF

from engine import Network
from engine.stepper import Stepper
from gui.matrix_panel import MatrixPanel


def make_stepper(sizes=(2, 8, 8, 1), B=5, loss="squared", out="sigmoid"):
    acts = ["tanh"] * (len(sizes) - 2) + [out]
    spec = {"input_size": sizes[0], "loss": loss, "seed": 0,
            "layers": [{"units": n, "activation": a} for n, a in zip(sizes[1:], acts, strict=True)]}
    net = Network.from_spec(spec)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(sizes[0], B))
    if out == "softmax":
        Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], B)]
    else:
        Y = rng.uniform(size=(sizes[-1], B))
    return Stepper(net, X, Y)


def step_until(st, kind, layer):
    while not (st.last is not None and st.last.kind == kind and st.last.layer == layer):
        st.next()


@pytest.fixture
def panel(qtbot):
    p = MatrixPanel()
    qtbot.addWidget(p)
    p.resize(1000, 700)
    return p


def test_forward_arrays_are_the_steppers_and_the_rest_is_empty(panel):
    st = make_stepper()
    step_until(st, "z", 2)
    panel.show_layer(st, 2)
    assert np.array_equal(panel.image_data("z"), st.state.z[2])
    assert np.array_equal(panel.image_data("W"), st.state.params[1][0])
    assert np.array_equal(panel.image_data("b"), st.state.params[1][1])
    assert np.array_equal(panel.image_data("a_prev"), st.state.a[1])
    for key in ("a", "dc_da", "sigma_prime", "delta", "dW", "db"):
        assert panel.image_data(key) is None, key
        assert panel.empty_text(key) == "not computed yet"
    assert panel.empty_text("z") is None
    assert panel.marked_quantities() == ("z",) == st.last.computed


def test_backward_marks_what_the_step_computed(panel):
    st = make_stepper()
    step_until(st, "delta", 2)
    panel.show_layer(st, 2)
    assert panel.marked_quantities() == st.last.computed == ("dc_da", "sigma_prime", "delta")
    assert np.array_equal(panel.image_data("delta"), st.state.delta[2])
    assert np.array_equal(panel.image_data("dc_da"), st.state.dc_da[2])
    assert panel.image_data("dW") is None
    st.next()  # grads of layer 2
    panel.show_layer(st, 2)
    assert panel.marked_quantities() == ("dW", "db")
    assert np.array_equal(panel.image_data("dW"), st.state.dW[2])
    # Another layer's panel marks nothing for this step.
    panel.show_layer(st, 1)
    assert panel.marked_quantities() == ()
    assert panel.image_data("delta") is None


def test_colour_levels_are_symmetric_so_zero_is_neutral(panel):
    st = make_stepper()
    step_until(st, "delta", 3)
    panel.show_layer(st, 3)
    lo, hi = panel._maps["delta"].image.getLevels()
    assert lo == -hi and hi == pytest.approx(np.abs(st.state.delta[3]).max())


def test_back_and_reset_restore_earlier_arrays(panel):
    st = make_stepper()
    step_until(st, "grads", 1)
    st.next()  # update: new W, b in every layer, marked everywhere
    panel.show_layer(st, 2)
    assert panel.marked_quantities() == ("W", "b")
    assert np.array_equal(panel.image_data("W"), st.state.params[1][0])
    new_W = panel.image_data("W")
    st.back()
    panel.show_layer(st, 2)
    assert not np.array_equal(panel.image_data("W"), new_W)
    assert np.array_equal(panel.image_data("dW"), st.state.dW[2])
    st.reset()
    panel.show_layer(st, 2)
    assert panel.image_data("delta") is None and panel.image_data("z") is None
    assert panel.empty_text("delta") == "not computed yet"
    assert panel.marked_quantities() == ()


def test_next_pass_shows_no_stale_numbers(panel):
    st = make_stepper()
    st.jump(st.K)
    st.next()  # first step of pass 2: z₁ only
    panel.show_layer(st, 2)
    assert panel.image_data("delta") is None and panel.image_data("z") is None


def test_cross_entropy_output_says_not_used(panel):
    st = make_stepper(sizes=(3, 4, 3), loss="cross_entropy", out="softmax")
    step_until(st, "delta", 2)
    panel.show_layer(st, 2)
    assert panel.empty_text("dc_da") == "not used for this loss"
    assert panel.empty_text("sigma_prime") == "not used for this loss"
    assert panel.marked_quantities() == ("delta",)


# Showing a widget on the offscreen platform logs harmless "not supported" warnings.
@pytest.mark.qt_log_ignore("This plugin does not support")
def test_hover_maps_the_mouse_to_the_cell_and_emits(panel, qtbot):
    st = make_stepper(B=4)
    step_until(st, "a", 1)
    panel.show_layer(st, 1)
    panel.show()
    qtbot.waitExposed(panel)
    vb = panel._maps["a"].plot.vb
    pos = vb.mapViewToScene(QPointF(3, 5))  # x = column 3, y = row 5
    with qtbot.waitSignal(panel.cell_hovered) as sig:
        panel._on_mouse_moved(pos)
    assert sig.args == ["a", 1, 5, 3]
    assert "[row 5, col 3]" in panel._hover_label.text()
    # The a₀ context matrix reports itself as layer 0's "a".
    pos = panel._maps["a_prev"].plot.vb.mapViewToScene(QPointF(2, 1))
    with qtbot.waitSignal(panel.cell_hovered) as sig:
        panel._on_mouse_moved(pos)
    assert sig.args == ["a", 0, 1, 2]
    with qtbot.waitSignal(panel.cell_left):
        panel._on_mouse_moved(QPointF(-50, -50))


def test_layer_out_of_range_is_refused(panel):
    with pytest.raises(ValueError, match="1..3"):
        panel.show_layer(make_stepper(), 0)


def test_large_matrices_are_one_image_each(panel):
    st = make_stepper(sizes=(784, 128, 10), B=256)
    step_until(st, "grads", 1)
    panel.show_layer(st, 1)
    assert panel.image_data("dW").shape == (128, 784)
    assert np.array_equal(panel.image_data("a_prev"), st.state.a[0])
    assert panel.image_data("delta").shape == (128, 256)
    n_images = sum(1 for it in panel._glw.scene().items() if type(it).__name__ == "ImageItem")
    assert n_images == 11   # ten quantities and the target y


def test_font_scale_keeps_the_content(panel):
    st = make_stepper()
    step_until(st, "z", 1)
    panel.show_layer(st, 1)
    panel.set_font_scale(1.6)
    assert panel._header.font().pointSizeF() > 16
    assert np.array_equal(panel.image_data("z"), st.state.z[1])


def test_header_says_one_unit_not_one_units(panel):
    st = make_stepper()
    panel.show_layer(st, 3)
    assert "of 3 · 1 unit · " in panel._header.text()
    panel.show_layer(st, 2)
    assert "8 units" in panel._header.text()


def test_empty_text_wraps_whole_words_inside_a_narrow_plot(panel):
    from PyQt6.QtCore import QRectF
    panel.show_layer(make_stepper(), 2)
    hm = panel._maps["db"]
    hm.plot.vb.setGeometry(QRectF(0, 0, 62, 90))   # a vector column at 1280×800
    box = hm.empty.textItem.boundingRect()
    assert box.width() <= 62 and box.height() <= 90
    lines = hm.empty.textItem.document().toPlainText()
    assert lines.split() == ["not", "computed", "yet"]   # whole words, not "compute / d"
    layout = hm.empty.textItem.document().documentLayout()
    assert layout.documentSize().width() <= 62


def test_a_step_re_sets_only_the_heatmaps_whose_array_changed(panel, monkeypatch):
    st = make_stepper()
    step_until(st, "z", 2)
    panel.show_layer(st, 2)
    calls = []
    for key, hm in panel._maps.items():
        def spy(image=None, *a, _orig=hm.image.setImage, _k=key, **k):
            if image is not None:  # setImage() without an array only re-renders (new levels)
                calls.append(_k)
            return _orig(image, *a, **k)
        monkeypatch.setattr(hm.image, "setImage", spy)
    st.next()  # a₂: the only new array in layer 2
    panel.show_layer(st, 2)
    assert calls == ["a"]
    assert np.array_equal(panel.image_data("a"), st.state.a[2])
    panel.show_layer(st, 2)  # nothing new at all
    assert calls == ["a"]


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_emptying_a_slot_does_not_resize_the_plots(panel, qtbot):
    panel.resize(820, 470)
    panel.show()
    st = make_stepper(B=1)
    step_until(st, "a", 1)
    panel.show_layer(st, 1)
    qtbot.wait(20)
    widths = {k: round(hm.plot.vb.width()) for k, hm in panel._maps.items()}
    st.next()  # z₂ and layer 2: a₂ is empty, its colour bar hidden but its space kept
    panel.show_layer(st, 2)
    qtbot.wait(20)
    assert panel.image_data("a") is None
    assert {k: round(hm.plot.vb.width()) for k, hm in panel._maps.items()} == widths


def test_a_fresh_panel_draws_its_empty_slots(panel):
    st = make_stepper()
    panel.show_layer(st, 2)  # nothing computed: every slot but W and b is empty
    hm = panel._maps["z"]
    assert panel.empty_text("z") == "not computed yet"
    assert hm.empty.isVisible() and not hm.bar.isVisible()
    assert hm.plot.vb.viewRange() == [[0.0, 1.0], [0.0, 1.0]]



def test_an_emptied_slot_hides_its_old_image_and_shows_the_unit_view(panel):
    st = make_stepper()
    step_until(st, "grads", 2)
    panel.show_layer(st, 2)
    hm = panel._maps["dW"]
    hm.show(None, "not computed yet")   # hidden, not cleared: clear() repainted the panel
    assert panel.image_data("dW") is None and panel.empty_text("dW") == "not computed yet"
    assert not hm.image.isVisible() and not hm.bar.isVisible() and hm.empty.isVisible()
    assert hm.plot.vb.viewRange() == [[0.0, 1.0], [0.0, 1.0]]
    panel.show_layer(st, 2)   # the same array again: drawn again, not skipped
    assert np.array_equal(panel.image_data("dW"), st.state.dW[2]) and hm.image.isVisible()


def _visible_slots(panel, qtbot, width, height, scale=1.0):
    panel.set_font_scale(scale)
    panel.resize(width, height)
    panel.show()
    st = make_stepper(B=1)
    step_until(st, "z", 2)   # z₂ "just computed": its title is the widest version
    panel.show_layer(st, 2)
    qtbot.wait(20)
    return panel._glw.viewport().width()


@pytest.mark.qt_log_ignore("This plugin does not support")
# 660: the centre at 1280 px with the editor and data docks beside it
@pytest.mark.parametrize("width, scale", [(660, 1.0), (900, 1.45)])
def test_in_a_narrow_panel_every_title_fits_and_no_slot_passes_the_right_edge(
        panel, qtbot, width, scale):
    right = _visible_slots(panel, qtbot, width, 380, scale)
    for key, hm in panel._maps.items():
        if not hm.plot.isVisible():
            continue   # y: only on the output layer
        assert hm.label.fits(), key
        for item in (hm.label, hm.plot):
            assert item.sceneBoundingRect().right() <= right + 0.5, key
    assert panel.marked_quantities() == ("z",)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_marking_a_matrix_keeps_its_fitted_title_size(panel, qtbot):
    _visible_slots(panel, qtbot, 660, 380)
    hm = panel._maps["a"]
    size = hm.label.size()
    st = make_stepper(B=1)
    step_until(st, "a", 2)   # now a₂ carries the badge
    panel.show_layer(st, 2)
    qtbot.wait(20)
    assert panel.marked_quantities() == ("a",) and hm.label.size() == size


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_empty_text_stays_inside_its_plot_in_a_narrow_panel(panel, qtbot):
    _visible_slots(panel, qtbot, 660, 380)
    for key in ("a", "delta", "db"):
        hm = panel._maps[key]
        box = hm.empty.textItem.boundingRect()
        assert box.width() <= hm.plot.vb.width() and box.height() <= hm.plot.vb.height(), key
        assert hm.empty.textItem.document().toPlainText().split() == ["not", "computed", "yet"]


def test_tick_step_labels_every_kth_index_so_labels_never_touch():
    from gui.heatmap import tick_step
    assert tick_step(cell=30, label=12, n=8) == 1
    assert tick_step(cell=5, label=12, n=8) == 5      # 0, 5: not "01234567"
    assert tick_step(cell=1, label=20, n=784) == 20
    assert tick_step(cell=0.5, label=12, n=3) == 5    # never more than one step past n
    for cell in (0.3, 1.7, 4.0, 9.5, 13.0):
        assert tick_step(cell, 14, 1000) * cell >= 14


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_tick_labels_thin_out_in_narrow_plots_and_come_back_in_wide_ones(panel, qtbot):
    from PyQt6.QtGui import QFontMetricsF
    _visible_slots(panel, qtbot, 1400, 700)
    st = make_stepper(B=1)
    panel.show_layer(st, 2)
    hm = panel._maps["W"]   # 8 × 8
    wide = [v for v, _ in hm.plot.getAxis("top")._tickLevels[0]]
    panel.resize(560, 330)
    qtbot.wait(20)
    narrow = [v for v, _ in hm.plot.getAxis("top")._tickLevels[0]]
    assert wide == list(range(8)) and len(narrow) < 8
    spacing = (narrow[1] - narrow[0]) * hm.plot.vb.width() / 8
    assert spacing >= QFontMetricsF(hm.tick_font).horizontalAdvance("7")
    rows = [v for v, _ in hm.plot.getAxis("left")._tickLevels[0]]
    assert (rows[1] - rows[0]) * hm.plot.vb.height() / 8 >= QFontMetricsF(hm.tick_font).height()


def test_colour_bar_shows_the_symmetric_levels_in_a_fixed_width(panel):
    st = make_stepper()
    step_until(st, "z", 1)
    panel.show_layer(st, 1)
    hm = panel._maps["z"]
    m = float(np.abs(st.state.z[1]).max())
    labels = hm.bar.labels   # bottom to top
    assert labels[1] == "0" and labels[2] == f"{m:.2g}" and labels[0] == f"{-m:.2g}"
    assert hm.bar.minimumWidth() == hm.bar.maximumWidth()
    lo, hi = hm.image.getLevels()
    assert (lo, hi) == (-m, m)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_ticks_follow_a_new_shape_at_the_same_step(panel, qtbot):
    panel.resize(1400, 700)
    panel.show()
    st = make_stepper(sizes=(2, 8, 8, 1))
    step_until(st, "a", 1)
    panel.show_layer(st, 1)   # a₀: 2 rows, every one labelled
    qtbot.wait(20)
    panel.show_layer(st, 2)   # a₁: 8 rows, the same step k = 1 (it showed only 0, 1)
    ticks = [v for v, _ in panel._maps["a_prev"].plot.getAxis("left")._tickLevels[0]]
    assert ticks == list(range(8))


@pytest.mark.parametrize("m", [3e-9, 4e-4, 0.0123, 0.55, 7.7, 42.0, 987.0, 5432.0, 3.2e5])
def test_every_colour_bar_label_fits_its_fixed_width(panel, m):
    # A label wider than the bar's fixed width would be cut off at the panel's next column.
    from PyQt6.QtGui import QFontMetricsF
    hm = panel._maps["z"]
    st = make_stepper()
    step_until(st, "z", 1)
    hm.show(np.full((8, 5), m) * np.sign(st.state.z[1]), "")
    labels = hm.bar.labels
    fm = QFontMetricsF(hm.bar.font)
    assert len(labels) == 3 and labels[0].startswith("-") and labels[1] == "0"
    assert float(labels[2]) == pytest.approx(m, rel=0.1)
    assert all(fm.horizontalAdvance(t) <= hm.bar.text_width() for t in labels)


def test_a_short_colour_bar_drops_its_zero_label_rather_than_overlap(panel):
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QFontMetricsF
    bar = panel._maps["z"].bar
    line = QFontMetricsF(bar.font).height()
    bar.setGeometry(QRectF(0, 0, bar.minimumWidth(), 4 * line))
    assert bar.shows_zero()
    bar.setGeometry(QRectF(0, 0, bar.minimumWidth(), 2.5 * line))   # −m and +m touch "0"
    assert not bar.shows_zero()


def test_the_colour_bar_runs_from_the_maps_low_end_at_the_bottom_to_its_high_end_on_top(panel):
    from PyQt6.QtCore import QRectF
    from PyQt6.QtGui import QColor, QImage, QPainter

    from gui import style
    bar = panel._maps["z"].bar
    bar.setGeometry(QRectF(0, 0, bar.minimumWidth(), 120))
    img = QImage(int(bar.minimumWidth()), 120, QImage.Format.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    bar.paint(p, None, None)
    p.end()
    cmap = style.diverging_cmap()
    x = bar.GAP + bar.BAR // 2
    for y, end in ((3, 1.0), (116, 0.0), (60, 0.5)):
        want = cmap.map(end, mode="qcolor")
        got = img.pixelColor(x, y)
        assert abs(got.red() - want.red()) + abs(got.blue() - want.blue()) < 30, (y, got.name())


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_the_just_computed_frame_lies_inside_its_plot_so_removing_it_repaints_it(panel, qtbot):
    # Drawn as the ViewBox's 4 px border, half the frame lay outside the box: in a real
    # window, unmarking a matrix left that half on screen.
    _visible_slots(panel, qtbot, 1000, 600)   # z₂ just computed
    marked, other = panel._maps["z"].plot, panel._maps["a"].plot
    assert marked.frame.isVisible() and not other.frame.isVisible()
    outer = marked.frame.mapRectToItem(marked.vb, marked.frame.boundingRect())
    assert marked.vb.rect().contains(outer)
    assert outer.width() >= marked.vb.width() - 1 and outer.height() >= marked.vb.height() - 1
    st = make_stepper(B=1)
    step_until(st, "a", 2)
    panel.show_layer(st, 2)
    assert not marked.frame.isVisible() and other.frame.isVisible()


def test_header_names_the_last_step_once(panel):
    st = make_stepper()
    step_until(st, "z", 2)
    panel.show_layer(st, 2)
    assert panel._header.text().endswith("last step: forward z")
    step_until(st, "update", None)
    panel.show_layer(st, 1)
    assert panel._header.text().endswith("last step: update")
