"""GraphView follows the stepper's steps, draws wide layers as blocks, reports clicks."""

import numpy as np
import pytest
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtWidgets import QGraphicsLineItem

from engine import Network
from engine.stepper import Stepper
from gui.graph_fit import NODE_GAP_PX, NODE_MIN_PX
from gui.graph_view import GraphView


def make_stepper(sizes=(2, 8, 8, 1), B=3):
    acts = ["tanh"] * (len(sizes) - 2) + ["sigmoid"]
    spec = {"input_size": sizes[0], "seed": 0,
            "layers": [{"units": n, "activation": a}
                       for n, a in zip(sizes[1:], acts, strict=True)]}
    rng = np.random.default_rng(0)
    return Stepper(Network.from_spec(spec), rng.normal(size=(sizes[0], B)),
                   rng.uniform(size=(sizes[-1], B)))


def lines(view):
    return [it for it in view._glw.scene().items() if isinstance(it, QGraphicsLineItem)]


@pytest.fixture
def view(qtbot):
    v = GraphView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    return v


def test_highlight_follows_every_step_of_a_pass(view):
    st = make_stepper()
    view.set_state(st)
    assert view.highlighted() == ("idle", None)
    seen = []
    for _ in range(st.K):
        st.next()
        view.set_state(st)
        seen.append(view.highlighted())
    assert seen == [(info.phase, info.layer) for info in st.plan]
    assert seen[0] == ("forward", 1) and seen[7] == ("backward", 3) and seen[-1] == ("update", None)
    st.back()
    view.set_state(st)
    assert view.highlighted() == ("backward", 1)


def test_small_net_draws_one_line_per_weight_coloured_by_sign(view):
    st = make_stepper()
    view.set_state(st)
    assert len(lines(view)) == 2 * 8 + 8 * 8 + 8 * 1
    W = st.state.params[1][0]  # W₂ (8 × 8)
    edges = {(j, i): line for j, i, line in view._edges[2]}
    j, i = np.unravel_index(np.argmax(W), W.shape)
    jn, inn = np.unravel_index(np.argmin(W), W.shape)
    pos, neg = edges[(j, i)].pen().color(), edges[(jn, inn)].pen().color()
    assert pos.red() > pos.blue() and neg.blue() > neg.red()  # CET-D1: red +, blue −
    k, m = np.unravel_index(np.argmin(np.abs(W)), W.shape)
    assert edges[(j, i)].pen().widthF() > edges[(k, m)].pen().widthF()


def test_edges_follow_the_updated_weights(view):
    st = make_stepper()
    st.jump(st.K - 1)
    view.set_state(st)
    before = [line.pen().widthF() for _, _, line in view._edges[3]]
    st.next()  # the update step changes every W
    view.set_state(st)
    after = [line.pen().widthF() for _, _, line in view._edges[3]]
    assert before != after


