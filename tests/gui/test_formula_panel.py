"""FormulaPanel shows the record's equation and shapes verbatim, and the engine's cell text."""

import numpy as np
import pytest

from engine import Network
from engine.stepper import Stepper
from gui.formula_panel import CELL_HINT, START_HINT, FormulaPanel, describe


def make_stepper(loss="squared", out="sigmoid", B=4):
    spec = {"input_size": 2, "loss": loss, "seed": 0,
            "layers": [{"units": 8, "activation": "tanh"}, {"units": 3, "activation": out}]}
    rng = np.random.default_rng(0)
    Y = np.eye(3)[:, rng.integers(0, 3, B)]
    return Stepper(Network.from_spec(spec), rng.normal(size=(2, B)), Y)


@pytest.fixture
def panel(qtbot):
    p = FormulaPanel()
    qtbot.addWidget(p)
    return p


def test_start_hint_then_every_step_shows_its_record(panel):
    assert START_HINT in panel.plain_text() and CELL_HINT in panel.plain_text()
    st = make_stepper()
    for _ in range(st.K):
        rec = st.next()
        panel.show_step(rec)
        assert panel._formula.text() == rec.formula
        assert panel._shapes.text() == rec.formula_shapes
        assert rec.title in panel.plain_text()
        assert panel._sentence.text() == describe(rec) != ""
    panel.show_step(None)
    assert START_HINT in panel.plain_text()


def test_sentences_name_the_layer_and_direction(panel):
    st = make_stepper()
    st.jump(6)  # forward (4), loss, δ₂
    assert st.last.kind == "delta" and st.last.layer == 2
    assert describe(st.last).startswith("Backward, output layer 2")
    rec = st.next()  # grads of layer 2, batch of 4: averaged
    assert "averaged over the batch" in describe(rec)
    rec = st.next()  # δ₁, a hidden layer
    assert describe(rec) == ("Backward, layer 1: the sensitivity δ₁ is the error sent back "
                             "through W₂ᵀ, gated by σ'₁.")
    one = make_stepper(B=1)
    one.jump(7)
    assert "averaged" not in describe(one.last)


def test_cross_entropy_output_sentence(panel):
    st = make_stepper(loss="cross_entropy", out="softmax")
    st.jump(6)
    assert "δ₂ = a₂ − y" in describe(st.last)


def test_cell_text_is_the_engines_explanation(panel):
    st = make_stepper()
    st.jump(6)
    text = st.explain("delta", 2, 1, 3)
    panel.show_cell_text(text)
    assert panel._cell.text() == text
    panel.show_cell_text(None)
    assert panel._cell.text() == CELL_HINT


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_font_scale_grows_the_formula(panel, qtbot):
    panel.resize(1400, 600)   # room for the text at twice the size
    panel.show()
    qtbot.waitExposed(panel)
    before = panel._formula.font().pointSizeF()
    panel.set_font_scale(2.0)
    assert panel._formula.font().pointSizeF() == pytest.approx(2 * before)


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_short_panel_fits_its_text_but_never_below_the_normal_size(panel, qtbot):
    from PyQt6.QtWidgets import QScrollArea

    st = make_stepper()
    panel.show_step(st.next())
    panel.set_compact(True)        # presentation mode: no hover hint line
    normal = 11.0 + 11             # style.BASE_POINT_SIZE + the formula's +11 points
    view = panel.findChild(QScrollArea).viewport()
    for height in (600, 170, 130):
        panel.resize(1000, height)
        panel.show()
        panel.set_font_scale(1.6)
        qtbot.wait(20)
        size = panel._formula.font().pointSizeF()
        assert normal - 1e-6 <= size <= 1.6 * normal + 1e-6
        needed = panel._body.heightForWidth(view.width())
        # the largest size that fits: all of it shown, or already at the normal size
        assert needed <= view.height() or size == pytest.approx(normal), (height, size)
        if height == 600:
            assert size == pytest.approx(1.6 * normal)
    assert not panel._cell.isVisible()


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_a_short_panel_keeps_its_font_from_step_to_step(panel, qtbot):
    # Too short for the text at any scale: the scroll bar comes and goes as the text
    # changes. The panel used to try every scale again each time (three font changes a
    # step, twice a step's time in a 736 px window); now a step only measures.
    st = make_stepper()
    panel.resize(500, 60)
    panel.show()
    qtbot.wait(20)
    panel.show_step(st.next())
    qtbot.wait(20)
    fonts = []
    original = panel._apply_scale
    panel._apply_scale = lambda f: (fonts.append(f), original(f))
    sizes = set()
    for _ in range(st.K - 1):
        panel.show_step(st.next())
        qtbot.wait(1)   # the scroll bar's resize of the viewport is delivered
        sizes.add(panel._formula.font().pointSizeF())
    assert fonts == [] and len(sizes) == 1
    panel.resize(500, 400)   # taller: the text grows back
    qtbot.wait(20)
    assert fonts and panel._formula.font().pointSizeF() >= max(sizes)