def test_784_inputs_are_a_block_not_100k_edges(view):
    st = make_stepper(sizes=(784, 128, 10), B=2)
    view.set_state(st)
    assert lines(view) == []
    assert view.item_count() < 200
    texts = [it.toPlainText() for it in view._glw.scene().items()
             if hasattr(it, "toPlainText")]
    assert "784" in texts and "128" in texts


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_clicking_a_column_emits_its_layer(view, qtbot):
    view.set_state(make_stepper())
    view.show()
    qtbot.waitExposed(view)
    scene_pos = view._vb.mapViewToScene(QPointF(2, 0.5))
    widget_pos = view._glw.mapFromScene(scene_pos)
    with qtbot.waitSignal(view.layer_clicked) as sig:
        qtbot.mouseClick(view._glw.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert sig.args == [2]
    assert view.selected_layer == 2


def test_tooltip_shows_the_sample_values_or_not_computed(view):
    st = make_stepper()
    st.jump(3)  # z₁, a₁, z₂
    view.set_state(st)
    text = view.neuron_tooltip(2, 4)
    assert f"z₂[4] = {st.state.z[2][4, 0]:.4g}" in text
    assert "a₂[4] = not computed yet" in text and "δ₂[4] = not computed yet" in text
    view.sample = 2
    assert f"z₂[4] = {st.state.z[2][4, 2]:.4g}" in view.neuron_tooltip(2, 4)


def test_set_network_without_stepper_and_selection(view):
    net = make_stepper().net
    view.set_network(net)
    assert view.highlighted() == ("idle", None)
    view.set_selected_layer(1)
    assert view.selected_layer == 1
    view.set_font_scale(1.5)
    assert "not computed yet" in view.neuron_tooltip(1, 0)


def test_legend_wraps_below_the_graph_and_texts_fit_a_short_view(view):
    view.set_state(make_stepper())
    # The graph's share of the window at 1280×800 (not shown: offscreen warns about hints).
    view._vb.setGeometry(QRectF(0, 0, 640, 130))
    assert view.legend.wordWrap() and "width ∝ |w|" in view.legend.text()
    (x0, x1), (y0, y1) = view._vb.viewRange()
    # The layer labels and the loss text are centred inside the x range, the title fits above.
    half = max(t.textItem.boundingRect().width() for t in view._layer_texts) / 2
    px_per_x = view._vb.width() / (x1 - x0)
    assert x0 * px_per_x <= -half + 1 and (x1 - view._loss_x) * px_per_x >= half - 1
    assert y0 < -view._top - 0.6 and y1 > view._top - 0.4


def test_edges_are_recoloured_only_when_the_weights_change(view):
    st = make_stepper()
    view.set_state(st)
    line = view._edges[1][0][2]
    marker = line.pen()
    marker.setWidthF(42.0)  # a pen no weight would give
    line.setPen(marker)
    st.next()  # z₁: same weights
    view.set_state(st)
    assert line.pen().widthF() == 42.0
    st.jump(st.K)  # through the update: new W
    view.set_state(st)
    assert line.pen().widthF() != 42.0


def test_neurons_shrink_in_a_short_view_so_a_column_of_eight_does_not_run_together(view):
    view.set_state(make_stepper())
    view._vb.setGeometry(QRectF(0, 0, 640, 400))
    assert {s.opts["size"] for s in view._scatters} == {16}
    view._vb.setGeometry(QRectF(0, 0, 640, 150))   # presentation mode at 1280×720
    (_x0, _x1), (y0, y1) = view._vb.viewRange()
    spacing = view._vb.height() / (y1 - y0)        # pixels between neighbouring neurons
    sizes = {s.opts["size"] for s in view._scatters}
    assert len(sizes) == 1 and NODE_MIN_PX <= sizes.pop() < 16
    # circles 16 px wide 16.3 px apart touched and read as a bar: a gap of 2 px is kept
    assert view._scatters[1].opts["size"] <= spacing - NODE_GAP_PX + 0.5
    assert view.title_dropped   # 150 px: the title and arrow gave the neurons their room
    view._vb.setGeometry(QRectF(0, 0, 640, 400))
    assert {s.opts["size"] for s in view._scatters} == {16}


@pytest.mark.parametrize("sizes", [(2, 8, 8, 1), (64, 32, 10), (784, 128, 64, 10)])
def test_the_step_arrow_sits_between_the_title_and_the_picture(view, sizes):
    # With blocks the data units are small: the arrow sat on the title's last word.
    st = make_stepper(sizes)
    view.set_state(st)
    view._vb.setGeometry(QRectF(0, 0, 700, 190))   # the graph at 1600×1000
    (_x0, _x1), (y0, y1) = view._vb.viewRange()

    def px(y):   # a data y as pixels from the top of the view (y grows downwards)
        return (y - y0) / (y1 - y0) * view._vb.height()

    half = view._arrow.opts["headWidth"] / 2   # the arrow is drawn in pixels
    title_bottom = px(view._step_text.pos().y())   # the title is anchored at its bottom
    picture_top = px(-view._top)                   # the highlight band's top edge
    for _ in range(st.K - 1):
        st.next()
        view.set_state(st)
        if view._arrow.isVisible():
            y = px(view._arrow.pos().y())
            assert title_bottom + 2 <= y - half and y + half <= picture_top, st.last.phase


def test_a_short_wide_view_puts_layer_labels_on_one_line_for_taller_neurons(view):
    view.set_state(make_stepper())
    view._vb.setGeometry(QRectF(0, 0, 1270, 150))   # presentation mode at 1280×720
    texts = [t.toPlainText() for t in view._layer_texts]
    assert texts[1] == "ℓ = 1 · tanh · 8 units" and all("\n" not in t for t in texts)
    # the labels stay apart: each is narrower than the distance between columns
    (x0, x1), _ = view._vb.viewRange()
    column_px = view._vb.width() / (x1 - x0)
    assert max(t.textItem.boundingRect().width() for t in view._layer_texts) < column_px
    view._vb.setGeometry(QRectF(0, 0, 900, 600))    # room enough: two lines again
    assert view._layer_texts[1].toPlainText() == "ℓ = 1 · tanh\n8 units"
    view._vb.setGeometry(QRectF(0, 0, 420, 150))    # short and narrow: one line would collide
    assert all("\n" in t.toPlainText() for t in view._layer_texts)
